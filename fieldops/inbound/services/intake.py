"""Ingesting inbound e-mail: store the raw mail, then a ticket, a work-log event or a hold.

One step of a unit of work (STYLE §3): it flushes, never commits; the surface wraps it in
`transaction()`. The raw mail is inserted before anything is decided, and no outcome removes
it: malformed mail becomes a `rejected` record that the surface turns into an error *after*
the commit, so the refusal never takes the evidence with it.

Turning a mail into a ticket or an event runs in a SAVEPOINT: if the ticket rules refuse it
(a closed log, a field out of range), only that part rolls back and the mail is held for an
agent with the refusal as its reason — never silently dropped (DESIGN: intake).

Who may do what by mail: an active customer contact's reply threads onto a ticket of their
own customer (our Message-IDs in In-Reply-To/References first, then the ticket ID in the
subject); any other mail opens a ticket, which needs the contact's technical permission.
Everything else is held for an agent: unknown or staff senders, inactive contacts,
billing-only contacts, automatic replies, and mail whose service cannot be told.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from fieldops.accounts.models import Role, User
from fieldops.accounts.queries import find_user_by_email
from fieldops.customers.models import Service
from fieldops.db import db, upsert_insert
from fieldops.errors import ConflictError, DomainError, NotFoundError
from fieldops.inbound import parsing, rules
from fieldops.inbound.models import InboundMessage, InboundStatus, ReceivedVia
from fieldops.outbox import OutboxMessage
from fieldops.tickets import queries as ticket_queries
from fieldops.tickets import services as ticket_services
from fieldops.tickets.models import BODY_MAX, DESCRIPTION_MAX, Channel, Ticket, TicketStatus

log = logging.getLogger(__name__)

# Who may feed mail in through the API (the mail gateway's account): an agent or admin token.
INGEST_ROLES = frozenset({Role.AGENT, Role.ADMIN})
CLOSED = frozenset({TicketStatus.CLOSED, TicketStatus.CANCELLED})


@dataclass(frozen=True)
class Ingested:
    """The record of a mail, and whether it had been received before (same Message-ID)."""

    message: InboundMessage
    duplicate: bool


# --- storing ---------------------------------------------------------------------------


def _existing(message_id: str | None, digest: str) -> InboundMessage | None:
    if message_id is not None:
        query = select(InboundMessage).where(InboundMessage.message_id == message_id)
    else:
        query = select(InboundMessage).where(
            InboundMessage.message_id.is_(None), InboundMessage.raw_sha256 == digest
        )
    return db.session.scalars(query.order_by(InboundMessage.id).limit(1)).first()


def _store(raw: bytes, values: dict[str, Any]) -> InboundMessage | None:
    """Insert the record; None when a record with this Message-ID exists already.

    `INSERT ... ON CONFLICT DO NOTHING RETURNING`: a concurrent twin waits on the unique index
    and then finds the first one, on PostgreSQL and SQLite alike (STACK.md).
    """
    statement = upsert_insert(InboundMessage).values(raw=raw, **values)
    if values.get("message_id") is not None:
        statement = statement.on_conflict_do_nothing(index_elements=["message_id"])
    new_id = db.session.execute(statement.returning(InboundMessage.id)).scalar()
    return db.session.get(InboundMessage, new_id) if new_id is not None else None


def ingest(
    raw: bytes,
    *,
    now: datetime,
    received_via: str,
    actor: User | None,
    max_bytes: int = parsing.DEFAULT_MAX_BYTES,
) -> Ingested:
    """Store one raw mail, then turn it into a ticket, a work-log event or a held message.

    `actor` is the API caller (an agent or admin; anyone else gets NotFoundError, as if the
    endpoint did not exist) or None for the command line. A malformed mail is stored with
    status `rejected` and its reason; the caller reports the refusal after committing.
    A mail whose Message-ID (or, without one, whose exact bytes) was seen before is not
    processed again: the first record comes back with `duplicate=True`.
    """
    if actor is not None and actor.role not in INGEST_ROLES:
        raise NotFoundError("No such resource.")
    if received_via not in {v.value for v in ReceivedVia}:
        raise ValueError(f"unknown intake route {received_via!r}")
    digest = hashlib.sha256(raw).hexdigest()
    mail: parsing.ParsedMail | None = None
    refusal: parsing.MalformedMailError | None = None
    try:
        mail = parsing.parse_mail(raw, max_bytes=max_bytes)
    except parsing.MalformedMailError as error:
        refusal = error
    message_id = mail.message_id if mail else (refusal.message_id if refusal else None)
    if message_id is None and (found := _existing(None, digest)) is not None:
        return Ingested(found, duplicate=True)
    values: dict[str, Any] = {
        "received_at": now,
        "received_via": received_via,
        "received_by_id": actor.id if actor else None,
        "size_bytes": len(raw),
        "raw_sha256": digest,
        "message_id": message_id,
        "from_address": mail.from_address if mail else None,
        "from_name": mail.from_name if mail else None,
        "subject": mail.subject if mail else None,
        # Held until decided below: if anything stops short, the mail waits for an agent.
        "status": InboundStatus.REJECTED.value if refusal else InboundStatus.QUARANTINED.value,
        "reason": refusal.reason if refusal else "not processed yet",
    }
    message = _store(raw, values)
    if message is None:
        found = _existing(message_id, digest)
        if found is None:  # pragma: no cover - the conflicting row exists by definition
            raise ConflictError("The mail is being received by another request; retry.")
        log.info("inbound: mail already received as %s (%s)", found.id, found.status)
        return Ingested(found, duplicate=True)
    if mail is None:
        log.info("inbound: %s rejected as malformed", message.id)
        return Ingested(message, duplicate=False)
    _route(message, mail, now)
    db.session.flush()
    log.info("inbound: %s -> %s (ticket %s)", message.id, message.status, message.ticket_id)
    return Ingested(message, duplicate=False)


# --- deciding --------------------------------------------------------------------------


def _hold(message: InboundMessage, reason: str) -> None:
    message.status = InboundStatus.QUARANTINED.value
    message.reason = reason


def _sender_refusal(contact: User | None) -> str | None:
    """Why mail from this sender may not open tickets by itself; None for a usable contact."""
    if contact is None:
        return "unknown sender: no contact has this e-mail address"
    if contact.role != Role.CUSTOMER:
        return "the sender is staff, not a customer contact"
    if not contact.is_active:
        return "the sender's contact account is inactive"
    return None


def _threaded_ticket(mail: parsing.ParsedMail, contact: User) -> Ticket | None:
    """The contact's ticket this mail answers: by our Message-IDs first, then the subject."""
    ids = mail.thread_ids
    if ids:
        rows = db.session.execute(
            select(OutboxMessage.message_id, OutboxMessage.ticket_id).where(
                OutboxMessage.message_id.in_(ids), OutboxMessage.ticket_id.is_not(None)
            )
        )
        ticket_of = {mid: ticket_id for mid, ticket_id in rows}
        for mid in ids:  # In-Reply-To first, then the newest reference
            if mid in ticket_of:
                ticket = db.session.scalar(
                    select(Ticket).where(
                        Ticket.id == ticket_of[mid], Ticket.customer_id == contact.customer_id
                    )
                )
                if ticket is not None:
                    return ticket
    number = parsing.ticket_number_in(mail.subject)
    # Scoped to the contact's customer: another customer's ticket ID finds nothing here.
    return ticket_queries.find_ticket(contact, number) if number else None


