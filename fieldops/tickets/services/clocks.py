"""SLA clock bookkeeping on the ticket row: due times, at-risk instant, pauses.

Steps of a unit of work: they flush, never commit, and raise DomainErrors (STYLE §3).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import current_app, has_app_context
from sqlalchemy import select

from fieldops.accounts.models import User
from fieldops.customers.models import Service, SlaPlan
from fieldops.db import db
from fieldops.errors import NotFoundError
from fieldops.tickets import sla
from fieldops.tickets.models import (
    OPEN_STATUSES,
    Ticket,
    TicketPause,
)

log = logging.getLogger(__name__)

DEFAULT_AT_RISK_SHARE = 0.8


def plan_of(ticket: Ticket) -> SlaPlan:
    plan = db.session.scalar(
        select(SlaPlan)
        .join(Service, Service.sla_plan_id == SlaPlan.id)
        .where(Service.id == ticket.service_id)
    )
    if plan is None:  # pragma: no cover - services always have a plan (NOT NULL FK)
        raise NotFoundError("The ticket's service has no SLA plan.")
    return plan


def targets_of(plan: SlaPlan, priority: str) -> tuple[timedelta, timedelta]:
    target = plan.targets[priority]
    return timedelta(minutes=target["response_min"]), timedelta(minutes=target["resolution_min"])


def recompute_due_times(ticket: Ticket, now: datetime) -> None:
    """Due times from the clock start, the priority's targets and every ended pause."""
    plan = plan_of(ticket)
    calendar = sla.Calendar.from_document(plan.calendar)
    response, resolution = targets_of(plan, ticket.priority)
    ended = [
        (p.started_at, p.ended_at)
        for p in db.session.scalars(
            select(TicketPause).where(
                TicketPause.ticket_id == ticket.id, TicketPause.ended_at.is_not(None)
            )
        )
    ]
    ticket.response_due_at = sla.add_working_time(calendar, ticket.sla_started_at, response)
    ticket.resolution_due_at = sla.due_at(calendar, ticket.sla_started_at, resolution, ended, now)
    ticket.at_risk_at = sla.due_at(
        calendar, ticket.sla_started_at, resolution * at_risk_share(), ended, now
    )


def at_risk_share() -> float:
    """The share of the resolution target after which a ticket is "at risk" (config)."""
    # Read from the running app's settings; outside one (pure scripts) the default applies.
    if has_app_context():
        return float(current_app.config.get("SLA_AT_RISK_SHARE", DEFAULT_AT_RISK_SHARE))
    return DEFAULT_AT_RISK_SHARE


def record_breach_if_late(ticket: Ticket, now: datetime) -> None:
    """Stamp `sla_breached_at` if a clock still running has run out by `now`.

    Called before every move that stops or reads a clock (status changes, first response),
    so a breach is on the row the moment it can no longer be undone; the sweep stamps the
    ones nobody touched. The "breached" filter then needs no calendar arithmetic in SQL.
    """
    if ticket.sla_breached_at is not None or ticket.status not in OPEN_STATUSES:
        return
    late_resolution = ticket.paused_since is None and now > ticket.resolution_due_at
    late_response = ticket.responded_at is None and now > ticket.response_due_at
    if late_resolution or late_response:
        ticket.sla_breached_at = now


def start_pause(ticket: Ticket, reason: str, actor: User | None, now: datetime) -> None:
    db.session.add(
        TicketPause(
            ticket_id=ticket.id,
            reason=reason,
            started_at=now,
            started_by_id=actor.id if actor else None,
        )
    )
    ticket.paused_since = now


def end_pause(ticket: Ticket, actor: User | None, now: datetime) -> None:
    pause = db.session.scalar(
        select(TicketPause).where(
            TicketPause.ticket_id == ticket.id, TicketPause.ended_at.is_(None)
        )
    )
    if pause is None:
        return
    calendar = sla.Calendar.from_document(plan_of(ticket).calendar)
    pause.ended_at = now
    pause.ended_by_id = actor.id if actor else None
    pause.seconds = int(sla.working_time_between(calendar, pause.started_at, now).total_seconds())
    ticket.paused_since = None
    ticket.paused_seconds += pause.seconds
    db.session.flush()
    recompute_due_times(ticket, now)
