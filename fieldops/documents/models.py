"""RFO reports and the rendered PDFs kept so each is rendered once per content."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from fieldops.db import Model, UTCDateTime
from fieldops.documents.content import PAPER_SIZES
from fieldops.documents.rfo_rules import RfoStatus

RFO_TEXT_MAX = 20_000


def _values(values: Any) -> str:
    return ", ".join(f"'{getattr(v, 'value', v)}'" for v in values)


class DocumentKind(StrEnum):
    WORK_ORDER = "work_order"
    DAY_SHEET = "day_sheet"
    RFO = "rfo"


class Rfo(Model):
    """One RFO per ticket (UNIQUE ticket_id): asking twice is a conflict, not a second one."""

    __tablename__ = "rfos"
    __table_args__ = (
        CheckConstraint(f"status IN ({_values(RfoStatus)})", name="status_known"),
        Index("ix_rfos_status_due", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="RESTRICT"), unique=True
    )
    status: Mapped[str] = mapped_column(String(12), default=RfoStatus.REQUESTED.value)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    summary: Mapped[str] = mapped_column(Text, default="")
    impact: Mapped[str] = mapped_column(Text, default="")
    root_cause: Mapped[str] = mapped_column(Text, default="")
    resolution: Mapped[str] = mapped_column(Text, default="")
    preventive_actions: Mapped[str] = mapped_column(Text, default="")
    problem_id: Mapped[int | None] = mapped_column(
        ForeignKey("problems.id", ondelete="SET NULL"), index=True
    )
    # Who sent it to review: the reviewer who publishes must be someone else.
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The public work log as it stood when published: what the customer got stays as it was.
    published_timeline: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    # Set once by the sweep that found it past due unpublished (never cleared).
    overdue_flagged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RenderedDocument(Model):
    """A PDF as rendered for one content fingerprint (the data shown plus the templates).

    UNIQUE(kind, subject, paper, fingerprint): a render is stored once however many workers
    race to make it; a change in what the document shows is a new fingerprint, a new row.
    """

    __tablename__ = "rendered_documents"
    __table_args__ = (
        UniqueConstraint(
            "kind", "subject", "paper", "fingerprint", name="uq_rendered_documents_fingerprint"
        ),
        CheckConstraint(f"kind IN ({_values(DocumentKind)})", name="kind_known"),
        CheckConstraint(f"paper IN ({_values(PAPER_SIZES)})", name="paper_known"),
        Index("ix_rendered_documents_subject", "kind", "subject", "paper", "rendered_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    # The job number, the ticket number, or "<engineer id>:<YYYY-MM-DD>" for a day sheet.
    subject: Mapped[str] = mapped_column(String(40))
    paper: Mapped[str] = mapped_column(String(6))
    fingerprint: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    pages: Mapped[int] = mapped_column(Integer)
    size_bytes: Mapped[int] = mapped_column(Integer)
    render_ms: Mapped[int] = mapped_column(Integer)
    rendered_at: Mapped[datetime] = mapped_column(UTCDateTime)
