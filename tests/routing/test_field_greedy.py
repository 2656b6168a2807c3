"""The greedy baseline: valid plans on the same scenarios as the solver, priorities first,
a reason for every drop, and fast enough for a 300-visit, 40-engineer day."""

from __future__ import annotations

import time

from fieldops.routing.field import Depot, PartNeed, Priority, Window
from fieldops.routing.field_check import check
from fieldops.routing.greedy import greedy_plan

from . import field_days as days
from .field_days import H, day_on_a_line, engineer, reason, served, stops_of, visit


def test_serves_an_easy_day_in_road_order() -> None:
    day = day_on_a_line(
        [0, 10, 20, 30], [engineer()], [visit("c", 3), visit("a", 1), visit("b", 2)]
    )
    plan = greedy_plan(day)
    assert stops_of(plan) == [("visit", "a"), ("visit", "b"), ("visit", "c")]
    assert plan.routes[0].travel_s == 2 * 30 * 60
    assert plan.dropped == ()


def test_keeps_the_p1_and_drops_the_p4_when_only_one_fits() -> None:
    plan = greedy_plan(days.only_one_fits())
    assert served(plan) == {"p1"}
    assert "no room left" in reason(plan, "p4")


def test_drops_a_visit_nobody_has_the_skill_for_and_names_the_skill() -> None:
    plan = greedy_plan(days.unknown_skill())
    assert served(plan) == {"ok"}
    assert "gas-safe" in reason(plan, "gas")


def test_collects_parts_before_the_visit_and_uses_van_stock_without_a_pickup() -> None:
    stops = stops_of(greedy_plan(days.parts_day()))
    assert stops.index(("pickup", "from_depot")) < stops.index(("visit", "from_depot"))
    assert ("pickup", "from_van") not in stops
    assert ("visit", "from_van") in stops


def test_the_only_unit_in_the_van_serves_one_visit_the_other_collects() -> None:
    plan = greedy_plan(days.one_unit_two_visits())
    assert served(plan) == {"a", "b"}
    assert sum(1 for kind, _ in stops_of(plan) if kind == "pickup") == 1


def test_the_only_unit_in_the_van_serves_one_visit_when_the_depot_is_closed() -> None:
    plan = greedy_plan(days.one_unit_two_visits(depot_open=False))
    assert len(served(plan)) == 1
    assert len(plan.dropped) == 1


def test_waits_for_the_afternoon_window_after_missing_the_morning_one() -> None:
    (stop,) = greedy_plan(days.lunch_gap()).routes[0].stops
    assert stop.start == 15 * H


def test_serves_a_late_sla_visit_late_rather_than_dropping_it() -> None:
    (stop,) = greedy_plan(days.late_sla()).routes[0].stops
    assert stop.late_by == 20 * 60


def test_honours_locked_engineer_and_locked_order() -> None:
    plan = greedy_plan(days.locked())
    assert stops_of(plan, "e2") == [("visit", "theirs")]
    assert stops_of(plan, "e1") == [("visit", "first"), ("visit", "second"), ("visit", "third")]


def test_goes_to_the_depot_twice_when_the_van_holds_one_load() -> None:
    plan = greedy_plan(days.van_space())
    assert served(plan) == {"boiler", "tank"}
    assert [kind for kind, _ in stops_of(plan)] == ["pickup", "visit", "pickup", "visit"]
    assert "van space" in reason(plan, "huge")


def test_an_earlier_deadline_goes_first_among_equal_priorities() -> None:
    # Room for one 2-hour job only; both are P2, the one due sooner wins.
    shift = Window(8 * H, 10 * H + 1200)
    day = day_on_a_line(
        [0, 10],
        [engineer(shift=shift)],
        [
            visit("later", 1, service_s=2 * H, priority=Priority.P2, arrive_by=12 * H),
            visit("sooner", 1, service_s=2 * H, priority=Priority.P2, arrive_by=9 * H),
        ],
    )
    assert served(greedy_plan(day)) == {"sooner"}


def test_inserting_a_pair_keeps_the_stops_between_inside_their_windows() -> None:
    # "fixed" must start by 09:00; putting a depot run before it would make it miss that.
    day = day_on_a_line(
        [0, 10, 50],
        [engineer()],
        [
            visit("fixed", 1, windows=(Window(8 * H, 9 * H),), priority=Priority.P1),
            visit("needs", 1, parts=PartNeed({"x": 1}, "far"), priority=Priority.P2),
        ],
        [Depot("far", 2, (Window(7 * H, 17 * H),))],
    )
    plan = greedy_plan(day)
    check(day, plan)
    assert stops_of(plan) == [("visit", "fixed"), ("pickup", "needs"), ("visit", "needs")]


def test_a_busy_city_day_is_valid_and_fast() -> None:
    day = days.random_city(300, 40)
    began = time.perf_counter()
    plan = greedy_plan(day)
    assert time.perf_counter() - began < 5.0
    check(day, plan)
    assert plan.served + len(plan.dropped) == 300
    assert plan.served > 250


def test_a_short_handed_city_day_drops_low_priorities_first() -> None:
    day = days.random_city(120, 6, seed=11)
    plan = greedy_plan(day)
    check(day, plan)
    priority = {v.key: v.priority for v in day.visits}
    kept = [priority[s.key] for r in plan.routes for s in r.stops if s.kind == "visit"]
    lost = [priority[d.visit] for d in plan.dropped]
    assert lost
    assert sum(p == Priority.P1 for p in kept) > sum(p == Priority.P1 for p in lost)
    assert all(d.reason for d in plan.dropped)


def test_stops_adding_visits_at_the_engineers_daily_capacity() -> None:
    day = day_on_a_line(
        [0, 5, 6, 7],
        [engineer(max_visits=2)],
        [
            visit("p1", 1, priority=Priority.P1),
            visit("p2", 2, priority=Priority.P2),
            visit("p4", 3, priority=Priority.P4),
        ],
    )
    plan = greedy_plan(day)
    assert served(plan) == {"p1", "p2"}
    assert "daily job capacity" in reason(plan, "p4")
