"""What the customer is told, queued in the same transaction as the change it announces.

Every notice goes to the ticket's requesting contact through the outbox (fieldops/outbox.py):
it commits or rolls back with the change, and a background worker sends it. Instants are
shown in the time zone of the service's SLA calendar. Notices carry a dedupe key per event,
so a retried unit of work cannot queue the same notice twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from fieldops.accounts.models import User
from fieldops.customers.models import Service, SlaPlan
from fieldops.db import db
from fieldops.outbox import queue_email
from fieldops.tickets.models import Ticket

log = logging.getLogger(__name__)


def _zones(service_ids: set[int]) -> dict[int, str]:
    """The time zone each service's SLA calendar shows instants in."""
    return {
        sid: str((calendar or {}).get("timezone", "UTC"))
        for sid, calendar in db.session.execute(
            select(Service.id, SlaPlan.calendar)
            .join(SlaPlan, SlaPlan.id == Service.sla_plan_id)
            .where(Service.id.in_(service_ids))
        )
    }


def portal_path(ticket: Ticket) -> str:
    return f"/portal/tickets/{ticket.number}"


def tell_customer(
    ticket: Ticket, template: str, now: datetime, *, key: str, **context: Any
) -> bool:
    """Queue `mail/<template>.txt` to the requester; False when there is nobody to tell.

    `key` makes the notice unique per ticket (e.g. "status:17" for event 17), so running the
    same step twice never sends it twice.
    """
    recipient = requesters([ticket]).get(ticket.id)
    if recipient is None:
        log.info("ticket %s has no requesting contact: %s not sent", ticket.number, template)
        return False
    return tell_recipient(ticket, recipient, template, now, key=key, **context)


def tell_staff(
    ticket: Ticket,
    recipients: list[str],
    template: str,
    now: datetime,
    *,
    key: str,
    **context: Any,
) -> bool:
    """Queue a notice to staff addresses (escalation contacts); False when there are none."""
    if not recipients:
        return False
    queued = queue_email(
        to=recipients,
        template=template,
        context={
            "ticket_number": ticket.number,
            "summary": ticket.summary,
            "ticket_url": f"/desk/tickets/{ticket.number}",
            "timezone": _zones({ticket.service_id}).get(ticket.service_id, "UTC"),
            **context,
        },
        now=now,
        ticket_id=ticket.id,
        dedupe_key=f"{ticket.number}:{template}:{key}",
    )
    return queued is not None


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str
    timezone: str


def requesters(tickets: list[Ticket]) -> dict[int, Recipient]:
    """Each ticket's active requesting contact and display time zone, in two queries (for
    sweeps that tell many customers at once). Tickets with nobody to tell are left out."""
    user_ids = {t.requester_id for t in tickets if t.requester_id is not None}
    if not user_ids:
        return {}
    users = {
        uid: (email, name)
        for uid, email, name in db.session.execute(
            select(User.id, User.email, User.name).where(
                User.id.in_(user_ids), User.is_active.is_(True)
            )
        )
    }
    zones = _zones({t.service_id for t in tickets})
    found = {}
    for ticket in tickets:
        if ticket.requester_id in users:
            email, name = users[ticket.requester_id]
            found[ticket.id] = Recipient(email, name, zones.get(ticket.service_id, "UTC"))
    return found


def tell_recipient(
    ticket: Ticket,
    recipient: Recipient,
    template: str,
    now: datetime,
    *,
    key: str,
    **context: Any,
) -> bool:
    """tell_customer for a prefetched recipient (see `requesters`); False when this notice
    was queued before (same key)."""
    queued = queue_email(
        to=[recipient.email],
        template=template,
        context={
            "ticket_number": ticket.number,
            "summary": ticket.summary,
            "ticket_url": portal_path(ticket),
            "recipient_name": recipient.name,
            "timezone": recipient.timezone,
            **context,
        },
        now=now,
        ticket_id=ticket.id,
        dedupe_key=f"{ticket.number}:{template}:{key}",
        load=False,
    )
    return queued is not None
