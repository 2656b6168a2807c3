"""Set-based sweep steps, each as of a given instant: breaches, at-risk, missed ETAs and the
24-hour auto-close of resolved tickets nobody confirmed.

Each step is one guarded `UPDATE ... RETURNING`: the guard (`... IS NULL`, a status) makes a
second run change nothing and, with PostgreSQL's row locks, keeps a concurrent sweep from
recording the same thing twice. Only the rows a step changed get a work-log line and notice.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import and_, insert, select, update

from fieldops.db import db
from fieldops.tickets import lifecycle
from fieldops.tickets.lifecycle import Actor, TicketStatus
from fieldops.tickets.models import OPEN_STATUSES, EventKind, Ticket, TicketEta, TicketEvent
from fieldops.tickets.queries import IDS_PER_QUERY, tickets_by_ids, unrecorded_breach_clause
from fieldops.tickets.services import notify
from fieldops.tickets.services.clocks import at_risk_share
from fieldops.tickets.services.common import updated_as_of

log = logging.getLogger(__name__)

OPEN = [s.value for s in OPEN_STATUSES]
AUTO_CLOSE_NOTE = "Closed automatically: no answer within 24 hours of the resolution."

# The sweep's close is the table's resolved -> closed move for the system; fail loudly at
# import if the table ever stops allowing it.
lifecycle.check_move(TicketStatus.RESOLVED, TicketStatus.CLOSED, Actor.SYSTEM, None)


def _events(rows: list[dict[str, Any]]) -> None:
    if rows:
        db.session.execute(insert(TicketEvent), rows)


def _event(
    ticket_id: int, kind: str, body: str, public: bool, now: datetime, data: dict[str, Any]
) -> dict[str, Any]:
    return {
        "ticket_id": ticket_id,
        "kind": kind,
        "body": body,
        "public": public,
        "actor_id": None,
        "data": data,
        "created_at": now,
    }


def flag_breaches(now: datetime) -> list[int]:
    """Record, once, every open ticket whose response or resolution clock ran out by `now`."""
    rows = db.session.execute(
        update(Ticket)
        .where(
            Ticket.status.in_(OPEN),
            # Clocks stopped late were recorded when they stopped; what is left to record is
            # a running clock past due, which this clause finds through its indexes. (No
            # created_at guard: a due time is never before its ticket was opened.)
            unrecorded_breach_clause(now),
        )
        .values(sla_breached_at=now)
        .returning(
            Ticket.id,
            Ticket.responded_at,
            Ticket.response_due_at,
            Ticket.paused_since,
            Ticket.resolution_due_at,
        )
        .execution_options(synchronize_session=False)
    ).all()
    events = []
    for ticket_id, responded_at, response_due_at, paused_since, resolution_due_at in rows:
        # Name the clock that ran out: a dispute over the SLA turns on which one it was.
        late = []
        if responded_at is None and response_due_at < now:
            late.append(("response", f"first response was due {response_due_at.isoformat()}"))
        if paused_since is None and resolution_due_at < now:
            late.append(("resolution", f"resolution was due {resolution_due_at.isoformat()}"))
        body = "SLA breached: " + "; ".join(text for _, text in late) + "."
        data = {"flag": "breached", "clocks": [clock for clock, _ in late]}
        events.append(_event(ticket_id, EventKind.SLA.value, body, False, now, data))
    _events(events)
    return [row[0] for row in rows]


def flag_at_risk(now: datetime) -> list[int]:
    """Record, once, every running clock that has used its at-risk share of the target."""
    ids = db.session.scalars(
        update(Ticket)
        .where(
            Ticket.status.in_(OPEN),
            Ticket.at_risk_flagged_at.is_(None),
            Ticket.sla_breached_at.is_(None),
            Ticket.paused_since.is_(None),
            Ticket.at_risk_at <= now,
        )
        .values(at_risk_flagged_at=now)
        .returning(Ticket.id)
        .execution_options(synchronize_session=False)
    ).all()
    _events(
        [
            _event(
                i,
                EventKind.SLA.value,
                f"SLA at risk: {at_risk_share():.0%} of the resolution time is used.",
                False,
                now,
                {"flag": "at_risk"},
            )
            for i in ids
        ]
    )
    return list(ids)


def mark_missed_etas(now: datetime) -> list[int]:
    """An ETA that passed without restoration: tell the customer it is being extended, and
    ask the desk (an internal line; the ticket shows `eta_missed`) for a new one."""
    ids = list(
        db.session.scalars(
            update(Ticket)
            .where(
                Ticket.status.in_(OPEN),
                Ticket.eta.is_not(None),
                Ticket.eta < now,
                Ticket.eta_missed_at.is_(None),
            )
            .values(eta_missed_at=now)
            .returning(Ticket.id)
            .execution_options(synchronize_session=False)
        ).all()
    )
    if not ids:
        return ids
    events = []
    tickets = tickets_by_ids(ids)
    recipients = notify.requesters(tickets)
    current_eta = select(Ticket.eta).where(Ticket.id == TicketEta.ticket_id).scalar_subquery()
    for start in range(0, len(ids), IDS_PER_QUERY):
        # The history record of each ticket's current ETA is the one that was missed.
        db.session.execute(
            update(TicketEta)
            .where(
                and_(
                    TicketEta.ticket_id.in_(ids[start : start + IDS_PER_QUERY]),
                    TicketEta.missed_at.is_(None),
                    TicketEta.eta == current_eta,
                )
            )
            .values(missed_at=now)
            .execution_options(synchronize_session=False)
        )
    for ticket in tickets:
        assert ticket.eta is not None  # noqa: S101 - selected by eta IS NOT NULL
        stamp = ticket.eta.isoformat()
        events.append(
            _event(
                ticket.id,
                EventKind.ETA.value,
                f"The ETA {stamp} has passed; a new ETA will follow.",
                True,
                now,
                {"missed": stamp},
            )
        )
        events.append(
            _event(
                ticket.id,
                EventKind.ETA.value,
                "ETA missed: set a new ETA and tell the customer.",
                False,
                now,
                {"missed": stamp},
            )
        )
        if ticket.id in recipients:
            notify.tell_recipient(
                ticket,
                recipients[ticket.id],
                "eta_extended",
                now,
                key=f"missed:{stamp}",
                old_eta=ticket.eta,
                new_eta=None,
            )
    _events(events)
    return ids


def close_unconfirmed(now: datetime) -> list[int]:
    """Close resolved tickets the customer left unanswered for the confirmation window."""
    cutoff = now - lifecycle.CONFIRMATION_WINDOW
    ids = list(
        db.session.scalars(
            update(Ticket)
            .where(Ticket.status == TicketStatus.RESOLVED.value, Ticket.resolved_at <= cutoff)
            .values(status=TicketStatus.CLOSED.value, closed_at=now, updated_at=updated_as_of(now))
            .returning(Ticket.id)
            .execution_options(synchronize_session=False)
        ).all()
    )
    if not ids:
        return ids
    events = []
    tickets = tickets_by_ids(ids)
    recipients = notify.requesters(tickets)
    for ticket in tickets:
        events.append(
            _event(
                ticket.id,
                EventKind.STATUS_CHANGE.value,
                AUTO_CLOSE_NOTE,
                True,
                now,
                {
                    "from": TicketStatus.RESOLVED.value,
                    "to": TicketStatus.CLOSED.value,
                    "reason": "auto_close",
                },
            )
        )
        if ticket.id in recipients:
            notify.tell_recipient(
                ticket,
                recipients[ticket.id],
                "auto_closed",
                now,
                key="auto_close",
                resolved_at=ticket.resolved_at,
                closed_at=now,
            )
    _events(events)
    return ids
