"""The OR-Tools field planner: what its plans must show (priorities, parts, windows, SLA,
locks, van space), how it explains drops, and that its model ties pickups to their visits.
Short time limits; every plan is also re-checked here, although plan_day checks it itself."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from ortools.constraint_solver import pywrapcp

from fieldops.routing import field_solver
from fieldops.routing.field import FieldDay, FieldPlan, PartNeed, Priority, Route, Window
from fieldops.routing.field_check import PlanViolationError, check
from fieldops.routing.field_costs import (
    drop_penalties,
    late_charges,
    routing_cost_bound,
    travel_cost_bound,
)
from fieldops.routing.field_model import DELIVERY, DIRECT, PICKUP, build_model
from fieldops.routing.field_solver import NoFieldSolutionError, build_routing, plan_day

from . import field_days as days
from .field_days import DAY, H, day_on_a_line, engineer, reason, served, stops_of, visit

LIMIT_S = 1.0  # short, but with room for a loaded CI machine


def solve(day: FieldDay, first_solution: field_solver.FirstSolution = "greedy") -> FieldPlan:
    plan = plan_day(day, time_limit_s=LIMIT_S, first_solution=first_solution)
    check(day, plan)
    return plan


# Both ways into the search: seeded by the greedy plan, and OR-Tools' own first solution, so
# the model itself (not only the seed) is shown to get these right.
SEEDS = pytest.mark.parametrize("first", ["greedy", "parallel_cheapest_insertion"])


@SEEDS
def test_keeps_the_p1_and_drops_the_p4_when_only_one_fits(
    first: field_solver.FirstSolution,
) -> None:
    plan = solve(days.only_one_fits(), first)
    assert served(plan) == {"p1"}
    assert "no room left in the day of the 1 engineer" in reason(plan, "p4")


def test_drops_a_visit_nobody_has_the_skill_for_and_names_the_skill() -> None:
    plan = solve(days.unknown_skill())
    assert served(plan) == {"ok"}
    assert "gas-safe" in reason(plan, "gas")


@SEEDS
def test_collects_parts_before_the_visit_and_uses_van_stock_without_a_pickup(
    first: field_solver.FirstSolution,
) -> None:
    # Dropping the needless pickup is a three-node move for the search (delivery and pickup
    # out, the direct alternative in): give it time even on a loaded machine.
    day = days.parts_day()
    plan = plan_day(day, time_limit_s=2.0, first_solution=first)
    check(day, plan)
    stops = stops_of(plan)
    assert stops.index(("pickup", "from_depot")) < stops.index(("visit", "from_depot"))
    assert ("pickup", "from_van") not in stops
    assert ("visit", "from_van") in stops
    pickup = next(s for r in plan.routes for s in r.stops if s.kind == "pickup")
    assert pickup.key == "north"


@SEEDS
def test_the_only_unit_in_the_van_serves_one_visit_the_other_collects(
    first: field_solver.FirstSolution,
) -> None:
    plan = solve(days.one_unit_two_visits(), first)
    stops = stops_of(plan)
    assert served(plan) == {"a", "b"}
    assert sum(1 for kind, _ in stops if kind == "pickup") == 1


def test_the_only_unit_in_the_van_serves_one_visit_when_the_depot_is_closed() -> None:
    plan = solve(days.one_unit_two_visits(depot_open=False))
    assert len(served(plan)) == 1
    (dropped,) = plan.dropped
    assert "van stock" in dropped.reason


def test_waits_for_the_afternoon_window_after_missing_the_morning_one() -> None:
    plan = solve(days.lunch_gap())
    (stop,) = plan.routes[0].stops
    assert stop.start == 15 * H
    assert stop.arrival == plan.routes[0].leave + 90 * 60


@SEEDS
def test_serves_a_late_sla_visit_late_rather_than_dropping_it(
    first: field_solver.FirstSolution,
) -> None:
    plan = solve(days.late_sla(), first)
    (stop,) = plan.routes[0].stops
    assert stop.start == 8 * H + 30 * 60
    assert stop.late_by == 20 * 60


@SEEDS
def test_makes_the_p1_the_one_on_time_and_serves_the_p3_late(
    first: field_solver.FirstSolution,
) -> None:
    plan = solve(days.one_on_time(), first)
    assert stops_of(plan) == [("visit", "p1"), ("visit", "p3")]
    p1, p3 = plan.routes[0].stops
    assert p1.late_by == 0
    assert p3.late_by == p3.start - (8 * H + 1800) == 80 * 60


@SEEDS
def test_drives_further_to_be_on_time(first: field_solver.FirstSolution) -> None:
    # Would fail if lateness were free: the other order drives 20 minutes less.
    plan = solve(days.on_time_costs_a_detour(), first)
    assert stops_of(plan) == [("visit", "due"), ("visit", "any")]
    assert plan.routes[0].stops[0].late_by == 0
    assert plan.travel_s == 60 * 60


@SEEDS
def test_honours_locked_engineer_and_locked_order(first: field_solver.FirstSolution) -> None:
    plan = solve(days.locked(), first)
    assert stops_of(plan, "e2") == [("visit", "theirs")]
    assert stops_of(plan, "e1") == [("visit", "first"), ("visit", "second"), ("visit", "third")]


@SEEDS
def test_goes_to_the_depot_twice_when_the_van_holds_one_load(
    first: field_solver.FirstSolution,
) -> None:
    plan = solve(days.van_space(), first)
    assert served(plan) == {"boiler", "tank"}
    stops = stops_of(plan)
    # Never both loads at once: each pickup is followed by its own visit.
    assert [kind for kind, _ in stops] == ["pickup", "visit", "pickup", "visit"]
    assert "van space" in reason(plan, "huge")


def test_stop_times_are_the_earliest_and_slack_is_the_room_left() -> None:
    day = day_on_a_line(
        [0, 10, 20],
        [engineer(shift=Window(8 * H, 12 * H))],
        [
            visit("a", 1, windows=(Window(9 * H, 10 * H),)),
            visit("b", 2, windows=(Window(10 * H, 12 * H),)),
        ],
    )
    route = solve(day).routes[0]
    first, second = route.stops
    # Leave just in time for a at 09:00; b waits for its window at 10:00.
    assert (route.leave, first.arrival, first.start) == (9 * H - 600, 9 * H, 9 * H)
    assert (second.arrival, second.start) == (first.departure + 600, 10 * H)
    # b must be done by 11:40 to be home at 12:00, so it may start up to 70 min late; a is
    # held by its own window (it must start by 10:00), 60 min, not by b.
    assert second.slack == 70 * 60
    assert first.slack == 60 * 60
    assert route.back == second.departure + 1200
    assert route.travel_s == 600 + 600 + 1200


def test_reports_progress_as_a_rising_share_ending_at_one() -> None:
    seen: list[float] = []
    plan_day(days.parts_day(), time_limit_s=LIMIT_S, on_progress=seen.append)
    assert seen[-1] == 1.0
    assert all(0.0 <= share <= 1.0 for share in seen)
    assert seen == sorted(seen)


def test_a_day_without_engineers_or_visits_is_an_empty_plan() -> None:
    alone = replace(days.unknown_skill(), engineers=())
    plan = solve(alone)
    assert plan.routes == ()
    assert {d.visit for d in plan.dropped} == {"gas", "ok"}
    assert plan_day(replace(alone, visits=()), time_limit_s=LIMIT_S) == FieldPlan((), ())


def test_an_engineer_who_cannot_even_get_home_in_the_shift_gets_no_route() -> None:
    day = day_on_a_line(
        [0, 10, 200],
        [engineer("e1", end_place=2, shift=Window(8 * H, 9 * H)), engineer("e2")],
        [visit("v", 1)],
    )
    plan = solve(day)
    assert [r.engineer for r in plan.routes] == ["e2"]


def test_a_plan_that_breaks_a_rule_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(day: FieldDay, setup: field_solver.RoutingSetup, solution: Any) -> list[Route]:
        routes = real(day, setup, solution)
        return [replace(routes[0], travel_s=routes[0].travel_s + 1)]

    real = field_solver._read_routes
    monkeypatch.setattr(field_solver, "_read_routes", broken)
    with pytest.raises(PlanViolationError, match="travel_s"):
        plan_day(days.late_sla(), time_limit_s=LIMIT_S)


def test_no_solution_from_or_tools_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        pywrapcp.RoutingModel, "SolveFromAssignmentWithParameters", lambda *args: None
    )
    with pytest.raises(NoFieldSolutionError, match="always feasible"):
        plan_day(days.late_sla(), time_limit_s=LIMIT_S)


def test_a_nonpositive_time_limit_is_refused() -> None:
    with pytest.raises(ValueError, match="time_limit_s"):
        plan_day(days.late_sla(), time_limit_s=0)


# The model itself.


def test_a_visit_the_van_could_serve_has_a_direct_node_for_that_van_only() -> None:
    day = replace(
        days.parts_day(), engineers=(engineer("e1", van_stock={"filter": 1}), engineer("e2"))
    )
    model = build_model(day)
    from_van = [model.nodes[n] for n in model.alternatives[1]]
    assert [(n.kind, n.vehicles) for n in from_van] == [(DIRECT, (0,)), (DELIVERY, (0, 1))]
    from_depot = [model.nodes[n].kind for n in model.alternatives[0]]
    assert from_depot == [DELIVERY]
    assert all(model.nodes[p].kind == PICKUP for p, _ in model.pairs)


def test_a_pickup_is_active_exactly_when_its_delivery_is_and_comes_first() -> None:
    day = days.parts_day()
    model = build_model(day)
    setup = build_routing(day, model, drop_penalties(day))
    setup.routing.CloseModel()
    ((pickup, delivery),) = [pair for pair in model.pairs if model.nodes[pair[1]].visit == 0]

    def feasible(route: list[int]) -> bool:
        return setup.routing.ReadAssignmentFromRoutes([route], True) is not None

    assert feasible([pickup, delivery])
    assert not feasible([pickup])
    assert not feasible([delivery])
    assert not feasible([delivery, pickup])


def test_a_visit_that_can_be_late_has_on_time_and_late_nodes() -> None:
    day = day_on_a_line(
        [0, 10, 30],
        [engineer("e1"), engineer("far", start_place=2, end_place=2)],
        [
            visit("due", 1, arrive_by=8 * H + 900),  # only e1 can be there by 08:15
            visit("hopeless", 1, arrive_by=8 * H),  # nobody can be there by 08:00
            visit("easy", 1, arrive_by=17 * H),  # cannot be late: its window closes then
        ],
    )
    model = build_model(day)
    due, hopeless, easy = ([model.nodes[n] for n in nodes] for nodes in model.alternatives)
    assert [(n.late, n.windows, n.vehicles) for n in due] == [
        (False, (Window(8 * H, 8 * H + 900),), (0,)),
        (True, (DAY,), (0, 1)),
    ]
    assert [(n.late, n.windows) for n in hopeless] == [(True, (DAY,))]
    assert [(n.late, n.windows) for n in easy] == [(False, (DAY,))]


def test_late_charges_are_lexicographic_and_below_any_drop_penalty() -> None:
    day = day_on_a_line(
        [0, 10],
        [engineer()],
        [
            visit(f"v{p}{i}", 1, priority=Priority(p), arrive_by=8 * H)
            for p in (1, 2, 3, 4)
            for i in (0, 1, 2)
        ],
    )
    charge, travel = late_charges(day), travel_cost_bound(day)
    assert charge[Priority.P4] > travel
    assert charge[Priority.P3] > travel + 3 * charge[Priority.P4]
    assert charge[Priority.P1] > travel + 3 * sum(charge[Priority(p)] for p in (2, 3, 4))
    assert routing_cost_bound(day) == travel + 3 * sum(charge.values())
    assert drop_penalties(day)[Priority.P4] > routing_cost_bound(day)


def test_drop_penalties_are_lexicographic_by_priority() -> None:
    day = day_on_a_line(
        [0, 10],
        [engineer()],
        [
            visit(f"v{p}{i}", 1, priority=Priority(p), arrive_by=8 * H)
            for p in (1, 2, 3, 4)
            for i in (0, 1, 2)
        ],
    )
    penalty = drop_penalties(day)
    bound = routing_cost_bound(day)
    assert penalty[Priority.P4] > bound
    assert penalty[Priority.P3] > bound + 3 * penalty[Priority.P4]
    assert penalty[Priority.P2] > bound + 3 * (penalty[Priority.P3] + penalty[Priority.P4])
    assert penalty[Priority.P1] > bound + 3 * sum(penalty[Priority(p)] for p in (2, 3, 4))


def test_a_day_too_large_for_exact_penalties_is_refused_not_overflowed() -> None:
    far = 10**18  # seconds: one leg alone is beyond what stacked penalties can fit in int64
    day = day_on_a_line(
        [0, far // 60],
        [engineer(shift=Window(0, far))],
        [
            visit("p1", 1, priority=Priority.P1, arrive_by=0, windows=(Window(0, far),)),
            visit("p4", 1, priority=Priority.P4, arrive_by=0, windows=(Window(0, far),)),
        ],
    )
    with pytest.raises(ValueError, match="too large"):
        plan_day(day, time_limit_s=LIMIT_S)


def test_parts_for_a_depot_that_is_not_open_today_are_explained() -> None:
    day = day_on_a_line([0, 10], [engineer()], [visit("v", 1, parts=PartNeed({"x": 1}, "south"))])
    assert "depot south" in reason(solve(day), "v")


def test_a_lock_to_an_absent_engineer_is_explained() -> None:
    day = day_on_a_line([0, 10], [engineer()], [visit("v", 1, locked_to="e9")])
    assert "locked to e9, who is not working today" in reason(solve(day), "v")


def test_a_visit_no_one_can_reach_in_time_is_explained() -> None:
    day = day_on_a_line([0, 10], [engineer()], [visit("v", 1, windows=(Window(6 * H, 7 * H),))])
    assert "can reach it inside its access windows" in reason(solve(day), "v")


def test_the_model_keeps_service_out_of_the_gap_between_windows() -> None:
    day = days.lunch_gap()
    model = build_model(day)
    setup = build_routing(day, model, drop_penalties(day))
    (node,) = model.alternatives[0]
    cumul = setup.routing.GetDimensionOrDie("Time").CumulVar(setup.manager.NodeToIndex(node))
    assert cumul.Contains(8 * H + 1800)
    assert cumul.Contains(15 * H + 1800)
    assert not cumul.Contains(12 * H)
    assert not cumul.Contains(16 * H + 1)


def _capacity_day() -> FieldDay:
    """Three short visits that fit one engineer's hours easily, but a day of two jobs."""
    return day_on_a_line(
        [0, 5, 6, 7],
        [engineer(max_visits=2)],
        [
            visit("p1", 1, priority=Priority.P1),
            visit("p2", 2, priority=Priority.P2),
            visit("p4", 3, priority=Priority.P4),
        ],
    )


@SEEDS
def test_a_route_holds_no_more_visits_than_the_engineers_daily_capacity(
    first: field_solver.FirstSolution,
) -> None:
    plan = solve(_capacity_day(), first)
    assert served(plan) == {"p1", "p2"}
    assert "daily job capacity" in reason(plan, "p4")


def test_a_full_day_takes_no_visit_at_all() -> None:
    day = replace(_capacity_day(), engineers=(engineer(max_visits=0),))
    plan = solve(day)
    assert served(plan) == set()
    assert "already full" in reason(plan, "p1")
