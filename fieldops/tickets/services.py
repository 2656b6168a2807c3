"""Ticket use cases: intake, status moves, the work log, triage and hand-over.

Every function here is one step of a unit of work: it flushes, never commits, and raises a
DomainError that names what is wrong. The caller wraps it in `transaction()`.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from fieldops.accounts.models import Role, Tier, User
from fieldops.accounts.queries import get_desk_user
from fieldops.clock import ensure_utc
from fieldops.customers.models import Service, SlaPlan
from fieldops.customers.priority import DEFAULT_URGENCY, priority_for
from fieldops.customers.queries import get_service
from fieldops.db import db
from fieldops.errors import ConflictError, ForbiddenError, NotFoundError, RuleViolationError
from fieldops.numbering import next_number
from fieldops.tickets import lifecycle, sla
from fieldops.tickets.lifecycle import Actor, TicketStatus, TransitionRefusedError
from fieldops.tickets.models import (
    BODY_MAX,
    OPEN_STATUSES,
    Channel,
    EventKind,
    Ticket,
    TicketAttachment,
    TicketEvent,
    TicketPause,
)

log = logging.getLogger(__name__)

# Clocks may disagree a little; a fault "started" a minute from now is a clock skew, not a lie.
FUTURE_TOLERANCE = timedelta(minutes=5)
CUSTOMER_EVENT_KINDS = frozenset({EventKind.COMMENT})
DESK_EVENT_KINDS = frozenset({EventKind.COMMENT, EventKind.PHONE_CALL, EventKind.EMAIL})
REOPEN_PAUSE_REASON = "awaiting_confirmation"


def actor_of(user: User) -> Actor:
    if user.role == Role.CUSTOMER:
        return Actor.CUSTOMER
    if user.is_desk:
        return Actor.DESK
    raise ForbiddenError("Only helpdesk staff and customer contacts work tickets.")


def _log_event(
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


# --- SLA clocks -------------------------------------------------------------------------


def _plan_of(ticket: Ticket) -> SlaPlan:
    plan = db.session.scalar(
        select(SlaPlan)
        .join(Service, Service.sla_plan_id == SlaPlan.id)
        .where(Service.id == ticket.service_id)
    )
    if plan is None:  # pragma: no cover - services always have a plan (NOT NULL FK)
        raise NotFoundError("The ticket's service has no SLA plan.")
    return plan


def _targets(plan: SlaPlan, priority: str) -> tuple[timedelta, timedelta]:
    target = plan.targets[priority]
    return timedelta(minutes=target["response_min"]), timedelta(minutes=target["resolution_min"])


def _recompute_due_times(ticket: Ticket, now: datetime) -> None:
    """Due times from the clock start, the priority's targets and every ended pause."""
    plan = _plan_of(ticket)
    calendar = sla.Calendar.from_document(plan.calendar)
    response, resolution = _targets(plan, ticket.priority)
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


def _start_pause(ticket: Ticket, reason: str, actor: User | None, now: datetime) -> None:
    db.session.add(
        TicketPause(
            ticket_id=ticket.id,
            reason=reason,
            started_at=now,
            started_by_id=actor.id if actor else None,
        )
    )
    ticket.paused_since = now


def _end_pause(ticket: Ticket, actor: User | None, now: datetime) -> None:
    pause = db.session.scalar(
        select(TicketPause).where(
            TicketPause.ticket_id == ticket.id, TicketPause.ended_at.is_(None)
        )
    )
    if pause is None:
        return
    calendar = sla.Calendar.from_document(_plan_of(ticket).calendar)
    pause.ended_at = now
    pause.ended_by_id = actor.id if actor else None
    pause.seconds = int(sla.working_time_between(calendar, pause.started_at, now).total_seconds())
    ticket.paused_since = None
    ticket.paused_seconds += pause.seconds
    db.session.flush()
    _recompute_due_times(ticket, now)


# --- intake -----------------------------------------------------------------------------


def _kind_refusal(contact: User, category: str | None, subject: str = "Your account") -> str | None:
    """Why this contact may not open a ticket of this category (billing vs technical)."""
    if category == "billing" and not contact.can_billing:
        return f"{subject} may not open billing tickets."
    if category != "billing" and not contact.can_technical:
        return f"{subject} may open billing tickets only."
    return None


