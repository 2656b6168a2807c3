"""Guarded changes to stock lines, and the alerts that follow them.

Every decrement is one conditional UPDATE whose WHERE holds the rule ("enough unreserved
stock here"); no rows updated means the rule would break, and nothing changed. On PostgreSQL
the UPDATE takes the line's row lock, so racing requests queue and each re-checks the rule
against the committed row; on SQLite BEGIN IMMEDIATE serialises writers. The CHECK
constraints on stock_levels are the backstop (STACK.md, "Stock reservations").
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, literal, or_, select, update

from fieldops.db import db, upsert_insert
from fieldops.inventory.models import PartType, StockAlert, StockLevel, StockLocation
from fieldops.inventory.queries.stock import EFFECTIVE_REORDER_POINT
from fieldops.inventory.rules import (
    LEVEL_ALERTS,
    AlertKind,
    Condition,
    effective_reorder_point,
    level_alerts,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LineState:
    """A stock line's numbers just after a change."""

    id: int
    on_hand: int
    reserved: int
    faulty: int
    reserve_floor: int
    reorder_point: int | None  # the line's own; None: the part type's (at a depot)

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


_RETURNING = (
    StockLevel.id,
    StockLevel.on_hand,
    StockLevel.reserved,
    StockLevel.faulty,
    StockLevel.reserve_floor,
    StockLevel.reorder_point,
)


def ensure_line(part_type_id: int, location_id: int) -> int:
    """The id of the line for a part at a location, created empty if there was none."""
    db.session.execute(
        upsert_insert(StockLevel)
        .values(
            part_type_id=part_type_id,
            location_id=location_id,
            on_hand=0,
            reserved=0,
            faulty=0,
            reserve_floor=0,
        )
        .on_conflict_do_nothing(index_elements=["part_type_id", "location_id"])
    )
    line_id = db.session.scalar(
        select(StockLevel.id).where(
            StockLevel.part_type_id == part_type_id, StockLevel.location_id == location_id
        )
    )
    if line_id is None:  # pragma: no cover - the statement above guarantees it
        raise RuntimeError("line_id missing")
    return int(line_id)


def lock_lines(part_type_id: int, *location_ids: int) -> None:
    """Create and lock a part's lines at several locations, in id order, before a movement
    between them changes either: two transfers in opposite directions then queue instead
    of deadlocking on PostgreSQL (SQLite's BEGIN IMMEDIATE already serialises writers)."""
    ids = sorted(ensure_line(part_type_id, location_id) for location_id in set(location_ids))
    db.session.execute(
        select(StockLevel.id)
        .where(StockLevel.id.in_(ids))
        .order_by(StockLevel.id)
        .with_for_update()
    ).all()


def _apply(part_type_id: int, location_id: int, guard: Any, **values: Any) -> LineState | None:
    statement = (
        update(StockLevel)
        .where(
            StockLevel.part_type_id == part_type_id,
            StockLevel.location_id == location_id,
            guard,
        )
        .values(**values)
        .returning(*_RETURNING)
        .execution_options(synchronize_session=False)
    )
    row = db.session.execute(statement).first()
    return LineState(*row) if row is not None else None


def add(part_type_id: int, location_id: int, quantity: int, condition: Condition) -> LineState:
    """Put stock into a line (creating it): good stock on hand, or faulty units."""
    ensure_line(part_type_id, location_id)
    column = StockLevel.on_hand if condition == Condition.GOOD else StockLevel.faulty
    state = _apply(part_type_id, location_id, literal(True), **{column.key: column + quantity})
    if state is None:  # pragma: no cover - the statement above guarantees it
        raise RuntimeError("state missing")
    return state


def take(
    part_type_id: int, location_id: int, quantity: int, condition: Condition
) -> LineState | None:
    """Take unreserved good stock, or faulty units, out of a line; None when there is not
    that much (nothing changed)."""
    if condition == Condition.GOOD:
        guard = StockLevel.on_hand - StockLevel.reserved >= quantity
        return _apply(part_type_id, location_id, guard, on_hand=StockLevel.on_hand - quantity)
    return _apply(
        part_type_id,
        location_id,
        StockLevel.faulty >= quantity,
        faulty=StockLevel.faulty - quantity,
    )


def hold(
    part_type_id: int, location_id: int, quantity: int, *, emergency: bool
) -> LineState | None:
    """Reserve `quantity` of a line: only what lies above the reserve floor, or down to zero
    with the emergency flag. None when the line cannot give it (nothing changed)."""
    floor = literal(0) if emergency else StockLevel.reserve_floor
    guard = StockLevel.on_hand - StockLevel.reserved - quantity >= floor
    return _apply(part_type_id, location_id, guard, reserved=StockLevel.reserved + quantity)


def unhold(part_type_id: int, location_id: int, quantity: int) -> LineState:
    """Give back a reservation's quantity to available stock."""
    state = _apply(
        part_type_id,
        location_id,
        StockLevel.reserved >= quantity,
        reserved=StockLevel.reserved - quantity,
    )
    if state is None:  # pragma: no cover - a held reservation's quantity is always reserved
        raise RuntimeError(f"line {part_type_id}@{location_id} holds less than {quantity}")
    return state


