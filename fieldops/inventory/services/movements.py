"""Stock movements a stock manager or engineer records: receipts, transfers, adjustments,
faulty parts removed from sites, returns, the vendor (RMA) round trip and scrapping.

Each use case checks its input, then books the movement through booking.take_out (stock
leaving a line) or booking.bring_in (stock arriving from outside). Any refusal raises before
the caller commits, so nothing is half-done.
"""

from __future__ import annotations

from datetime import datetime

from fieldops.accounts.models import User
from fieldops.errors import RuleViolationError
from fieldops.inventory.models import REASON_MAX, REFERENCE_MAX, StockMovement
from fieldops.inventory.rules import Condition, MovementKind, UnitStatus
from fieldops.inventory.services.booking import (
    Entry,
    bring_in,
    check_kind,
    clean_text,
    take_out,
)
from fieldops.inventory.services.lookups import location_by_code, part_by_sku
from fieldops.inventory.services.units import clean_serials


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
    check_kind(MovementKind.RECEIPT, location, "to")
    cleaned, count = clean_serials(part, serials, quantity, required_for="received")
    reference = clean_text(reference, "reference", REFERENCE_MAX)
    entry = Entry(MovementKind.RECEIPT, part, count, Condition.GOOD, actor, now, "", reference)
    return bring_in(entry, location, cleaned)


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
    return _between(
        MovementKind.TRANSFER,
        Condition.GOOD,
        actor=actor,
        sku=sku,
        from_code=from_code,
        to_code=to_code,
        now=now,
        quantity=quantity,
        serials=serials,
        reason=reason,
    )


def _between(
    kind: MovementKind,
    condition: Condition,
    *,
    actor: User | None,
    sku: str,
    from_code: str,
    to_code: str,
    now: datetime,
    quantity: int | None,
    serials: list[str] | None,
    reason: str,
) -> list[StockMovement]:
    """Stock in `condition` from one of our locations to another (a transfer, a return)."""
    part = part_by_sku(sku)
    source = location_by_code(from_code, "from")
    target = location_by_code(to_code, "to")
    if source.id == target.id:
        raise RuleViolationError.on_field("to", f"A {kind} goes to another location.")
    check_kind(kind, target, "to")
    cleaned, count = clean_serials(part, serials, quantity)
    reason = clean_text(reason, "reason", REASON_MAX)
    entry = Entry(kind, part, count, condition, actor, now, reason)
    return take_out(entry, source, target, cleaned)


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
    reason = clean_text(reason, "reason", REASON_MAX, required="Say why the stock is adjusted.")
    cleaned, count = clean_serials(part, serials, quantity, required_for="adjusted")
    entry = Entry(MovementKind.ADJUST, part, count, state, actor, now, reason)
    if direction == "in":
        return bring_in(entry, location, cleaned)
    return take_out(
        entry,
        location,
        None,
        cleaned,
        status=UnitStatus.SCRAPPED,
        whereabouts=f"written off: {reason}"[:REFERENCE_MAX],
    )


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
    site = clean_text(site, "site", REFERENCE_MAX, required="Name the site the part came out of.")
    reason = clean_text(reason, "reason", REASON_MAX)
    cleaned, count = clean_serials(part, serials, quantity, required_for="removed")
    entry = Entry(MovementKind.REMOVE, part, count, Condition.FAULTY, actor, now, reason, site)
    return bring_in(entry, location, cleaned, coming_back_from=UnitStatus.INSTALLED)


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
    return _between(
        MovementKind.RETURN,
        Condition.FAULTY,
        actor=actor,
        sku=sku,
        from_code=from_code,
        to_code=to_code,
        now=now,
        quantity=quantity,
        serials=serials,
        reason=reason,
    )


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
    check_kind(MovementKind.SEND_TO_VENDOR, location, "from")
    rma = clean_text(rma, "reference", REFERENCE_MAX, required="Give the vendor's RMA number.")
    cleaned, count = clean_serials(part, serials, quantity)
    entry = Entry(MovementKind.SEND_TO_VENDOR, part, count, Condition.FAULTY, actor, now, "", rma)
    return take_out(
        entry,
        location,
        None,
        cleaned,
        status=UnitStatus.AT_VENDOR,
        whereabouts=f"RMA {rma}"[:REFERENCE_MAX],
    )


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
    check_kind(MovementKind.RECEIVE_FROM_VENDOR, location, "to")
    rma = clean_text(rma, "reference", REFERENCE_MAX, required="Give the vendor's RMA number.")
    cleaned, count = clean_serials(part, serials, quantity, required_for="received back")
    entry = Entry(
        MovementKind.RECEIVE_FROM_VENDOR, part, count, Condition.GOOD, actor, now, "", rma
    )
    return bring_in(entry, location, cleaned, coming_back_from=UnitStatus.AT_VENDOR)


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
    reason = clean_text(reason, "reason", REASON_MAX, required="Say why the stock is scrapped.")
    cleaned, count = clean_serials(part, serials, quantity)
    entry = Entry(MovementKind.SCRAP, part, count, state, actor, now, reason)
    return take_out(
        entry,
        location,
        None,
        cleaned,
        status=UnitStatus.SCRAPPED,
        whereabouts=f"scrapped: {reason}"[:REFERENCE_MAX],
    )
