"""The solver's ruin and recreate search (OR-Tools' iterated local search with SISR): plans
that serve everyone within windows and capacity, better than the first plan it starts from,
and a refusal rather than a plan that leaves a customer out (fixed short limits)."""

from __future__ import annotations

import math
import random
import time

import pytest

from fieldops.routing import solomon, solver


def scattered(customers: int = 30, seed: int = 7, vehicles: int = 6) -> solomon.SolomonInstance:
    """Customers scattered at random around a central depot, with wide windows: a plan is
    easy to find, a good one is not."""
    rng = random.Random(seed)
    rows = [solomon.Customer(0, 50, 50, 0, 0, 1000, 0)]
    for number in range(1, customers + 1):
        x, y = rng.uniform(0, 100), rng.uniform(0, 100)
        ready = rng.randint(0, 400)
        rows.append(solomon.Customer(number, x, y, rng.randint(5, 20), ready, ready + 300, 10))
    return solomon.SolomonInstance("SCATTERED", vehicles, 100, tuple(rows))


def first_plan_cost(problem: solver.RoutingProblem, strategy: str) -> int:
    """The cost of the search's starting point: its first solution, before any search."""
    routing, manager = solver._model(problem)
    first = routing.SolveWithParameters(solver._parameters(strategy, 0.1, 1.0, first_only=True))
    assert first is not None
    return solver.cost_of(problem, solver._routes(problem, routing, manager, first))


@pytest.mark.parametrize("strategy", ["parallel_cheapest_insertion", "path_cheapest_arc"])
def test_ruin_and_recreate_serves_everyone_and_beats_its_first_plan(strategy: str) -> None:
    instance = scattered()
    problem = solomon.to_problem(instance)
    deadline = time.monotonic() + 1.5
    routes = solver._ruin_recreate(problem, solver.Search(strategy), deadline)
    assert routes is not None
    solomon.check(instance, routes)  # raises on any violation
    assert solver.cost_of(problem, routes) < 0.9 * first_plan_cost(problem, strategy)


def test_ruin_and_recreate_finds_the_obvious_tour() -> None:
    """Twelve customers on a circle, one vehicle, no binding window: the best plan goes
    round the circle (from the depot at the centre to one customer and back from its
    neighbour)."""
    rows = [solomon.Customer(0, 0, 0, 0, 0, 10_000, 0)]
    for number in range(1, 13):
        angle = 2 * math.pi * ((number * 5) % 12) / 12  # numbered out of circle order
        rows.append(
            solomon.Customer(number, 30 * math.cos(angle), 30 * math.sin(angle), 1, 0, 10_000, 0)
        )
    instance = solomon.SolomonInstance("CIRCLE", 1, 100, tuple(rows))
    routes = solver.solve(solomon.to_problem(instance), time_limit_s=1.0)
    side = 2 * 30 * math.sin(math.pi / 12)
    assert solomon.check(instance, routes) == pytest.approx(11 * side + 2 * 30, rel=1e-3)


def test_a_customer_nobody_can_reach_is_refused_not_left_out() -> None:
    """The customers are optional inside ruin and recreate; a plan without one of them must
    not come back as a solution."""
    instance = scattered(customers=10)
    far = instance.customers[3]
    unreachable = solomon.Customer(far.number, far.x, far.y, far.demand, 0, 1, far.service)
    customers = (*instance.customers[:3], unreachable, *instance.customers[4:])
    problem = solomon.to_problem(solomon.SolomonInstance("UNREACHABLE", 6, 100, customers))
    assert solver._ruin_recreate(problem, solver.PORTFOLIO[0], time.monotonic() + 0.5) is None
    with pytest.raises(solver.NoSolutionError):
        solver.solve(problem, time_limit_s=0.5)


def test_the_penalty_outweighs_any_plan() -> None:
    instance = scattered(customers=15)
    problem = solomon.to_problem(instance)
    routes = solver.solve(problem, time_limit_s=0.5)
    solomon.check(instance, routes)
    worst = sum(max(row) for row in problem.cost[1:]) + problem.vehicles * max(problem.cost[0])
    assert solver._penalty(problem) > worst >= solver.cost_of(problem, routes)


def test_guided_search_alone_is_still_available() -> None:
    instance = scattered(customers=15)
    problem = solomon.to_problem(instance)
    search = solver.Search("parallel_cheapest_insertion", ruin_recreate=False)
    routes = solver._search(problem, search, time.monotonic() + 0.5)
    solomon.check(instance, routes)
