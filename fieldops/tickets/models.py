"""Tickets, their append-only work log, and idempotency records for ticket creation."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
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

from fieldops.db import Model, UTCDateTime, db
from fieldops.tickets.lifecycle import TicketStatus


class Channel(StrEnum):
    PORTAL = "portal"
    EMAIL = "email"
    PHONE = "phone"
    API = "api"


class EventKind(StrEnum):
    CREATED = "created"
    COMMENT = "comment"
    STATUS_CHANGE = "status_change"
    PHONE_CALL = "phone_call"
    EMAIL = "email"
    ETA = "eta"
    ASSIGNMENT = "assignment"
    TIER_CHANGE = "tier_change"
    PRIORITY_CHANGE = "priority_change"
    CLASSIFICATION = "classification"
    ESCALATION = "escalation"
    DISPATCH = "dispatch"
    PARTS = "parts"
    SLA = "sla"
    PROBLEM = "problem"
    RFO = "rfo"


__all__ = ["OPEN_STATUSES", "TicketStatus"]
OPEN_STATUSES = frozenset(
    {
        TicketStatus.NEW,
        TicketStatus.ACKNOWLEDGED,
        TicketStatus.IN_PROGRESS,
        TicketStatus.PENDING_CUSTOMER,
        TicketStatus.PENDING_THIRD_PARTY,
    }
)

SUMMARY_MAX = 200
DESCRIPTION_MAX = 10_000
LOGS_MAX = 200_000
BODY_MAX = 10_000


class Ticket(Model):
    __tablename__ = "tickets"
    __table_args__ = (
        CheckConstraint("escalation_level >= 0", name="escalation_level_non_negative"),
        Index("ix_tickets_status_priority_created", "status", "priority", "created_at"),
        # Filters combine customer or service with status; sorts use created or updated time.
        Index("ix_tickets_customer_created", "customer_id", "created_at"),
        Index("ix_tickets_service_created", "service_id", "created_at"),
        Index("ix_tickets_customer_status_created", "customer_id", "status", "created_at"),
        Index("ix_tickets_service_status_created", "service_id", "status", "created_at"),
        Index("ix_tickets_customer_updated", "customer_id", "updated_at"),
        Index("ix_tickets_service_updated", "service_id", "updated_at"),
        Index("ix_tickets_assignee_status", "assignee_id", "status"),
        Index("ix_tickets_created", "created_at"),
        Index("ix_tickets_updated", "updated_at"),
        Index("ix_tickets_status_resolved", "status", "resolved_at"),
        Index("ix_tickets_status_resolution_due", "status", "resolution_due_at"),
        # The "breached" filter, counted as two disjoint sets: recorded breaches (covering the
        # usual co-filters), and running clocks past their due time not yet recorded.
        Index(
            "ix_tickets_breach_recorded",
            "sla_breached_at",
            "customer_id",
            "service_id",
            "status",
            "priority",
        ),
        Index("ix_tickets_customer_breach", "customer_id", "sla_breached_at"),
        Index("ix_tickets_service_breach", "service_id", "sla_breached_at"),
        # The columns tested for NULL come before the due time, so the range holds only the
        # rows that are really candidates (not paused, not yet answered).
        Index(
            "ix_tickets_breach_running_resolution",
            "status",
            "sla_breached_at",
            "paused_since",
            "resolution_due_at",
        ),
        Index(
            "ix_tickets_breach_running_response",
            "status",
            "sla_breached_at",
            "responded_at",
            "response_due_at",
        ),
        # The sweep's guarded updates: each seeks only the rows its guard still lets through.
        Index(
            "ix_tickets_sweep_escalation", "status", "priority", "escalation_level", "created_at"
        ),
        Index(
            "ix_tickets_sweep_at_risk",
            "status",
            "at_risk_flagged_at",
            "sla_breached_at",
            "paused_since",
            "at_risk_at",
        ),
        Index("ix_tickets_sweep_eta", "status", "eta_missed_at", "eta"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="RESTRICT"))
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id", ondelete="RESTRICT"))
    requester_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(10))
    fault_started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    summary: Mapped[str] = mapped_column(String(SUMMARY_MAX))
    description: Mapped[str] = mapped_column(Text, default="")
    impact: Mapped[str] = mapped_column(String(20))
    urgency: Mapped[str] = mapped_column(String(10))
    category: Mapped[str | None] = mapped_column(String(30))
    priority: Mapped[str] = mapped_column(String(2))
    priority_overridden: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(24), default=TicketStatus.NEW.value)
    circuit_id: Mapped[str | None] = mapped_column(String(80))
    fault_pattern: Mapped[str | None] = mapped_column(String(12))
    ip_address: Mapped[str | None] = mapped_column(String(45))
    logs: Mapped[str | None] = mapped_column(Text)
    tier: Mapped[str] = mapped_column(String(2), default="L1")
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    eta: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # SLA clocks, kept on the row so sweeps and the "breached" filter are plain queries.
    sla_started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    response_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolution_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    paused_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paused_seconds: Mapped[int] = mapped_column(Integer, default=0)
    # When the at-risk share of the resolution target is used up (same pauses as the due time).
    at_risk_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What sweeps recorded, as of their `now`: never cleared, so a breach stays a breach.
    sla_breached_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    at_risk_flagged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    eta_missed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class TicketEvent(Model):
    """One line of the work log. Append-only: database triggers refuse UPDATE and DELETE."""

    __tablename__ = "ticket_events"
    __table_args__ = (Index("ix_ticket_events_ticket_created", "ticket_id", "created_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="RESTRICT"))
    kind: Mapped[str] = mapped_column(String(24))
    body: Mapped[str] = mapped_column(Text, default="")
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Structured detail of the change (old and new values, reason codes) for audits.
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TicketPause(Model):
    """One stop of the SLA clock: who stopped it, why, when, and the working time it removed."""

    __tablename__ = "ticket_pauses"
    __table_args__ = (Index("ix_ticket_pauses_ticket_started", "ticket_id", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="RESTRICT"))
    reason: Mapped[str] = mapped_column(String(40))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Working time on the plan's calendar inside this pause; set when it ends.
    seconds: Mapped[int | None] = mapped_column(Integer)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class TicketAttachment(Model):
    """A file the reporter uploaded (test results, logs)."""

    __tablename__ = "ticket_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(120))
    size_bytes: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(db.LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class EscalationMatrix(Model):
    """Management levels a ticket climbs as it ages: one default matrix, or one per customer."""

    __tablename__ = "escalation_matrices"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # NULL is the default matrix, for every customer without one of its own.
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), unique=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class EscalationLevel(Model):
    """One level: who is told, and after how many minutes of age per priority."""

    __tablename__ = "escalation_levels"
    __table_args__ = (
        UniqueConstraint("matrix_id", "level", name="uq_escalation_levels_matrix_level"),
        CheckConstraint("level >= 1", name="level_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    matrix_id: Mapped[int] = mapped_column(
        ForeignKey("escalation_matrices.id", ondelete="CASCADE"), index=True
    )
    level: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(120))
    contacts: Mapped[list[str]] = mapped_column(JSON, default=list)
    # {"P1": 60, "P2": 240, ...}: minutes since the ticket was opened; a missing priority
    # never reaches this level by age.
    thresholds_min: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)


class TicketEscalation(Model):
    """A ticket reaching a level. UNIQUE(ticket, level): no level is reached twice."""

    __tablename__ = "ticket_escalations"
    __table_args__ = (
        UniqueConstraint("ticket_id", "level", name="uq_ticket_escalations_ticket_level"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="RESTRICT"))
    level: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TicketEta(Model):
    """Every ETA given to the customer: old and new instant, why, who, and when they were told."""

    __tablename__ = "ticket_etas"
    __table_args__ = (Index("ix_ticket_etas_ticket_changed", "ticket_id", "changed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="RESTRICT"))
    previous_eta: Mapped[datetime | None] = mapped_column(UTCDateTime)
    eta: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text, default="")
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    customer_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set by the sweep when this ETA passed with the ticket still unresolved.
    missed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class StopClockReason(Model):
    """A reason code that may stop the SLA clock (data: operators add their own).

    The migration inserts DESIGN.md's defaults; a retired code stays for the records that
    cite it but is refused for new pauses.
    """

    __tablename__ = "stop_clock_reasons"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    label: Mapped[str] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
