"""Status moves through the lifecycle table, with their SLA pauses, and confirmation.

Steps of a unit of work: they flush, never commit, and raise DomainErrors (STYLE §3).
"""

from __future__ import annotations

import logging
from datetime import datetime

from fieldops.accounts.models import User
from fieldops.db import db
from fieldops.errors import ConflictError, ForbiddenError, RuleViolationError
from fieldops.tickets import lifecycle
from fieldops.tickets.lifecycle import Actor, TicketStatus, TransitionRefusedError
from fieldops.tickets.models import (
    BODY_MAX,
    EventKind,
    Ticket,
    TicketPause,
)
from fieldops.tickets.queries import stop_clock_codes
from fieldops.tickets.services import notify
from fieldops.tickets.services.clocks import end_pause, record_breach_if_late, start_pause
from fieldops.tickets.services.common import actor_of, log_event

log = logging.getLogger(__name__)

REOPEN_PAUSE_REASON = "awaiting_confirmation"


def change_status(
    ticket: Ticket,
    *,
    actor: User | None,
    to: str,
    now: datetime,
    note: str = "",
    reason: str | None = None,
) -> Ticket:
    """Move a ticket through the status machine; `actor=None` is the system.

    Raises ConflictError for a move the table lacks, ForbiddenError for a move that is not
    this actor's, RuleViolationError for a missing or unknown reason.
    """
    who = Actor.SYSTEM if actor is None else actor_of(actor)
    source = ticket.status
    # The machine compares the stripped reason; store what it compared, not the stray spaces.
    reason = (reason or "").strip() or None
    try:
        move = lifecycle.check_move(source, to, who, reason, stop_clock_codes())
    except TransitionRefusedError as refused:
        if refused.kind == "illegal":
            raise ConflictError(refused.message, {"to": [refused.message]}) from None
        if refused.kind == "forbidden":
            raise ForbiddenError(refused.message, {"to": [refused.message]}) from None
        raise RuleViolationError(refused.message, {"reason": [refused.message]}) from None
    if len(note) > BODY_MAX:
        raise RuleViolationError.on_field("note", f"At most {BODY_MAX} characters.")
    target = move.target
    record_breach_if_late(ticket, now)

    if source in lifecycle.PAUSED_STATUSES:
        end_pause(ticket, actor, now)
    if source == TicketStatus.RESOLVED and target == TicketStatus.IN_PROGRESS:
        # The resolution clock stood still while the customer was asked to confirm.
        resolved_since = ticket.resolved_at or now
        db.session.add(
            TicketPause(
                ticket_id=ticket.id,
                reason=REOPEN_PAUSE_REASON,
                started_at=resolved_since,
                started_by_id=None,
            )
        )
        db.session.flush()
        ticket.paused_since = resolved_since
        end_pause(ticket, actor, now)
        ticket.resolved_at = None
    if target in lifecycle.PAUSED_STATUSES:
        start_pause(ticket, str(reason), actor, now)

    ticket.status = target.value
    if target == TicketStatus.ACKNOWLEDGED:
        ticket.acknowledged_at = now
    elif target == TicketStatus.RESOLVED:
        ticket.resolved_at = now
    elif target == TicketStatus.CLOSED:
        ticket.closed_at = now
    elif target == TicketStatus.CANCELLED:
        ticket.cancelled_at = now
    if who is Actor.DESK and ticket.responded_at is None:
        ticket.responded_at = now

    body = note.strip()
    if reason and not body:
        body = reason
    event = log_event(
        ticket,
        kind=EventKind.STATUS_CHANGE,
        body=body,
        public=True,
        actor=actor,
        now=now,
        data={"from": source, "to": target.value, "reason": reason},
    )
    db.session.flush()
    _tell_customer_of_move(ticket, source, target, note.strip(), event.id, now)
    log.info("ticket %s moved %s -> %s", ticket.number, source, target.value)
    return ticket


def _tell_customer_of_move(
    ticket: Ticket, source: str, target: TicketStatus, note: str, event_id: int, now: datetime
) -> None:
    key = f"event:{event_id}"
    if target == TicketStatus.RESOLVED:
        resolution = note or "The fault has been cleared."
        notify.tell_customer(
            ticket, "restored", now, key=key, restored_at=now, resolution=resolution
        )
        notify.tell_customer(
            ticket,
            "confirm_request",
            now,
            key=key,
            confirm_by=now + lifecycle.CONFIRMATION_WINDOW,
            resolution=resolution,
        )
        return
    notify.tell_customer(
        ticket,
        "status_changed",
        now,
        key=key,
        old_status=source,
        new_status=target.value,
        note=note,
    )


def confirm_resolution(
    ticket: Ticket, *, actor: User, accept: bool, comment: str, now: datetime
) -> Ticket:
    """The customer's answer to "is it fixed?": accepting closes, rejecting reopens.

    Raises ForbiddenError unless the actor is a customer contact, ConflictError unless the
    ticket is resolved (there is nothing to confirm or reject), and RuleViolationError naming
    `comment` for a rejection that does not say what is still wrong (a reopen needs a reason).
    """
    if actor_of(actor) is not Actor.CUSTOMER:
        raise ForbiddenError("Only the customer confirms or rejects a resolution.")
    if ticket.status != TicketStatus.RESOLVED:
        raise ConflictError(
            f"Ticket {ticket.number} is {ticket.status}, not resolved: "
            "there is no fix to confirm or reject."
        )
    comment = comment.strip()
    if accept:
        return change_status(ticket, actor=actor, to=TicketStatus.CLOSED, note=comment, now=now)
    if not comment:
        raise RuleViolationError.on_field(
            "comment", "Say what is still wrong when you reject the fix."
        )
    return change_status(
        ticket, actor=actor, to=TicketStatus.IN_PROGRESS, note=comment, reason=comment, now=now
    )
