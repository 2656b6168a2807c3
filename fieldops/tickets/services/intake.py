"""Opening tickets and attaching the reporter's files.

Steps of a unit of work: they flush, never commit, and raise DomainErrors (STYLE §3).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from fieldops.accounts.models import Tier, User
from fieldops.clock import ensure_utc
from fieldops.customers.calendars import business_hours_document
from fieldops.customers.priority import DEFAULT_URGENCY, priority_for
from fieldops.customers.queries import get_service
from fieldops.db import db
from fieldops.errors import ForbiddenError, NotFoundError, RuleViolationError
from fieldops.numbering import next_number
from fieldops.tickets import sla
from fieldops.tickets.lifecycle import Actor, TicketStatus
from fieldops.tickets.models import (
    Channel,
    EventKind,
    Ticket,
    TicketAttachment,
)
from fieldops.tickets.services import notify
from fieldops.tickets.services.clocks import at_risk_share, targets_of
from fieldops.tickets.services.common import actor_of, log_event

log = logging.getLogger(__name__)

# Clocks may disagree a little; a fault "started" a minute from now is a clock skew, not a lie.
FUTURE_TOLERANCE = timedelta(minutes=5)


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
    clock_start = now
    if impact == "not_affecting":
        # Reported outside business hours: the clock starts at the next business period
        # (office hours when the plan itself is 24x7).
        business = sla.Calendar.from_document(business_hours_document(plan.calendar))
        clock_start = sla.next_working_instant(business, now)
    response, resolution = targets_of(plan, priority)
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
        at_risk_at=sla.add_working_time(calendar, clock_start, resolution * at_risk_share()),
        paused_seconds=0,
    )
    db.session.add(ticket)
    db.session.flush()
    log_event(
        ticket,
        kind=EventKind.CREATED,
        body=f"Ticket {ticket.number} opened via {channel} for {service.code}.",
        public=True,
        actor=actor,
        now=now,
        data={"channel": channel, "priority": priority},
    )
    notify.tell_customer(
        ticket,
        "ticket_acknowledged",
        now,
        key="opened",
        service_code=service.code,
        priority=priority,
        created_at=now,
        response_due_at=ticket.response_due_at,
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
