"""The independent plan check refuses each kind of broken plan, naming the rule, and accepts
a correct one. Plans here are written by hand (with a small timing helper of the test's own),
never by a planner, so the check is tested on its own."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import pytest

from fieldops.routing.field import (
    Depot,
    Dropped,
    FieldDay,
    FieldPlan,
    PartNeed,
    Priority,
    Route,
    Stop,
    Window,
)
from fieldops.routing.field_check import PlanViolationError, check

from .field_days import H, day_on_a_line, engineer, visit

# Places: home 0, then sites 10, 20 minutes out, and the depot at 30 minutes.
DAY = day_on_a_line(
    [0, 10, 20, 30],
    [
        engineer("e1", skills=frozenset({"hvac"}), van_stock={"filter": 1}, capacity=5),
        engineer("e2"),
    ],
    [
        visit(
            "v1",
            1,
            windows=(Window(8 * H, 10 * H), Window(13 * H, 15 * H)),
            priority=Priority.P1,
            arrive_by=8 * H + 300,
            skills=frozenset({"hvac"}),
        ),
        visit("v2", 2, parts=PartNeed({"pump": 1}, "d1", 3)),
        visit("v3", 1, skills=frozenset({"gas"})),
        visit("v4", 2, parts=PartNeed({"filter": 1}, "d1", 1)),
        visit("v5", 1, locked_to="e2", locked_order=1, service_s=600),
        visit("v6", 2, locked_to="e2", locked_order=2, service_s=600),
    ],
    [Depot("d1", 3, (Window(7 * H, 12 * H),))],
)

Plan = list[tuple[str, str, str | None]]  # (kind, key, for_visit)


def timed(
    day: FieldDay, who: str, stops: Plan, *, leave: int | None = None, start_at: int | None = None
) -> Route:
    """A route with consistent times: each stop starts as soon as it may (or, for the first
    stop, at `start_at` whatever its windows say), slack 0."""
    engineer = next(e for e in day.engineers if e.key == who)
    visits = {v.key: v for v in day.visits}
    depots = {d.key: d for d in day.depots}
    place = engineer.start_place
    departure = engineer.shift.start if leave is None else leave
    result, travel_s = [], 0
    for index, (kind, key, for_visit) in enumerate(stops):
        if kind == "pickup":
            depot = depots[key]
            where, service, windows, due = depot.place, depot.pickup_service_s, depot.hours, None
        else:
            job = visits[key]
            where, service, windows, due = job.place, job.service_s, job.windows, job.arrive_by
        arrival = departure + day.travel[place][where]
        travel_s += day.travel[place][where]
        opens = [max(arrival, w.start) for w in windows if w.end >= arrival] or [arrival]
        start = start_at if index == 0 and start_at is not None else min(opens)
        late = max(0, start - due) if due is not None else 0
        result.append(Stop(kind, key, where, arrival, start, start + service, 0, late, for_visit))
        place, departure = where, start + service
    back = departure + day.travel[place][engineer.end_place]
    travel_s += day.travel[place][engineer.end_place]
    return Route(
        who, tuple(result), engineer.shift.start if leave is None else leave, back, travel_s
    )


GOOD_E1: Plan = [
    ("visit", "v1", None),
    ("pickup", "d1", "v2"),
    ("visit", "v2", None),
    ("visit", "v4", None),
]
GOOD_E2: Plan = [("visit", "v5", None), ("visit", "v6", None)]


def plan(
    routes: Sequence[Route] | None = None, dropped: Sequence[Dropped] | None = None
) -> FieldPlan:
    if routes is None:
        routes = [timed(DAY, "e1", GOOD_E1), timed(DAY, "e2", GOOD_E2)]
    if dropped is None:
        dropped = [Dropped("v3", "no engineer has gas")]
    return FieldPlan(tuple(routes), tuple(dropped))


def refuses(broken: FieldPlan, rule: str, day: FieldDay = DAY) -> PlanViolationError:
    with pytest.raises(PlanViolationError) as refusal:
        check(day, broken)
    assert refusal.value.rule == rule, str(refusal.value)
    return refusal.value


def with_stop(route: Route, index: int, **changes: object) -> Route:
    stops = list(route.stops)
    stops[index] = replace(stops[index], **changes)  # type: ignore[arg-type]
    return replace(route, stops=tuple(stops))


def test_a_correct_plan_passes() -> None:
    check(DAY, plan())


def test_refuses_an_arrival_that_does_not_follow_the_drive() -> None:
    route = timed(DAY, "e1", GOOD_E1)
    error = refuses(plan([with_stop(route, 0, arrival=route.stops[0].arrival - 60)]), "timing")
    assert (error.engineer, error.visit) == ("e1", "v1")


def test_refuses_a_start_before_arrival() -> None:
    route = timed(DAY, "e1", GOOD_E1)
    stop = route.stops[1]
    early = with_stop(route, 1, start=stop.arrival - 60, departure=stop.departure - 60)
    refuses(plan([early, timed(DAY, "e2", GOOD_E2)]), "timing")


def test_refuses_a_departure_that_skips_the_service_time() -> None:
    route = timed(DAY, "e1", GOOD_E1)
    refuses(plan([with_stop(route, 0, departure=route.stops[0].start + 60)]), "timing")


def test_refuses_a_start_in_the_gap_between_windows() -> None:
    # Leaving at 10:00 the engineer reaches v1 at 10:10, when the site is closed until 13:00.
    late = timed(DAY, "e1", [("visit", "v1", None)], leave=10 * H, start_at=10 * H + 600)
    error = refuses(plan([late, timed(DAY, "e2", GOOD_E2)], _dropped("v2", "v3", "v4")), "window")
    assert error.visit == "v1"


def test_refuses_a_pickup_outside_depot_hours() -> None:
    route = timed(DAY, "e1", [("pickup", "d1", "v2"), ("visit", "v2", None)], leave=12 * H)
    refuses(plan([route, timed(DAY, "e2", GOOD_E2)], _dropped("v1", "v3", "v4")), "window")


def test_refuses_leaving_before_the_shift() -> None:
    route = timed(DAY, "e1", GOOD_E1, leave=7 * H, start_at=7 * H + 600)
    refuses(plan([route, timed(DAY, "e2", GOOD_E2)]), "shift")


def test_refuses_coming_back_after_the_shift() -> None:
    short = replace(
        DAY, engineers=(replace(DAY.engineers[0], shift=Window(8 * H, 9 * H)), DAY.engineers[1])
    )
    refuses(plan(), "shift", short)


def test_refuses_an_engineer_without_the_skill() -> None:
    route = timed(DAY, "e2", [("visit", "v1", None), *GOOD_E2])
    refuses(plan([route], _dropped("v2", "v3", "v4")), "skills")


def test_refuses_a_visit_locked_to_someone_else() -> None:
    route = timed(DAY, "e1", [*GOOD_E1, ("visit", "v5", None)])
    refuses(plan([route], [Dropped("v3", "x"), Dropped("v6", "x")]), "locked_to")


def test_refuses_locked_visits_out_of_order() -> None:
    route = timed(DAY, "e2", [("visit", "v6", None), ("visit", "v5", None)])
    error = refuses(plan([timed(DAY, "e1", GOOD_E1), route]), "locked_order")
    assert error.visit == "v5"


def test_refuses_a_visit_served_twice() -> None:
    twice = timed(DAY, "e2", [*GOOD_E2, ("visit", "v1", None)])
    # e2 lacks hvac too, but serving v1 twice is found first, across routes.
    refuses(plan([timed(DAY, "e1", GOOD_E1), twice]), "served_once")


def test_refuses_two_routes_for_one_engineer() -> None:
    route = timed(DAY, "e2", GOOD_E2)
    refuses(plan([timed(DAY, "e1", GOOD_E1), route, replace(route, stops=())]), "engineer")


def test_refuses_a_visit_both_served_and_dropped() -> None:
    refuses(plan(dropped=[Dropped("v3", "x"), Dropped("v1", "x")]), "dropped")


def test_refuses_a_visit_neither_served_nor_dropped() -> None:
    error = refuses(plan(dropped=[]), "dropped")
    assert error.visit == "v3"


def test_refuses_a_visit_dropped_twice() -> None:
    refuses(plan(dropped=[Dropped("v3", "x"), Dropped("v3", "y")]), "dropped")


def test_refuses_a_drop_without_a_reason() -> None:
    refuses(plan(dropped=[Dropped("v3", "  ")]), "dropped")


def test_refuses_a_pickup_after_its_visit() -> None:
    route = timed(DAY, "e1", [("visit", "v1", None), ("visit", "v2", None), ("pickup", "d1", "v2")])
    error = refuses(plan([route, timed(DAY, "e2", GOOD_E2)], _dropped("v3", "v4")), "parts")
    assert error.visit == "v2"
    assert "comes after" in str(error)


def test_refuses_parts_that_come_from_nowhere() -> None:
    route = timed(DAY, "e1", [("visit", "v2", None)])
    error = refuses(plan([route, timed(DAY, "e2", GOOD_E2)], _dropped("v1", "v3", "v4")), "parts")
    assert error.visit == "v2"


def test_refuses_a_pickup_at_the_wrong_depot() -> None:
    day = replace(DAY, depots=(*DAY.depots, Depot("d2", 3, (Window(7 * H, 12 * H),))))
    route = timed(day, "e1", [("pickup", "d2", "v2"), ("visit", "v2", None)])
    refuses(plan([route, timed(DAY, "e2", GOOD_E2)], _dropped("v1", "v3", "v4")), "parts", day)


def test_refuses_a_pickup_for_a_visit_on_another_route() -> None:
    e1 = timed(DAY, "e1", [("pickup", "d1", "v2"), ("visit", "v1", None)])
    e2 = timed(DAY, "e2", [*GOOD_E2, ("visit", "v2", None)])
    # e2's visit lacks its pickup as well; e1's route is checked first.
    error = refuses(plan([e1, e2], _dropped("v3", "v4")), "parts")
    assert error.engineer == "e1"


def test_refuses_using_more_van_stock_than_the_van_holds() -> None:
    day = replace(DAY, visits=(*DAY.visits, visit("v7", 1, parts=PartNeed({"filter": 1}, "d1"))))
    route = timed(day, "e1", [*GOOD_E1, ("visit", "v7", None)])
    refuses(plan([route, timed(day, "e2", GOOD_E2)]), "van_stock", day)


def test_refuses_overloading_the_van() -> None:
    day = replace(DAY, visits=(*DAY.visits, visit("v7", 1, parts=PartNeed({"valve": 1}, "d1", 3))))
    route = timed(
        day,
        "e1",
        [
            ("pickup", "d1", "v2"),
            ("pickup", "d1", "v7"),
            ("visit", "v2", None),
            ("visit", "v7", None),
        ],
    )
    error = refuses(
        plan([route, timed(day, "e2", GOOD_E2)], _dropped("v1", "v3", "v4")), "capacity", day
    )
    assert error.engineer == "e1"


def test_refuses_a_wrong_late_by() -> None:
    route = timed(DAY, "e1", GOOD_E1)
    assert route.stops[0].late_by == 300  # due 08:05, there at 08:10
    refuses(plan([with_stop(route, 0, late_by=0), timed(DAY, "e2", GOOD_E2)]), "late_by")


def test_refuses_a_wrong_travel_total() -> None:
    route = timed(DAY, "e1", GOOD_E1)
    refuses(
        plan([replace(route, travel_s=route.travel_s - 1), timed(DAY, "e2", GOOD_E2)]), "travel_s"
    )


def test_refuses_a_slack_that_would_miss_a_window() -> None:
    route = timed(DAY, "e1", GOOD_E1)
    # v1 could start up to 10:00; three hours later is in the site's closed gap.
    refuses(plan([with_stop(route, 0, slack=3 * H), timed(DAY, "e2", GOOD_E2)]), "slack")


def test_refuses_a_slack_that_would_miss_the_shift_end() -> None:
    route = timed(DAY, "e2", GOOD_E2)
    refuses(plan([timed(DAY, "e1", GOOD_E1), with_stop(route, 1, slack=9 * H)]), "slack")


def test_refuses_a_stop_at_the_wrong_place() -> None:
    route = timed(DAY, "e1", GOOD_E1)
    refuses(plan([with_stop(route, 0, place=2), timed(DAY, "e2", GOOD_E2)]), "place")


def test_refuses_an_unknown_visit() -> None:
    route = timed(DAY, "e2", GOOD_E2)
    ghost = replace(route, stops=(*route.stops, replace(route.stops[-1], key="ghost")))
    refuses(plan([timed(DAY, "e1", GOOD_E1), ghost]), "unknown")


def _dropped(*keys: str) -> list[Dropped]:
    return [Dropped(key, "left out for the test") for key in keys]


def test_refuses_more_visits_than_the_engineers_daily_capacity() -> None:
    limited = replace(
        DAY,
        engineers=tuple(replace(e, max_visits=2) if e.key == "e1" else e for e in DAY.engineers),
    )
    error = refuses(
        plan([timed(limited, "e1", GOOD_E1), timed(limited, "e2", GOOD_E2)]), "max_visits", limited
    )
    assert "more than the day's 2" in str(error)
