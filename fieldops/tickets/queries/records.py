"""A ticket's work log and stop-clock records."""

from __future__ import annotations

from sqlalchemy import Select, func, select

from fieldops.accounts.models import User
from fieldops.db import db
from fieldops.tickets.models import (
    Ticket,
    TicketEvent,
    TicketPause,
)


def _events_query(viewer: User, ticket: Ticket) -> Select[TicketEvent]:
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
