"""Inbound e-mail as received: the raw message, what became of it, and who decided."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from fieldops.db import Model, UTCDateTime


class InboundStatus(StrEnum):
    """What became of a mail. Every one of them keeps its raw bytes; none is ever deleted."""

    TICKET_CREATED = "ticket_created"  # a known contact's mail opened a ticket
    EVENT_ADDED = "event_added"  # a known contact's reply went into a ticket's work log
    QUARANTINED = "quarantined"  # held for an agent to verify (unknown sender, ambiguous)
    REJECTED = "rejected"  # malformed: refused with a reason, kept for inspection
    RELEASED = "released"  # an agent turned a held mail into a ticket or an event
    DISCARDED = "discarded"  # an agent decided it is not for us (spam, misdirected)


class ReceivedVia(StrEnum):
    CLI = "cli"
    API = "api"


STATUSES = tuple(s.value for s in InboundStatus)
DECIDED_STATUSES = frozenset({InboundStatus.RELEASED, InboundStatus.DISCARDED})


class InboundMessage(Model):
    """One received mail. `raw` is stored as it arrived, before anything is decided.

    `message_id` (the RFC 5322 Message-ID, NULL when the mail has none) is unique, so the
    same mail ingested twice is one record. `ticket_id`/`event_id` name what the mail became;
    `decided_*` record the agent who released or discarded a held mail.
    """

    __tablename__ = "inbound_messages"
    __table_args__ = (
        CheckConstraint(
            "status IN ('ticket_created', 'event_added', 'quarantined', 'rejected', "
            "'released', 'discarded')",
            name="status_known",
        ),
        CheckConstraint("received_via IN ('cli', 'api')", name="received_via_known"),
        CheckConstraint("size_bytes >= 0", name="size_not_negative"),
        # The quarantine list: by status, newest first.
        Index("ix_inbound_messages_status_received_at", "status", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_via: Mapped[str] = mapped_column(String(8))
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Deferred: lists never load megabytes of mail they do not show.
    raw: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    size_bytes: Mapped[int] = mapped_column(Integer)
    # Finds a resent copy of a mail that has no Message-ID.
    raw_sha256: Mapped[str] = mapped_column(String(64), index=True)
    message_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    from_address: Mapped[str | None] = mapped_column(String(254))
    from_name: Mapped[str | None] = mapped_column(String(200))
    subject: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16))
    # Why the mail was held or refused, in words an agent (or the API caller) can act on.
    reason: Mapped[str | None] = mapped_column(Text)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    ticket_id: Mapped[int | None] = mapped_column(
        ForeignKey("tickets.id", ondelete="SET NULL"), index=True
    )
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("ticket_events.id", ondelete="SET NULL")
    )
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str | None] = mapped_column(Text)
