"""Dispatch jobs (work orders) and the parts each needs.

A job's reservations are inventory's: stock_reservations.job_ref holds the job's number.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from fieldops.db import Model, UTCDateTime
from fieldops.dispatch.rules import JobStatus

NOTES_MAX = 5000


def _statuses() -> str:
    return ", ".join(f"'{s.value}'" for s in JobStatus)


class Job(Model):
    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint(f"status IN ({_statuses()})", name="status_known"),
        CheckConstraint("duration_min > 0", name="duration_positive"),
        CheckConstraint(
            "(status = 'unassigned' OR status = 'cancelled') OR engineer_id IS NOT NULL",
            name="assigned_has_engineer",
        ),
        # The board lists open jobs by status; an engineer's day is their jobs by arrive-by.
        Index("ix_jobs_status_arrive_by", "status", "arrive_by"),
        Index("ix_jobs_engineer_arrive_by", "engineer_id", "arrive_by"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="RESTRICT"), index=True
    )
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="RESTRICT"))
    status: Mapped[str] = mapped_column(String(16))
    priority: Mapped[str] = mapped_column(String(2))
    required_skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    duration_min: Mapped[int] = mapped_column(Integer)
    # When the engineer must be on site: the SLA plan's on-site target for the priority.
    arrive_by: Mapped[datetime] = mapped_column(UTCDateTime)
    # The customer's access hours at the site (weekly spans, as shifts), in the plan's zone;
    # None: any time.
    access_hours: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    engineer_id: Mapped[int | None] = mapped_column(ForeignKey("engineers.id", ondelete="RESTRICT"))
    # The agent wants to check the engineer's result before the ticket is resolved.
    review_required: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str] = mapped_column(Text, default="")
    failure_reason: Mapped[str] = mapped_column(Text, default="")
    signed_off_by: Mapped[str] = mapped_column(String(200), default="")
    follow_up_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("jobs.id", ondelete="RESTRICT"), unique=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    en_route_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    on_site_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class JobPart(Model):
    """A part type a job needs, and how many."""

    __tablename__ = "job_parts"
    __table_args__ = (
        UniqueConstraint("job_id", "part_type_id", name="uq_job_parts_job_part"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    part_type_id: Mapped[int] = mapped_column(ForeignKey("part_types.id", ondelete="RESTRICT"))
    quantity: Mapped[int] = mapped_column(Integer)
