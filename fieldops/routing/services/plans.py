"""A route plan's life: requested (queued), claimed by the task (running), its progress, and
its end, stored (done, superseding the day's previous plan) or failed.

Each function is one unit of work's change: it flushes, never commits (STYLE 3.2). The task
(routing/tasks.py) wraps each in its own short transaction and solves between them, outside
any (STYLE 3.5).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import partial

from flask import Flask, current_app, has_app_context
from sqlalchemy import delete, func, select, update

from fieldops.accounts.models import User
from fieldops.db import db
from fieldops.dispatch.models import Job
from fieldops.dispatch.rules import DISPATCH_ROLES
from fieldops.errors import ForbiddenError, NotFoundError, RuleViolationError
from fieldops.outbox import enqueue
from fieldops.routing.day_builder import PLANNED, Snapshot, region_code
from fieldops.routing.field import FieldPlan
from fieldops.routing.models import (
    REASON_MAX,
    EngineerRoute,
    PlanStatus,
    RouteDrop,
    RoutePlan,
    RouteStop,
)
from fieldops.routing.services.writing import JobState, write_drops, write_route

log = logging.getLogger(__name__)

TIME_LIMIT_MAX_S = 300
DEFAULT_TIME_LIMIT_S = 30
# How far back and ahead a day may be planned (UTC dates; yesterday for zones behind UTC).
PAST_DAYS = 1
FUTURE_DAYS = 366
# A plan running this long past its time limit was abandoned (its worker died): claimable.
STALE_GRACE = timedelta(minutes=10)
ERROR_MAX = 2000
RUNNER_EXTENSION = "fieldops.routing.runner"


def register_plan_runner(app: Flask, runner: Callable[[int], None]) -> None:
    """Wire what runs a queued plan after the commit that requested it (the wiring layer
    enqueues a Huey task with the plan's id)."""
    app.extensions[RUNNER_EXTENSION] = runner


def _kick(plan_id: int) -> None:
    if not current_app.config.get("ROUTE_PLAN_KICK", True):
        return
    runner = current_app.extensions.get(RUNNER_EXTENSION)
    if runner is not None:
        runner(plan_id)


def default_time_limit_s() -> int:
    if has_app_context():
        return int(current_app.config.get("ROUTE_TIME_LIMIT_S", DEFAULT_TIME_LIMIT_S))
    return DEFAULT_TIME_LIMIT_S


def request_route_plan(
    plan_on: date,
    region: str | None,
    actor: User | None,
    now: datetime,
    time_limit_s: int | None = None,
    *,
    enqueue_task: bool = True,
) -> RoutePlan:
    """Queue the planning of a day (every region, or one depot's) and, after commit, hand it
    to the background task. `actor` None is the system (the CLI).

    Raises ForbiddenError for a role that may not plan routes, RuleViolationError naming
    `date` (more than a day past, or over a year ahead), `region` (no such depot) or
    `time_limit_s` (1 to 300 seconds).
    """
    if actor is not None and actor.role not in DISPATCH_ROLES:
        raise ForbiddenError("Your role may not plan routes.")
    today = now.date()
    if plan_on < today - timedelta(days=PAST_DAYS):
        raise RuleViolationError.on_field("date", f"{plan_on} has passed: plan today or later.")
    if plan_on > today + timedelta(days=FUTURE_DAYS):
        raise RuleViolationError.on_field("date", f"At most {FUTURE_DAYS} days ahead.")
    limit = default_time_limit_s() if time_limit_s is None else time_limit_s
    if not 1 <= limit <= TIME_LIMIT_MAX_S:
        raise RuleViolationError.on_field(
            "time_limit_s", f"Between 1 and {TIME_LIMIT_MAX_S} seconds."
        )
    plan = RoutePlan(
        plan_on=plan_on,
        region=region_code(region),
        status=PlanStatus.QUEUED,
        progress_pct=0,
        time_limit_s=limit,
        error="",
        notes="",
        requested_by_id=actor.id if actor is not None else None,
        created_at=now,
    )
    db.session.add(plan)
    db.session.flush()
    if enqueue_task:
        enqueue(partial(_kick, plan.id))
    log.info("route plan %s queued for %s (region %s)", plan.id, plan_on, plan.region or "all")
    return plan


def _locked_plan(plan_id: int) -> RoutePlan:
    plan = db.session.scalar(
        select(RoutePlan)
        .where(RoutePlan.id == plan_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if plan is None:
        raise NotFoundError(f"No route plan {plan_id}.")
    return plan


def start_plan(plan_id: int, now: datetime) -> RoutePlan | None:
    """Claim a queued plan (or one abandoned while running) for this task: status running.
    None when it is not ours to run (running elsewhere, already finished, or no such
    plan): running a plan's task twice changes nothing. The row lock makes two claims
    queue."""
    try:
        plan = _locked_plan(plan_id)
    except NotFoundError:
        return None  # a stray task (the plan is gone): nothing to run
    abandoned = (
        plan.status == PlanStatus.RUNNING
        and plan.started_at is not None
        and plan.started_at + timedelta(seconds=plan.time_limit_s) + STALE_GRACE < now
    )
    if plan.status != PlanStatus.QUEUED and not abandoned:
        return None
    plan.status = PlanStatus.RUNNING
    plan.started_at = now
    plan.progress_pct = 0
    db.session.flush()
    return plan


def record_progress(plan_id: int, pct: int) -> None:
    """Raise a running plan's progress (never lower it, never past 99: 100 means stored)."""
    pct = max(0, min(99, pct))
    db.session.execute(
        update(RoutePlan)
        .where(
            RoutePlan.id == plan_id,
            RoutePlan.status == PlanStatus.RUNNING,
            RoutePlan.progress_pct < pct,
        )
        .values(progress_pct=pct)
    )


def fail_plan(plan_id: int, error: str, now: datetime) -> None:
    """A queued or running plan ends failed, with the error, and no routes (its stored
    rows, should there be any from an abandoned run, go too)."""
    plan = _locked_plan(plan_id)
    if plan.status not in (PlanStatus.QUEUED, PlanStatus.RUNNING):
        return
    _clear(plan.id)
    plan.status = PlanStatus.FAILED
    plan.error = (error or "The planner failed.")[:ERROR_MAX]
    plan.finished_at = now
    db.session.flush()
    log.warning("route plan %s failed", plan.id)


def _clear(plan_id: int) -> None:
    for model in (RouteStop, EngineerRoute, RouteDrop):
        db.session.execute(delete(model).where(model.plan_id == plan_id))


def store_plan(plan_id: int, snapshot: Snapshot, result: FieldPlan, now: datetime) -> bool:
    """Write a solved plan at once: routes, stops, drops and totals, status done; the day's
    (and region's) previous done plan becomes superseded. False when the plan is no longer
    running (stored or failed meanwhile): nothing changes.

    Jobs are re-read first. A job no longer open (completed, cancelled, ...) loses its stop
    and pickup and is not listed as dropped; one given to another engineer meanwhile is
    listed as dropped with that reason. The remaining stops keep their times: leaving a stop
    out only makes the next ones reachable earlier, so every time stored stays achievable.
    A plan requested earlier that ends after a newer one is stored as superseded at once.
    """
    plan = _locked_plan(plan_id)
    if plan.status != PlanStatus.RUNNING:
        return False
    _clear(plan.id)
    states = job_states(list(snapshot.jobs.values()) + [job for job, _ in snapshot.dropped])
    skipped: list[tuple[int, str]] = []
    for route in result.routes:
        skipped.extend(write_route(plan.id, snapshot, route, states))
    drops = [
        *snapshot.dropped,
        *((snapshot.jobs[d.visit], d.reason) for d in result.dropped),
        *skipped,
    ]
    write_drops(plan.id, [(job, reason[:REASON_MAX]) for job, reason in drops], states)
    _supersede(plan)
    refresh_totals(plan)
    plan.progress_pct = 100
    plan.finished_at = now
    plan.origin_at = snapshot.origin
    plan.input_fingerprint = snapshot.fingerprint
    plan.notes = "\n".join(snapshot.notes)
    db.session.flush()
    log.info(
        "route plan %s %s: %s served, %s dropped",
        plan.id,
        plan.status,
        plan.served,
        plan.dropped_count,
    )
    return True


def job_states(ids: list[int]) -> dict[int, JobState]:
    if not ids:
        return {}
    return {
        job_id: JobState(status, engineer_id, status in {str(s) for s in PLANNED})
        for job_id, status, engineer_id in db.session.execute(
            select(Job.id, Job.status, Job.engineer_id).where(Job.id.in_(ids))
        )
    }


def _supersede(plan: RoutePlan) -> None:
    """Make `plan` the day's current plan, or superseded at once when a newer one is done.
    Every plan of the day and region is locked first, so two plans finishing together
    queue here, and at most one is ever done (the partial unique index backs this up)."""
    region = func.coalesce(RoutePlan.region, "")
    siblings = db.session.scalars(
        select(RoutePlan)
        .where(
            RoutePlan.plan_on == plan.plan_on,
            region == (plan.region or ""),
            RoutePlan.id != plan.id,
        )
        .order_by(RoutePlan.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    done = [other for other in siblings if other.status == PlanStatus.DONE]
    if any(other.id > plan.id for other in done):
        plan.status = PlanStatus.SUPERSEDED
        return
    for other in done:
        other.status = PlanStatus.SUPERSEDED
    db.session.flush()  # before this one becomes done: the unique index sees one at a time
    plan.status = PlanStatus.DONE


def refresh_totals(plan: RoutePlan) -> None:
    """Served visits, dropped jobs, travel and distance, summed from the stored rows."""
    db.session.flush()
    plan.served = int(
        db.session.scalar(
            select(func.count())
            .select_from(RouteStop)
            .where(RouteStop.plan_id == plan.id, RouteStop.kind == "visit")
        )
        or 0
    )
    plan.dropped_count = int(
        db.session.scalar(
            select(func.count()).select_from(RouteDrop).where(RouteDrop.plan_id == plan.id)
        )
        or 0
    )
    travel, distance = db.session.execute(
        select(
            func.coalesce(func.sum(EngineerRoute.travel_s), 0),
            func.coalesce(func.sum(EngineerRoute.distance_m), 0),
        ).where(EngineerRoute.plan_id == plan.id)
    ).one()
    plan.travel_s, plan.distance_m = int(travel), int(distance)
