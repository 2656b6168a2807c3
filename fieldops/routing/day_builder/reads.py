"""The day builder's reads (reads only): engineers' homes and jobs under way, the jobs to
plan with their parts and reservations, depots and their stock."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import select

from fieldops.customers.models import Site
from fieldops.db import db
from fieldops.dispatch.models import Job, JobPart
from fieldops.dispatch.rules import JobStatus
from fieldops.engineers.models import Engineer
from fieldops.geo import Point, haversine_km
from fieldops.inventory.models import PartType, StockLevel, StockLocation, StockReservation
from fieldops.inventory.rules import ACTIVE_RESERVATIONS, LocationKind, ReservationStatus
from fieldops.routing.day_rules import Held

PLANNED = (JobStatus.UNASSIGNED, JobStatus.ASSIGNED, JobStatus.AWAITING_PARTS)
UNDER_WAY = (JobStatus.EN_ROUTE, JobStatus.ON_SITE)


class DepotRow(NamedTuple):
    id: int
    code: str
    point: Point
    opening_hours: dict[str, Any] | None


class JobRow(NamedTuple):
    job: Job
    site: Point


class Busy(NamedTuple):
    """A job under way and its site."""

    job: Job
    site: Point


def homes(ids: Sequence[int]) -> dict[int, Point]:
    if not ids:
        return {}
    return {
        engineer_id: Point(lat, lon)
        for engineer_id, lat, lon in db.session.execute(
            select(Engineer.id, Engineer.home_lat, Engineer.home_lon).where(Engineer.id.in_(ids))
        )
    }


def under_way(ids: Sequence[int]) -> dict[int, Busy]:
    """Each engineer's job under way (the latest changed, should there be two)."""
    if not ids:
        return {}
    found: dict[int, Busy] = {}
    for job, lat, lon in db.session.execute(
        select(Job, Site.lat, Site.lon)
        .join(Site, Site.id == Job.site_id)
        .where(Job.status.in_([str(s) for s in UNDER_WAY]), Job.engineer_id.in_(ids))
        .order_by(Job.updated_at, Job.id)
    ):
        if job.engineer_id is not None:
            found[job.engineer_id] = Busy(job, Point(lat, lon))
    return found


def unavailable_reason(engineer_id: int, reasons: Mapping[int, str]) -> str:
    """Why a job locked to this engineer cannot be planned in this day."""
    engineer = db.session.get(Engineer, engineer_id)
    name = engineer.name if engineer is not None else f"engineer {engineer_id}"
    if engineer is not None and not engineer.is_active:
        return f"it is assigned to {name}, who is no longer active"
    reason = reasons.get(engineer_id)
    if reason is None:
        return f"it is assigned to {name}, who is planned in another region"
    return f"it is assigned to {name}, who {reason}"


def planned_jobs(plan_on: date, job_ids: Collection[int] | None) -> list[JobRow]:
    """Open jobs due by the end of the day (midnight UTC), or these open jobs, due or not."""
    statement = (
        select(Job, Site.lat, Site.lon)
        .join(Site, Site.id == Job.site_id)
        .where(Job.status.in_([str(s) for s in PLANNED]))
        .order_by(Job.id)
    )
    if job_ids is not None:
        statement = statement.where(Job.id.in_(list(job_ids)))
    else:
        due = datetime.combine(plan_on + timedelta(days=1), datetime.min.time(), UTC)
        statement = statement.where(Job.arrive_by < due)
    return [JobRow(job, Point(lat, lon)) for job, lat, lon in db.session.execute(statement)]


def job_parts(job_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    found: dict[int, dict[str, int]] = defaultdict(dict)
    if not job_ids:
        return found
    for job_id, sku, quantity in db.session.execute(
        select(JobPart.job_id, PartType.sku, JobPart.quantity)
        .join(PartType, PartType.id == JobPart.part_type_id)
        .where(JobPart.job_id.in_(list(job_ids)))
    ):
        found[job_id][sku] = int(quantity)
    return found


def reservations_of(numbers: Sequence[str]) -> dict[str, list[Held]]:
    """Each job's held and picked reservations (by WO number), and where their stock is."""
    found: dict[str, list[Held]] = defaultdict(list)
    if not numbers:
        return found
    for ref, sku, quantity, status, kind, code, engineer_id in db.session.execute(
        select(
            StockReservation.job_ref,
            PartType.sku,
            StockReservation.quantity,
            StockReservation.status,
            StockLocation.kind,
            StockLocation.code,
            StockLocation.engineer_id,
        )
        .join(PartType, PartType.id == StockReservation.part_type_id)
        .join(StockLocation, StockLocation.id == StockReservation.location_id)
        .where(
            StockReservation.job_ref.in_(list(numbers)),
            StockReservation.status.in_([str(s) for s in ACTIVE_RESERVATIONS]),
        )
        .order_by(StockReservation.id)
    ):
        if ref is None:
            continue
        found[ref].append(
            Held(
                sku=sku,
                quantity=int(quantity),
                picked=status == ReservationStatus.PICKED,
                depot=code if kind == LocationKind.DEPOT else None,
                van_of=engineer_id if kind == LocationKind.VAN else None,
            )
        )
    return found


def active_depots() -> list[DepotRow]:
    return [
        DepotRow(row.id, row.code, Point(row.lat, row.lon), row.opening_hours)
        for row in db.session.scalars(
            select(StockLocation)
            .where(StockLocation.kind == LocationKind.DEPOT, StockLocation.is_active.is_(True))
            .order_by(StockLocation.code)
        )
    ]


def depot_stock(skus: Collection[str]) -> dict[int, dict[str, int]]:
    """Available stock (on hand minus reserved) of these SKUs at each depot."""
    found: dict[int, dict[str, int]] = defaultdict(dict)
    if not skus:
        return found
    for location_id, sku, available in db.session.execute(
        select(StockLevel.location_id, PartType.sku, StockLevel.on_hand - StockLevel.reserved)
        .join(PartType, PartType.id == StockLevel.part_type_id)
        .join(StockLocation, StockLocation.id == StockLevel.location_id)
        .where(StockLocation.kind == LocationKind.DEPOT, PartType.sku.in_(list(skus)))
    ):
        if available > 0:
            found[location_id][sku] = int(available)
    return found


Nearest = Callable[[Point], str | None]


def nearest_depot(depots: Sequence[DepotRow]) -> Nearest:
    """point -> the code of the depot nearest it (on the sphere; ties by code)."""

    def nearest(point: Point) -> str | None:
        if not depots:
            return None
        return min(depots, key=lambda d: (haversine_km(point, d.point), d.code)).code

    return nearest
