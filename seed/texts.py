"""The words of generated history: templates from seed/history.json and their filling."""

from __future__ import annotations

import random
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from seed.shapes import ServiceInfo

ASNS = (174, 1299, 2914, 3356, 5617, 6939, 8220, 12741, 20804)


class Texts:
    """Templates by category and service type; `values` draws what fills their {names}."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def values(
        self, rng: random.Random, service: ServiceInfo, opened: datetime, months: tuple[str, ...]
    ) -> dict[str, Any]:
        r = rng.randrange
        circuit = rng.choice(service.circuit_ids) if service.circuit_ids else service.code
        return {
            "city": service.city,
            "site": service.site,
            "circuit": circuit,
            "rack": f"R{r(1, 12):02d}-{r(1, 40):02d}",
            "port": f"xe-0/0/{r(48)}",
            "vlan": r(100, 4000),
            "prefix": f"185.{r(256)}.{r(256)}.0/24",
            "host": f"{service.code.lower()}-app{r(1, 13):02d}",
            "invoice": f"FV/{opened.year}/{r(1000, 100000)}",
            "ip": f"10.{r(256)}.{r(256)}.{r(1, 255)}",
            "asn": rng.choice(ASNS),
            "loss": r(2, 41),
            "latency": r(40, 401),
            "n": r(2, 17),
            "month": f"{months[opened.month - 1]} {opened.year}",
        }

    def summary(
        self, rng: random.Random, category: str, service_type: str, values: dict[str, Any]
    ) -> str:
        by_type = self.data["summaries"][category]
        lines = by_type.get(service_type) or by_type["*"]
        return str(rng.choice(lines).format(**values))[:200]

    def description(self, rng: random.Random, category: str, values: dict[str, Any]) -> str:
        return str(rng.choice(self.data["descriptions"][category]).format(**values))

    def logs(self, rng: random.Random, values: dict[str, Any]) -> str:
        return str(rng.choice(self.data["logs"]).format(**values))
