"""Shared steps of ticket use cases: who the actor is, and writing a work-log line.

Steps of a unit of work: they flush, never commit, and raise DomainErrors (STYLE §3).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, case, literal

from fieldops.accounts.models import Role, User
from fieldops.db import db
from fieldops.errors import ForbiddenError
from fieldops.tickets.lifecycle import Actor
from fieldops.tickets.models import (
    Ticket,
    TicketEvent,
)

log = logging.getLogger(__name__)


def actor_of(user: User) -> Actor:
    if user.role == Role.CUSTOMER:
        return Actor.CUSTOMER
    if user.is_desk:
        return Actor.DESK
    raise ForbiddenError("Only helpdesk staff and customer contacts work tickets.")


def log_event(
    ticket: Ticket,
    *,
    kind: str,
    body: str,
    public: bool,
    actor: User | None,
    now: datetime,
    data: dict[str, Any] | None = None,
) -> TicketEvent:
    event = TicketEvent(
        ticket_id=ticket.id,
        kind=kind,
        body=body,
        public=public,
        actor_id=actor.id if actor else None,
        data=data or {},
        created_at=now,
    )
    db.session.add(event)
    ticket.updated_at = now
    return event


def updated_as_of(now: datetime) -> ColumnElement[datetime]:
    """`updated_at` for a set-based change as of `now`: never earlier than it already is.

    A catch-up sweep for a past instant records what it found then, but must not turn back
    the time of a later change (lists sort by it).
    """
    return case(
        (Ticket.updated_at < now, literal(now, Ticket.updated_at.type)),
        else_=Ticket.updated_at,
    )
