"""The ledger check: every stock line's quantities equal what its movements add up to.

Behind `fieldops stock verify`. It compares, per (part type, location):
- good stock on hand and faulty units with the sums of their ledger rows;
- reserved stock with the quantities of the held and picked reservations there;
- for serialised parts, on-hand and faulty with the units actually at the location.
Set-based: a handful of GROUP BY queries, whatever the ledger's size.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, literal, select, union_all

from fieldops.db import db
from fieldops.inventory.models import (
    PartType,
    StockLevel,
    StockLocation,
    StockMovement,
    StockReservation,
    StockUnit,
)
from fieldops.inventory.rules import (
    ACTIVE_RESERVATIONS,
    ON_HAND_STATUSES,
    Condition,
    UnitStatus,
)

Key = tuple[int, int]


@dataclass(frozen=True)
class Discrepancy:
    sku: str
    location: str
    measure: str  # on_hand, faulty or reserved
    recorded: int
    expected: int
    source: str  # what `expected` was counted from


@dataclass
class LedgerCheck:
    lines: int = 0
    movements: int = 0
    discrepancies: list[Discrepancy] = field(default_factory=list)

    @property
    def balanced(self) -> bool:
        return not self.discrepancies


def _ledger_sums() -> dict[tuple[int, int, str], int]:
    arrivals = select(
        StockMovement.part_type_id.label("part"),
        StockMovement.to_location_id.label("location"),
        StockMovement.condition.label("condition"),
        StockMovement.quantity.label("delta"),
    ).where(StockMovement.to_location_id.is_not(None))
    departures = select(
        StockMovement.part_type_id,
        StockMovement.from_location_id,
        StockMovement.condition,
        (literal(0) - StockMovement.quantity),
    ).where(StockMovement.from_location_id.is_not(None))
    both = union_all(arrivals, departures).subquery()
    rows = db.session.execute(
        select(both.c.part, both.c.location, both.c.condition, func.sum(both.c.delta)).group_by(
            both.c.part, both.c.location, both.c.condition
        )
    )
    return {(p, loc, cond): int(total) for p, loc, cond, total in rows}


def verify_ledger() -> LedgerCheck:
    check = LedgerCheck()
    check.movements = int(db.session.scalar(select(func.count()).select_from(StockMovement)) or 0)
    names = {
        "part": dict(db.session.execute(select(PartType.id, PartType.sku)).all()),
        "location": dict(db.session.execute(select(StockLocation.id, StockLocation.code)).all()),
    }
    serialised = set(
        db.session.scalars(select(PartType.id).where(PartType.is_serialised.is_(True))).all()
    )
    ledger = _ledger_sums()
    held = {
        (p, loc): int(q)
        for p, loc, q in db.session.execute(
            select(
                StockReservation.part_type_id,
                StockReservation.location_id,
                func.sum(StockReservation.quantity),
            )
            .where(StockReservation.status.in_(list(ACTIVE_RESERVATIONS)))
            .group_by(StockReservation.part_type_id, StockReservation.location_id)
        )
    }
    units: dict[tuple[int, int, str], int] = defaultdict(int)
    for p, loc, status, count in db.session.execute(
        select(StockUnit.part_type_id, StockUnit.location_id, StockUnit.status, func.count())
        .where(StockUnit.location_id.is_not(None))
        .group_by(StockUnit.part_type_id, StockUnit.location_id, StockUnit.status)
    ):
        bucket = "good" if status in ON_HAND_STATUSES else status
        units[(p, int(loc or 0), bucket)] += int(count)
    lines = db.session.execute(
        select(
            StockLevel.part_type_id,
            StockLevel.location_id,
            StockLevel.on_hand,
            StockLevel.reserved,
            StockLevel.faulty,
        )
    )
    seen: set[Key] = set()

    def _flag(key: Key, measure: str, recorded: int, expected: int, source: str) -> None:
        if recorded != expected:
            check.discrepancies.append(
                Discrepancy(
                    names["part"].get(key[0], str(key[0])),
                    names["location"].get(key[1], str(key[1])),
                    measure,
                    recorded,
                    expected,
                    source,
                )
            )

    for part_id, location_id, on_hand, reserved, faulty in lines:
        key = (part_id, location_id)
        seen.add(key)
        check.lines += 1
        _flag(key, "on_hand", on_hand, ledger.get((*key, Condition.GOOD), 0), "ledger")
        _flag(key, "faulty", faulty, ledger.get((*key, Condition.FAULTY), 0), "ledger")
        _flag(key, "reserved", reserved, held.get(key, 0), "reservations")
        if part_id in serialised:
            _flag(key, "on_hand", on_hand, units.get((*key, "good"), 0), "units")
            _flag(key, "faulty", faulty, units.get((*key, UnitStatus.FAULTY), 0), "units")
    # Stock the ledger or the units put somewhere that has no line at all.
    for (part_id, location_id, condition), total in ledger.items():
        if (part_id, location_id) not in seen and total != 0:
            measure = "on_hand" if condition == Condition.GOOD else "faulty"
            _flag((part_id, location_id), measure, 0, total, "ledger")
    for (part_id, location_id, bucket), count in units.items():
        if (part_id, location_id) not in seen and count:
            measure = "on_hand" if bucket == "good" else "faulty"
            _flag((part_id, location_id), measure, 0, count, "units")
    return check
