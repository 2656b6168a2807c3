"""Reads of inbound e-mail for the desk: the quarantine list, one message, its parsed text.

Only helpdesk staff (agents, support managers, admins) see inbound mail; for anyone else
every message is NotFoundError, never "forbidden" (that would say it exists).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from fieldops.accounts.models import Role, User
from fieldops.customers.models import Service
from fieldops.db import db
from fieldops.errors import NotFoundError
from fieldops.inbound import parsing
from fieldops.inbound.models import InboundMessage, InboundStatus
from fieldops.tickets.models import Ticket

RAW_PREVIEW_MAX = 20_000


def _may_see(viewer: User | None) -> bool:
    return viewer is not None and viewer.is_desk


def list_messages(
    viewer: User, *, status: str | None = InboundStatus.QUARANTINED, page: int, per_page: int
) -> tuple[list[InboundMessage], int]:
    """One page of inbound mail with this status (None: any), newest first, and the total."""
    if not _may_see(viewer):
        return [], 0
    query = select(InboundMessage)
    if status:
        query = query.where(InboundMessage.status == status)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(
        query.order_by(InboundMessage.received_at.desc(), InboundMessage.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return list(rows), total


def count_by_status(viewer: User) -> dict[str, int]:
    if not _may_see(viewer):
        return {}
    rows = db.session.execute(
        select(InboundMessage.status, func.count()).group_by(InboundMessage.status)
    )
    return {status: count for status, count in rows}


def get_message(viewer: User | None, message_id: int) -> InboundMessage:
    """One inbound message by its id; NotFoundError when absent or not the viewer's to see."""
    message = db.session.get(InboundMessage, message_id) if _may_see(viewer) else None
    if message is None:
        raise NotFoundError(f"No inbound e-mail #{message_id}.")
    return message


def get_message_for_update(viewer: User | None, message_id: int) -> InboundMessage:
    """As get_message, locking the row (PostgreSQL) so two agents cannot decide it twice."""
    message = None
    if _may_see(viewer):
        message = db.session.scalar(
            select(InboundMessage).where(InboundMessage.id == message_id).with_for_update()
        )
    if message is None:
        raise NotFoundError(f"No inbound e-mail #{message_id}.")
    return message


def ticket_number_of(message: InboundMessage) -> str | None:
    """The human-readable ID of the ticket the mail became, if any."""
    if message.ticket_id is None:
        return None
    return db.session.scalar(select(Ticket.number).where(Ticket.id == message.ticket_id))


@dataclass(frozen=True)
class MailView:
    """What the desk shows of a message: parsed when it parses, else the raw text."""

    mail: parsing.ParsedMail | None
    raw_text: str
    raw_cut: bool


def read_mail(message: InboundMessage) -> MailView:
    """Parse the stored raw bytes again (no limit: it was accepted once already)."""
    raw_text = parsing.clean(message.raw[:RAW_PREVIEW_MAX].decode("utf-8", errors="replace"))
    try:
        mail: parsing.ParsedMail | None = parsing.parse_mail(
            message.raw, max_bytes=len(message.raw)
        )
    except parsing.MalformedMailError:
        mail = None
    return MailView(mail=mail, raw_text=raw_text, raw_cut=len(message.raw) > RAW_PREVIEW_MAX)


def suggest_release(message: InboundMessage, mail: parsing.ParsedMail | None) -> dict[str, str]:
    """What the release form starts with: the sender if a contact, a ticket the subject
    names, a service the mail names (or the contact's only one). The agent confirms each."""
    suggestion: dict[str, str] = {}
    if mail is None:
        return suggestion
    sender = db.session.scalar(select(User).where(User.email == mail.from_address))
    customer_id = None
    if sender is not None and sender.role == Role.CUSTOMER:
        suggestion["contact_email"] = sender.email
        customer_id = sender.customer_id
    number = parsing.ticket_number_in(mail.subject)
    if number and db.session.scalar(select(Ticket.id).where(Ticket.number == number)):
        suggestion["ticket_id"] = number
    named = parsing.service_codes_in(f"{mail.subject}\n{mail.body}")
    query = select(Service.code).order_by(Service.code)
    if named:
        found = set(db.session.scalars(query.where(Service.code.in_(named))))
        code = next((c for c in named if c in found), None)
        if code:
            suggestion["service_id"] = code
    if "service_id" not in suggestion and customer_id is not None:
        own = list(db.session.scalars(query.where(Service.customer_id == customer_id).limit(2)))
        if len(own) == 1:
            suggestion["service_id"] = own[0]
    return suggestion
