"""Keeping the current plan true to the dispatcher's assignments: a job given to an engineer
leaves every other route (and the drop list) and joins that engineer's, re-timed.

Dispatch cannot call routing (the domains are ranked), so the surfaces assign through
routing.services.assign_job / auto_assign, which call this right after dispatch's use case,
in the same transaction: the assignment and the route it changes commit together, or
neither does.

Re-timing solves a one-engineer day with the greedy planner: the visits already on the route
keep their order (`locked_order`) and the new job goes where it costs least; when it fits
nowhere it is listed as dropped with the core's reason. Greedy, not OR-Tools: this runs
inside a dispatcher's request, where a second-long search would hold the write lock.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlalchemy import delete, or_, select

from fieldops.customers.models import Site
from fieldops.db import db
from fieldops.dispatch.models import Job
from fieldops.geo import Point
from fieldops.routing.day_builder import PLANNED, build_day, region_of
from fieldops.routing.field import FieldDay, FieldPlan
from fieldops.routing.models import EngineerRoute, PlanStatus, RouteDrop, RoutePlan, RouteStop
from fieldops.routing.services.plans import job_states, refresh_totals
from fieldops.routing.services.writing import write_drops, write_route

log = logging.getLogger(__name__)


def reschedule_after_assignment(job_id: int, now: datetime) -> int:
    """Move a just-assigned job into its engineer's route in every current (done) plan that
    lists it, or, when none does, in the current plans of the day it is due (today if
    overdue) whose region covers its site. Returns how many plans changed; 0 (nothing
    happens) when no plan exists for that day or the job is not open and assigned."""
    job = db.session.get(Job, job_id)
    if job is None or job.engineer_id is None or job.status not in {str(s) for s in PLANNED}:
        return 0
    plans = _plans_for(job, now)
    for plan in plans:
        _move(plan, job, now)
    return len(plans)


def _plans_for(job: Job, now: datetime) -> list[RoutePlan]:
    listing = (
        select(RouteStop.plan_id)
        .where(or_(RouteStop.job_id == job.id, RouteStop.for_job_id == job.id))
        .union(select(RouteDrop.plan_id).where(RouteDrop.job_id == job.id))
    )
    plans = list(
        db.session.scalars(
            select(RoutePlan)
            .where(RoutePlan.status == PlanStatus.DONE, RoutePlan.id.in_(listing))
            .order_by(RoutePlan.id)
        )
    )
    if plans:
        return plans
    due_on = max(job.arrive_by.astimezone(UTC).date(), now.astimezone(UTC).date())
    site = db.session.get(Site, job.site_id)
    region = region_of(Point(site.lat, site.lon)) if site is not None else None
    return [
        plan
        for plan in db.session.scalars(
            select(RoutePlan)
            .where(RoutePlan.status == PlanStatus.DONE, RoutePlan.plan_on == due_on)
            .order_by(RoutePlan.id)
        )
        if plan.region is None or plan.region == region
    ]


def _move(plan: RoutePlan, job: Job, now: datetime) -> None:
    # The plan's row lock: a plan being stored, or another assignment, waits its turn.
    db.session.execute(select(RoutePlan.id).where(RoutePlan.id == plan.id).with_for_update())
    db.session.refresh(plan)
    if plan.status != PlanStatus.DONE or job.engineer_id is None:
        return
    holders = set(
        db.session.scalars(
            select(RouteStop.engineer_id).where(
                RouteStop.plan_id == plan.id,
                or_(RouteStop.job_id == job.id, RouteStop.for_job_id == job.id),
            )
        )
    )
    db.session.execute(
        delete(RouteStop).where(
            RouteStop.plan_id == plan.id,
            or_(RouteStop.job_id == job.id, RouteStop.for_job_id == job.id),
        )
    )
    db.session.execute(
        delete(RouteDrop).where(RouteDrop.plan_id == plan.id, RouteDrop.job_id == job.id)
    )
    for engineer_id in sorted(holders - {job.engineer_id}):
        _retime(plan, engineer_id, now, extra=None)
    _retime(plan, job.engineer_id, now, extra=job.id)
    refresh_totals(plan)
    log.info("route plan %s: %s moved to engineer %s", plan.id, job.id, job.engineer_id)


def _retime(plan: RoutePlan, engineer_id: int, now: datetime, *, extra: int | None) -> None:
    """Rebuild one engineer's route in `plan`: the visits it has, in their order, plus
    `extra` wherever it fits best."""
    visits = list(
        db.session.scalars(
            select(RouteStop.job_id)
            .where(
                RouteStop.plan_id == plan.id,
                RouteStop.engineer_id == engineer_id,
                RouteStop.kind == "visit",
            )
            .order_by(RouteStop.seq)
        )
    )
    job_ids = [job_id for job_id in visits if job_id is not None and job_id != extra]
    order = {job_id: position for position, job_id in enumerate(job_ids)}
    if extra is not None:
        job_ids.append(extra)
    db.session.execute(
        delete(RouteStop).where(RouteStop.plan_id == plan.id, RouteStop.engineer_id == engineer_id)
    )
    db.session.execute(
        delete(EngineerRoute).where(
            EngineerRoute.plan_id == plan.id, EngineerRoute.engineer_id == engineer_id
        )
    )
    if not job_ids:
        return
    db.session.execute(
        delete(RouteDrop).where(RouteDrop.plan_id == plan.id, RouteDrop.job_id.in_(job_ids))
    )
    db.session.flush()
    snapshot = build_day(
        plan.plan_on,
        None,
        now,
        engineer_ids=[engineer_id],
        job_ids=job_ids,
        lock_to=engineer_id,
        job_order=order,
    )
    result = _solve_one(snapshot.day)
    states = job_states(job_ids)
    moved: list[tuple[int, str]] = []
    for route in result.routes:
        moved.extend(write_route(plan.id, snapshot, route, states))
    write_drops(
        plan.id,
        [
            *snapshot.dropped,
            *((snapshot.jobs[d.visit], d.reason) for d in result.dropped),
            *moved,
        ],
        states,
    )


def _solve_one(day: FieldDay) -> FieldPlan:
    from fieldops.routing.greedy import greedy_plan

    return greedy_plan(day)


__all__ = ["reschedule_after_assignment"]
