"""RFOs as the desk and the customer read them, and what the RFO PDF shows.

The timeline is the ticket's public work log: live while the RFO is being written, frozen
as it stood at publication once published (published_timeline), so what a customer was
given never changes under them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select

from fieldops.customers.models import Customer, Service, Site
from fieldops.db import db
from fieldops.documents.content import LogEntry, ProblemRef, RfoContent
from fieldops.documents.models import Rfo
from fieldops.documents.queries.work_orders import public_log
from fieldops.documents.rfo_rules import RfoStatus, is_overdue
from fieldops.errors import NotFoundError
from fieldops.problems.models import Problem
from fieldops.tickets.models import Ticket


@dataclass(frozen=True)
class RfoView:
    ticket: str
    ticket_summary: str
    priority: str
    customer: str
    status: str
    requested_at: datetime
    due_at: datetime
    overdue: bool
    summary: str
    impact: str
    root_cause: str
    resolution: str
    preventive_actions: str
    timeline: tuple[LogEntry, ...]
    problem_id: str | None
    problem_title: str | None
    published_at: datetime | None
    updated_at: datetime
    overdue_flagged_at: datetime | None

    @property
    def is_published(self) -> bool:
        return self.status == RfoStatus.PUBLISHED


def timeline_of(rfo: Rfo) -> tuple[LogEntry, ...]:
    if rfo.published_timeline is not None:
        return tuple(
            LogEntry(
                at=datetime.fromisoformat(entry["at"]),
                kind=entry["kind"],
                actor=entry["actor"],
                body=entry["body"],
            )
            for entry in rfo.published_timeline
        )
    return public_log(rfo.ticket_id)


def frozen_timeline(ticket_id: int) -> list[dict[str, Any]]:
    """The public log as JSON, to keep on the RFO at publication."""
    return [
        {"at": e.at.isoformat(), "kind": e.kind, "actor": e.actor, "body": e.body}
        for e in public_log(ticket_id)
    ]


def _view(
    rfo: Rfo,
    ticket: Ticket,
    customer: str,
    now: datetime,
    *,
    problem: tuple[str, str] | None = None,
    timeline: bool = True,
) -> RfoView:
    """`problem` is the cited problem's (number, title) when the caller read it already."""
    if problem is None and rfo.problem_id:
        cited = db.session.get(Problem, rfo.problem_id)
        problem = (cited.number, cited.title) if cited else None
    return RfoView(
        ticket=ticket.number,
        ticket_summary=ticket.summary,
        priority=ticket.priority,
        customer=customer,
        status=rfo.status,
        requested_at=rfo.requested_at,
        due_at=rfo.due_at,
        overdue=is_overdue(rfo.status, rfo.due_at, now),
        summary=rfo.summary,
        impact=rfo.impact,
        root_cause=rfo.root_cause,
        resolution=rfo.resolution,
        preventive_actions=rfo.preventive_actions,
        timeline=timeline_of(rfo) if timeline else (),
        problem_id=problem[0] if problem else None,
        problem_title=problem[1] if problem else None,
        published_at=rfo.published_at,
        updated_at=rfo.updated_at,
        overdue_flagged_at=rfo.overdue_flagged_at,
    )


def find_rfo(ticket: Ticket, now: datetime) -> RfoView | None:
    rfo = db.session.scalar(select(Rfo).where(Rfo.ticket_id == ticket.id))
    if rfo is None:
        return None
    customer = db.session.get(Customer, ticket.customer_id)
    return _view(rfo, ticket, customer.code if customer else "", now)


def get_rfo(ticket: Ticket, now: datetime) -> RfoView:
    view = find_rfo(ticket, now)
    if view is None:
        raise NotFoundError(f"No RFO has been requested for {ticket.number}.")
    return view


def list_rfos(
    now: datetime,
    *,
    page: int = 1,
    per_page: int = 50,
    status: str | None = None,
    overdue: bool | None = None,
    open_only: bool = False,
) -> tuple[list[RfoView], int]:
    """RFOs soonest due first (the desk's worklist); filter by status, overdue, or open
    (not yet published)."""
    statement = (
        select(Rfo, Ticket, Customer.code, Problem.number, Problem.title)
        .join(Ticket, Ticket.id == Rfo.ticket_id)
        .join(Customer, Customer.id == Ticket.customer_id)
        .outerjoin(Problem, Problem.id == Rfo.problem_id)
    )
    if status:
        statement = statement.where(Rfo.status == status)
    if open_only:
        statement = statement.where(Rfo.status != RfoStatus.PUBLISHED.value)
    if overdue is True:
        statement = statement.where(Rfo.status != RfoStatus.PUBLISHED.value, Rfo.due_at <= now)
    elif overdue is False:
        statement = statement.where((Rfo.status == RfoStatus.PUBLISHED.value) | (Rfo.due_at > now))
    total = db.session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    rows = db.session.execute(
        statement.order_by(Rfo.due_at, Rfo.id).limit(per_page).offset((page - 1) * per_page)
    ).all()
    views = [
        _view(rfo, t, code, now, problem=(number, title) if number else None, timeline=False)
        for rfo, t, code, number, title in rows
    ]
    return views, int(total)


def rfo_counts(now: datetime) -> tuple[int, int]:
    """(unpublished, of them overdue): the desk's banner, in one query."""
    late = case((Rfo.due_at <= now, 1), else_=0)
    unpublished, overdue = db.session.execute(
        select(func.count(), func.coalesce(func.sum(late), 0)).where(
            Rfo.status != RfoStatus.PUBLISHED.value
        )
    ).one()
    return int(unpublished), int(overdue)


def rfo_content(ticket: Ticket, now: datetime, brand: str) -> RfoContent:
    """What the RFO PDF of `ticket` prints; NotFoundError when none was requested."""
    rfo = db.session.scalar(select(Rfo).where(Rfo.ticket_id == ticket.id))
    if rfo is None:
        raise NotFoundError(f"No RFO has been requested for {ticket.number}.")
    service = db.session.get_one(Service, ticket.service_id)
    customer = db.session.get_one(Customer, ticket.customer_id)
    site = db.session.get(Site, service.site_id)
    problem = db.session.get(Problem, rfo.problem_id) if rfo.problem_id else None
    return RfoContent(
        ticket=ticket.number,
        status=rfo.status,
        customer_code=customer.code,
        customer_name=customer.name,
        service_code=service.code,
        service_type=service.type,
        site_name=site.name if site else "",
        site_city=site.city if site else "",
        priority=ticket.priority,
        ticket_summary=ticket.summary,
        timezone=str((service.sla_plan.calendar or {}).get("timezone") or "UTC"),
        generated_at=now,
        requested_at=rfo.requested_at,
        due_at=rfo.due_at,
        fault_started_at=ticket.fault_started_at,
        resolved_at=ticket.resolved_at,
        published_at=rfo.published_at,
        summary=rfo.summary,
        impact=rfo.impact,
        root_cause=rfo.root_cause,
        resolution=rfo.resolution,
        preventive_actions=rfo.preventive_actions,
        timeline=timeline_of(rfo),
        problem=ProblemRef(problem.number, problem.title, problem.status, problem.root_cause)
        if problem
        else None,
        brand=brand,
    )
