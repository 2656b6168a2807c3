"""Problem records and the incidents linked to them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fieldops.db import Model, UTCDateTime
from fieldops.problems.rules import ProblemKind, ProblemStatus

TITLE_MAX = 200
TEXT_MAX = 20_000


def _values(enum: type[ProblemKind] | type[ProblemStatus]) -> str:
    return ", ".join(f"'{member.value}'" for member in enum)


class Problem(Model):
    __tablename__ = "problems"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_values(ProblemKind)})", name="kind_known"),
        CheckConstraint(f"status IN ({_values(ProblemStatus)})", name="status_known"),
        Index("ix_problems_status_updated", "status", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)  # PRB-2026-000007
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    kind: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(16), default=ProblemStatus.INVESTIGATING.value)
    description: Mapped[str] = mapped_column(Text, default="")
    root_cause: Mapped[str] = mapped_column(Text, default="")
    workaround: Mapped[str] = mapped_column(Text, default="")
    permanent_fix: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ProblemTicket(Model):
    """An incident linked to a problem. UNIQUE(problem, ticket): linked once."""

    __tablename__ = "problem_tickets"
    __table_args__ = (
        UniqueConstraint("problem_id", "ticket_id", name="uq_problem_tickets_problem_ticket"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("problems.id", ondelete="CASCADE"))
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="RESTRICT"), index=True
    )
    linked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime)
