"""A small dispatch day for route-plan tests: engineers on 08:00-16:00 UTC shifts around
Warsaw, jobs at their own sites, a depot with parts; the plan made and read back.

NOW is Wednesday 18 November 2026, 06:00 UTC: before anyone's shift, so the whole day is
plannable. Jobs are due at 15:00 unless a test says otherwise.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from fieldops.accounts.models import User
from fieldops.db import db, transaction
from fieldops.dispatch.models import Job
from fieldops.dispatch.services import assign_job, create_job
from fieldops.engineers.models import Engineer
from fieldops.routing.queries import PlanView, RouteView, get_plan
from fieldops.routing.services import request_route_plan
from fieldops.routing.tasks import run_route_plan
from tests.factories import make_engineer, make_service, make_ticket, make_van

NOW = datetime(2026, 11, 18, 6, 0, tzinfo=UTC)
DAY = NOW.date()
DUE = datetime(2026, 11, 18, 15, 0, tzinfo=UTC)
SHIFT_START = datetime(2026, 11, 18, 8, 0, tzinfo=UTC)
SHIFT_END = datetime(2026, 11, 18, 16, 0, tzinfo=UTC)
DAY_SHIFT = {d: [["08:00", "16:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
_sites = itertools.count(1)


def crew(name: str, lat: float, lon: float, *, skills: Sequence[str] = ("router",)) -> Engineer:
    engineer = make_engineer(
        name=name,
        home_lat=lat,
        home_lon=lon,
        skills=list(skills),
        shifts=DAY_SHIFT,
        timezone="UTC",
    )
    make_van(engineer, code=f"VAN-{name.upper().replace(' ', '-')}")
    return engineer


def site_job(
    dispatcher: User,
    lat: float,
    lon: float,
    *,
    skills: Sequence[str] = ("router",),
    parts: Sequence[dict[str, Any]] = (),
    duration_min: int = 45,
    arrive_by: datetime = DUE,
    access_hours: dict[str, Any] | None = None,
    priority: str | None = None,
    **ticket: Any,
) -> Job:
    """A job at its own site (a service of a new customer), due at `arrive_by`; P1 (its
    ticket's) unless `priority` says otherwise."""
    n = next(_sites)
    service = make_service(
        site={"name": f"Site {n}", "address": f"ul. Testowa {n}", "lat": lat, "lon": lon}
    )
    ticket.setdefault("fault_started_at", NOW - timedelta(minutes=30))
    opened = make_ticket(service, now=NOW, category="hardware", **ticket)
    job = create_job(
        actor=dispatcher,
        ticket_number=opened.number,
        required_skills=list(skills),
        parts=list(parts),
        duration_min=duration_min,
        access_hours=access_hours,
        now=NOW,
    )
    job.arrive_by = arrive_by
    job.priority = priority or job.priority
    db.session.flush()
    return job


def assign(dispatcher: User, job: Job, engineer: Engineer) -> Job:
    with transaction():
        done = assign_job(actor=dispatcher, number=job.number, engineer_id=engineer.id, now=NOW)
    return done.job


def make_plan(
    actor: User | None, *, region: str | None = None, now: datetime = NOW, time_limit_s: int = 1
) -> PlanView:
    """Request a plan for DAY and run its task inline, as the CLI does."""
    with transaction():
        plan_id = request_route_plan(DAY, region, actor, now, time_limit_s=time_limit_s).id
    run_route_plan(plan_id, now=now)
    return get_plan(plan_id)


def route_of(plan: PlanView, engineer: Engineer) -> RouteView:
    return next(route for route in plan.routes if route.engineer_id == engineer.id)


def visited(plan: PlanView) -> dict[str, int]:
    """Job number -> the engineer whose route visits it."""
    return {
        stop.job_number: route.engineer_id
        for route in plan.routes
        for stop in route.stops
        if stop.kind == "visit" and stop.job_number
    }


def assert_feasible(route: RouteView, *, start: datetime = SHIFT_START) -> None:
    """Times in order along the route, inside the shift; each leg at least its travel."""
    assert start <= route.leave_at
    assert route.back_at <= SHIFT_END
    previous = route.leave_at
    for number, stop in enumerate(route.stops, start=1):
        assert stop.seq == number
        assert stop.arrive_at <= stop.start_at <= stop.depart_at
        assert stop.arrive_at - previous >= timedelta(minutes=stop.travel_min) - timedelta(
            seconds=30
        )
        previous = stop.depart_at
    assert previous <= route.back_at
