"""How a stock movement is booked: the guarded line changes, the units that travel with
the stock, the ledger rows and the alerts of every line touched.

The use cases in movements.py and reservations.py describe what moves where; these helpers
do it the one way the invariants need: lines first (which locks them), then units, then the
ledger.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from fieldops.accounts.models import User
from fieldops.db import db
from fieldops.errors import ConflictError, RuleViolationError
from fieldops.inventory.models import PartType, StockLevel, StockLocation, StockMovement
from fieldops.inventory.rules import MOVEMENT_RULES, Condition, MovementKind, UnitStatus
from fieldops.inventory.services import levels
from fieldops.inventory.services.units import (
    create_units,
    move_units,
    pick_free_units,
    serials_in_state,
    units_by_serial,
)

log = logging.getLogger(__name__)

CONDITION_STATUS = {Condition.GOOD: UnitStatus.IN_STOCK, Condition.FAULTY: UnitStatus.FAULTY}


def ledger_rows(
    kind: MovementKind,
    part: PartType,
    *,
    quantity: int,
    condition: Condition,
    from_id: int | None,
    to_id: int | None,
    actor: User | None,
    now: datetime,
    unit_ids: list[int] | None = None,
    reservation_id: int | None = None,
    reason: str = "",
    reference: str = "",
) -> list[StockMovement]:
    """Append the ledger rows of one movement: a row per unit for a serialised part, one row
    for a bulk quantity."""
    common = {
        "kind": kind,
        "part_type_id": part.id,
        "condition": condition,
        "from_location_id": from_id,
        "to_location_id": to_id,
        "reservation_id": reservation_id,
        "reason": reason,
        "reference": reference,
        "actor_id": actor.id if actor else None,
        "created_at": now,
    }
    if unit_ids:
        rows = [StockMovement(quantity=1, unit_id=unit_id, **common) for unit_id in unit_ids]
    else:
        rows = [StockMovement(quantity=quantity, unit_id=None, **common)]
    db.session.add_all(rows)
    db.session.flush()
    return rows


def clean_text(value: str | None, field: str, limit: int, *, required: str | None = None) -> str:
    cleaned = (value or "").strip()
    if required and not cleaned:
        raise RuleViolationError.on_field(field, required)
    if len(cleaned) > limit:
        raise RuleViolationError.on_field(field, f"At most {limit} characters.")
    return cleaned


def check_kind(kind: MovementKind, location: StockLocation, side: str) -> None:
    rule = MOVEMENT_RULES[kind]
    allowed = rule.target_kinds if side == "to" else rule.source_kinds
    if location.kind not in allowed:
        names = " or ".join(sorted(allowed))
        label = kind.replace("_", " ")
        raise RuleViolationError.on_field(
            "location" if kind in _SINGLE_PLACE else side,
            f"A {label} {'goes to' if side == 'to' else 'comes from'} a {names}; "
            f"{location.code} is a {location.kind}.",
        )


_SINGLE_PLACE = frozenset(
    {MovementKind.RECEIPT, MovementKind.RECEIVE_FROM_VENDOR, MovementKind.REMOVE}
)


def _short(part: PartType, location: StockLocation, wanted: int, condition: Condition) -> None:
    line = db.session.execute(
        db.select(StockLevel.on_hand, StockLevel.reserved, StockLevel.faulty).where(
            StockLevel.part_type_id == part.id, StockLevel.location_id == location.id
        )
    ).first()
    on_hand, reserved, faulty = line if line else (0, 0, 0)
    if condition == Condition.GOOD:
        have = f"{on_hand - reserved} available ({on_hand} on hand, {reserved} reserved)"
    else:
        have = f"{faulty} faulty"
    raise ConflictError(
        f"Not enough {part.sku} at {location.code}: {wanted} wanted, {have}.",
        {"quantity": [f"Only {have} at {location.code}."]},
    )


def take(
    part: PartType,
    location: StockLocation,
    quantity: int,
    condition: Condition,
    serials: list[str],
) -> list[int]:
    """Take stock out of a line (guarded) and return the units leaving with it: the serials
    named, else the oldest ones in that condition."""
    if levels.take(part.id, location.id, quantity, condition) is None:
        _short(part, location, quantity, condition)
    if not part.is_serialised:
        return []
    status = CONDITION_STATUS[condition]
    if serials:
        units = serials_in_state(
            part, serials, statuses={status}, location_id=location.id, what="move them"
        )
        return [unit.id for unit in units]
    ids = pick_free_units(part, location.id, quantity, status)
    if len(ids) < quantity:  # pragma: no cover - the line's count and its units agree
        raise ConflictError(f"The units of {part.sku} at {location.code} do not add up.")
    return ids


@dataclass(frozen=True)
class Entry:
    """What every ledger row of one movement shares."""

    kind: MovementKind
    part: PartType
    count: int
    condition: Condition
    actor: User | None
    now: datetime
    reason: str = ""
    reference: str = ""


def book(
    entry: Entry,
    source: StockLocation | None,
    target: StockLocation | None,
    unit_ids: list[int],
) -> list[StockMovement]:
    """Write the movement's ledger rows and bring the alerts of the lines it touched up to
    date."""
    rows = ledger_rows(
        entry.kind,
        entry.part,
        quantity=entry.count,
        condition=entry.condition,
        from_id=source.id if source else None,
        to_id=target.id if target else None,
        actor=entry.actor,
        now=entry.now,
        unit_ids=unit_ids,
        reason=entry.reason,
        reference=entry.reference,
    )
    touched = [(entry.part.id, place.id) for place in (source, target) if place is not None]
    levels.refresh_alerts(touched, now=entry.now)
    log.info("%s of %s x part %s", entry.kind, entry.count, entry.part.id)
    return rows


def take_out(
    entry: Entry,
    source: StockLocation,
    target: StockLocation | None,
    serials: list[str],
    **unit_changes: object,
) -> list[StockMovement]:
    """Stock in `entry.condition` leaves `source` (unreserved good stock, or faulty units)
    for another of our locations, or for the outside world when `target` is None (the
    units then take `unit_changes`, such as their new status)."""
    if target is not None:
        levels.lock_lines(entry.part.id, source.id, target.id)
    unit_ids = take(entry.part, source, entry.count, entry.condition, serials)
    move_units(
        unit_ids,
        expect={CONDITION_STATUS[entry.condition]},
        expect_location=source.id,
        now=entry.now,
        location_id=target.id if target else None,
        **unit_changes,
    )
    if target is not None:
        levels.add(entry.part.id, target.id, entry.count, entry.condition)
    return book(entry, source, target, unit_ids)


def bring_in(
    entry: Entry,
    target: StockLocation,
    serials: list[str],
    *,
    coming_back_from: UnitStatus | None = None,
) -> list[StockMovement]:
    """Stock arrives at `target` from outside (a supplier, a site, the vendor). A serial we
    know must be `coming_back_from` that status (fitted at a site, at the vendor); any
    other known serial is a ConflictError. Unknown serials become new units."""
    status = CONDITION_STATUS[entry.condition]
    known = units_by_serial(entry.part, serials) if coming_back_from else {}
    clash = sorted(s for s, u in known.items() if u.status != coming_back_from)
    if clash:
        where = "fitted at a site" if coming_back_from == UnitStatus.INSTALLED else "at the vendor"
        raise ConflictError(
            f"Not {where}: {', '.join(clash)}.",
            {"serials": [f"{s} is {known[s].status.replace('_', ' ')}." for s in clash]},
        )
    returning = [unit.id for unit in known.values()]
    move_units(
        returning,
        expect={coming_back_from} if coming_back_from else set(),
        expect_location=None,
        now=entry.now,
        status=status,
        location_id=target.id,
        whereabouts="",
    )
    new = create_units(
        entry.part,
        [s for s in serials if s not in known],
        status=status,
        location_id=target.id,
        now=entry.now,
    )
    levels.add(entry.part.id, target.id, entry.count, entry.condition)
    return book(entry, None, target, [*returning, *(u.id for u in new)])
