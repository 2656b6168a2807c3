"""Shared steps of dispatch use cases: the job's SLA arrive-by, and writing its events to
the ticket's work log. Reading a job and what it needs is queries/lookups.py."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from fieldops.accounts.models import User
from fieldops.customers.models import Service, SlaPlan
from fieldops.db import db
from fieldops.dispatch.models import Job
from fieldops.dispatch.queries.lookups import (
    TravelModel,
    job_by_number,
    parts_of,
    site_of,
    ticket_of,
    travel_model,
)
from fieldops.errors import NotFoundError
from fieldops.tickets import sla
from fieldops.tickets.models import EventKind, Ticket
from fieldops.tickets.services import log_field_event

__all__ = [
    "TravelModel",
    "job_by_number",
    "onsite_due",
    "parts_of",
    "site_of",
    "tell_ticket",
    "ticket_of",
    "travel_model",
]


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
    ticket: Ticket | None = None,
) -> None:
    """One line in the job's ticket's work log, naming the job (`ticket`: the job's ticket
    when the caller holds it already)."""
    log_field_event(
        ticket or ticket_of(job),
        kind=kind,
        body=f"{job.number}: {body}",
        public=public,
        actor=actor,
        now=now,
        data={"job": job.number},
    )
