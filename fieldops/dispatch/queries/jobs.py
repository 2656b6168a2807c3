"""Jobs as dispatchers and engineers read them: one with its site, parts and reservations,
filtered lists for the board, and an engineer's day."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select
from sqlalchemy.orm import aliased

from fieldops.customers.models import Customer, Service, Site
from fieldops.db import db
from fieldops.dispatch.models import Job, JobPart
from fieldops.engineers.models import Engineer
from fieldops.errors import NotFoundError
from fieldops.inventory.models import PartType
from fieldops.inventory.queries import ReservationView, list_reservations
from fieldops.tickets.models import Ticket


@dataclass(frozen=True)
class JobView:
    number: str
    ticket: str
    ticket_summary: str
    customer: str
    status: str
    priority: str
    arrive_by: datetime
    duration_min: int
    required_skills: list[str]
    engineer_id: int | None
    engineer_name: str | None
    site_name: str
    site_address: str
    site_lat: float
    site_lon: float
    access_notes: str
    access_hours: dict[str, Any] | None
    review_required: bool
    notes: str
    failure_reason: str
    signed_off_by: str
    follow_up_of: str | None
    follow_up: str | None  # the job opened when this one failed
    created_at: datetime
    updated_at: datetime
    parts: list[tuple[str, int]]
    reservations: list[ReservationView]


def _statement() -> Select[*tuple[Any, ...]]:
    origin = aliased(Job)
    successor = aliased(Job)
    return (
        select(
            Job,
            Ticket.number,
            Ticket.summary,
            Customer.code,
            Engineer.name,
            Site.name,
            Site.address,
            Site.lat,
            Site.lon,
            Site.access_notes,
            origin.number,
            successor.number,
        )
        .join(Ticket, Ticket.id == Job.ticket_id)
        .join(Service, Service.id == Ticket.service_id)
        .join(Customer, Customer.id == Ticket.customer_id)
        .join(Site, Site.id == Job.site_id)
        .outerjoin(Engineer, Engineer.id == Job.engineer_id)
        .outerjoin(origin, origin.id == Job.follow_up_of_id)
        .outerjoin(successor, successor.follow_up_of_id == Job.id)
    )


def _views(rows: list[Any], with_reservations: bool) -> list[JobView]:
    ids = [row[0].id for row in rows]
    parts: dict[int, list[tuple[str, int]]] = defaultdict(list)
    if ids:
        for job_id, sku, quantity in db.session.execute(
            select(JobPart.job_id, PartType.sku, JobPart.quantity)
            .join(PartType, PartType.id == JobPart.part_type_id)
            .where(JobPart.job_id.in_(ids))
            .order_by(PartType.sku)
        ):
            parts[job_id].append((sku, int(quantity)))
    views = []
    for (job, ticket, summary, customer, engineer, name, address, lat, lon, notes, origin,
         successor) in rows:  # fmt: skip
        reservations = (
            list_reservations(job_id=job.number, per_page=100)[0] if with_reservations else []
        )
        views.append(
            JobView(
                number=job.number,
                ticket=ticket,
                ticket_summary=summary,
                customer=customer,
                status=job.status,
                priority=job.priority,
                arrive_by=job.arrive_by,
                duration_min=job.duration_min,
                required_skills=list(job.required_skills or []),
                engineer_id=job.engineer_id,
                engineer_name=engineer,
                site_name=name,
                site_address=address,
                site_lat=lat,
                site_lon=lon,
                access_notes=notes or "",
                access_hours=job.access_hours,
                review_required=job.review_required,
                notes=job.notes,
                failure_reason=job.failure_reason,
                signed_off_by=job.signed_off_by,
                follow_up_of=origin,
                follow_up=successor,
                created_at=job.created_at,
                updated_at=job.updated_at,
                parts=parts.get(job.id, []),
                reservations=reservations,
            )
        )
    return views


def get_job(number: str) -> JobView:
    row = db.session.execute(_statement().where(Job.number == number.strip().upper())).first()
    if row is None:
        raise NotFoundError(f"No job {number.strip()[:20]}.")
    return _views([row], with_reservations=True)[0]


def list_jobs(
    *,
    page: int = 1,
    per_page: int = 50,
    status: str | None = None,
    statuses: list[str] | None = None,
    engineer_id: int | None = None,
    ticket: str | None = None,
) -> tuple[list[JobView], int]:
    """Jobs soonest arrive-by first (the most at risk first)."""
    statement = _statement()
    if status:
        statement = statement.where(Job.status == status)
    if statuses:
        statement = statement.where(Job.status.in_(statuses))
    if engineer_id is not None:
        statement = statement.where(Job.engineer_id == engineer_id)
    if ticket:
        statement = statement.where(Ticket.number == ticket.strip().upper())
    total = db.session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    rows = db.session.execute(
        statement.order_by(Job.arrive_by, Job.id).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return _views(list(rows), with_reservations=False), int(total)


def engineer_day(engineer_id: int, day: date) -> list[JobView]:
    """An engineer's jobs due on a local date (their zone), in arrive-by order, with their
    reservations (what to pick where)."""
    engineer = db.session.get(Engineer, engineer_id)
    if engineer is None:
        raise NotFoundError(f"No engineer {engineer_id}.")
    zone = ZoneInfo(engineer.timezone)
    start = datetime.combine(day, datetime.min.time(), zone)
    end = start + timedelta(days=1)
    rows = db.session.execute(
        _statement()
        .where(Job.engineer_id == engineer_id, Job.arrive_by >= start, Job.arrive_by < end)
        .order_by(Job.arrive_by, Job.id)
    ).all()
    return _views(list(rows), with_reservations=True)
