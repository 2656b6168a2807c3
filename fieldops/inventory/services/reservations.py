"""Reservations: holding stock for a job or a purpose, at a named location or the nearest
one that has it; a request no location can meet becomes a backorder. What happens to a
held reservation next (pick, consume, release) is fulfilment.py.

The rule that stock never goes negative and a serial is never held twice is kept by guarded
UPDATEs (levels.hold, units.move_units), in that order: the line first, which locks it, then
its units.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from fieldops.accounts.models import User
from fieldops.db import db
from fieldops.errors import ConflictError, RuleViolationError
from fieldops.geo import Point, geodesic_km, iter_by_geodesic_distance
from fieldops.inventory.models import (
    REFERENCE_MAX,
    Backorder,
    PartType,
    ReservationUnit,
    StockLevel,
    StockLocation,
    StockReservation,
)
from fieldops.inventory.rules import (
    BackorderStatus,
    ReservationStatus,
    UnitStatus,
)
from fieldops.inventory.services import levels
from fieldops.inventory.services.lookups import location_by_code, part_by_sku
from fieldops.inventory.services.units import (
    clean_serials,
    move_units,
    pick_free_units,
    serials_in_state,
)

log = logging.getLogger(__name__)

JOB_REF_RE = re.compile(r"^WO-\d{4}-\d{6}$")


@dataclass(frozen=True)
class NearestOutcome:
    """What reserve_nearest did: a reservation (with its distance from the point), or, when no
    location could meet the request, the backorder it recorded instead."""

    reservation: StockReservation | None
    distance_km: float | None
    backorder: Backorder | None
    # Why it is a backorder: nothing anywhere, or only stock under reserve floors.
    shortfall: str = ""


def _purpose(job_ref: str | None, purpose: str | None) -> tuple[str | None, str | None]:
    job = (job_ref or "").strip().upper() or None
    text = (purpose or "").strip() or None
    if job is None and text is None:
        raise RuleViolationError(
            "Say what the stock is for: a job or a purpose.",
            {"job_id": ["Give a job or a purpose."], "purpose": ["Give a job or a purpose."]},
        )
    if job is not None and not JOB_REF_RE.match(job):
        raise RuleViolationError.on_field("job_id", "A work-order number such as WO-2026-000045.")
    if text is not None and len(text) > REFERENCE_MAX:
        raise RuleViolationError.on_field("purpose", f"At most {REFERENCE_MAX} characters.")
    return job, text


def actor_name(actor: User | None) -> str:
    return f"user {actor.id}" if actor else "the system"


def _hold_at(
    part: PartType,
    location: StockLocation,
    quantity: int,
    *,
    serials: list[str],
    job: str | None,
    purpose: str | None,
    emergency: bool,
    actor: User | None,
    now: datetime,
) -> StockReservation | None:
    """Hold stock at one location; None when the line cannot give it (nothing changed)."""
    state = levels.hold(part.id, location.id, quantity, emergency=emergency)
    if state is None:
        return None
    reservation = StockReservation(
        part_type_id=part.id,
        location_id=location.id,
        quantity=quantity,
        status=ReservationStatus.HELD,
        job_ref=job,
        purpose=purpose,
        is_emergency=emergency,
        created_by_id=actor.id if actor else None,
        created_at=now,
        updated_at=now,
    )
    db.session.add(reservation)
    if part.is_serialised:
        db.session.flush()  # the units below name the reservation holding them
        if serials:
            units = serials_in_state(
                part,
                serials,
                statuses={UnitStatus.IN_STOCK},
                location_id=location.id,
                what="reserve them",
            )
            unit_ids = [unit.id for unit in units]
        else:
            unit_ids = pick_free_units(part, location.id, quantity)
        move_units(
            unit_ids,
            expect={UnitStatus.IN_STOCK},
            expect_location=location.id,
            expect_reservation=None,
            now=now,
            status=UnitStatus.RESERVED,
            reservation_id=reservation.id,
        )
        db.session.add_all(
            ReservationUnit(reservation_id=reservation.id, unit_id=unit_id) for unit_id in unit_ids
        )
        db.session.flush()
    if state.available < state.reserve_floor:
        levels.record_emergency_use(part.id, location.id, quantity, state, now, actor_name(actor))
    levels.raise_alerts_after_hold(part, location, state, now=now)
    log.info(
        "reservation: %s x part %s at location %s for %s",
        quantity,
        part.id,
        location.id,
        job or "a purpose",
    )
    return reservation


def _refusal(part: PartType, location: StockLocation, quantity: int, emergency: bool) -> None:
    line = db.session.execute(
        select(StockLevel.on_hand, StockLevel.reserved, StockLevel.reserve_floor).where(
            StockLevel.part_type_id == part.id, StockLevel.location_id == location.id
        )
    ).first()
    on_hand, reserved, floor = line if line else (0, 0, 0)
    available = on_hand - reserved
    if not emergency and available >= quantity:
        message = (
            f"Only reserve-floor stock of {part.sku} is left at {location.code} "
            f"({available} available, floor {floor}): set emergency to use it."
        )
        raise ConflictError(message, {"emergency": [message]})
    message = f"Not enough {part.sku} at {location.code}: {quantity} wanted, {available} available."
    raise ConflictError(message, {"quantity": [message]})


def reserve(
    *,
    actor: User | None,
    sku: str,
    quantity: int | None,
    location_code: str,
    now: datetime,
    job_ref: str | None = None,
    purpose: str | None = None,
    emergency: bool = False,
    serials: list[str] | None = None,
) -> StockReservation:
    """Hold stock at one named location. Refused with ConflictError (409) when the location
    has too little available, or only stock under its reserve floor and no emergency flag."""
    part = part_by_sku(sku)
    location = location_by_code(location_code)
    cleaned, count = clean_serials(part, serials, quantity)
    job, text = _purpose(job_ref, purpose)
    reservation = _hold_at(
        part,
        location,
        count,
        serials=cleaned,
        job=job,
        purpose=text,
        emergency=emergency,
        actor=actor,
        now=now,
    )
    if reservation is None:
        _refusal(part, location, count, emergency)
    if reservation is None:  # pragma: no cover - the statement above guarantees it
        raise RuntimeError("reservation missing")
    db.session.flush()
    return reservation


def reserve_nearest(
    *,
    actor: User | None,
    sku: str,
    quantity: int | None,
    point: Point,
    now: datetime,
    prefer_location_code: str | None = None,
    job_ref: str | None = None,
    purpose: str | None = None,
    emergency: bool = False,
    part: PartType | None = None,
    prefer: StockLocation | None = None,
    flush: bool = True,
) -> NearestOutcome:
    """Hold stock at the location nearest `point` (geodesic) that can give all of it, trying
    the preferred location (an engineer's van) first. When none can, record a backorder and
    return it instead; the caller commits it and tells the requester (a 409 on the API).
    A caller holding the part type and the preferred location passes them as `part` and
    `prefer` (auto-assign, for hundreds of jobs), saving their lookups; `flush=False` leaves
    a bulk reservation's INSERT to the caller's next flush (its id is unset until then).

    Without the emergency flag only stock above each line's reserve floor counts; with it,
    the nearest stock wins, floor or not, and the dip is logged and raised as an alert.
    """
    part = part if part is not None and part.sku == sku.strip().upper() else part_by_sku(sku)
    _, count = clean_serials(part, None, quantity)
    job, text = _purpose(job_ref, purpose)
    preferred = prefer or (
        location_by_code(prefer_location_code, "prefer_location") if prefer_location_code else None
    )
    floor = 0 if emergency else StockLevel.reserve_floor
    candidates = db.session.scalars(
        select(StockLocation)
        .join(StockLevel, StockLevel.location_id == StockLocation.id)
        .where(
            StockLevel.part_type_id == part.id,
            StockLevel.on_hand - StockLevel.reserved - count >= floor,
            StockLocation.is_active.is_(True),
        )
    ).all()
    first: list[tuple[StockLocation, float]] = []
    if preferred is not None and any(c.id == preferred.id for c in candidates):
        first.append((preferred, geodesic_km(point, Point(preferred.lat, preferred.lon))))
    others = (
        (c, Point(c.lat, c.lon)) for c in candidates if preferred is None or c.id != preferred.id
    )
    attempts: Iterator[tuple[StockLocation, float]] = itertools.chain(
        first, iter_by_geodesic_distance(point, others)
    )
    for location, distance in attempts:
        reservation = _hold_at(
            part,
            location,
            count,
            serials=[],
            job=job,
            purpose=text,
            emergency=emergency,
            actor=actor,
            now=now,
        )
        if reservation is not None:
            if flush:
                db.session.flush()
            return NearestOutcome(reservation, distance, None)
    shortfall = _shortfall(part, count, emergency)
    backorder = Backorder(
        part_type_id=part.id,
        quantity=count,
        status=BackorderStatus.OPEN,
        job_ref=job,
        purpose=text,
        lat=point.lat,
        lon=point.lon,
        created_by_id=actor.id if actor else None,
        created_at=now,
    )
    db.session.add(backorder)
    db.session.flush()
    log.warning("backorder %s: %s x part %s (%s)", backorder.id, count, part.id, shortfall)
    return NearestOutcome(None, None, backorder, shortfall)


def _shortfall(part: PartType, quantity: int, emergency: bool) -> str:
    if not emergency:
        floor_only = db.session.scalar(
            select(StockLevel.id)
            .join(StockLocation, StockLocation.id == StockLevel.location_id)
            .where(
                StockLevel.part_type_id == part.id,
                StockLevel.on_hand - StockLevel.reserved >= quantity,
                StockLocation.is_active.is_(True),
            )
            .limit(1)
        )
        if floor_only is not None:
            return (
                f"No location has {quantity} x {part.sku} above its reserve floor; "
                "set emergency to use reserve stock."
            )
    return f"No location has {quantity} x {part.sku} available."
