"""Stored route plans: a plan per requested day (and region), each engineer's route with its
timed stops, and the jobs the plan could not fit with why.

A plan is written once, in one short transaction, when its solve ends (STYLE.md 3.5): its
routes, stops and drops appear together with status `done`, or not at all (`failed`). At
most one plan per day and region is `done` (the current one, a partial unique index); a
newer one marks it `superseded`, and superseded plans keep their rows as history.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from fieldops.db import Model, UTCDateTime

REGION_MAX = 40  # a depot code (inventory's CODE_MAX)
REASON_MAX = 500
FINGERPRINT_LEN = 64  # sha256 hex
TIME_LIMIT_MAX_S = 3600


class PlanStatus(StrEnum):
    """queued -> running -> done | failed; done -> superseded when a newer plan is done."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    SUPERSEDED = "superseded"


class StopKind(StrEnum):
    VISIT = "visit"  # a job on site
    PICKUP = "pickup"  # collecting a job's parts at a depot


def _values(enum: type[StrEnum]) -> str:
    return ", ".join(f"'{member.value}'" for member in enum)


class RoutePlan(Model):
    """One request to plan a day's routes, and its outcome.

    `region` is a depot code (None: every engineer and job). Times in the solver were whole
    seconds from `origin_at`; every stored instant is aware UTC. `input_fingerprint` hashes
    the jobs the snapshot read (id, status, engineer, updated_at), so one can tell whether
    the world changed while the plan was being solved.
    """

    __tablename__ = "route_plans"
    __table_args__ = (
        CheckConstraint(f"status IN ({_values(PlanStatus)})", name="status_known"),
        CheckConstraint("progress_pct >= 0 AND progress_pct <= 100", name="progress_in_range"),
        CheckConstraint(
            f"time_limit_s >= 1 AND time_limit_s <= {TIME_LIMIT_MAX_S}", name="time_limit_in_range"
        ),
        CheckConstraint(
            "served >= 0 AND dropped_count >= 0 AND travel_s >= 0 AND distance_m >= 0",
            name="totals_non_negative",
        ),
        # Lists and "the newest plan of the day" read by day, newest first.
        Index("ix_route_plans_plan_on_id", "plan_on", "id"),
        # The current plan: at most one done plan per day and region (NULL region = all).
        Index(
            "uq_route_plans_current",
            "plan_on",
            func.coalesce(text("region"), ""),
            unique=True,
            sqlite_where=text("status = 'done'"),
            postgresql_where=text("status = 'done'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_on: Mapped[date] = mapped_column(Date)
    region: Mapped[str | None] = mapped_column(String(REGION_MAX))
    status: Mapped[str] = mapped_column(String(12), default=PlanStatus.QUEUED)
    progress_pct: Mapped[int] = mapped_column(Integer, default=0)
    time_limit_s: Mapped[int] = mapped_column(Integer)
    error: Mapped[str] = mapped_column(Text, default="")
    # What the snapshot simplified, for the dispatcher (e.g. a split shift planned as one span).
    notes: Mapped[str] = mapped_column(Text, default="")
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    origin_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    input_fingerprint: Mapped[str | None] = mapped_column(String(FINGERPRINT_LEN))
    served: Mapped[int] = mapped_column(Integer, default=0)
    dropped_count: Mapped[int] = mapped_column(Integer, default=0)
    travel_s: Mapped[int] = mapped_column(Integer, default=0)
    distance_m: Mapped[int] = mapped_column(Integer, default=0)


class EngineerRoute(Model):
    """One engineer's day in a plan: where they start (home, or the site of the job they are
    on when the plan was made) and end (home), when they leave and are back, and totals."""

    __tablename__ = "route_plan_routes"
    __table_args__ = (
        UniqueConstraint("plan_id", "engineer_id", name="uq_route_plan_routes_plan_engineer"),
        CheckConstraint("back_at >= leave_at", name="back_after_leave"),
        CheckConstraint("travel_s >= 0 AND distance_m >= 0", name="totals_non_negative"),
        Index("ix_route_plan_routes_engineer_plan", "engineer_id", "plan_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("route_plans.id", ondelete="CASCADE"))
    engineer_id: Mapped[int] = mapped_column(ForeignKey("engineers.id", ondelete="RESTRICT"))
    leave_at: Mapped[datetime] = mapped_column(UTCDateTime)
    back_at: Mapped[datetime] = mapped_column(UTCDateTime)
    travel_s: Mapped[int] = mapped_column(Integer, default=0)
    distance_m: Mapped[int] = mapped_column(Integer, default=0)
    start_lat: Mapped[float] = mapped_column(Float)
    start_lon: Mapped[float] = mapped_column(Float)
    end_lat: Mapped[float] = mapped_column(Float)
    end_lon: Mapped[float] = mapped_column(Float)
    # The job under way the engineer finishes first (they start from its site); None: home.
    starts_after_job_id: Mapped[int | None] = mapped_column(
        ForeignKey("jobs.id", ondelete="SET NULL")
    )


class RouteStop(Model):
    """A timed stop: a visit (job_id) or a pickup at a depot (location_id) for a visit
    (for_job_id). `travel_s`/`distance_m` are from the previous stop (or the start place);
    `slack_s` is how much later the stop could start without breaking a later window or
    the shift end; `late_s` is how far past the job's arrive-by the visit starts."""

    __tablename__ = "route_stops"
    __table_args__ = (
        UniqueConstraint("plan_id", "engineer_id", "seq", name="uq_route_stops_plan_engineer_seq"),
        CheckConstraint(f"kind IN ({_values(StopKind)})", name="kind_known"),
        CheckConstraint(
            "(kind = 'visit' AND job_id IS NOT NULL AND location_id IS NULL) OR "
            "(kind = 'pickup' AND job_id IS NULL AND location_id IS NOT NULL)",
            name="visit_or_pickup",
        ),
        CheckConstraint("seq >= 1", name="seq_positive"),
        CheckConstraint("arrive_at <= start_at AND start_at <= depart_at", name="times_ordered"),
        CheckConstraint(
            "slack_s >= 0 AND late_s >= 0 AND travel_s >= 0 AND distance_m >= 0",
            name="measures_non_negative",
        ),
        # A job is visited at most once in a plan.
        Index(
            "uq_route_stops_plan_job",
            "plan_id",
            "job_id",
            unique=True,
            sqlite_where=text("job_id IS NOT NULL"),
            postgresql_where=text("job_id IS NOT NULL"),
        ),
        Index("ix_route_stops_job_id", "job_id"),
        Index("ix_route_stops_for_job_id", "for_job_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("route_plans.id", ondelete="CASCADE"))
    engineer_id: Mapped[int] = mapped_column(ForeignKey("engineers.id", ondelete="RESTRICT"))
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(8))
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"))
    location_id: Mapped[int | None] = mapped_column(
        ForeignKey("stock_locations.id", ondelete="RESTRICT")
    )
    for_job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"))
    arrive_at: Mapped[datetime] = mapped_column(UTCDateTime)
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    depart_at: Mapped[datetime] = mapped_column(UTCDateTime)
    slack_s: Mapped[int] = mapped_column(Integer, default=0)
    late_s: Mapped[int] = mapped_column(Integer, default=0)
    travel_s: Mapped[int] = mapped_column(Integer, default=0)
    distance_m: Mapped[int] = mapped_column(Integer, default=0)


class RouteDrop(Model):
    """A job the plan leaves out, with a reason a dispatcher can act on."""

    __tablename__ = "route_drops"
    __table_args__ = (
        UniqueConstraint("plan_id", "job_id", name="uq_route_drops_plan_job"),
        Index("ix_route_drops_job_id", "job_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("route_plans.id", ondelete="CASCADE"))
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(REASON_MAX))
