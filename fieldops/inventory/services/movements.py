"""Stock movements a stock manager or engineer records: receipts, transfers, adjustments,
faulty parts removed from sites, returns, the vendor (RMA) round trip and scrapping.

Each call is one unit of work's worth of change: guarded line updates first (which lock the
line), then the units, then the ledger rows and the alerts. Any refusal raises before the
caller commits, so nothing is half-done.
"""

from __future__ import annotations

import logging
from datetime import datetime

from fieldops.accounts.models import User
from fieldops.db import db
from fieldops.errors import ConflictError, RuleViolationError
from fieldops.inventory.models import (
    REASON_MAX,
    REFERENCE_MAX,
    PartType,
    StockLevel,
    StockLocation,
    StockMovement,
)
from fieldops.inventory.rules import MOVEMENT_RULES, Condition, MovementKind, UnitStatus
from fieldops.inventory.services import levels
from fieldops.inventory.services.lookups import location_by_code, part_by_sku
from fieldops.inventory.services.units import (
    clean_serials,
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


def _text(value: str | None, field: str, limit: int, *, required: str | None = None) -> str:
    cleaned = (value or "").strip()
    if required and not cleaned:
        raise RuleViolationError.on_field(field, required)
    if len(cleaned) > limit:
        raise RuleViolationError.on_field(field, f"At most {limit} characters.")
    return cleaned


def _check_kind(kind: MovementKind, location: StockLocation, side: str) -> None:
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


def _take(
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


def receive(
    *,
    actor: User | None,
    sku: str,
    location_code: str,
    now: datetime,
    quantity: int | None = None,
    serials: list[str] | None = None,
    reference: str = "",
) -> list[StockMovement]:
    """Goods in from a supplier into a depot; serialised parts name every serial."""
    part = part_by_sku(sku)
    location = location_by_code(location_code)
    _check_kind(MovementKind.RECEIPT, location, "to")
    cleaned, count = clean_serials(part, serials, quantity, required_for="received")
    reference = _text(reference, "reference", REFERENCE_MAX)
    units = create_units(
        part, cleaned, status=UnitStatus.IN_STOCK, location_id=location.id, now=now
    )
    levels.add(part.id, location.id, count, Condition.GOOD)
    rows = ledger_rows(
        MovementKind.RECEIPT,
        part,
        quantity=count,
        condition=Condition.GOOD,
        from_id=None,
        to_id=location.id,
        actor=actor,
        now=now,
        unit_ids=[u.id for u in units],
        reference=reference,
    )
    levels.refresh_alerts([(part.id, location.id)], now=now)
    log.info("receipt of %s x part %s at location %s", count, part.id, location.id)
    return rows


def transfer(
    *,
    actor: User | None,
    sku: str,
    from_code: str,
    to_code: str,
    now: datetime,
    quantity: int | None = None,
    serials: list[str] | None = None,
    reason: str = "",
) -> list[StockMovement]:
    """Move unreserved good stock between two of our locations (depot to depot, depot to van,
    van back to depot)."""
    part = part_by_sku(sku)
    source = location_by_code(from_code, "from")
    target = location_by_code(to_code, "to")
    if source.id == target.id:
        raise RuleViolationError.on_field("to", "A transfer goes to another location.")
    cleaned, count = clean_serials(part, serials, quantity)
    reason = _text(reason, "reason", REASON_MAX)
    levels.lock_lines(part.id, source.id, target.id)
    unit_ids = _take(part, source, count, Condition.GOOD, cleaned)
    move_units(
        unit_ids,
        expect={UnitStatus.IN_STOCK},
        expect_location=source.id,
        now=now,
        location_id=target.id,
    )
    levels.add(part.id, target.id, count, Condition.GOOD)
    rows = ledger_rows(
        MovementKind.TRANSFER,
        part,
        quantity=count,
        condition=Condition.GOOD,
        from_id=source.id,
        to_id=target.id,
        actor=actor,
        now=now,
        unit_ids=unit_ids,
        reason=reason,
    )
    levels.refresh_alerts([(part.id, source.id), (part.id, target.id)], now=now)
    return rows


def adjust(
    *,
    actor: User | None,
    sku: str,
    location_code: str,
    direction: str,
    reason: str,
    now: datetime,
    quantity: int | None = None,
    serials: list[str] | None = None,
    condition: str = Condition.GOOD,
) -> list[StockMovement]:
    """Correct a line after a count: `direction` "in" adds stock found, "out" writes off
    stock missing (a serialised unit written off is scrapped). A reason is required."""
    part = part_by_sku(sku)
    location = location_by_code(location_code)
    if direction not in ("in", "out"):
        raise RuleViolationError.on_field("direction", "Either in (found) or out (missing).")
    state = _condition(condition)
    reason = _text(reason, "reason", REASON_MAX, required="Say why the stock is adjusted.")
    cleaned, count = clean_serials(part, serials, quantity, required_for="adjusted")
    if direction == "in":
        units = create_units(
            part, cleaned, status=CONDITION_STATUS[state], location_id=location.id, now=now
        )
        levels.add(part.id, location.id, count, state)
        unit_ids, from_id, to_id = [u.id for u in units], None, location.id
    else:
        unit_ids = _take(part, location, count, state, cleaned)
        move_units(
            unit_ids,
            expect={CONDITION_STATUS[state]},
            expect_location=location.id,
            now=now,
            status=UnitStatus.SCRAPPED,
            location_id=None,
            whereabouts=f"written off: {reason}"[:REFERENCE_MAX],
        )
        from_id, to_id = location.id, None
    rows = ledger_rows(
        MovementKind.ADJUST,
        part,
        quantity=count,
        condition=state,
        from_id=from_id,
        to_id=to_id,
        actor=actor,
        now=now,
        unit_ids=unit_ids,
        reason=reason,
    )
    levels.refresh_alerts([(part.id, location.id)], now=now)
    log.info("adjustment %s of %s x part %s at location %s", direction, count, part.id, location.id)
    return rows


def _condition(value: str) -> Condition:
    try:
        return Condition(value)
    except ValueError:
        raise RuleViolationError.on_field("condition", "Either good or faulty.") from None


def remove_faulty(
    *,
    actor: User | None,
    sku: str,
    location_code: str,
    site: str,
    now: datetime,
    quantity: int | None = None,
    serials: list[str] | None = None,
    reason: str = "",
) -> list[StockMovement]:
    """Faulty parts taken out of a customer's site into a location (the engineer's van).

    A serial fitted from our stock goes from installed to faulty; a serial we never knew
    (fitted before fieldops) is recorded as a new faulty unit; one still in our stock is a
    ConflictError."""
    part = part_by_sku(sku)
    location = location_by_code(location_code)
    site = _text(site, "site", REFERENCE_MAX, required="Name the site the part came out of.")
    reason = _text(reason, "reason", REASON_MAX)
    cleaned, count = clean_serials(part, serials, quantity, required_for="removed")
    known = units_by_serial(part, cleaned)
    clash = [s for s, u in known.items() if u.status != UnitStatus.INSTALLED]
    if clash:
        raise ConflictError(
            f"Not fitted at a site, so not removable: {', '.join(sorted(clash))}.",
            {"serials": [f"{s} is {known[s].status.replace('_', ' ')}." for s in sorted(clash)]},
        )
    fitted = [u.id for u in known.values()]
    move_units(
        fitted,
        expect={UnitStatus.INSTALLED},
        expect_location=None,
        now=now,
        status=UnitStatus.FAULTY,
        location_id=location.id,
        whereabouts="",
    )
    new = create_units(
        part,
        [s for s in cleaned if s not in known],
        status=UnitStatus.FAULTY,
        location_id=location.id,
        now=now,
    )
    levels.add(part.id, location.id, count, Condition.FAULTY)
    rows = ledger_rows(
        MovementKind.REMOVE,
        part,
        quantity=count,
        condition=Condition.FAULTY,
        from_id=None,
        to_id=location.id,
        actor=actor,
        now=now,
        unit_ids=[*fitted, *(u.id for u in new)],
        reason=reason,
        reference=site,
    )
    levels.refresh_alerts([(part.id, location.id)], now=now)
    return rows


def return_faulty(
    *,
    actor: User | None,
    sku: str,
    from_code: str,
    to_code: str,
    now: datetime,
    quantity: int | None = None,
    serials: list[str] | None = None,
    reason: str = "",
) -> list[StockMovement]:
    """Faulty units travel back from a van (or another depot) to a depot, on their way to
    the vendor."""
    part = part_by_sku(sku)
    source = location_by_code(from_code, "from")
    target = location_by_code(to_code, "to")
    if source.id == target.id:
        raise RuleViolationError.on_field("to", "A return goes to another location.")
    _check_kind(MovementKind.RETURN, target, "to")
    cleaned, count = clean_serials(part, serials, quantity)
    reason = _text(reason, "reason", REASON_MAX)
    levels.lock_lines(part.id, source.id, target.id)
    unit_ids = _take(part, source, count, Condition.FAULTY, cleaned)
    move_units(
        unit_ids,
        expect={UnitStatus.FAULTY},
        expect_location=source.id,
        now=now,
        location_id=target.id,
    )
    levels.add(part.id, target.id, count, Condition.FAULTY)
    rows = ledger_rows(
        MovementKind.RETURN,
        part,
        quantity=count,
        condition=Condition.FAULTY,
        from_id=source.id,
        to_id=target.id,
        actor=actor,
        now=now,
        unit_ids=unit_ids,
        reason=reason,
    )
    levels.refresh_alerts([(part.id, source.id), (part.id, target.id)], now=now)
    return rows


def send_to_vendor(
    *,
    actor: User | None,
    sku: str,
    location_code: str,
    rma: str,
    now: datetime,
    quantity: int | None = None,
    serials: list[str] | None = None,
) -> list[StockMovement]:
    """Faulty units leave a depot for the vendor under an RMA number."""
    part = part_by_sku(sku)
    location = location_by_code(location_code)
    _check_kind(MovementKind.SEND_TO_VENDOR, location, "from")
    rma = _text(rma, "reference", REFERENCE_MAX, required="Give the vendor's RMA number.")
    cleaned, count = clean_serials(part, serials, quantity)
    unit_ids = _take(part, location, count, Condition.FAULTY, cleaned)
    move_units(
        unit_ids,
        expect={UnitStatus.FAULTY},
        expect_location=location.id,
        now=now,
        status=UnitStatus.AT_VENDOR,
        location_id=None,
        whereabouts=f"RMA {rma}"[:REFERENCE_MAX],
    )
    rows = ledger_rows(
        MovementKind.SEND_TO_VENDOR,
        part,
        quantity=count,
        condition=Condition.FAULTY,
        from_id=location.id,
        to_id=None,
        actor=actor,
        now=now,
        unit_ids=unit_ids,
        reference=rma,
    )
    levels.refresh_alerts([(part.id, location.id)], now=now)
    return rows


def receive_from_vendor(
    *,
    actor: User | None,
    sku: str,
    location_code: str,
    rma: str,
    now: datetime,
    quantity: int | None = None,
    serials: list[str] | None = None,
) -> list[StockMovement]:
    """Repaired units (their serials were at the vendor) or replacements (new serials) come
    back into a depot as good stock."""
    part = part_by_sku(sku)
    location = location_by_code(location_code)
    _check_kind(MovementKind.RECEIVE_FROM_VENDOR, location, "to")
    rma = _text(rma, "reference", REFERENCE_MAX, required="Give the vendor's RMA number.")
    cleaned, count = clean_serials(part, serials, quantity, required_for="received back")
    known = units_by_serial(part, cleaned)
    clash = [s for s, u in known.items() if u.status != UnitStatus.AT_VENDOR]
    if clash:
        raise ConflictError(
            f"Not at the vendor: {', '.join(sorted(clash))}.",
            {"serials": [f"{s} is {known[s].status.replace('_', ' ')}." for s in sorted(clash)]},
        )
    repaired = [u.id for u in known.values()]
    move_units(
        repaired,
        expect={UnitStatus.AT_VENDOR},
        expect_location=None,
        now=now,
        status=UnitStatus.IN_STOCK,
        location_id=location.id,
        whereabouts="",
    )
    replacements = create_units(
        part,
        [s for s in cleaned if s not in known],
        status=UnitStatus.IN_STOCK,
        location_id=location.id,
        now=now,
    )
    levels.add(part.id, location.id, count, Condition.GOOD)
    rows = ledger_rows(
        MovementKind.RECEIVE_FROM_VENDOR,
        part,
        quantity=count,
        condition=Condition.GOOD,
        from_id=None,
        to_id=location.id,
        actor=actor,
        now=now,
        unit_ids=[*repaired, *(u.id for u in replacements)],
        reference=rma,
    )
    levels.refresh_alerts([(part.id, location.id)], now=now)
    return rows


def scrap(
    *,
    actor: User | None,
    sku: str,
    location_code: str,
    reason: str,
    now: datetime,
    quantity: int | None = None,
    serials: list[str] | None = None,
    condition: str = Condition.FAULTY,
) -> list[StockMovement]:
    """Write off stock that will not be repaired (faulty by default). A reason is required."""
    part = part_by_sku(sku)
    location = location_by_code(location_code)
    state = _condition(condition)
    reason = _text(reason, "reason", REASON_MAX, required="Say why the stock is scrapped.")
    cleaned, count = clean_serials(part, serials, quantity)
    unit_ids = _take(part, location, count, state, cleaned)
    move_units(
        unit_ids,
        expect={CONDITION_STATUS[state]},
        expect_location=location.id,
        now=now,
        status=UnitStatus.SCRAPPED,
        location_id=None,
        whereabouts=f"scrapped: {reason}"[:REFERENCE_MAX],
    )
    rows = ledger_rows(
        MovementKind.SCRAP,
        part,
        quantity=count,
        condition=state,
        from_id=location.id,
        to_id=None,
        actor=actor,
        now=now,
        unit_ids=unit_ids,
        reason=reason,
    )
    levels.refresh_alerts([(part.id, location.id)], now=now)
    return rows
