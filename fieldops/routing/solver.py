"""The OR-Tools adapter: a RoutingProblem in, routes out (pure: no Flask, no database).

Choices, deliberately:
- Transits are registered as matrices (RegisterTransitMatrix), not Python callbacks: the
  search then never calls back into Python, which here reached in 5 s what callbacks did in
  30 s.
- Time is a dimension whose transit from i to j is service(i) + travel(i, j), with waiting
  allowed (slack) and every node's cumul bounded by its window.
- First solution: PARALLEL_CHEAPEST_INSERTION builds every route at once and always found a
  plan on the tight-window R1/RC1 class (the documentation's PATH_CHEAPEST_ARC finds none
  there); should it fail, LOCAL_CHEAPEST_INSERTION is tried with what time is left.
- Guided local search then runs to the time limit. OR-Tools' search is deterministic and
  single-threaded, so the second core is used by a *different* search in its own process
  (another GLS penalty weight, see PORTFOLIO), and the cheaper plan wins: the two get stuck
  in different places, which is what a portfolio needs. Measured here and not kept: a
  second first-solution strategy (LOCAL_CHEAPEST_INSERTION and SAVINGS started worse and
  never caught up), simulated annealing and tabu search (worse than GLS on R1/RC1),
  neighbourhood restriction (ls_operator_neighbors_ratio 0.1-0.2: far worse), the extra LNS
  and cross-exchange operators (no gain at 10 s), and OR-Tools 9.15's iterated local search
  (use_iterated_local_search: the search ends at the first local optimum in this build).
- Integer scaling is the caller's (see solomon.SCALE): costs rounded, travel rounded up, so
  a plan feasible in integers is feasible in real arithmetic.
"""

from __future__ import annotations

import itertools
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from fieldops.routing.problem import Routes, RoutingProblem

_STRATEGY = routing_enums_pb2.FirstSolutionStrategy
_METAHEURISTIC = routing_enums_pb2.LocalSearchMetaheuristic
FIRST_SOLUTIONS = {
    "parallel_cheapest_insertion": _STRATEGY.PARALLEL_CHEAPEST_INSERTION,
    "local_cheapest_insertion": _STRATEGY.LOCAL_CHEAPEST_INSERTION,
    "savings": _STRATEGY.SAVINGS,
}
# What a worker process needs after the deadline to read its routes back and return them.
READBACK_MARGIN_S = 0.15


class NoSolutionError(RuntimeError):
    """The search found no feasible plan within its time limit."""


@dataclass(frozen=True)
class Search:
    """One configuration of the search; the portfolio runs one per core."""

    first_solution: str
    gls_lambda: float


PORTFOLIO = (
    Search("parallel_cheapest_insertion", 0.1),
    Search("parallel_cheapest_insertion", 0.3),
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
        return _search(problem, Search(first_solution, PORTFOLIO[0].gls_lambda), deadline)
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
    routing, manager = _model(problem)
    strategies = [search.first_solution]
    if search.first_solution != "local_cheapest_insertion":
        strategies.append("local_cheapest_insertion")
    for strategy in strategies:
        left = deadline - time.monotonic() - READBACK_MARGIN_S
        if left <= 0:
            break
        parameters = pywrapcp.DefaultRoutingSearchParameters()
        parameters.first_solution_strategy = FIRST_SOLUTIONS[strategy]
        parameters.local_search_metaheuristic = _METAHEURISTIC.GUIDED_LOCAL_SEARCH
        parameters.guided_local_search_lambda_coefficient = search.gls_lambda
        parameters.time_limit.FromMilliseconds(max(int(left * 1000), 50))
        solution = routing.SolveWithParameters(parameters)
        if solution is not None:
            return _routes(problem, routing, manager, solution)
        routing, manager = _model(problem)  # a model is solved once; the fallback needs a new one
    raise NoSolutionError("no feasible plan found within the time limit")


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
