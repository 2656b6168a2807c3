"""The desk's verification of held mail: release it to a ticket or an event, or discard it.

Only helpdesk staff (agents, support managers, admins) decide; for anyone else a held mail
does not exist (NotFoundError). Each decision is recorded on the message — who, when, and
the note or reason — and the message is never deleted. One step of a unit of work: flushes,
never commits.
"""

from __future__ import annotations

import logging
from datetime import datetime

from fieldops.accounts.models import Role, User
from fieldops.accounts.queries import find_user_by_email
from fieldops.customers.queries import get_service
from fieldops.db import db
from fieldops.errors import ConflictError, NotFoundError, RuleViolationError
from fieldops.inbound import parsing
from fieldops.inbound.models import InboundMessage, InboundStatus
from fieldops.inbound.services.intake import new_ticket_data, reply_body
from fieldops.tickets import queries as ticket_queries
from fieldops.tickets import services as ticket_services
from fieldops.tickets.models import Channel

log = logging.getLogger(__name__)

NOTE_MAX = 1000


def _check_decider(actor: User, message: InboundMessage) -> None:
    if not actor.is_desk:
        raise NotFoundError(f"No inbound e-mail #{message.id}.")
    if message.status != InboundStatus.QUARANTINED:
        raise ConflictError(
            f"Inbound e-mail #{message.id} is {message.status.replace('_', ' ')}, not held: "
            "there is nothing left to decide."
        )


def _decided(
    message: InboundMessage, status: InboundStatus, actor: User, note: str, now: datetime
) -> None:
    message.status = status.value
    message.decided_by_id = actor.id
    message.decided_at = now
    message.decision_note = note or None


def _contact_for(contact_email: str | None, customer_id: int) -> User | None:
    if not contact_email or not contact_email.strip():
        return None
    contact = find_user_by_email(contact_email)
    if contact is None or contact.role != Role.CUSTOMER or contact.customer_id != customer_id:
        raise RuleViolationError.on_field(
            "contact_email", "No contact of this service's customer has this e-mail."
        )
    if not contact.is_active:
        raise RuleViolationError.on_field("contact_email", "This contact's account is inactive.")
    return contact


def release(
    message: InboundMessage,
    *,
    actor: User,
    service_code: str | None,
    contact_email: str | None,
    now: datetime,
    ticket_number: str | None = None,
    note: str = "",
) -> InboundMessage:
    """An agent verifies a held mail and turns it into a ticket, or an event on a ticket.

    With `ticket_number` the mail's new text goes into that ticket's work log: as the
    contact's public comment when `contact_email` names one, else as an internal e-mail
    record by the agent. Otherwise a ticket opens on `service_code` (channel email), opened
    by the agent with `contact_email` as its requester. The message keeps who decided, when
    and why. Raises NotFoundError for anyone but helpdesk staff, ConflictError
    when the mail is no longer held, RuleViolationError naming the field at fault.
    """
    _check_decider(actor, message)
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise RuleViolationError.on_field("note", f"At most {NOTE_MAX} characters.")
    mail = parsing.parse_mail(message.raw, max_bytes=len(message.raw))
    number = (ticket_number or "").strip()
    if number:
        ticket = ticket_queries.find_ticket(actor, number)
        if ticket is None:
            raise RuleViolationError.on_field("ticket_id", f"No ticket {number}.")
        contact = _contact_for(contact_email, ticket.customer_id)
        if contact is not None:
            # The contact's own reply, as if it had come from a known address: public, and
            # it restarts a clock that waits on the customer.
            event = ticket_services.add_event(
                ticket,
                actor=contact,
                kind="comment",
                body=reply_body(message, mail),
                public=True,
                now=now,
                via=Channel.EMAIL.value,
            )
        else:
            # Nobody to speak for: the desk records the mail internally (an agent's public
            # entry would count as the first response to the customer, which it is not).
            event = ticket_services.add_event(
                ticket,
                actor=actor,
                kind="email",
                body=f"E-mail from {mail.from_address}, not a registered contact:\n\n"
                f"{reply_body(message, mail)}",
                public=False,
                now=now,
                via=Channel.EMAIL.value,
            )
        db.session.flush()
        message.ticket_id, message.event_id = ticket.id, event.id
    else:
        if not service_code or not service_code.strip():
            raise RuleViolationError.on_field(
                "service_id", "Choose the service, or name a ticket to add the mail to."
            )
        try:
            service = get_service(actor, service_code.strip())
        except NotFoundError as missing:
            raise RuleViolationError(missing.message, missing.errors) from None
        contact = _contact_for(contact_email, service.customer_id)
        data = new_ticket_data(message, mail, service.code, now)
        if contact is not None:
            data["requester"] = contact.email
        ticket = ticket_services.open_ticket(
            actor=actor, data=data, channel=Channel.EMAIL.value, now=now
        )
        message.ticket_id = ticket.id
    message.contact_id = contact.id if contact else message.contact_id
    _decided(message, InboundStatus.RELEASED, actor, note, now)
    db.session.flush()
    log.info("inbound: %s released by user %s to ticket %s", message.id, actor.id, ticket.id)
    return message


def discard(message: InboundMessage, *, actor: User, reason: str, now: datetime) -> InboundMessage:
    """An agent decides a held mail is not for us. It is marked, with the reason, never deleted.

    Raises NotFoundError for anyone but helpdesk staff, ConflictError when the mail is no
    longer held, RuleViolationError naming `reason` when it is blank or too long.
    """
    _check_decider(actor, message)
    reason = reason.strip()
    if not reason:
        raise RuleViolationError.on_field("reason", "Say why the mail is discarded.")
    if len(reason) > NOTE_MAX:
        raise RuleViolationError.on_field("reason", f"At most {NOTE_MAX} characters.")
    _decided(message, InboundStatus.DISCARDED, actor, reason, now)
    db.session.flush()
    log.info("inbound: %s discarded by user %s", message.id, actor.id)
    return message
