"""Simulated history of part types for the inventory benchmark: each part's receipts,
transfers, van refills, jobs, faulty returns, vendor round trips, adjustments and scrapping,
kept as the rows (stock lines, units, reservations, ledger) that bench/inventory_data.py
writes in bulk."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

HISTORY = timedelta(days=365)


@dataclass(frozen=True)
class Size:
    part_types: int = 10_000
    depots: int = 40
    vans: int = 160
    depot_lines: int = 2_500  # part types per depot, on average
    van_lines: int = 40  # part types per van, on average
    movements: int = 1_000_000


FULL = Size()
QUICK = Size(part_types=1_000, depots=10, vans=30, depot_lines=300, van_lines=20, movements=60_000)


@dataclass
class Buffers:
    reservations: list[dict[str, Any]] = field(default_factory=list)
    units: list[dict[str, Any]] = field(default_factory=list)
    reservation_units: list[dict[str, Any]] = field(default_factory=list)
    movements: list[dict[str, Any]] = field(default_factory=list)
    lines: list[dict[str, Any]] = field(default_factory=list)


class PartHistory:
    """One part type's simulated history; appends its rows to the buffers."""

    def __init__(
        self, sim: Simulation, part_id: int, serialised: bool, depots: list[int], vans: list[int]
    ) -> None:
        self.sim, self.id, self.serialised = sim, part_id, serialised
        self.depots, self.vans = depots, vans
        self.rng = sim.rng
        # location -> [on_hand, reserved, faulty]
        self.lines: dict[int, list[int]] = {loc: [0, 0, 0] for loc in depots + vans}
        self.free: dict[int, list[int]] = {loc: [] for loc in self.lines}  # good, unreserved
        self.broken: dict[int, list[int]] = {loc: [] for loc in self.lines}  # faulty units
        self.units: dict[int, dict[str, Any]] = {}
        self.at_vendor: list[int] = []
        self.rows = 0
        self.clock = sim.now - HISTORY

    # -- ledger and units -------------------------------------------------------------
    def _row(self, kind: str, quantity: int, condition: str, source: int | None,
             target: int | None, unit: int | None = None, reservation: int | None = None,
             reason: str = "", reference: str = "") -> None:  # fmt: skip
        self.clock += timedelta(minutes=self.rng.randint(1, 600))
        self.sim.buffers.movements.append(
            {
                "kind": kind,
                "part_type_id": self.id,
                "quantity": quantity,
                "condition": condition,
                "from_location_id": source,
                "to_location_id": target,
                "unit_id": unit,
                "reservation_id": reservation,
                "reason": reason,
                "reference": reference,
                "actor_id": self.sim.actor_id,
                "created_at": min(self.clock, self.sim.now),
            }
        )
        self.rows += 1

    def _new_unit(self, status: str, location: int | None, prefix: str) -> int:
        unit_id = self.sim.next_id("unit")
        self.units[unit_id] = {
            "id": unit_id,
            "part_type_id": self.id,
            "serial": f"{prefix}{self.id:05d}{unit_id:08d}",
            "status": status,
            "location_id": location,
            "reservation_id": None,
            "whereabouts": "",
        }
        return unit_id

    def _move(self, kind: str, quantity: int, condition: str, source: int | None,
              target: int | None, units: list[int], **extra: Any) -> None:  # fmt: skip
        if self.serialised:
            for unit in units:
                self._row(kind, 1, condition, source, target, unit, **extra)
        else:
            self._row(kind, quantity, condition, source, target, **extra)

    def _take_free(self, location: int, quantity: int) -> list[int]:
        taken = self.free[location][:quantity] if self.serialised else []
        del self.free[location][: len(taken)]
        self.lines[location][0] -= quantity
        return taken

    def _put_free(self, location: int, units: list[int], quantity: int) -> None:
        self.free[location].extend(units)
        self.lines[location][0] += quantity
        for unit in units:
            self.units[unit].update(status="in_stock", location_id=location)

    def _amount(self, location: int, most: int) -> int:
        """How much a movement out of `location` takes: 0 when the line has nothing free."""
        have = self.lines[location][0] - self.lines[location][1]
        return min(have, self.rng.randint(1, most)) if have > 0 else 0

    def _reservation(self, location: int, quantity: int, status: str, **extra: Any) -> int:
        reservation_id = self.sim.next_id("reservation")
        job = self.sim.next_id("job")
        self.sim.buffers.reservations.append(
            {
                "id": reservation_id,
                "part_type_id": self.id,
                "location_id": location,
                "quantity": quantity,
                "status": status,
                "job_ref": f"WO-{self.sim.now.year}-{job % 1_000_000:06d}",
                "purpose": extra.get("purpose"),
                "is_emergency": False,
                "created_by_id": self.sim.actor_id,
                "created_at": self.clock,
                "updated_at": self.clock,
            }
        )
        return reservation_id

    # -- events -----------------------------------------------------------------------
    def receipt(self, depot: int) -> None:
        quantity = self.rng.randint(2, 8) if self.serialised else self.rng.randint(20, 400)
        units = [
            self._new_unit("in_stock", depot, "S")
            for _ in range(quantity if self.serialised else 0)
        ]
        self._put_free(depot, units, quantity)
        self._move("receipt", quantity, "good", None, depot, units, reference="DN-BENCH")

    def rebalance(self) -> bool:
        source, target = self.rng.sample(self.depots, 2) if len(self.depots) > 1 else (0, 0)
        quantity = self._amount(source, 3 if self.serialised else 50) if source else 0
        if not quantity:
            return False
        units = self._take_free(source, quantity)
        self._put_free(target, units, quantity)
        self._move("transfer", quantity, "good", source, target, units, reason="Rebalance")
        return True

    def refill_van(self) -> bool:
        if not self.vans:
            return False
        source, van = self.rng.choice(self.depots), self.rng.choice(self.vans)
        quantity = self._amount(source, 2 if self.serialised else 20)
        if not quantity:
            return False
        units = self._take_free(source, quantity)
        self._put_free(van, units, quantity)
        self._move("transfer", quantity, "good", source, van, units, reason="Van kit")
        return True

    def job(self, from_van: bool) -> bool:
        """A job's reservation, picked into a van when it came from a depot that has vans
        for this part, then fitted (serialised) or consumed (bulk) at a site."""
        places = self.vans if from_van else self.depots
        if not places:
            return False
        source = self.rng.choice(places)
        quantity = self._amount(source, 1 if self.serialised else 10)
        if not quantity:
            return False
        reservation = self._reservation(source, quantity, "consumed")
        units = self._take_free(source, quantity)
        self._link(reservation, units)
        where = source
        if not from_van and self.vans and self.rng.random() < 0.6:
            van = self.rng.choice(self.vans)
            self._move("pick", quantity, "good", source, van, units, reservation=reservation)
            where = van
        site = f"Site {self.rng.randint(1, 5000)}"
        kind = "install" if self.serialised else "consume"
        self._move(kind, quantity, "good", where, None, units, reservation=reservation,
                   reference=site)  # fmt: skip
        for unit in units:
            self.units[unit].update(status="installed", location_id=None, whereabouts=site)
        return True

    def _link(self, reservation: int, units: list[int]) -> None:
        self.sim.buffers.reservation_units.extend(
            {"reservation_id": reservation, "unit_id": unit} for unit in units
        )

    def faulty(self) -> bool:
        """A faulty part removed from a site into a van (or a depot when there are no vans),
        returned to a depot, and half the time sent on to the vendor."""
        into = self.rng.choice(self.vans or self.depots)
        units = [self._new_unit("faulty", into, "F")] if self.serialised else []
        quantity = 1 if self.serialised else self.rng.randint(1, 5)
        self.lines[into][2] += quantity
        self._move("remove", quantity, "faulty", None, into, units, reference="Site swap")
        depot = into
        if into in self.vans:
            depot = self.rng.choice(self.depots)
            self._move("return", quantity, "faulty", into, depot, units, reason="For RMA")
            self.lines[into][2] -= quantity
            self.lines[depot][2] += quantity
            for unit in units:
                self.units[unit]["location_id"] = depot
        if self.rng.random() < 0.5:
            self._move("send_to_vendor", quantity, "faulty", depot, None, units, reference="RMA")
            self.lines[depot][2] -= quantity
            for unit in units:
                self.units[unit].update(status="at_vendor", location_id=None, whereabouts="RMA")
            self.at_vendor.extend(units)
        else:
            self.broken[depot].extend(units)
        return True

    def back_from_vendor(self) -> bool:
        if not self.serialised or not self.at_vendor:
            return False
        unit, depot = self.at_vendor.pop(0), self.rng.choice(self.depots)
        self._put_free(depot, [unit], 1)
        self.units[unit]["whereabouts"] = ""
        self._row("receive_from_vendor", 1, "good", None, depot, unit, reference="RMA")
        return True

    def adjust(self) -> bool:
        depot = self.rng.choice(self.depots)
        if self.rng.random() < 0.5:
            quantity = 1 if self.serialised else self.rng.randint(1, 10)
            units = [self._new_unit("in_stock", depot, "A")] if self.serialised else []
            self._put_free(depot, units, quantity)
            self._move("adjust", quantity, "good", None, depot, units, reason="Found at count")
            return True
        quantity = self._amount(depot, 1 if self.serialised else 10)
        if not quantity:
            return False
        units = self._take_free(depot, quantity)
        for unit in units:
            self.units[unit].update(status="scrapped", location_id=None, whereabouts="missing")
        self._move("adjust", quantity, "good", depot, None, units, reason="Missing at count")
        return True

    def scrap(self) -> bool:
        depot = next((d for d in self.depots if self.lines[d][2] > 0), None)
        if depot is None:
            return False
        units = self.broken[depot][:1] if self.serialised else []
        del self.broken[depot][: len(units)]
        self.lines[depot][2] -= 1
        for unit in units:
            self.units[unit].update(status="scrapped", location_id=None, whereabouts="scrapped")
        self._move("scrap", 1, "faulty", depot, None, units, reason="Beyond repair")
        return True

    def hold(self, picked: bool) -> None:
        """An open reservation at the end: held at a depot, or picked into a van."""
        depot = self.rng.choice(self.depots)
        quantity = self._amount(depot, 1 if self.serialised else 5)
        if not quantity:
            return
        van = self.rng.choice(self.vans) if picked and self.vans else None
        reservation = self._reservation(
            van or depot, quantity, "picked" if van else "held", purpose="Planned maintenance"
        )
        units = self.free[depot][:quantity] if self.serialised else []
        del self.free[depot][: len(units)]
        self._link(reservation, units)
        status = "in_transit" if van else "reserved"
        for unit in units:
            self.units[unit].update(status=status, reservation_id=reservation)
        if van is None:
            self.lines[depot][1] += quantity
            return
        self.lines[depot][0] -= quantity
        self.lines[van][0] += quantity
        self.lines[van][1] += quantity
        for unit in units:
            self.units[unit]["location_id"] = van
        self._move("pick", quantity, "good", depot, van, units, reservation=reservation)

    def finish(self) -> None:
        buffers, now = self.sim.buffers, self.sim.now
        for unit in self.units.values():
            buffers.units.append({**unit, "updated_at": now})
        for location, (on_hand, reserved, faulty) in self.lines.items():
            depot = location in self.depots
            buffers.lines.append(
                {
                    "part_type_id": self.id,
                    "location_id": location,
                    "on_hand": on_hand,
                    "reserved": reserved,
                    "faulty": faulty,
                    "reserve_floor": self.rng.choice((0, 0, 1, 1, 2)) if depot else 0,
                    "reorder_point": None,
                }
            )