def take_held(part_type_id: int, location_id: int, quantity: int) -> LineState:
    """Take reserved stock out of a line (picked away, consumed or fitted)."""
    state = _apply(
        part_type_id,
        location_id,
        StockLevel.reserved >= quantity,
        on_hand=StockLevel.on_hand - quantity,
        reserved=StockLevel.reserved - quantity,
    )
    if state is None:  # pragma: no cover - a held reservation's quantity is always reserved
        raise RuntimeError(f"line {part_type_id}@{location_id} holds less than {quantity}")
    return state


def add_held(part_type_id: int, location_id: int, quantity: int) -> LineState:
    """Put stock that stays reserved into a line (a picked part arriving in the van)."""
    ensure_line(part_type_id, location_id)
    state = _apply(
        part_type_id,
        location_id,
        literal(True),
        on_hand=StockLevel.on_hand + quantity,
        reserved=StockLevel.reserved + quantity,
    )
    if state is None:  # pragma: no cover - the statement above guarantees it
        raise RuntimeError("state missing")
    return state


def refresh_alerts(lines: Iterable[tuple[int, int]], *, now: datetime) -> None:
    """Open the level alerts each (part type, location) line is now in and clear the ones it
    has left. A line whose alerts have not changed is not written."""
    pairs = sorted(set(lines))
    if not pairs:
        return
    keys = [and_(StockLevel.part_type_id == p, StockLevel.location_id == loc) for p, loc in pairs]
    rows = db.session.execute(
        select(
            StockLevel.part_type_id,
            StockLevel.location_id,
            StockLevel.on_hand - StockLevel.reserved,
            StockLevel.reserve_floor,
            EFFECTIVE_REORDER_POINT,
        )
        .join(PartType, PartType.id == StockLevel.part_type_id)
        .join(StockLocation, StockLocation.id == StockLevel.location_id)
        .where(or_(*keys))
    ).all()
    open_rows = db.session.execute(
        select(StockAlert.id, StockAlert.part_type_id, StockAlert.location_id, StockAlert.kind)
        .where(StockAlert.cleared_at.is_(None), StockAlert.kind.in_(list(LEVEL_ALERTS)))
        .where(
            or_(
                *[
                    and_(StockAlert.part_type_id == p, StockAlert.location_id == loc)
                    for p, loc in pairs
                ]
            )
        )
    ).all()
    open_by_line: dict[tuple[int, int], dict[str, int]] = {}
    for alert_id, part_id, location_id, kind in open_rows:
        open_by_line.setdefault((part_id, location_id), {})[kind] = alert_id
    for part_id, location_id, available, floor, reorder_point in rows:
        wanted = level_alerts(available=available, reserve_floor=floor, reorder_point=reorder_point)
        existing = open_by_line.get((part_id, location_id), {})
        for kind in wanted - set(existing):
            limit = floor if kind == AlertKind.BELOW_RESERVE_FLOOR else reorder_point
            _open_level_alert(part_id, location_id, kind, available, limit, now)
            log.info("stock alert %s: part %s at location %s", kind, part_id, location_id)
        stale = [alert_id for kind, alert_id in existing.items() if kind not in wanted]
        if stale:
            db.session.execute(
                update(StockAlert)
                .where(StockAlert.id.in_(stale), StockAlert.cleared_at.is_(None))
                .values(cleared_at=now)
                .execution_options(synchronize_session=False)
            )


def raise_alerts_after_hold(
    part: PartType, location: StockLocation, state: LineState, *, now: datetime
) -> None:
    """The alerts a reservation just made may open, from the numbers its UPDATE returned.

    A hold only lowers available stock, so it can open level alerts but never clear one;
    when the line is now under neither limit it was under none before either (alerts follow
    every change), and nothing needs reading. This keeps the reservation path, run for
    every part of every job assigned, free of the two reads refresh_alerts makes.
    """
    reorder_point = effective_reorder_point(location.kind, state.reorder_point, part.reorder_point)
    wanted = level_alerts(
        available=state.available, reserve_floor=state.reserve_floor, reorder_point=reorder_point
    )
    for kind in wanted:
        limit = state.reserve_floor if kind == AlertKind.BELOW_RESERVE_FLOOR else reorder_point
        _open_level_alert(part.id, location.id, kind, state.available, limit, now)


def _open_level_alert(
    part_id: int,
    location_id: int,
    kind: AlertKind,
    available: int,
    limit: int | None,
    now: datetime,
) -> None:
    label = "reserve floor" if kind == AlertKind.BELOW_RESERVE_FLOOR else "reorder point"
    db.session.execute(
        upsert_insert(StockAlert)
        .values(
            kind=kind,
            part_type_id=part_id,
            location_id=location_id,
            detail=f"{available} available, under the {label} of {limit}.",
            raised_at=now,
        )
        .on_conflict_do_nothing(
            index_elements=["part_type_id", "location_id", "kind"],
            index_where=db.text("cleared_at IS NULL AND kind <> 'emergency_use'"),
        )
    )


def record_emergency_use(
    part_id: int, location_id: int, quantity: int, state: LineState, now: datetime, who: str
) -> None:
    """A reservation that dipped under the reserve floor: logged, and an alert that stays
    open until a stock manager acknowledges it."""
    db.session.add(
        StockAlert(
            kind=AlertKind.EMERGENCY_USE,
            part_type_id=part_id,
            location_id=location_id,
            detail=(
                f"{quantity} reserved from the reserve floor of {state.reserve_floor} "
                f"by {who}; {state.available} left available."
            ),
            raised_at=now,
        )
    )
    log.warning(
        "emergency use of reserve stock: part %s at location %s, %s units",
        part_id,
        location_id,
        quantity,
    )
