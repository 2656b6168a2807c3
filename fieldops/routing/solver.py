"""The OR-Tools adapter: a RoutingProblem in, routes out (pure: no Flask, no database).

Choices, deliberately:
- Transits are registered as matrices (RegisterTransitMatrix), not Python callbacks: the
  search then never calls back into Python, which here reached in 5 s what callbacks did in
  30 s.
- Time is a dimension whose transit from i to j is service(i) + travel(i, j), with waiting
  allowed (slack) and every node's cumul bounded by its window.
- OR-Tools' search is deterministic and single-threaded, so the second core runs a
  *different* search in its own process and the cheaper plan wins (PORTFOLIO). Which first
  solution is best depends on the class of instance, and guided local search rarely leaves
  the basin its start put it in: PARALLEL_CHEAPEST_INSERTION always finds a plan on tight
  windows (R1/RC1) and is the better start there; PATH_CHEAPEST_ARC finds none on several of
  them within 10 s but starts far better on wide windows and long routes (R2/RC2: RC208
  +1.2 % against +9.6 %, R211 +3.3 % against +6.6 %). Measured on the 42 shared instances at
  10 s: either alone +3.1 % / +3.7 % mean, the pair +2.3 %. PATH_CHEAPEST_ARC gets a fifth
  of the time to find its first plan, then falls back (FALLBACKS), so a failure costs the
  pair little. The PARALLEL_CHEAPEST_INSERTION member uses a GLS weight of 0.3 (0.1 is the
  default), which did better on the tight-window instances.
- Measured here and not kept: SAVINGS and LOCAL_CHEAPEST_INSERTION as first solutions
  (worse than the pair on both classes), simulated annealing and tabu search (worse than
  GLS on R1/RC1), neighbourhood restriction (ls_operator_neighbors_ratio 0.1-0.2: far
  worse), the extra LNS and cross-exchange operators (no gain at 10 s), and OR-Tools 9.15's
  iterated local search (use_iterated_local_search: the search ends at the first local
  optimum in this build, with or without disjunctions).
- Integer scaling is the caller's (see solomon.SCALE): costs rounded, travel rounded up, so
  a plan feasible in integers is feasible in real arithmetic.
"""

from __future__ import annotations

import itertools
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from fieldops.routing.problem import Routes, RoutingProblem

_STRATEGY = routing_enums_pb2.FirstSolutionStrategy
_METAHEURISTIC = routing_enums_pb2.LocalSearchMetaheuristic
FIRST_SOLUTIONS = {
    "parallel_cheapest_insertion": _STRATEGY.PARALLEL_CHEAPEST_INSERTION,
    "path_cheapest_arc": _STRATEGY.PATH_CHEAPEST_ARC,
    "local_cheapest_insertion": _STRATEGY.LOCAL_CHEAPEST_INSERTION,
    "savings": _STRATEGY.SAVINGS,
}
# Tried in this order when a search's own first solution finds nothing.
FALLBACKS = ("parallel_cheapest_insertion", "local_cheapest_insertion")
# PATH_CHEAPEST_ARC backtracks until it finds a first plan, which on tight windows can take
# the whole time limit and find nothing: it gets this share of the time, then a fallback.
FIRST_SOLUTION_SHARE = {"path_cheapest_arc": 0.2}
# What a worker process needs after the deadline to read its routes back and return them.
READBACK_MARGIN_S = 0.15


class NoSolutionError(RuntimeError):
    """The search found no feasible plan within its time limit."""


@dataclass(frozen=True)
class Search:
    """One configuration of the search; the portfolio runs one per core."""

    first_solution: str
    gls_lambda: float = 0.1


PORTFOLIO = (
    Search("parallel_cheapest_insertion", gls_lambda=0.3),
    Search("path_cheapest_arc", gls_lambda=0.1),
)


def solve(
    problem: RoutingProblem,
    *,
    time_limit_s: float,
    first_solution: str | None = None,
    workers: int = len(PORTFOLIO),
) -> Routes:
    """Routes minimising total cost with every node served, found within `time_limit_s` of
    wall time. `first_solution` forces one single-process search with that strategy;
    otherwise `workers` searches of the portfolio run side by side and the cheapest plan
    wins. Raises NoSolutionError."""
    deadline = time.monotonic() + time_limit_s
    if first_solution is not None:
        return _search(problem, Search(first_solution), deadline)
    searches = PORTFOLIO[: max(1, workers)]
    if len(searches) == 1:
        return _search(problem, searches[0], deadline)
    # fork: the workers need only this module and the problem, and starting them costs
    # milliseconds instead of the second a fresh interpreter importing OR-Tools takes.
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=len(searches), mp_context=context) as pool:
        futures = [pool.submit(_search_or_none, problem, s, deadline) for s in searches]
        found = [routes for f in futures if (routes := f.result()) is not None]
    if not found:
        raise NoSolutionError("no feasible plan found within the time limit")
    return min(found, key=lambda routes: cost_of(problem, routes))


