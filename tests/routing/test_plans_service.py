"""Planning a stored day: stops in a feasible order with ETAs, locked jobs, jobs under way,
depot pickups, drops with reasons, superseding, failures, idempotency and stale results."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from fieldops.accounts.models import User
from fieldops.db import transaction
from fieldops.dispatch.services import cancel_job, report_status
from fieldops.engineers.services import add_absence
from fieldops.errors import ForbiddenError, RuleViolationError
from fieldops.inventory.queries import location_of_engineer
from fieldops.routing import tasks
from fieldops.routing.queries import (
    find_current_plan,
    find_engineer_route,
    find_latest_plan,
    get_plan,
)
from fieldops.routing.services import request_route_plan, start_plan
from fieldops.routing.tasks import run_route_plan
from tests.factories import make_depot, make_part_type, make_user, stock_up
from tests.routing.plans_world import (
    DAY,
    NOW,
    assert_feasible,
    assign,
    crew,
    make_plan,
    route_of,
    site_job,
    visited,
)


def test_a_day_is_planned_into_timed_routes(session: Any, dispatcher: User) -> None:
    north = crew("North", 52.30, 21.00)
    south = crew("South", 52.15, 21.02)
    jobs = [
        site_job(dispatcher, 52.31, 21.01),
        site_job(dispatcher, 52.29, 20.98),
        site_job(dispatcher, 52.16, 21.03),
        site_job(dispatcher, 52.14, 21.00),
    ]
    plan = make_plan(dispatcher)
    assert (plan.status, plan.progress_pct, plan.error) == ("done", 100, "")
    assert plan.served == 4
    assert plan.dropped == ()
    assert set(visited(plan)) == {job.number for job in jobs}
    for route in plan.routes:
        assert_feasible(route)
        assert route.stops
        assert route.travel_min > 0
        assert route.distance_km > 0
    # Nearest engineer serves each pair: driving across the city would only add travel.
    assert {visited(plan)[jobs[0].number], visited(plan)[jobs[1].number]} == {north.id}
    assert {visited(plan)[jobs[2].number], visited(plan)[jobs[3].number]} == {south.id}
    assert plan.travel_min == sum(route.travel_min for route in plan.routes) or abs(
        plan.travel_min - sum(route.travel_min for route in plan.routes)
    ) <= len(plan.routes)
    stop = route_of(plan, north).stops[0]
    assert stop.kind == "visit"
    assert stop.job_status == "unassigned"
    assert stop.priority == "P1"
    assert stop.place_name.startswith("Site ")
    assert stop.start_at.tzinfo is not None
    assert find_current_plan(DAY) == plan
    assert find_engineer_route(north.id, DAY) == route_of(plan, north)


def test_assigned_jobs_stay_with_their_engineer(session: Any, dispatcher: User) -> None:
    near = crew("Near", 52.23, 21.00)
    far = crew("Far", 52.40, 21.20)
    job = site_job(dispatcher, 52.231, 21.001)  # beside Near's home
    assign(dispatcher, job, far)
    plan = make_plan(dispatcher)
    assert visited(plan) == {job.number: far.id}
    assert all(route.engineer_id != near.id for route in plan.routes)
    assert_feasible(route_of(plan, far))


def test_a_job_under_way_makes_its_engineer_start_from_that_site_later(
    session: Any, dispatcher: User
) -> None:
    busy = crew("Busy", 52.23, 21.00)
    current = site_job(dispatcher, 52.10, 21.20, duration_min=120)
    later = site_job(dispatcher, 52.11, 21.21)
    assign(dispatcher, current, busy)
    assign(dispatcher, later, busy)
    arrived = NOW.replace(hour=9)
    with transaction():
        for status in ("en_route", "on_site"):
            report_status(actor=dispatcher, number=current.number, status=status, now=arrived)
    plan = make_plan(dispatcher, now=arrived + timedelta(minutes=30))
    route = route_of(plan, busy)
    assert (route.start_lat, route.start_lon) == (52.10, 21.20)
    assert (route.end_lat, route.end_lon) == (52.23, 21.00)
    assert [stop.job_number for stop in route.stops] == [later.number]
    # On site from 09:00 for two hours: the route begins when that job is done.
    assert route.leave_at >= arrived + timedelta(hours=2)
    assert route.stops[0].start_at >= arrived + timedelta(hours=2)
    assert current.number not in visited(plan)
    assert current.id not in {drop.job_id for drop in plan.dropped}


def test_a_part_held_at_a_depot_is_collected_there_first(session: Any, dispatcher: User) -> None:
    engineer = crew("Picker", 52.23, 21.00)
    psu = make_part_type(sku="PSU-R1")
    depot = make_depot(code="DEP-NORTH", lat=52.35, lon=20.95)
    stock_up(psu, depot, 2)
    job = site_job(dispatcher, 52.20, 21.05, parts=[{"sku": "PSU-R1", "quantity": 1}])
    assign(dispatcher, job, engineer)  # the van is empty: reserved at DEP-NORTH
    plan = make_plan(dispatcher)
    route = route_of(plan, engineer)
    assert [(stop.kind, stop.depot_code or stop.job_number) for stop in route.stops] == [
        ("pickup", "DEP-NORTH"),
        ("visit", job.number),
    ]
    pickup, visit = route.stops
    assert pickup.for_job_number == job.number
    assert pickup.place_name == depot.name
    assert (pickup.lat, pickup.lon) == (52.35, 20.95)
    assert pickup.depart_at <= visit.arrive_at
    assert_feasible(route)


def test_a_part_in_the_van_needs_no_pickup(session: Any, dispatcher: User) -> None:
    engineer = crew("Carrier", 52.23, 21.00)
    psu = make_part_type(sku="PSU-R2")
    depot = make_depot(code="DEP-FAR", lat=52.40, lon=20.80)
    stock_up(psu, depot, 1)
    van = next(v for v in [location_of_engineer(engineer.id)] if v is not None)
    stock_up(psu, van, 1)
    site_job(dispatcher, 52.20, 21.05, parts=[{"sku": "PSU-R2", "quantity": 1}])
    plan = make_plan(dispatcher)
    assert [stop.kind for stop in route_of(plan, engineer).stops] == ["visit"]


def test_a_job_no_engineer_has_the_skills_for_is_dropped_with_why(
    session: Any, dispatcher: User
) -> None:
    crew("Router only", 52.23, 21.00)
    served = site_job(dispatcher, 52.22, 21.01)
    fibre = site_job(dispatcher, 52.24, 21.02, skills=["fibre-splicing"])
    plan = make_plan(dispatcher)
    assert set(visited(plan)) == {served.number}
    assert [(drop.job_number, drop.priority) for drop in plan.dropped] == [(fibre.number, "P1")]
    assert "fibre-splicing" in plan.dropped[0].reason
    assert plan.dropped[0].place_name.startswith("Site ")


def test_an_engineers_day_holds_no_more_jobs_than_their_daily_capacity(
    session: Any, dispatcher: User
) -> None:
    engineer = crew("Two a day", 52.23, 21.00)
    engineer.daily_capacity = 2
    jobs = [site_job(dispatcher, 52.22 + n / 1000, 21.01) for n in range(3)]
    plan = make_plan(dispatcher)
    assert len(visited(plan)) == 2
    assert set(visited(plan)) < {job.number for job in jobs}
    assert len(plan.dropped) == 1
    assert "daily job capacity" in plan.dropped[0].reason


def test_a_second_plan_supersedes_the_first(session: Any, dispatcher: User) -> None:
    engineer = crew("Twice", 52.23, 21.00)
    site_job(dispatcher, 52.22, 21.01)
    first = make_plan(dispatcher)
    second = make_plan(dispatcher)
    assert get_plan(first.id).status == "superseded"
    assert second.status == "done"
    assert find_current_plan(DAY) == get_plan(second.id)
    assert find_latest_plan(DAY) == get_plan(second.id)
    assert find_engineer_route(engineer.id, DAY) == route_of(second, engineer)
    assert get_plan(first.id).routes  # history keeps its routes


def test_a_failed_solve_leaves_the_plan_failed_and_empty(
    session: Any, dispatcher: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    crew("Unlucky", 52.23, 21.00)
    site_job(dispatcher, 52.22, 21.01)
    previous = make_plan(dispatcher)

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("the search fell over")

    monkeypatch.setattr(tasks, "plan_day", broken)
    plan = make_plan(dispatcher)
    assert plan.status == "failed"
    assert "the search fell over" in plan.error
    assert (plan.routes, plan.dropped, plan.served) == ((), (), 0)
    assert plan.finished_at is not None
    assert find_current_plan(DAY) == get_plan(previous.id)  # the last good plan stands
    assert find_latest_plan(DAY) == plan


def test_running_a_plan_twice_changes_nothing(session: Any, dispatcher: User) -> None:
    crew("Once", 52.23, 21.00)
    site_job(dispatcher, 52.22, 21.01)
    plan = make_plan(dispatcher)
    assert run_route_plan(plan.id, now=NOW) == "done"
    assert get_plan(plan.id) == plan


def test_a_job_cancelled_while_solving_is_left_out(
    session: Any, dispatcher: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    engineer = crew("Stale", 52.23, 21.00)
    kept = site_job(dispatcher, 52.22, 21.01)
    gone = site_job(dispatcher, 52.24, 21.02)
    solve = tasks.plan_day

    def cancelling(*args: Any, **kwargs: Any) -> Any:
        result = solve(*args, **kwargs)
        with transaction():
            cancel_job(actor=dispatcher, number=gone.number, reason="Fixed remotely", now=NOW)
        return result

    monkeypatch.setattr(tasks, "plan_day", cancelling)
    plan = make_plan(dispatcher)
    assert plan.status == "done"
    assert [stop.job_number for stop in route_of(plan, engineer).stops] == [kept.number]
    assert plan.dropped == ()
    assert plan.served == 1


def test_progress_is_written_as_the_search_runs(session: Any, dispatcher: User) -> None:
    with transaction():
        plan_id = request_route_plan(DAY, None, dispatcher, NOW, time_limit_s=5).id
    with transaction():
        start_plan(plan_id, NOW)
    report = tasks._Progress(plan_id)
    report(0.42)
    assert get_plan(plan_id).progress_pct == 42
    report(0.44)  # under 5 points more: not written
    assert get_plan(plan_id).progress_pct == 42
    report(1.0)
    assert get_plan(plan_id).progress_pct == 99  # 100 only once stored
    assert get_plan(plan_id).status == "running"


def test_a_region_plans_the_engineers_and_jobs_nearest_its_depot(
    session: Any, dispatcher: User
) -> None:
    make_depot(code="DEP-WAW", lat=52.23, lon=21.01)
    make_depot(code="DEP-KRK", lat=50.06, lon=19.94)
    warsaw = crew("Warsaw", 52.24, 21.00)
    krakow = crew("Krakow", 50.05, 19.95)
    waw_job = site_job(dispatcher, 52.22, 21.02)
    krk_job = site_job(dispatcher, 50.07, 19.93)
    plan = make_plan(dispatcher, region="dep-krk")
    assert plan.region == "DEP-KRK"
    assert visited(plan) == {krk_job.number: krakow.id}
    assert waw_job.number not in {drop.job_number for drop in plan.dropped}
    assert find_current_plan(DAY, "DEP-KRK") == plan
    assert find_current_plan(DAY) is None
    assert find_engineer_route(warsaw.id, DAY) is None


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"region": "DEP-NOWHERE"}, "region"),
        ({"time_limit_s": 0}, "time_limit_s"),
        ({"time_limit_s": 301}, "time_limit_s"),
        ({"plan_on": DAY - timedelta(days=3)}, "date"),
        ({"plan_on": DAY + timedelta(days=400)}, "date"),
    ],
)
def test_a_bad_request_names_its_field(
    session: Any, dispatcher: User, overrides: dict[str, Any], field: str
) -> None:
    arguments: dict[str, Any] = {
        "plan_on": DAY,
        "region": None,
        "actor": dispatcher,
        "now": NOW,
        "time_limit_s": 1,
    }
    arguments.update(overrides)
    with pytest.raises(RuleViolationError) as refused:
        request_route_plan(**arguments)
    assert field in refused.value.errors


def test_only_dispatch_roles_may_plan(session: Any) -> None:
    with pytest.raises(ForbiddenError):
        request_route_plan(DAY, None, make_user(role="agent"), NOW, time_limit_s=1)


def _calendar(start: str, end: str) -> dict[str, Any]:
    days = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    return {"timezone": "UTC", "hours": {d: [[start, end]] for d in days}, "holidays": []}


def test_access_hours_and_depot_hours_are_kept(session: Any, dispatcher: User) -> None:
    engineer = crew("Keeper", 52.23, 21.00)
    psu = make_part_type(sku="PSU-R3")
    depot = make_depot(code="DEP-HOURS", lat=52.30, lon=21.10)
    depot.opening_hours = _calendar("10:00", "11:00")
    stock_up(psu, depot, 1)
    job = site_job(
        dispatcher,
        52.20,
        21.05,
        parts=[{"sku": "PSU-R3", "quantity": 1}],
        access_hours=_calendar("12:00", "14:00"),
    )
    plan = make_plan(dispatcher)
    pickup, visit = route_of(plan, engineer).stops
    assert (pickup.kind, visit.job_number) == ("pickup", job.number)
    assert NOW.replace(hour=10) <= pickup.start_at <= NOW.replace(hour=11)
    assert NOW.replace(hour=12) <= visit.start_at
    assert visit.depart_at <= NOW.replace(hour=14)
    assert_feasible(route_of(plan, engineer))


def test_an_absence_and_a_split_shift_shape_the_day(session: Any, dispatcher: User) -> None:
    away = crew("Away", 52.23, 21.00)
    split = crew("Split", 52.23, 21.01)
    split.shifts = {"wed": [["08:00", "10:00"], ["12:00", "16:00"]]}
    with transaction():
        add_absence(
            away.id,
            starts_at=NOW.replace(hour=7),
            ends_at=NOW.replace(hour=12),
            reason="Dentist",
        )
    first = site_job(dispatcher, 52.24, 21.01)
    second = site_job(dispatcher, 52.22, 21.02)
    assign(dispatcher, first, away)
    assign(dispatcher, second, split)
    plan = make_plan(dispatcher)
    assert route_of(plan, away).stops[0].start_at >= NOW.replace(hour=12)
    assert "Split works 2 spans on 2026-11-18: planned as one, 08:00-16:00 UTC." in plan.notes


def test_an_older_request_finishing_last_does_not_replace_a_newer_plan(
    session: Any, dispatcher: User
) -> None:
    crew("Order", 52.23, 21.00)
    site_job(dispatcher, 52.22, 21.01)
    with transaction():
        older = request_route_plan(DAY, None, dispatcher, NOW, time_limit_s=1).id
        newer = request_route_plan(DAY, None, dispatcher, NOW, time_limit_s=1).id
    assert run_route_plan(newer, now=NOW) == "done"
    assert run_route_plan(older, now=NOW) == "superseded"
    assert find_current_plan(DAY) == get_plan(newer)
    assert get_plan(older).routes  # stored all the same, as history