def open_ticket(*, actor: User, data: dict[str, Any], channel: str, now: datetime) -> Ticket:
    """Open a ticket from validated input (see TicketCreateSchema).

    Raises RuleViolationError naming the field (unknown or foreign service, future fault start,
    circuit not on the service, unknown requester or one whose permissions exclude the
    ticket's kind), ForbiddenError when a contact lacks the permission for the ticket's kind.
    """
    who = actor_of(actor)
    try:
        service = get_service(actor, data["service_id"])
    except NotFoundError as missing:
        raise RuleViolationError(missing.message, missing.errors) from None
    errors: dict[str, list[str]] = {}
    fault_started_at: datetime = ensure_utc(data["fault_started_at"])
    if fault_started_at > now + FUTURE_TOLERANCE:
        errors["fault_started_at"] = ["Must not be in the future."]
    circuit_id = data.get("circuit_id") or None
    if circuit_id and service.circuit_ids and circuit_id not in service.circuit_ids:
        errors["circuit_id"] = [
            f"Not a circuit of {service.code}; its circuits: {', '.join(service.circuit_ids)}."
        ]
    category = data.get("category") or None
    requester: User | None = actor if who is Actor.CUSTOMER else None
    if who is Actor.DESK and data.get("requester"):
        requester = db.session.scalar(
            select(User).where(User.email == str(data["requester"]).strip().lower())
        )
        if requester is None or requester.customer_id != service.customer_id:
            errors["requester"] = [f"No contact of {service.customer.code} with this e-mail."]
        elif refusal := _kind_refusal(requester, category, "This contact"):
            # The desk records what a contact asked for; the contact's permissions still hold.
            errors["requester"] = [refusal]
    if errors:
        raise RuleViolationError("The ticket could not be opened.", errors)

    if who is Actor.CUSTOMER:
        if refusal := _kind_refusal(actor, category):
            raise ForbiddenError(refusal, {"category": [refusal]})
        if channel not in (Channel.PORTAL, Channel.API, Channel.EMAIL):
            channel = Channel.PORTAL

    impact = data["impact"]
    urgency = data.get("urgency") or DEFAULT_URGENCY[impact]
    plan = service.sla_plan
    priority = priority_for(impact, urgency, category, plan.priority_matrix)
    calendar = sla.Calendar.from_document(plan.calendar)
    # A fault that affects nothing, reported out of hours, starts its clock next working period.
    clock_start = sla.next_working_instant(calendar, now) if impact == "not_affecting" else now
    response, resolution = _targets(plan, priority)
    ticket = Ticket(
        number=next_number("TT", now.year),
        customer_id=service.customer_id,
        service_id=service.id,
        requester_id=requester.id if requester else None,
        created_by_id=actor.id,
        channel=channel,
        fault_started_at=fault_started_at,
        summary=data["summary"].strip(),
        description=(data.get("description") or "").strip(),
        impact=impact,
        urgency=urgency,
        category=category,
        priority=priority,
        status=TicketStatus.NEW.value,
        circuit_id=circuit_id,
        fault_pattern=data.get("fault_pattern") or None,
        ip_address=str(data["ip_address"]) if data.get("ip_address") else None,
        logs=data.get("logs") or None,
        tier=Tier.L1.value,
        escalation_level=0,
        created_at=now,
        updated_at=now,
        sla_started_at=clock_start,
        response_due_at=sla.add_working_time(calendar, clock_start, response),
        resolution_due_at=sla.add_working_time(calendar, clock_start, resolution),
        paused_seconds=0,
    )
    db.session.add(ticket)
    db.session.flush()
    _log_event(
        ticket,
        kind=EventKind.CREATED,
        body=f"Ticket {ticket.number} opened via {channel} for {service.code}.",
        public=True,
        actor=actor,
        now=now,
        data={"channel": channel, "priority": priority},
    )
    log.info("ticket %s opened via %s", ticket.number, channel)
    return ticket


def attach_file(
    ticket: Ticket, *, filename: str, content_type: str, content: bytes, now: datetime
) -> TicketAttachment:
    attachment = TicketAttachment(
        ticket_id=ticket.id,
        filename=filename[:255],
        content_type=content_type[:120] or "application/octet-stream",
        size_bytes=len(content),
        content=content,
        created_at=now,
    )
    db.session.add(attachment)
    db.session.flush()
    return attachment


# --- status -----------------------------------------------------------------------------


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
        move = lifecycle.check_move(source, to, who, reason)
    except TransitionRefusedError as refused:
        if refused.kind == "illegal":
            raise ConflictError(refused.message, {"to": [refused.message]}) from None
        if refused.kind == "forbidden":
            raise ForbiddenError(refused.message, {"to": [refused.message]}) from None
        raise RuleViolationError(refused.message, {"reason": [refused.message]}) from None
    if len(note) > BODY_MAX:
        raise RuleViolationError.on_field("note", f"At most {BODY_MAX} characters.")
    target = move.target

    if source in lifecycle.PAUSED_STATUSES:
        _end_pause(ticket, actor, now)
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
        _end_pause(ticket, actor, now)
        ticket.resolved_at = None
    if target in lifecycle.PAUSED_STATUSES:
        _start_pause(ticket, str(reason), actor, now)

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
    _log_event(
        ticket,
        kind=EventKind.STATUS_CHANGE,
        body=body,
        public=True,
        actor=actor,
        now=now,
        data={"from": source, "to": target.value, "reason": reason},
    )
    db.session.flush()
    log.info("ticket %s moved %s -> %s", ticket.number, source, target.value)
    return ticket


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