def cost_of(problem: RoutingProblem, routes: Routes) -> int:
    """The objective of a plan: the cost of every route from the depot and back."""
    total = 0
    for route in routes:
        path = [0, *route, 0]
        total += sum(problem.cost[a][b] for a, b in itertools.pairwise(path))
    return total


def _search_or_none(problem: RoutingProblem, search: Search, deadline: float) -> Routes | None:
    try:
        return _search(problem, search, deadline)
    except NoSolutionError:
        return None


def _search(problem: RoutingProblem, search: Search, deadline: float) -> Routes:
    """The first plan by the search's strategy (or a fallback), then guided local search
    from it until the deadline."""
    strategies = [search.first_solution, *(s for s in FALLBACKS if s != search.first_solution)]
    for strategy in strategies:
        left = deadline - time.monotonic() - READBACK_MARGIN_S
        if left <= 0:
            break
        routing, manager = _model(problem)
        share = FIRST_SOLUTION_SHARE.get(strategy, 1.0)
        first = routing.SolveWithParameters(
            _parameters(strategy, search.gls_lambda, left * share, first_only=True)
        )
        if first is None:
            continue  # a model is solved once: the fallback builds its own
        left = deadline - time.monotonic() - READBACK_MARGIN_S
        improved = (
            routing.SolveFromAssignmentWithParameters(
                first, _parameters(strategy, search.gls_lambda, left)
            )
            if left > 0
            else None
        )
        return _routes(problem, routing, manager, improved or first)
    raise NoSolutionError("no feasible plan found within the time limit")


def _parameters(
    strategy: str, gls_lambda: float, seconds: float, *, first_only: bool = False
) -> Any:
    parameters = pywrapcp.DefaultRoutingSearchParameters()
    parameters.first_solution_strategy = FIRST_SOLUTIONS[strategy]
    parameters.local_search_metaheuristic = _METAHEURISTIC.GUIDED_LOCAL_SEARCH
    parameters.guided_local_search_lambda_coefficient = gls_lambda
    if first_only:
        parameters.solution_limit = 1  # stop at the first plan, before local search
    parameters.time_limit.FromMilliseconds(max(int(seconds * 1000), 50))
    return parameters


def _model(problem: RoutingProblem) -> tuple[pywrapcp.RoutingModel, pywrapcp.RoutingIndexManager]:
    manager = pywrapcp.RoutingIndexManager(problem.size, problem.vehicles, 0)
    routing = pywrapcp.RoutingModel(manager)
    cost = routing.RegisterTransitMatrix([list(row) for row in problem.cost])
    routing.SetArcCostEvaluatorOfAllVehicles(cost)
    demand = routing.RegisterUnaryTransitVector(list(problem.demands))
    routing.AddDimensionWithVehicleCapacity(
        demand, 0, [problem.capacity] * problem.vehicles, True, "Load"
    )
    horizon = problem.windows[0][1]
    time_transit = routing.RegisterTransitMatrix(
        [
            [problem.service[i] + problem.time[i][j] for j in range(problem.size)]
            for i in range(problem.size)
        ]
    )
    routing.AddDimension(time_transit, horizon, horizon, False, "Time")
    dimension = routing.GetDimensionOrDie("Time")
    for node in range(1, problem.size):
        ready, due = problem.windows[node]
        dimension.CumulVar(manager.NodeToIndex(node)).SetRange(ready, due)
    ready, due = problem.windows[0]
    for vehicle in range(problem.vehicles):
        dimension.CumulVar(routing.Start(vehicle)).SetRange(ready, due)
        dimension.CumulVar(routing.End(vehicle)).SetRange(ready, due)
    return routing, manager


def _routes(
    problem: RoutingProblem,
    routing: pywrapcp.RoutingModel,
    manager: pywrapcp.RoutingIndexManager,
    solution: pywrapcp.Assignment,
) -> Routes:
    routes: Routes = []
    for vehicle in range(problem.vehicles):
        index = solution.Value(routing.NextVar(routing.Start(vehicle)))
        route = []
        while not routing.IsEnd(index):
            route.append(manager.IndexToNode(index))
            index = solution.Value(routing.NextVar(index))
        if route:
            routes.append(route)
    return routes
