"""Reading one job and what it needs (its ticket, site and parts), and the travel model
that turns distance into minutes. Shared by the dispatch queries and services."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, has_app_context
from sqlalchemy import select

from fieldops.customers.models import Site
from fieldops.db import db
from fieldops.dispatch.models import Job, JobPart
from fieldops.errors import NotFoundError
from fieldops.inventory.models import PartType
from fieldops.tickets.models import Ticket

DEFAULT_ROAD_FACTOR = 1.3
DEFAULT_SPEED_KMH = 60.0


@dataclass(frozen=True)
class TravelModel:
    """Travel time from geodesic distance: km x road factor / average speed."""

    road_factor: float = DEFAULT_ROAD_FACTOR
    speed_kmh: float = DEFAULT_SPEED_KMH

    def minutes(self, distance_km: float) -> float:
        return distance_km * self.road_factor / self.speed_kmh * 60


def travel_model() -> TravelModel:
    """The running app's travel settings (ROAD_FACTOR, AVERAGE_SPEED_KMH); defaults outside
    one, as for the SLA at-risk share."""
    if has_app_context():
        return TravelModel(
            float(current_app.config.get("ROAD_FACTOR", DEFAULT_ROAD_FACTOR)),
            float(current_app.config.get("AVERAGE_SPEED_KMH", DEFAULT_SPEED_KMH)),
        )
    return TravelModel()


def job_by_number(number: str, *, lock: bool = False) -> Job:
    """The job with this WO number. `lock`: take its row lock (PostgreSQL; SQLite's BEGIN
    IMMEDIATE already serialises writers), so two dispatchers assigning or an engineer and
    a dispatcher changing one job at once queue and each sees the other's result."""
    statement = select(Job).where(Job.number == number.strip().upper())
    if lock:
        statement = statement.with_for_update()
    job = db.session.scalar(statement.execution_options(populate_existing=True))
    if job is None:
        raise NotFoundError(f"No job {number.strip()[:20]}.")
    return job


def ticket_of(job: Job) -> Ticket:
    ticket = db.session.get(Ticket, job.ticket_id)
    if ticket is None:  # pragma: no cover - the foreign key guarantees it
        raise NotFoundError(f"Job {job.number} has no ticket.")
    return ticket


def site_of(job: Job) -> Site:
    site = db.session.get(Site, job.site_id)
    if site is None:  # pragma: no cover - the foreign key guarantees it
        raise NotFoundError(f"Job {job.number} has no site.")
    return site


def parts_of(job: Job) -> list[tuple[str, int]]:
    """The job's parts as (sku, quantity), in SKU order."""
    rows = db.session.execute(
        select(PartType.sku, JobPart.quantity)
        .join(PartType, PartType.id == JobPart.part_type_id)
        .where(JobPart.job_id == job.id)
        .order_by(PartType.sku)
    ).all()
    return [(sku, int(quantity)) for sku, quantity in rows]
