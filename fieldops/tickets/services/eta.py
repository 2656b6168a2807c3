"""ETAs as tracked objects: each one set or moved keeps the old and new instant, the reason,
who changed it and when the customer was told; a passed ETA is recorded by the sweep."""

from __future__ import annotations

import logging
from datetime import datetime

from fieldops.accounts.models import User
from fieldops.clock import ensure_utc
from fieldops.db import db
from fieldops.errors import RuleViolationError
from fieldops.tickets.models import EventKind, Ticket, TicketEta
from fieldops.tickets.services import notify
from fieldops.tickets.services.common import log_event

log = logging.getLogger(__name__)

REASON_MAX = 1000


def set_eta(
    ticket: Ticket, *, actor: User | None, eta: datetime | None, reason: str, now: datetime
) -> TicketEta | None:
    """Give, move or clear the ticket's ETA and tell the customer.

    Returns the new history record, or None when nothing changed. Raises RuleViolationError
    for an ETA not in the future or an over-long reason.
    """
    eta = ensure_utc(eta) if eta is not None else None
    if eta == ticket.eta:
        return None
    if eta is not None and eta <= now:
        raise RuleViolationError.on_field("eta", "Must be in the future.")
    reason = reason.strip()
    if len(reason) > REASON_MAX:
        raise RuleViolationError.on_field("eta_reason", f"At most {REASON_MAX} characters.")
    previous = ticket.eta
    record = TicketEta(
        ticket_id=ticket.id,
        previous_eta=previous,
        eta=eta,
        reason=reason,
        changed_by_id=actor.id if actor else None,
        changed_at=now,
    )
    db.session.add(record)
    ticket.eta = eta
    ticket.eta_missed_at = None
    if eta is None:
        body = "ETA withdrawn."
    elif previous is None:
        body = f"ETA set to {eta.isoformat()}."
    else:
        body = f"ETA moved from {previous.isoformat()} to {eta.isoformat()}."
    if reason:
        body += f" {reason}"
    log_event(
        ticket,
        kind=EventKind.ETA,
        body=body,
        public=True,
        actor=actor,
        now=now,
        data={
            "from": previous.isoformat() if previous else None,
            "to": eta.isoformat() if eta else None,
        },
    )
    db.session.flush()
    if eta is not None:
        key = f"eta:{record.id}"
        told = (
            notify.tell_customer(ticket, "eta_set", now, key=key, eta=eta, note=reason)
            if previous is None
            else notify.tell_customer(
                ticket,
                "eta_extended",
                now,
                key=key,
                old_eta=previous,
                new_eta=eta,
                reason=reason,
            )
        )
        if told:
            record.customer_notified_at = now
    log.info("ticket %s ETA record %s", ticket.number, record.id)
    return record
