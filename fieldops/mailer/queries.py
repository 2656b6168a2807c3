"""Reads of the outbox for the admin page: a page of messages, one message."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from fieldops.db import db
from fieldops.errors import NotFoundError, RuleViolationError
from fieldops.outbox import OutboxMessage, OutboxStatus


@dataclass(frozen=True)
class MessagePage:
    items: list[OutboxMessage]
    total: int
    page: int
    per_page: int


def list_messages(page: int = 1, per_page: int = 50, status: str | None = None) -> MessagePage:
    """Newest first, optionally one status; raises RuleViolationError for an unknown status."""
    page = max(page, 1)
    per_page = min(max(per_page, 1), 200)
    query = select(OutboxMessage)
    counter = select(func.count()).select_from(OutboxMessage)
    if status:
        if status not in set(OutboxStatus):
            known = ", ".join(OutboxStatus)
            raise RuleViolationError.on_field("status", f"Must be one of {known}.")
        query = query.where(OutboxMessage.status == status)
        counter = counter.where(OutboxMessage.status == status)
    items = db.session.scalars(
        query.order_by(OutboxMessage.id.desc()).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return MessagePage(list(items), db.session.scalar(counter) or 0, page, per_page)


def get_message(message_id: int) -> OutboxMessage:
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        raise NotFoundError("No such message.")
    return message
