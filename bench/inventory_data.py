"""Bulk inventory for the inventory benchmark: part types, depots, vans with engineers, stock
lines, serialised units, reservations and a movements ledger, consistent with each other.

Each part type's history is simulated in memory (receipts, rebalancing transfers, van kit
refills, jobs picked into vans and fitted, jobs used straight from a van, faulty parts
removed, returned and sent to the vendor, repaired units back, adjustments and scrapping),
then written with Core `insert()` executemany in batches: its final stock lines and units,
its reservations and every ledger row. Parts are independent, so the ledger sums of each
line equal its stock by construction; `verify_ledger()` proves it after the load.

Ids of part types, locations, engineers, reservations and units are assigned here (the ledger
refers to them); on PostgreSQL the sequences are moved past them afterwards.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, text

from bench.inventory_history import FULL, QUICK, Buffers, Simulation, Size

__all__ = ["FULL", "QUICK", "Loaded", "Size", "load"]

CATEGORIES = ("router", "switch", "line_card", "psu", "optic", "fan", "disk", "memory", "cable")
MANUFACTURERS = ("Cisco", "Juniper Networks", "Arista Networks", "Nokia", "Dell Technologies")
SKILLS = ("router", "switch", "optical", "power", "datacentre-access", "server", "storage")
# Poland, roughly: where depots, vans and reservation points are drawn.
LAT_RANGE = (49.4, 54.5)
LON_RANGE = (14.4, 23.8)
BATCH = 20_000
Say = Callable[[str], None]


@dataclass
class Loaded:
    """What went in, for the report."""

    counts: dict[str, int] = field(default_factory=dict)
    depot_codes: list[str] = field(default_factory=list)
    skus: list[str] = field(default_factory=list)


def _points(rng: random.Random, n: int) -> list[tuple[float, float]]:
    return [(rng.uniform(*LAT_RANGE), rng.uniform(*LON_RANGE)) for _ in range(n)]


def load(connection: Connection, tables: dict[str, Table], *, size: Size, now: datetime,
         actor_id: int, say: Say, seed: int = 7) -> Loaded:  # fmt: skip
    """Write the whole dataset through `connection` (committing per batch)."""
    rng = random.Random(seed)
    loaded = Loaded()
    depots = _points(rng, size.depots)
    depot_rows: list[dict[str, Any]] = [
        {"id": i + 1, "code": f"DEP-{i + 1:03d}", "kind": "depot", "name": f"Depot {i + 1}",
         "address": f"Magazynowa {i + 1}", "city": f"City {i + 1}", "lat": lat, "lon": lon,
         "engineer_id": None, "is_active": True, "created_at": now}
        for i, (lat, lon) in enumerate(depots)
    ]  # fmt: skip
    engineers: list[dict[str, Any]] = []
    vans: list[dict[str, Any]] = []
    for n in range(size.vans):
        lat, lon = depots[n % size.depots]
        home = (lat + rng.uniform(-0.4, 0.4), lon + rng.uniform(-0.6, 0.6))
        engineers.append(
            {"id": n + 1, "user_id": None, "name": f"Bench Engineer {n + 1}",
             "skills": rng.sample(SKILLS, 3), "home_lat": home[0], "home_lon": home[1],
             "is_active": True, "created_at": now}
        )  # fmt: skip
        vans.append(
            {"id": size.depots + n + 1, "code": f"VAN-{n + 1:03d}", "kind": "van",
             "name": f"Van {n + 1}", "address": "", "city": "", "lat": home[0], "lon": home[1],
             "engineer_id": n + 1, "is_active": True, "created_at": now}
        )  # fmt: skip
    parts: list[dict[str, Any]] = []
    for n in range(size.part_types):
        category = CATEGORIES[n % len(CATEGORIES)]
        serialised = category != "cable" and rng.random() < 0.85
        parts.append(
            {"id": n + 1, "sku": f"BP-{category[:3].upper()}-{n + 1:05d}",
             "name": f"Bench {category} part {n + 1}", "category": category,
             "manufacturer": rng.choice(MANUFACTURERS), "is_serialised": serialised,
             "unit": "each" if serialised else rng.choice(("m", "each", "pack")),
             "reorder_point": rng.randint(0, 4), "created_at": now}
        )  # fmt: skip
    with connection.begin():
        connection.execute(tables["engineers"].insert(), engineers)
        connection.execute(tables["stock_locations"].insert(), depot_rows + vans)
        connection.execute(tables["part_types"].insert(), parts)
    loaded.depot_codes = [d["code"] for d in depot_rows]
    loaded.skus = [p["sku"] for p in parts]
    # Van lines go to a pool of popular parts, each carried by a handful of vans.
    van_pool = max(1, size.part_types // 12)
    vans_per_pooled = max(1, round(size.vans * size.van_lines / van_pool))
    depot_share = size.depot_lines / size.part_types * size.depots
    sim = Simulation(size, seed, now, actor_id)
    remaining = size.movements
    for index, part in enumerate(parts):
        count = max(1, min(size.depots, round(depot_share * rng.uniform(0.5, 1.5))))
        chosen = [d["id"] for d in rng.sample(depot_rows, count)]
        carried = (
            [v["id"] for v in rng.sample(vans, min(size.vans, vans_per_pooled))]
            if index < van_pool
            else []
        )
        budget = remaining // (size.part_types - index)
        remaining -= sim.part(part["id"], part["is_serialised"], chosen, carried, budget)
        if len(sim.buffers.movements) >= BATCH:
            _flush(connection, tables, sim.buffers, loaded)
        if (index + 1) % max(1, size.part_types // 10) == 0:
            say(f"  {index + 1} part types, {size.movements - remaining} ledger rows")
    _flush(connection, tables, sim.buffers, loaded)
    loaded.counts.update(
        part_types=len(parts), locations=len(depot_rows) + len(vans), engineers=len(engineers)
    )
    if connection.dialect.name == "postgresql":
        with connection.begin():
            for table in ("engineers", "stock_locations", "part_types",
                          "stock_reservations", "stock_units"):  # fmt: skip
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                        f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
                    )
                )
    return loaded


def _flush(connection: Connection, tables: dict[str, Table], buffers: Buffers,
           loaded: Loaded) -> None:  # fmt: skip
    """Write the buffered rows in foreign-key order, in one transaction, and empty them."""
    order = (
        ("stock_reservations", buffers.reservations),
        ("stock_units", buffers.units),
        ("stock_reservation_units", buffers.reservation_units),
        ("stock_movements", buffers.movements),
        ("stock_levels", buffers.lines),
    )
    with connection.begin():
        for name, rows in order:
            for start in range(0, len(rows), BATCH):
                connection.execute(tables[name].insert(), rows[start : start + BATCH])
            loaded.counts[name] = loaded.counts.get(name, 0) + len(rows)
            rows.clear()
