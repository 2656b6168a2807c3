"""Reads of tickets, their work log and SLA state, scoped to what the viewer may see."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select

from fieldops.accounts.models import User
from fieldops.accounts.queries import parse_user_id
from fieldops.customers.models import Customer, Service, SlaPlan
from fieldops.db import db
from fieldops.errors import NotFoundError
from fieldops.tickets import sla
from fieldops.tickets.lifecycle import PAUSED_STATUSES, TicketStatus
from fieldops.tickets.models import (
    OPEN_STATUSES,
    EscalationLevel,
    EscalationMatrix,
    StopClockReason,
    Ticket,
    TicketEvent,
    TicketPause,
)

SORTS: dict[str, Any] = {
    "created_at": Ticket.created_at.asc(),
    "-created_at": Ticket.created_at.desc(),
    "updated_at": Ticket.updated_at.asc(),
    "-updated_at": Ticket.updated_at.desc(),
    "priority": Ticket.priority.asc(),
    "-priority": Ticket.priority.desc(),
    "resolution_due_at": Ticket.resolution_due_at.asc(),
    "-resolution_due_at": Ticket.resolution_due_at.desc(),
}
DEFAULT_SORT = "-created_at"


@dataclass
class TicketFilter:
    status: list[str] = field(default_factory=list)
    priority: list[str] = field(default_factory=list)
    customer: str | None = None
    service: str | None = None
    assignee: str | None = None
    tier: str | None = None
    text: str | None = None
    breached: bool | None = None
    open_only: bool = False
    sort: str = DEFAULT_SORT


def _scoped(viewer: User) -> Select[tuple[Ticket]]:
    query = select(Ticket)
    if viewer.is_customer:
        query = query.where(Ticket.customer_id == viewer.customer_id)
    elif not viewer.is_desk:
        # Field and stock staff see tickets only through their jobs (later capabilities).
        query = query.where(Ticket.id.is_(None))
    return query


# Recorded breaches are compared with a range rather than IS NOT NULL, which SQLite can
# combine with the other OR terms through their indexes (a "multi-index OR").
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def breached_clause(now: datetime) -> ColumnElement[bool]:
    """SQL form of `breached`: recorded when a clock stopped late (or by a sweep), or a clock
    still running is past its due time. Both halves can use an index."""
    return or_(recorded_breach_clause(), unrecorded_breach_clause(now))


def not_breached_clause(now: datetime) -> ColumnElement[bool]:
    """The complement of breached_clause, written so that NULLs cannot drop a row."""
    return and_(Ticket.sla_breached_at.is_(None), ~unrecorded_breach_clause(now))


def recorded_breach_clause() -> ColumnElement[bool]:
    return Ticket.sla_breached_at > EPOCH


def unrecorded_breach_clause(now: datetime) -> ColumnElement[bool]:
    """Open tickets whose running clock is past due and no sweep has recorded it yet (at most
    a minute's worth when the worker runs): disjoint from the recorded ones."""
    open_statuses = [s.value for s in OPEN_STATUSES]
    return or_(
        and_(
            Ticket.status.in_(open_statuses),
            Ticket.sla_breached_at.is_(None),
            Ticket.resolution_due_at < now,
            Ticket.paused_since.is_(None),
        ),
        and_(
            Ticket.status.in_(open_statuses),
            Ticket.sla_breached_at.is_(None),
            Ticket.response_due_at < now,
            Ticket.responded_at.is_(None),
        ),
    )


def list_tickets(
    viewer: User, filters: TicketFilter, *, page: int, per_page: int, now: datetime
) -> tuple[list[Ticket], int]:
    conditions = _filter_conditions(filters, index_scope=True)
    query = _scoped(viewer).where(*conditions)
    if filters.breached is None:
        total = _count(query)
    else:
        # Counted as two disjoint, index-friendly sets rather than one OR over the table. The
        # unrecorded set is tiny and found through its own indexes, so its count keeps the
        # customer and service filters off theirs (see _filter_conditions).
        unrecorded = _scoped(viewer).where(
            *_filter_conditions(filters, index_scope=False), unrecorded_breach_clause(now)
        )
        breached = _count(query.where(recorded_breach_clause())) + _count(unrecorded)
        total = breached if filters.breached else _count(query) - breached
        query = query.where(breached_clause(now) if filters.breached else not_breached_clause(now))
    order = SORTS.get(filters.sort, SORTS[DEFAULT_SORT])
    rows = db.session.scalars(
        query.order_by(order, Ticket.id.desc()).limit(per_page).offset((page - 1) * per_page)
    )
    return list(rows), total


def _filter_conditions(filters: TicketFilter, *, index_scope: bool) -> list[ColumnElement[bool]]:
    """The WHERE terms of a ticket filter (the breached filter aside).

    With `index_scope=False` the customer and service terms read `column + 0`, which keeps a
    planner without statistics (a fresh SQLite) from walking a customer's whole history when
    another index finds the few candidate rows first.
    """
    conditions: list[ColumnElement[bool]] = []
    if filters.status:
        conditions.append(Ticket.status.in_(filters.status))
    elif filters.open_only:
        conditions.append(Ticket.status.in_([s.value for s in OPEN_STATUSES]))
    if filters.priority:
        conditions.append(Ticket.priority.in_(filters.priority))
    if filters.customer:
        customer_column = Ticket.customer_id if index_scope else Ticket.customer_id + 0
        conditions.append(
            customer_column
            == select(Customer.id)
            .where(Customer.code == filters.customer.upper())
            .scalar_subquery()
        )
    if filters.service:
        service_column = Ticket.service_id if index_scope else Ticket.service_id + 0
        conditions.append(
            service_column
            == select(Service.id).where(Service.code == filters.service.upper()).scalar_subquery()
        )
    if filters.assignee:
        if filters.assignee == "none":
            conditions.append(Ticket.assignee_id.is_(None))
        elif (assignee_id := parse_user_id(filters.assignee)) is not None:
            conditions.append(Ticket.assignee_id == assignee_id)
        else:
            conditions.append(
                Ticket.assignee_id
                == select(User.id).where(User.email == filters.assignee.lower()).scalar_subquery()
            )
    if filters.tier:
        conditions.append(Ticket.tier == filters.tier)
    if filters.text:
        # autoescape: a search for "50%" or "link_down" means those characters, not wildcards.
        needle = filters.text.strip().lower()
        conditions.append(
            or_(
                func.lower(Ticket.summary).contains(needle, autoescape=True),
                func.lower(Ticket.description).contains(needle, autoescape=True),
                Ticket.number == filters.text.strip().upper(),
            )
        )
    return conditions


def _count(query: Select[tuple[Ticket]]) -> int:
    return (
        db.session.scalar(
            select(func.count()).select_from(query.with_only_columns(Ticket.id).subquery())
        )
        or 0
    )


def find_ticket(viewer: User, number: str) -> Ticket | None:
    return db.session.scalar(_scoped(viewer).where(Ticket.number == number.strip().upper()))


def get_ticket(viewer: User, number: str) -> Ticket:
    """The ticket with this human-readable ID, if the viewer may see it; else NotFoundError."""
    ticket = find_ticket(viewer, number)
    if ticket is None:
        raise NotFoundError(f"No ticket {number}.")
    return ticket


def get_ticket_for_update(viewer: User, number: str) -> Ticket:
    """As get_ticket, locking the row (PostgreSQL) so concurrent moves serialise."""
    ticket = db.session.scalar(
        _scoped(viewer).where(Ticket.number == number.strip().upper()).with_for_update()
    )
    if ticket is None:
        raise NotFoundError(f"No ticket {number}.")
    return ticket


def _events_query(viewer: User, ticket: Ticket) -> Select[tuple[TicketEvent]]:
    query = select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)
    if viewer.is_customer:
        query = query.where(TicketEvent.public.is_(True))
    return query


