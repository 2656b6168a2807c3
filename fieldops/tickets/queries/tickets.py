"""Ticket lists and lookups, scoped to what the viewer may see; the breached filter."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select

from fieldops.accounts.models import User
from fieldops.accounts.queries import parse_user_id
from fieldops.customers.models import Customer, Service
from fieldops.db import db
from fieldops.errors import NotFoundError
from fieldops.tickets.models import (
    OPEN_STATUSES,
    Ticket,
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


def _scoped(viewer: User) -> Select[Ticket]:
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


def _count(query: Select[Ticket]) -> int:
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


# IN-lists are chunked: SQLite allows ~32k bound parameters per statement.
IDS_PER_QUERY = 5000


def tickets_by_ids(ids: list[int]) -> list[Ticket]:
    """The tickets with these ids (no viewer scope: for jobs such as the sweep), in chunks."""
    found: list[Ticket] = []
    for start in range(0, len(ids), IDS_PER_QUERY):
        chunk = ids[start : start + IDS_PER_QUERY]
        found.extend(db.session.scalars(select(Ticket).where(Ticket.id.in_(chunk))))
    return found
