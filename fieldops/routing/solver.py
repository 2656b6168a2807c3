"""The OR-Tools adapter: a RoutingProblem in, routes out (pure: no Flask, no database).

Choices, deliberately (the first five describe the guided local search each search ran alone
before ruin and recreate came first, and still runs when asked to or when ruin and recreate
serves not everyone: `_guided`):
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
  pair little. (The PARALLEL_CHEAPEST_INSERTION member used a GLS weight of 0.3, which did
  better on the tight-window instances; after ruin and recreate the default 0.1 is used.)
- Measured here and not kept: SAVINGS and LOCAL_CHEAPEST_INSERTION as first solutions
  (worse than the pair on both classes), simulated annealing and tabu search (worse than
  GLS on R1/RC1), neighbourhood restriction (ls_operator_neighbors_ratio 0.1-0.2: far
  worse), the extra LNS and cross-exchange operators (no gain at 10 s), and OR-Tools 9.15's
  iterated local search set through use_iterated_local_search (it ends at the first local
  optimum: see below for why, and for the way that works).
- Integer scaling is the caller's (see solomon.SCALE): costs rounded, travel rounded up, so
  a plan feasible in integers is feasible in real arithmetic.

Ruin and recreate (`_ruin_recreate`), added after the above; every search of the portfolio
now does it first, from its own first solution:
- OR-Tools 9.15 has an iterated local search built in (ruin, recreate, local search on the
  result, simulated-annealing acceptance), but only through
  RoutingModel.SolveWithIteratedLocalSearch: setting use_iterated_local_search on the
  parameters of SolveWithParameters or SolveFromAssignmentWithParameters is ignored, and the
  search ends at the first local optimum, which is what was measured before. Its default
  parameters also carry no ruin strategy at all. So: the ruin is SISR (Christiaens & Vanden
  Berghe 2020: strings of adjacent customers cut from a few neighbouring routes; the
  paper's sizes, 10 visits on average and strings of at most 10), the recreate is
  LOCAL_CHEAPEST_INSERTION, acceptance simulated annealing with OR-Tools' automatic
  temperatures (a tenth, then a thousandth, of the mean arc cost). A ruined plan leaves
  customers unserved, so in this search every customer is optional with a penalty no plan's
  cost can reach (_penalty); a plan that still leaves one out is never returned.
- The local search after each recreate uses the classic operators only (relocate, exchange,
  cross, 2-opt, or-opt; ILS_OPERATORS_OFF): the insertion LNS, Lin-Kernighan and expensive
  chain operators made each iteration five times slower, and more iterations won.
- The last GLS_SHARE of the time is guided local search from the best plan found: it
  polishes what the ruin and recreate leaves.
- Measured on the 42 shared instances at 10 s, one search alone (the pair takes the
  cheaper): ruin and recreate from PARALLEL_CHEAPEST_INSERTION +1.4 % mean, from
  PATH_CHEAPEST_ARC +1.3 %, the two as a pair +0.85 % (the GLS pair: +2.6 % on the same
  runs). A GLS tail of a fifth of the time did better than none, a tenth or a third on the
  twelve hardest instances (pair +1.5 % against +1.9 %, +1.7 %, +1.8 %). The benchmark
  (`make bench-routing`, twice): mean +0.62 % / +0.66 %, median +0.2 % / +0.1 %, worst
  +4.76 % (R109, both runs), every plan feasible; the GLS pair before it, run the same way
  in between: mean +1.98 %, worst +6.68 %, R109, RC103 and RC105 over 5 %. R109 is the
  one close to the 5 % line: both searches settle at the same plan there.
- Measured and not kept: OR-Tools' neighbour restriction (ls_operator_neighbors_ratio below
  1 ends the iterated search after a few iterations), PARALLEL_CHEAPEST_INSERTION or
  LOCAL_CHEAPEST_COST_INSERTION as the recreate, random or far-first insertion orders, other
  ruin sizes (6 or 15 visits), fixed temperatures from 1 to 30 distance units, and recreate
  without the local search (SISR's own way, which needs millions of iterations).
"""

from __future__ import annotations

