"""Serialised units: checking the serials a request names, creating units, and moving them
between statuses with UPDATEs guarded on the state they must be in."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from fieldops.db import db
from fieldops.errors import ConflictError, RuleViolationError
from fieldops.inventory.models import SERIAL_MAX, PartType, StockUnit
from fieldops.inventory.rules import UnitStatus


def clean_serials(
    part: PartType,
    serials: Sequence[str] | None,
    quantity: int | None,
    *,
    required_for: str | None = None,
) -> tuple[list[str], int]:
    """The request's serials (stripped, no repeats) and its quantity, checked against each
    other and against whether the part is serialised; `required_for` (e.g. "received") when
    a serialised part must name its serials here. Raises RuleViolationError naming `serials`
    or `quantity`."""
    cleaned = [s.strip() for s in serials or []]
    if not part.is_serialised:
        if cleaned:
            raise RuleViolationError.on_field(
                "serials", f"{part.sku} is not serialised: give a quantity only."
            )
        return [], _positive(quantity)
    if required_for and not cleaned:
        raise RuleViolationError.on_field(
            "serials", f"{part.sku} is serialised: list the serials {required_for}."
        )
    if any(not s or len(s) > SERIAL_MAX for s in cleaned):
        raise RuleViolationError.on_field("serials", f"Each serial is 1-{SERIAL_MAX} characters.")
    repeated = sorted({s for s in cleaned if cleaned.count(s) > 1})
    if repeated:
        raise RuleViolationError.on_field(
            "serials", f"Listed more than once: {', '.join(repeated)}."
        )
    if quantity is not None and cleaned and quantity != len(cleaned):
        raise RuleViolationError.on_field(
            "quantity", f"{quantity} does not match the {len(cleaned)} serials given."
        )
    return cleaned, len(cleaned) if cleaned else _positive(quantity)


def _positive(quantity: int | None) -> int:
    if quantity is None:
        raise RuleViolationError.on_field("quantity", "Give a quantity of 1 or more.")
    if quantity < 1:
        raise RuleViolationError.on_field("quantity", "Must be 1 or more.")
    return quantity


def create_units(
    part: PartType, serials: list[str], *, status: UnitStatus, location_id: int, now: datetime
) -> list[StockUnit]:
    """New units of a part; a serial already known for it is a ConflictError."""
    taken = db.session.scalars(
        select(StockUnit.serial).where(
            StockUnit.part_type_id == part.id, StockUnit.serial.in_(serials)
        )
    ).all()
    if taken:
        raise ConflictError(
            f"Serial already recorded for {part.sku}: {', '.join(sorted(taken))}.",
            {"serials": [f"Already recorded: {', '.join(sorted(taken))}."]},
        )
    units = [
        StockUnit(
            part_type_id=part.id,
            serial=serial,
            status=status,
            location_id=location_id,
            whereabouts="",
            updated_at=now,
        )
        for serial in serials
    ]
    db.session.add_all(units)
    db.session.flush()
    return units


def units_by_serial(part: PartType, serials: list[str]) -> dict[str, StockUnit]:
    found = db.session.scalars(
        select(StockUnit)
        .where(StockUnit.part_type_id == part.id, StockUnit.serial.in_(serials))
        .execution_options(populate_existing=True)
    ).all()
    return {unit.serial: unit for unit in found}


def pick_free_units(
    part: PartType, location_id: int, count: int, status: UnitStatus = UnitStatus.IN_STOCK
) -> list[int]:
    """Ids of `count` units in `status` (unreserved good ones by default) at a location,
    oldest first (first in, first out).

    Callers hold the line's lock (a guarded UPDATE of its stock_levels row) first, so racing
    requests for the same line never pick the same units."""
    return list(
        db.session.scalars(
            select(StockUnit.id)
            .where(
                StockUnit.part_type_id == part.id,
                StockUnit.location_id == location_id,
                StockUnit.status == status,
            )
            .order_by(StockUnit.id)
            .limit(count)
        ).all()
    )


def move_units(
    unit_ids: Collection[int],
    *,
    expect: Collection[UnitStatus],
    now: datetime,
    expect_location: Any = ...,
    expect_reservation: Any = ...,
    **values: Any,
) -> None:
    """Set `values` on exactly these units, guarded on their current status (and location or
    reservation where given). A unit not in that state means the request raced another or
    named the wrong serial: ConflictError, and the caller's transaction rolls back."""
    if not unit_ids:
        return
    statement = update(StockUnit).where(
        StockUnit.id.in_(list(unit_ids)), StockUnit.status.in_([str(s) for s in expect])
    )
    if expect_location is not ...:
        statement = statement.where(StockUnit.location_id == expect_location)
    if expect_reservation is not ...:
        statement = statement.where(
            StockUnit.reservation_id.is_(None)
            if expect_reservation is None
            else StockUnit.reservation_id == expect_reservation
        )
    result = db.session.execute(
        statement.values(updated_at=now, **values)
        .returning(StockUnit.id)
        .execution_options(synchronize_session=False)
    )
    moved = len(result.all())
    if moved != len(unit_ids):
        raise ConflictError(
            "A unit changed while this request ran; nothing was done. Try again.",
            {"serials": ["Not in the state this action needs."]},
        )


def serials_in_state(
    part: PartType,
    serials: list[str],
    *,
    statuses: Collection[UnitStatus],
    location_id: int | None,
    what: str,
) -> list[StockUnit]:
    """The units these serials name, each in one of `statuses` at `location_id` (None: at no
    location). Raises ConflictError naming every serial that is unknown or elsewhere."""
    units = units_by_serial(part, serials)
    wrong = []
    for serial in serials:
        unit = units.get(serial)
        if unit is None:
            wrong.append(f"{serial} is not a known {part.sku}")
        elif unit.status not in {str(s) for s in statuses} or unit.location_id != location_id:
            elsewhere = unit.location_id is not None and unit.location_id != location_id
            state = unit.status.replace("_", " ")
            wrong.append(f"{serial} is {state}{' at another location' if elsewhere else ''}")
    if wrong:
        message = f"Cannot {what}: " + "; ".join(wrong) + "."
        raise ConflictError(message, {"serials": wrong})
    return [units[s] for s in serials]
