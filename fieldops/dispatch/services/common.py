"""Shared steps of dispatch use cases: finding a job, its ticket and parts, the travel model,
the job's SLA arrive-by, and writing its events to the ticket's work log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, has_app_context
from sqlalchemy import select

from fieldops.accounts.models import User
from fieldops.customers.models import Service, Site, SlaPlan
from fieldops.db import db
from fieldops.dispatch.models import Job, JobPart
from fieldops.errors import NotFoundError
from fieldops.inventory.models import PartType
from fieldops.tickets import sla
from fieldops.tickets.models import EventKind, Ticket
from fieldops.tickets.services import log_field_event

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


def onsite_due(ticket: Ticket) -> datetime:
    """When an engineer must be on site: the on-site target of the ticket's priority in
    working time on its SLA plan's calendar, from the ticket's clock start."""
    plan = db.session.scalar(
        select(SlaPlan)
        .join(Service, Service.sla_plan_id == SlaPlan.id)
        .where(Service.id == ticket.service_id)
    )
    if plan is None:  # pragma: no cover - services always have a plan (NOT NULL FK)
        raise NotFoundError("The ticket's service has no SLA plan.")
    calendar = sla.Calendar.from_document(plan.calendar)
    onsite = timedelta(minutes=int(plan.targets[ticket.priority]["onsite_min"]))
    return sla.add_working_time(calendar, ticket.sla_started_at, onsite)


def tell_ticket(
    job: Job,
    body: str,
    *,
    actor: User | None,
    now: datetime,
    kind: str = EventKind.DISPATCH,
    public: bool = False,
) -> None:
    """One line in the job's ticket's work log, naming the job."""
    log_field_event(
        ticket_of(job),
        kind=kind,
        body=f"{job.number}: {body}",
        public=public,
        actor=actor,
        now=now,
        data={"job": job.number},
    )
