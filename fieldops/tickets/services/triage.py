"""Triage and hand-over: classification, priority override, tier, assignee, ETA.

Steps of a unit of work: they flush, never commit, and raise DomainErrors (STYLE §3).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fieldops.accounts.models import User
from fieldops.accounts.queries import get_desk_user
from fieldops.customers.priority import priority_for
from fieldops.db import db
from fieldops.errors import ConflictError, ForbiddenError, NotFoundError, RuleViolationError
from fieldops.tickets.lifecycle import Actor, TicketStatus
from fieldops.tickets.models import (
    OPEN_STATUSES,
    EventKind,
    Ticket,
)
from fieldops.tickets.services.clocks import plan_of, recompute_due_times, record_breach_if_late
from fieldops.tickets.services.common import actor_of, log_event
from fieldops.tickets.services.eta import set_eta


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
        log_event(
            ticket,
            kind=EventKind.CLASSIFICATION,
            body=", ".join(f"{k}: {before[k]} -> {v}" for k, v in classification.items()),
            public=False,
            actor=actor,
            now=now,
            data={"before": before, "after": classification},
        )
        if not ticket.priority_overridden and "priority" not in changes:
            plan = plan_of(ticket)
            new_priority = priority_for(
                ticket.impact, ticket.urgency, ticket.category, plan.priority_matrix
            )
            if new_priority != ticket.priority:
                log_event(
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
        log_event(
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
        log_event(
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
            log_event(
                ticket,
                kind=EventKind.ASSIGNMENT,
                body=f"Assigned to {assignee.name}." if assignee else "Unassigned.",
                public=False,
                actor=actor,
                now=now,
                data={"assignee_id": ticket.assignee_id},
            )

    if "eta" in changes:
        set_eta(
            ticket,
            actor=actor,
            eta=changes["eta"],
            reason=changes.get("eta_reason") or "",
            now=now,
        )

    db.session.flush()
    if recompute:
        # A clock already run out stays a breach: record it before the new targets move it.
        record_breach_if_late(ticket, now)
        recompute_due_times(ticket, now)
    db.session.flush()
    return ticket