# --- work log ---------------------------------------------------------------------------


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
    event = _log_event(
        ticket,
        kind=kind,
        body=body,
        public=public,
        actor=actor,
        now=now,
        data={"via": via} if via else None,
    )
    if who is Actor.DESK and public and ticket.responded_at is None:
        ticket.responded_at = now
    if who is Actor.CUSTOMER and ticket.status == TicketStatus.PENDING_CUSTOMER:
        change_status(
            ticket, actor=None, to=TicketStatus.IN_PROGRESS, now=now, note="The customer replied."
        )
    db.session.flush()
    return event


# --- triage, hand-over, assignment ------------------------------------------------------


def update_ticket(ticket: Ticket, *, actor: User, changes: dict[str, Any], now: datetime) -> Ticket:
    """Apply an agent's changes: classification, priority override, tier, assignee, ETA.

    Raises ForbiddenError for customers, ConflictError on a closed ticket, RuleViolationError
    for an override without a reason or an unknown assignee.
    """
    if actor_of(actor) is not Actor.DESK:
        raise ForbiddenError("Only helpdesk staff change a ticket's handling.")
    if ticket.status not in OPEN_STATUSES and ticket.status != TicketStatus.RESOLVED:
        raise ConflictError(f"Ticket {ticket.number} is {ticket.status} and cannot change.")

    recompute = False
    classification = {
        k: changes[k]
        for k in ("category", "impact", "urgency")
        if k in changes and changes[k] != getattr(ticket, k)
    }
    if classification:
        before = {k: getattr(ticket, k) for k in classification}
        for key, value in classification.items():
            setattr(ticket, key, value)
        _log_event(
            ticket,
            kind=EventKind.CLASSIFICATION,
            body=", ".join(f"{k}: {before[k]} -> {v}" for k, v in classification.items()),
            public=False,
            actor=actor,
            now=now,
            data={"before": before, "after": classification},
        )
        if not ticket.priority_overridden and "priority" not in changes:
            plan = _plan_of(ticket)
            new_priority = priority_for(
                ticket.impact, ticket.urgency, ticket.category, plan.priority_matrix
            )
            if new_priority != ticket.priority:
                _log_event(
                    ticket,
                    kind=EventKind.PRIORITY_CHANGE,
                    body=f"Priority {ticket.priority} -> {new_priority} from the matrix.",
                    public=True,
                    actor=actor,
                    now=now,
                    data={"from": ticket.priority, "to": new_priority, "override": False},
                )
                ticket.priority = new_priority
                recompute = True

    if "priority" in changes and changes["priority"] != ticket.priority:
        reason = (changes.get("priority_reason") or "").strip()
        if not reason:
            raise RuleViolationError.on_field(
                "priority_reason", "Overriding the priority needs a reason."
            )
        _log_event(
            ticket,
            kind=EventKind.PRIORITY_CHANGE,
            body=f"Priority {ticket.priority} -> {changes['priority']}: {reason}",
            public=False,  # the reason is the desk's judgement, not customer correspondence
            actor=actor,
            now=now,
            data={
                "from": ticket.priority,
                "to": changes["priority"],
                "override": True,
                "reason": reason,
            },
        )
        ticket.priority = changes["priority"]
        ticket.priority_overridden = True
        recompute = True

    if "tier" in changes and changes["tier"] != ticket.tier:
        _log_event(
            ticket,
            kind=EventKind.TIER_CHANGE,
            body=f"Handed over {ticket.tier} -> {changes['tier']}."
            + (f" {changes['handover_note']}" if changes.get("handover_note") else ""),
            public=False,
            actor=actor,
            now=now,
            data={"from": ticket.tier, "to": changes["tier"]},
        )
        ticket.tier = changes["tier"]

    if "assignee" in changes:
        ref = changes["assignee"]
        assignee = None
        if ref not in (None, ""):
            try:
                assignee = get_desk_user(ref)
            except NotFoundError as missing:
                raise RuleViolationError(missing.message, missing.errors) from None
        if (assignee.id if assignee else None) != ticket.assignee_id:
            ticket.assignee_id = assignee.id if assignee else None
            _log_event(
                ticket,
                kind=EventKind.ASSIGNMENT,
                body=f"Assigned to {assignee.name}." if assignee else "Unassigned.",
                public=False,
                actor=actor,
                now=now,
                data={"assignee_id": ticket.assignee_id},
            )

    if "eta" in changes and changes["eta"] != ticket.eta:
        eta: datetime | None = ensure_utc(changes["eta"]) if changes["eta"] else None
        if eta is not None and eta <= now:
            raise RuleViolationError.on_field("eta", "Must be in the future.")
        previous = ticket.eta
        ticket.eta = eta
        _log_event(
            ticket,
            kind=EventKind.ETA,
            body=(
                f"ETA set to {eta.isoformat()}."
                if previous is None
                else f"ETA moved from {previous.isoformat()} to "
                f"{eta.isoformat() if eta else 'none'}."
            )
            if eta
            else "ETA cleared.",
            public=True,
            actor=actor,
            now=now,
            data={
                "from": previous.isoformat() if previous else None,
                "to": eta.isoformat() if eta else None,
            },
        )

    db.session.flush()
    if recompute:
        _recompute_due_times(ticket, now)
    db.session.flush()
    return ticket
