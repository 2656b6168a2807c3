"""Assigning a job moves it into its engineer's stored route: off any other route and the
drop list, into the new one re-timed; nothing happens without a plan for the day."""

from __future__ import annotations

from typing import Any

import pytest

from fieldops.accounts.models import User
from fieldops.db import transaction
from fieldops.dispatch.services import assign_job
from fieldops.routing.queries import find_current_plan, get_plan
from fieldops.routing.services import auto_assign, reschedule_after_assignment
from tests.routing.plans_world import (
    DAY,
    NOW,
    assert_feasible,
    crew,
    make_plan,
    route_of,
    site_job,
    visited,
)


def _assign(dispatcher: User, number: str, engineer_id: int) -> int:
    """Assign as the surfaces do: dispatch's assignment, then the schedule, in one unit."""
    with transaction():
        done = assign_job(actor=dispatcher, number=number, engineer_id=engineer_id, now=NOW)
        return reschedule_after_assignment(done.job.id, NOW)


def test_assigning_moves_the_job_into_the_engineers_route(session: Any, dispatcher: User) -> None:
    west = crew("West", 52.23, 20.90)
    east = crew("East", 52.23, 21.20)
    near_west = site_job(dispatcher, 52.24, 20.91)
    other_west = site_job(dispatcher, 52.22, 20.92)
    east_job = site_job(dispatcher, 52.22, 21.19)
    plan = make_plan(dispatcher)
    assert visited(plan)[near_west.number] == west.id
    assert _assign(dispatcher, near_west.number, east.id) == 1
    after = get_plan(plan.id)
    assert after.status == "done"
    assert visited(after) == {
        near_west.number: east.id,
        other_west.number: west.id,
        east_job.number: east.id,
    }
    assert after.served == 3
    for route in after.routes:
        assert_feasible(route)
    # Both routes were re-timed: the travel totals are the routes' sums.
    assert after.travel_min == pytest.approx(sum(r.travel_min for r in after.routes), abs=2)
    assert len(route_of(after, east).stops) == 2


def test_assigning_a_dropped_job_takes_it_off_the_drop_list(session: Any, dispatcher: User) -> None:
    busy = crew("Busy", 52.23, 21.00)
    long_one = site_job(dispatcher, 52.24, 21.01, duration_min=420)
    second = site_job(dispatcher, 52.22, 21.02, duration_min=120, priority="P3")
    plan = make_plan(dispatcher)
    assert second.priority == "P3"
    assert {drop.job_number for drop in plan.dropped} == {second.number}
    _assign(dispatcher, second.number, busy.id)
    after = get_plan(plan.id)
    # Still no room in the day: listed again, with the core's reason, not twice.
    assert [drop.job_number for drop in after.dropped] == [second.number]
    assert "no room" in after.dropped[0].reason
    assert visited(after) == {long_one.number: busy.id}


def test_without_a_plan_for_the_day_nothing_happens(session: Any, dispatcher: User) -> None:
    engineer = crew("Solo", 52.23, 21.00)
    job = site_job(dispatcher, 52.24, 21.01)
    assert _assign(dispatcher, job.number, engineer.id) == 0
    assert find_current_plan(DAY) is None


def test_auto_assign_moves_the_jobs_it_places_into_the_stored_routes(
    session: Any, dispatcher: User
) -> None:
    west = crew("West", 52.23, 20.90)
    east = crew("East", 52.23, 21.20)
    near_west = site_job(dispatcher, 52.24, 20.91)
    plan = make_plan(dispatcher)
    assert visited(plan) == {near_west.number: west.id}
    # West is retrained after the plan (no longer a router engineer): auto-assign places the
    # job on the one engineer left, and the stored plan must show it there.
    west.skills = ["fibre-splicing"]
    with transaction():
        result = auto_assign(actor=dispatcher, now=NOW)
    assert [(done.job.number, done.engineer.id) for done in result.assigned] == [
        (near_west.number, east.id)
    ]
    assert visited(get_plan(plan.id)) == {near_west.number: east.id}