def list_events(viewer: User, ticket: Ticket) -> list[TicketEvent]:
    """The work log the viewer may see (customers: public events only), oldest first."""
    query = _events_query(viewer, ticket)
    return list(db.session.scalars(query.order_by(TicketEvent.created_at, TicketEvent.id)))


def page_events(
    viewer: User, ticket: Ticket, *, page: int, per_page: int
) -> tuple[list[TicketEvent], int]:
    """One page of list_events, and how many events the viewer may see in all."""
    query = _events_query(viewer, ticket)
    total = (
        db.session.scalar(
            select(func.count()).select_from(query.with_only_columns(TicketEvent.id).subquery())
        )
        or 0
    )
    rows = db.session.scalars(
        query.order_by(TicketEvent.created_at, TicketEvent.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return list(rows), total


def list_pauses(ticket: Ticket) -> list[TicketPause]:
    return list(
        db.session.scalars(
            select(TicketPause)
            .where(TicketPause.ticket_id == ticket.id)
            .order_by(TicketPause.started_at, TicketPause.id)
        )
    )


def pauses_by_ticket(ticket_ids: set[int]) -> dict[int, list[TicketPause]]:
    """Every stop-clock record of these tickets in one query, oldest first per ticket."""
    if not ticket_ids:
        return {}
    grouped: dict[int, list[TicketPause]] = {}
    rows = db.session.scalars(
        select(TicketPause)
        .where(TicketPause.ticket_id.in_(ticket_ids))
        .order_by(TicketPause.started_at, TicketPause.id)
    )
    for pause in rows:
        grouped.setdefault(pause.ticket_id, []).append(pause)
    return grouped


def service_codes(ids: set[int]) -> dict[int, tuple[str, str]]:
    """Map service ids to (service code, customer code) in one query, for list rendering."""
    if not ids:
        return {}
    rows = db.session.execute(
        select(Service.id, Service.code, Customer.code)
        .join(Customer, Customer.id == Service.customer_id)
        .where(Service.id.in_(ids))
    )
    return {sid: (scode, ccode) for sid, scode, ccode in rows}


def user_names_and_roles(ids: set[int]) -> dict[int, tuple[str, str]]:
    if not ids:
        return {}
    rows = db.session.execute(select(User.id, User.name, User.role).where(User.id.in_(ids)))
    return {uid: (name, role) for uid, name, role in rows}


def user_names(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())


def calendars(service_ids: set[int]) -> dict[int, tuple[sla.Calendar, dict[str, Any]]]:
    """The calendar and targets of each service's SLA plan, keyed by service id."""
    if not service_ids:
        return {}
    rows = db.session.execute(
        select(Service.id, SlaPlan.calendar, SlaPlan.targets)
        .join(SlaPlan, SlaPlan.id == Service.sla_plan_id)
        .where(Service.id.in_(service_ids))
    )
    return {sid: (calendar_of(cal), targets) for sid, cal, targets in rows}


def calendar_of(document: dict[str, Any]) -> sla.Calendar:
    """A parsed calendar, cached by its content: plans are few, lists ask for them often."""
    return _parsed_calendar(json.dumps(document, sort_keys=True))


@functools.lru_cache(maxsize=256)
def _parsed_calendar(canonical: str) -> sla.Calendar:
    return sla.Calendar.from_document(json.loads(canonical))


def sla_view(
    ticket: Ticket,
    calendar: sla.Calendar,
    targets: dict[str, Any],
    *,
    now: datetime,
    at_risk_share: float,
    pauses: list[TicketPause] | None = None,
) -> dict[str, Any]:
    """Due times, time left, paused time, at-risk and breached, as of `now`."""
    status = ticket.status
    if status in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
        stop = ticket.resolved_at or ticket.closed_at or now
    elif status == TicketStatus.CANCELLED:
        stop = ticket.cancelled_at or now
    elif status in PAUSED_STATUSES and ticket.paused_since is not None:
        stop = ticket.paused_since
    else:
        stop = now
    stop = max(stop, ticket.sla_started_at)
    due = ticket.resolution_due_at
    if stop <= due:
        left = sla.working_time_between(calendar, stop, due)
    else:
        left = -sla.working_time_between(calendar, due, stop)
    response_stop = ticket.responded_at or (ticket.cancelled_at if ticket.cancelled_at else now)
    response_breached = response_stop > ticket.response_due_at
    resolution_breached = stop > due
    paused = timedelta(seconds=ticket.paused_seconds)
    if ticket.paused_since is not None and status in PAUSED_STATUSES:
        paused += sla.working_time_between(
            calendar, ticket.paused_since, max(now, ticket.paused_since)
        )
    target = timedelta(minutes=targets[ticket.priority]["resolution_min"])
    used = target - left
    is_open = status in OPEN_STATUSES
    view: dict[str, Any] = {
        "response_due_at": ticket.response_due_at,
        "resolution_due_at": due,
        "responded_at": ticket.responded_at,
        "started_at": ticket.sla_started_at,
        "time_left_seconds": int(left.total_seconds()),
        "paused_seconds": int(paused.total_seconds()),
        "paused": status in PAUSED_STATUSES,
        "at_risk": bool(is_open and not resolution_breached and used >= target * at_risk_share),
        # A recorded breach stays a breach, even if a later change moved a due time.
        "breached": bool(
            response_breached or resolution_breached or ticket.sla_breached_at is not None
        ),
        "response_breached": bool(response_breached),
        "resolution_breached": bool(resolution_breached),
    }
    if pauses is not None:
        view["pauses"] = [
            {
                "reason": p.reason,
                "started_at": p.started_at,
                "ended_at": p.ended_at,
                "seconds": p.seconds
                if p.seconds is not None
                else int(sla.working_time_between(calendar, p.started_at, now).total_seconds()),
            }
            for p in pauses
        ]
    return view


def stop_clock_reasons(*, active_only: bool = True) -> list[StopClockReason]:
    """The stop-clock reason codes, in code order (active ones unless asked otherwise)."""
    query = select(StopClockReason).order_by(StopClockReason.code)
    if active_only:
        query = query.where(StopClockReason.is_active.is_(True))
    return list(db.session.scalars(query))


def stop_clock_codes() -> tuple[str, ...]:
    return tuple(reason.code for reason in stop_clock_reasons())


def escalation_matrix_payload(matrix: EscalationMatrix) -> dict[str, Any]:
    customer = db.session.get(Customer, matrix.customer_id) if matrix.customer_id else None
    levels = db.session.scalars(
        select(EscalationLevel)
        .where(EscalationLevel.matrix_id == matrix.id)
        .order_by(EscalationLevel.level)
    )
    return {
        "code": matrix.code,
        "name": matrix.name,
        "customer": customer.code if customer else None,
        "levels": [
            {
                "level": lvl.level,
                "name": lvl.name,
                "contacts": list(lvl.contacts),
                "thresholds_min": dict(lvl.thresholds_min),
            }
            for lvl in levels
        ],
    }


def escalation_matrices() -> list[dict[str, Any]]:
    """Every matrix with its levels, the default first."""
    matrices = db.session.scalars(
        select(EscalationMatrix).order_by(
            EscalationMatrix.customer_id.is_not(None), EscalationMatrix.code
        )
    )
    return [escalation_matrix_payload(m) for m in matrices]