def _own_service_codes(contact: User) -> list[str]:
    return list(
        db.session.scalars(
            select(Service.code)
            .where(Service.customer_id == contact.customer_id)
            .order_by(Service.code)
        )
    )


def new_ticket_data(
    message: InboundMessage, mail: parsing.ParsedMail, service_code: str, now: datetime
) -> dict[str, Any]:
    note = rules.attachment_note(mail.attachments, message.id)
    return {
        "service_id": service_code,
        "fault_started_at": rules.fault_start(mail, now),
        "summary": rules.summary_for(mail.subject, mail.body),
        "description": rules.fit_text(mail.body, DESCRIPTION_MAX, message.id, note),
        "impact": rules.impact_for(mail.subject, parsing.strip_quoted(mail.body)),
    }


def reply_body(message: InboundMessage, mail: parsing.ParsedMail) -> str:
    text = parsing.strip_quoted(mail.body) or f"(E-mail with no new text: {mail.subject})"
    return rules.fit_text(
        text, BODY_MAX, message.id, rules.attachment_note(mail.attachments, message.id)
    )


def _apply(message: InboundMessage, work: Any) -> bool:
    """Run `work()` in a SAVEPOINT; a refusal rolls back only it and holds the mail."""
    try:
        with db.session.begin_nested():
            work()
    except DomainError as refused:
        _hold(message, f"could not be applied automatically: {refused.message}")
        return False
    return True


def _route(message: InboundMessage, mail: parsing.ParsedMail, now: datetime) -> None:
    contact = find_user_by_email(mail.from_address)
    refusal = _sender_refusal(contact)
    if refusal is not None or contact is None:
        _hold(message, refusal or "unknown sender")
        return
    message.contact_id = contact.id
    if mail.auto_submitted:
        _hold(message, "an automatic reply (Auto-Submitted or Precedence header)")
        return
    ticket = _threaded_ticket(mail, contact)
    if ticket is not None and ticket.status not in CLOSED:

        def reply() -> None:
            event = ticket_services.add_event(
                ticket,
                actor=contact,
                kind="comment",
                body=reply_body(message, mail),
                public=True,
                now=now,
                via=Channel.EMAIL.value,
            )
            db.session.flush()
            message.ticket_id, message.event_id = ticket.id, event.id
            message.status, message.reason = InboundStatus.EVENT_ADDED.value, None

        _apply(message, reply)
        return
    if not contact.can_technical:
        _hold(message, "the contact may open billing tickets only; an agent must classify it")
        return
    if ticket is not None:  # a reply to a closed ticket: a follow-up on the same service
        service_code: str | None = db.session.scalar(
            select(Service.code).where(Service.id == ticket.service_id)
        )
        reason = None
    else:
        choice = rules.choose_service(mail.subject, mail.body, _own_service_codes(contact))
        service_code, reason = choice.code, choice.reason
    if service_code is None:
        _hold(message, reason or "service not identified")
        return
    data = new_ticket_data(message, mail, service_code, now)
    if ticket is not None:
        data["description"] = rules.fit_text(
            f"Follow-up to {ticket.number}, which is {ticket.status}.\n\n{data['description']}",
            DESCRIPTION_MAX,
            message.id,
        )

    def open_new() -> None:
        opened = ticket_services.open_ticket(
            actor=contact, data=data, channel=Channel.EMAIL.value, now=now
        )
        message.ticket_id = opened.id
        message.status, message.reason = InboundStatus.TICKET_CREATED.value, None

    _apply(message, open_new)
