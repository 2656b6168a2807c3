"""Appending comments, calls and e-mails to the work log.

Steps of a unit of work: they flush, never commit, and raise DomainErrors (STYLE §3).
"""

from __future__ import annotations

from datetime import datetime

from fieldops.accounts.models import User
from fieldops.db import db
from fieldops.errors import ConflictError, RuleViolationError
from fieldops.tickets.lifecycle import Actor, TicketStatus
from fieldops.tickets.models import (
    BODY_MAX,
    EventKind,
    Ticket,
    TicketEvent,
)
from fieldops.tickets.services.clocks import record_breach_if_late
from fieldops.tickets.services.common import actor_of, log_event
from fieldops.tickets.services.status import change_status

CUSTOMER_EVENT_KINDS = frozenset({EventKind.COMMENT})
DESK_EVENT_KINDS = frozenset({EventKind.COMMENT, EventKind.PHONE_CALL, EventKind.EMAIL})


def add_event(
    ticket: Ticket,
    *,
    actor: User,
    kind: str,
    body: str,
    public: bool,
    now: datetime,
    via: str | None = None,
) -> TicketEvent:
    """Append a comment, phone call or e-mail record to the work log.

    Customers may only add public comments. A customer's answer to a ticket waiting on them
    restarts the clock (the system moves it back to in_progress). `via` names the channel
    the entry arrived by when it is not the caller's own surface (inbound e-mail: "email");
    it is kept in the event's data.
    """
    who = actor_of(actor)
    allowed = CUSTOMER_EVENT_KINDS if who is Actor.CUSTOMER else DESK_EVENT_KINDS
    if kind not in allowed:
        raise RuleViolationError.on_field("kind", f"Must be one of: {', '.join(sorted(allowed))}.")
    body = body.strip()
    if not body:
        raise RuleViolationError.on_field("body", "Must not be empty.")
    if len(body) > BODY_MAX:
        raise RuleViolationError.on_field("body", f"At most {BODY_MAX} characters.")
    if ticket.status in (TicketStatus.CLOSED, TicketStatus.CANCELLED):
        raise ConflictError(f"Ticket {ticket.number} is {ticket.status}; its log is closed.")
    if who is Actor.CUSTOMER:
        public = True
    event = log_event(
        ticket,
        kind=kind,
        body=body,
        public=public,
        actor=actor,
        now=now,
        data={"via": via} if via else None,
    )
    if who is Actor.DESK and public and ticket.responded_at is None:
        record_breach_if_late(ticket, now)
        ticket.responded_at = now
    if who is Actor.CUSTOMER and ticket.status == TicketStatus.PENDING_CUSTOMER:
        change_status(
            ticket, actor=None, to=TicketStatus.IN_PROGRESS, now=now, note="The customer replied."
        )
    db.session.flush()
    return event


FIELD_EVENT_KINDS = frozenset({EventKind.DISPATCH, EventKind.ASSIGNMENT, EventKind.PARTS})


def log_field_event(
    ticket: Ticket,
    *,
    kind: str,
    body: str,
    public: bool,
    actor: User | None,
    now: datetime,
    data: dict[str, object] | None = None,
) -> TicketEvent:
    """Record what field service did for a ticket (a job created, assigned, on its way, parts
    reserved or used) in its work log. Written by dispatch for dispatchers and engineers,
    who do not work tickets themselves; a closed or cancelled ticket's log takes nothing."""
    if kind not in FIELD_EVENT_KINDS:
        raise ValueError(f"not a field event kind: {kind}")
    if ticket.status in (TicketStatus.CLOSED, TicketStatus.CANCELLED):
        raise ConflictError(f"Ticket {ticket.number} is {ticket.status}; its log is closed.")
    # Not flushed here: a dispatch step writes several lines and flushes once.
    return log_event(
        ticket, kind=kind, body=body[:BODY_MAX], public=public, actor=actor, now=now, data=data
    )
