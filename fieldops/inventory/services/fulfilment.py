"""A reservation's life after it is held: picked (into the engineer's van), consumed or
fitted at the site, or released back to stock.

A reservation's own status moves by an UPDATE guarded on the status it must have, so two
requests cannot both consume or release it; the stock and units follow in the same unit of
work.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select, update

from fieldops.accounts.models import User
from fieldops.db import db
from fieldops.errors import ConflictError, RuleViolationError
from fieldops.inventory.models import (
    REFERENCE_MAX,
    PartType,
    StockReservation,
    StockUnit,
)
from fieldops.inventory.rules import (
    ACTIVE_RESERVATIONS,
    Condition,
    LocationKind,
    MovementKind,
    ReservationStatus,
    UnitStatus,
)
from fieldops.inventory.services import levels
from fieldops.inventory.services.booking import ledger_rows
from fieldops.inventory.services.lookups import location_by_code, reservation_by_id
from fieldops.inventory.services.reservations import actor_name
from fieldops.inventory.services.units import (
    clean_serials,
    move_units,
)

log = logging.getLogger(__name__)


def _advance(
    reservation_id: int, expect: frozenset[ReservationStatus], to: ReservationStatus, now: datetime
) -> StockReservation:
    """Move a reservation's status, guarded on the statuses it may come from."""
    reservation = reservation_by_id(reservation_id)
    moved = db.session.execute(
        update(StockReservation)
        .where(StockReservation.id == reservation_id, StockReservation.status.in_(list(expect)))
        .values(status=to, updated_at=now)
        .returning(StockReservation.id)
        .execution_options(synchronize_session=False)
    ).first()
    if moved is None:
        current = db.session.get(StockReservation, reservation_id, populate_existing=True)
        state = current.status if current else "gone"
        raise ConflictError(
            f"Reservation {reservation_id} is {state}; it cannot become {to}.",
            {"status": [f"Is {state}."]},
        )
    db.session.refresh(reservation)
    return reservation


def _held_unit_ids(reservation: StockReservation) -> list[int]:
    return list(
        db.session.scalars(
            select(StockUnit.id)
            .where(StockUnit.reservation_id == reservation.id)
            .order_by(StockUnit.id)
        ).all()
    )


def release(*, actor: User | None, reservation_id: int, now: datetime) -> StockReservation:
    """Give a held or picked reservation's stock back; its units become free where they are
    now (a picked part stays in the van as van stock)."""
    reservation = _advance(reservation_id, ACTIVE_RESERVATIONS, ReservationStatus.RELEASED, now)
    levels.unhold(reservation.part_type_id, reservation.location_id, reservation.quantity)
    move_units(
        _held_unit_ids(reservation),
        expect={UnitStatus.RESERVED, UnitStatus.IN_TRANSIT},
        expect_reservation=reservation.id,
        now=now,
        status=UnitStatus.IN_STOCK,
        reservation_id=None,
    )
    levels.refresh_alerts([(reservation.part_type_id, reservation.location_id)], now=now)
    log.info("reservation %s released by %s", reservation.id, actor_name(actor))
    return reservation


def pick(
    *, actor: User | None, reservation_id: int, now: datetime, van_code: str | None = None
) -> StockReservation:
    """The engineer takes a held reservation's stock. Picked at a depot into a van (van_code),
    the stock moves there on the ledger and stays reserved in the van."""
    reservation = reservation_by_id(reservation_id)
    van = location_by_code(van_code, "van") if van_code else None
    if van is not None and van.kind != LocationKind.VAN:
        raise RuleViolationError.on_field("van", f"{van.code} is a {van.kind}, not a van.")
    reservation = _advance(
        reservation_id, frozenset({ReservationStatus.HELD}), ReservationStatus.PICKED, now
    )
    part = db.session.get(PartType, reservation.part_type_id)
    if part is None:  # pragma: no cover - the statement above guarantees it
        raise RuntimeError("part missing")
    unit_ids = _held_unit_ids(reservation)
    source_id = reservation.location_id
    moving = van is not None and van.id != source_id
    target_id = van.id if van is not None and moving else source_id
    if moving:
        levels.lock_lines(part.id, source_id, target_id)
    move_units(
        unit_ids,
        expect={UnitStatus.RESERVED},
        expect_reservation=reservation.id,
        now=now,
        status=UnitStatus.IN_TRANSIT,
        location_id=target_id,
    )
    if moving:
        levels.take_held(part.id, source_id, reservation.quantity)
        levels.add_held(part.id, target_id, reservation.quantity)
        ledger_rows(
            MovementKind.PICK,
            part,
            quantity=reservation.quantity,
            condition=Condition.GOOD,
            from_id=source_id,
            to_id=target_id,
            actor=actor,
            now=now,
            unit_ids=unit_ids,
            reservation_id=reservation.id,
        )
        reservation.location_id = target_id
        db.session.flush()
        levels.refresh_alerts([(part.id, source_id), (part.id, target_id)], now=now)
    return reservation