class Simulation:
    def __init__(self, size: Size, seed: int, now: datetime, actor_id: int) -> None:
        self.size, self.rng, self.now, self.actor_id = size, random.Random(seed), now, actor_id
        self.buffers = Buffers()
        self.ids: dict[str, int] = {}

    def next_id(self, what: str) -> int:
        self.ids[what] = self.ids.get(what, 0) + 1
        return self.ids[what]

    def part(self, part_id: int, serialised: bool, depots: list[int], vans: list[int],
             budget: int) -> int:  # fmt: skip
        """Simulate one part until its ledger has about `budget` rows; returns its rows."""
        part = PartHistory(self, part_id, serialised, depots, vans)
        for depot in depots:
            part.receipt(depot)
        events: list[tuple[Callable[[], bool], float]] = [
            (part.rebalance, 0.08),
            (part.refill_van, 0.14),
            (lambda: part.job(from_van=False), 0.28),
            (lambda: part.job(from_van=True), 0.12),
            (part.faulty, 0.12),
            (part.back_from_vendor, 0.04),
            (part.adjust, 0.05),
            (part.scrap, 0.02),
        ]
        actions, weights = [e for e, _ in events], [w for _, w in events]
        while part.rows < budget:
            if self.rng.random() < 0.15 or not self.rng.choices(actions, weights)[0]():
                part.receipt(self.rng.choice(depots))
        if self.rng.random() < 0.25:
            part.hold(picked=self.rng.random() < 0.3)
        part.finish()
        return part.rows
