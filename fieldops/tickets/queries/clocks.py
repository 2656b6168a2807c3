"""A ticket's SLA state as of an instant: due times, time left, paused, at risk, breached."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fieldops.tickets import sla
from fieldops.tickets.lifecycle import PAUSED_STATUSES, TicketStatus
from fieldops.tickets.models import (
    OPEN_STATUSES,
    Ticket,
    TicketPause,
)


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