def consume(
    *,
    actor: User | None,
    reservation_id: int,
    now: datetime,
    site: str = "",
    quantity: int | None = None,
    serials: list[str] | None = None,
) -> StockReservation:
    """Record what of a held or picked reservation was used: a bulk quantity consumed, or the
    serials fitted at the site. Whatever was reserved but not used is released. Consuming
    what the reservation does not hold is refused and changes nothing."""
    reservation = reservation_by_id(reservation_id)
    part = db.session.get(PartType, reservation.part_type_id)
    if part is None:  # pragma: no cover - the statement above guarantees it
        raise RuntimeError("part missing")
    if reservation.status not in ACTIVE_RESERVATIONS:
        raise ConflictError(
            f"Reservation {reservation.id} is {reservation.status}: nothing to consume.",
            {"status": [f"Is {reservation.status}."]},
        )
    held = _held_unit_ids(reservation)
    cleaned, count = clean_serials(
        part, serials, quantity if quantity is not None or serials else reservation.quantity
    )
    if count > reservation.quantity:
        raise ConflictError(
            f"Reservation {reservation.id} holds {reservation.quantity}; {count} cannot be used.",
            {"quantity": [f"At most {reservation.quantity}."]},
        )
    if part.is_serialised:
        if cleaned:
            by_serial = dict(
                db.session.execute(
                    select(StockUnit.serial, StockUnit.id).where(StockUnit.id.in_(held))
                ).all()
            )
            foreign = [s for s in cleaned if s not in by_serial]
            if foreign:
                raise ConflictError(
                    f"Not held by reservation {reservation.id}: {', '.join(foreign)}.",
                    {"serials": [f"Not reserved here: {', '.join(foreign)}."]},
                )
            used = [by_serial[s] for s in cleaned]
        else:
            used = held[:count]
    else:
        used = []
    site_text = site.strip()[:REFERENCE_MAX]
    reservation = _advance(reservation_id, ACTIVE_RESERVATIONS, ReservationStatus.CONSUMED, now)
    location_id = reservation.location_id
    levels.take_held(part.id, location_id, count)
    if count < reservation.quantity:
        levels.unhold(part.id, location_id, reservation.quantity - count)
    move_units(
        used,
        expect={UnitStatus.RESERVED, UnitStatus.IN_TRANSIT},
        expect_reservation=reservation.id,
        now=now,
        status=UnitStatus.INSTALLED,
        location_id=None,
        reservation_id=None,
        whereabouts=site_text,
    )
    move_units(
        [unit_id for unit_id in held if unit_id not in set(used)],
        expect={UnitStatus.RESERVED, UnitStatus.IN_TRANSIT},
        expect_reservation=reservation.id,
        now=now,
        status=UnitStatus.IN_STOCK,
        reservation_id=None,
    )
    ledger_rows(
        MovementKind.INSTALL if part.is_serialised else MovementKind.CONSUME,
        part,
        quantity=count,
        condition=Condition.GOOD,
        from_id=location_id,
        to_id=None,
        actor=actor,
        now=now,
        unit_ids=used,
        reservation_id=reservation.id,
        reference=site_text or (reservation.job_ref or ""),
    )
    levels.refresh_alerts([(part.id, location_id)], now=now)
    return reservation