import itertools
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from ortools.constraint_solver import pywrapcp, routing_enums_pb2
from ortools.util import optional_boolean_pb2

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
# Ruin and recreate (see the module docstring): the SISR sizes, and the share of the time
# that guided local search gets at the end to polish the best plan.
SISR_AVERAGE_REMOVED = 10
SISR_MAX_STRING = 10
SISR_BYPASS = 0.01
GLS_SHARE = 0.2
# Operators the local search inside ruin and recreate leaves out: slow for what they find.
ILS_OPERATORS_OFF = (
    "use_global_cheapest_insertion_path_lns",
    "use_local_cheapest_insertion_path_lns",
    "use_relocate_path_global_cheapest_insertion_insert_unperformed",
    "use_global_cheapest_insertion_visit_types_lns",
    "use_local_cheapest_insertion_visit_types_lns",
    "use_make_inactive",
    "use_make_chain_inactive",
    "use_swap_active",
    "use_shortest_path_swap_active",
    "use_swap_active_chain",
    "use_relocate_pair",
    "use_exchange_pair",
    "use_light_relocate_pair",
    "use_relocate_subtrip",
    "use_exchange_subtrip",
    "use_lin_kernighan",
    "use_relocate_expensive_chain",
    "use_shortest_path_two_opt",
)


class NoSolutionError(RuntimeError):
    """The search found no feasible plan within its time limit."""


@dataclass(frozen=True)
class Search:
    """One configuration of the search; the portfolio runs one per core."""

    first_solution: str
    gls_lambda: float = 0.1
    ruin_recreate: bool = True  # False: the first plan, then guided local search only


PORTFOLIO = (
    Search("parallel_cheapest_insertion"),
    Search("path_cheapest_arc"),
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
    """Ruin and recreate, then guided local search, when the search asks for it (and time
    allows); otherwise, or when that finds no plan serving everyone, `_guided`."""
    if search.ruin_recreate:
        routes = _ruin_recreate(problem, search, deadline)
        if routes is not None:
            return routes
    return _guided(problem, search, deadline)


def _ruin_recreate(problem: RoutingProblem, search: Search, deadline: float) -> Routes | None:
    """OR-Tools' iterated local search (SISR ruin, cheapest-insertion recreate) from the
    search's first solution, the last GLS_SHARE of the time guided local search from its
    best plan. None when time ran out first or a customer is left unserved."""
    left = deadline - time.monotonic() - READBACK_MARGIN_S
    if left <= 0.05:
        return None
    routing, manager = _model(problem, optional=True)
    best = routing.SolveWithIteratedLocalSearch(
        _ruin_recreate_parameters(search.first_solution, left * (1 - GLS_SHARE))
    )
    if best is None:
        return None
    left = deadline - time.monotonic() - READBACK_MARGIN_S
    if left > 0.05:
        polished = routing.SolveFromAssignmentWithParameters(
            best, _parameters(search.first_solution, search.gls_lambda, left)
        )
        best = polished or best
    routes = _routes(problem, routing, manager, best)
    if sum(len(route) for route in routes) != problem.size - 1:
        return None  # the penalty was paid somewhere: a customer is left out
    return routes


def _guided(problem: RoutingProblem, search: Search, deadline: float) -> Routes:
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


def _ruin_recreate_parameters(strategy: str, seconds: float) -> Any:
    parameters = _parameters(strategy, 0.1, seconds)
    parameters.local_search_metaheuristic = _METAHEURISTIC.GREEDY_DESCENT
    for name in ILS_OPERATORS_OFF:
        setattr(parameters.local_search_operators, name, optional_boolean_pb2.BOOL_FALSE)
    parameters.use_iterated_local_search = True
    ils = parameters.iterated_local_search_parameters
    ruin_recreate = ils.ruin_recreate_parameters
    del ruin_recreate.ruin_strategies[:]
    sisr = ruin_recreate.ruin_strategies.add().sisr
    sisr.avg_num_removed_visits = SISR_AVERAGE_REMOVED
    sisr.max_removed_sequence_size = SISR_MAX_STRING
    sisr.bypass_factor = SISR_BYPASS
    ruin_recreate.recreate_strategy.heuristic = _STRATEGY.LOCAL_CHEAPEST_INSERTION
    ils.improve_perturbed_solution = True
    ils.reference_solution_acceptance_strategy.simulated_annealing.automatic_temperatures = True
    return parameters


def _penalty(problem: RoutingProblem) -> int:
    """More than any plan serving everyone can cost, so that leaving a customer out never
    pays: a plan leaves each customer once and the depot once per vehicle at most, and no
    arc costs more than the dearest one leaving its node."""
    customers = sum(max(row) for row in problem.cost[1:])
    return customers + problem.vehicles * max(problem.cost[0]) + 1


def _model(
    problem: RoutingProblem, *, optional: bool = False
) -> tuple[pywrapcp.RoutingModel, pywrapcp.RoutingIndexManager]:
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
    if optional:  # ruin and recreate leaves customers out in between
        penalty = _penalty(problem)
        for node in range(1, problem.size):
            routing.AddDisjunction([manager.NodeToIndex(node)], penalty)
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
