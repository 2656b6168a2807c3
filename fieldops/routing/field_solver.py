"""Plan a field-service day with OR-Tools: the routing model, the search, the read-back (pure).

Choices, and why:
- One vehicle per engineer with its own start and end node, so a route can begin at home or at
  the job the engineer is on now and finish elsewhere.
- Every visit sits in a disjunction, and a pickup in its own zero-penalty one tied to its
  delivery (same vehicle, both active or neither): dropping everything is always a feasible
  plan, so the search always has a solution to improve rather than "no solution".
- Drop penalties are lexicographic by priority (field_costs): a P1 is dropped only when no
  plan can serve it, never to save driving or lateness, nor to serve any number of P2s.
- Lateness past `arrive_by` is charged per late visit by priority (field_costs: a late P1
  costs more than any travel and than every lower-priority visit late together, and less
  than any drop, so a late visit beats a dropped one and a dispatcher sees the lateness
  instead of a gap). It is modelled by alternatives, not by a soft bound on the time cumul: a
  visit that can be late has on-time nodes (windows cut at `arrive_by`, hard) and late nodes
  (its full windows) in its disjunction (field_model), plus a second disjunction over its
  on-time nodes alone whose penalty is the charge. Measured on the benchmark day
  (bench/field_day_data seed 1: 300 visits, 40 engineers; 2 shared cores), 10 s: with
  SetCumulVarSoftUpperBound charged per second the search explored ~7,700 neighbours
  (first improvement after 4 s) and left the greedy plan at 44.0 h of travel, 9 late P1s and
  3 late P2s; at 30 s 18,000 neighbours, 44.1 h. With the alternatives: ~500,000 neighbours
  and 41.5-41.7 h (-5 %) at 10 s, 1.6-1.8 million and 37.4-38.0 h (-14 %) at 30 s, with 8 late
  P1s and 1-2 late P2s, every visit still served (seeds 2 and 3 at 30 s: -16 % and -13 %
  travel, late P1s 9 -> 5 and 13 -> 10). Even a soft bound of one per second on the late nodes
  alone brought the search back to ~7,700 neighbours. The charge is a disjunction penalty, not
  a cost on the arcs out of a late node, because guided local search penalises the arcs of
  largest cost: a charge of 10^8 on an arc would be what it penalises at every local optimum,
  to no use (both measured the same on the benchmark day, within its run-to-run noise). What
  this gives up: minutes of lateness are not priced, so a visit that is late anyway may be
  later than it had to be; `late_by` still reports them exactly (read-back, field_timing).
- Arc cost is travel seconds, plus a pickup's service time on the arc leaving the depot: a
  pickup the van stock makes unnecessary then costs something, so van stock is used when it
  can be (the travel alone is often the same: the route passes the depot anyway). Waiting is
  free (slack): an idle engineer costs the same parked or driving, and the shift bounds it.
- Transits are matrices (RegisterTransitMatrix), never Python callbacks: the search then does
  not call back into Python (see solver.py: 5 s against 30 s for the same quality).
- The search starts from the greedy plan (greedy.py, under a second for 300 visits and 40
  engineers), not from PARALLEL_CHEAPEST_INSERTION. Measured here on seeded random cities:
  PARALLEL_CHEAPEST_INSERTION alone took 15-20 s to build a first solution for 300 x 40, so a
  30 s limit left GLS little time, and with the limit inside that phase it returned a partial
  plan that dropped 24 P1s the greedy plan serves; on 60 visits x 5 engineers, 5 s, it still
  dropped P1/P2s in every seed. Our reading: with lexicographic penalties a good plan must
  already have its priorities right, and the local moves rarely trade served low-priority
  visits for a dropped high one (with pairs, that takes several moves at once); the greedy
  gets priorities right by construction. The seeded search keeps its best solution, so it is
  never worse than the greedy plan. PARALLEL_CHEAPEST_INSERTION (pairs inserted together,
  each insertion weighed against the drop penalty; PATH_CHEAPEST_ARC finds nothing on tight
  windows) stays the strategy when no seed is used (`first_solution=
  "parallel_cheapest_insertion"`, for benchmarks, or when the seed does not fit the model).
- GUIDED_LOCAL_SEARCH: plain local search stops at the first local optimum, which with
  windows and pairs comes early; GLS keeps escaping until the time limit, the one budget the
  caller controls.
- Stop times are recomputed from the chosen order (field_timing), not copied from the solver's
  cumul variables, which are only some feasible values, not the earliest. The read-back
  uses each visit's full windows, so `late_by` is exact whichever alternative served it (the
  earliest starts of an order are never later than the solver's, so an on-time node stays
  on time).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from fieldops.routing.drop_reasons import drop_reason
from fieldops.routing.field import Dropped, FieldDay, FieldPlan, Priority, Route
from fieldops.routing.field_check import check
from fieldops.routing.field_constraints import (
    add_load,
    add_locked_order,
    add_pairs,
    add_time,
    add_van_stock,
    add_visit_count,
    add_visits,
)
from fieldops.routing.field_costs import drop_penalties, late_charges
from fieldops.routing.field_model import PICKUP, FieldModel, build_model, plan_as_nodes
from fieldops.routing.field_rules import depots_by_key, validate_day
from fieldops.routing.field_timing import StopSpec, build_route, pickup_spec, visit_spec
from fieldops.routing.greedy import greedy_plan

logger = logging.getLogger(__name__)

FirstSolution = Literal["greedy", "parallel_cheapest_insertion"]

# Report progress at most once per this share of the time limit: the callback crosses from
# the search into Python, and a progress bar needs no finer steps.
PROGRESS_STEP = 0.05
# The search gets at least this long, even when building the model used up the budget.
MIN_SEARCH_MS = 100


class NoFieldSolutionError(RuntimeError):
    """OR-Tools returned no solution although the empty plan is always feasible: a bug."""


def plan_day(
    day: FieldDay,
    *,
    time_limit_s: float,
    on_progress: Callable[[float], None] | None = None,
    first_solution: FirstSolution = "greedy",
) -> FieldPlan:
    """The best plan found within about `time_limit_s`, checked by field_check.

    The limit covers building the model, the seed and the search (not the few milliseconds of
    validation and read-back). `on_progress` receives the share of the limit used (0..1) now
    and then, and 1.0 at the end. Raises ValueError for a malformed day or one too large for
    exact penalties; NoFieldSolutionError or PlanViolationError mean a bug.
    """
    if not time_limit_s > 0:
        raise ValueError(f"time_limit_s must be positive, not {time_limit_s}")
    validate_day(day)
    penalties = drop_penalties(day)  # ValueError before any work when the day is too large
    model = build_model(day)
    routes: tuple[Route, ...] = ()
    if model.engineers and any(model.alternatives):
        limit_ms = max(int(time_limit_s * 1000), MIN_SEARCH_MS)
        routes = _solve(day, model, penalties, limit_ms, on_progress, first_solution)
    served = {stop.key for route in routes for stop in route.stops if stop.kind == "visit"}
    depots = depots_by_key(day)
    dropped = tuple(
        Dropped(visit.key, drop_reason(day, visit, depots))
        for visit in day.visits
        if visit.key not in served
    )
    plan = FieldPlan(routes, dropped)
    check(day, plan)
    if on_progress is not None:
        on_progress(1.0)
    return plan


@dataclass(frozen=True)
class RoutingSetup:
    """A field day as an OR-Tools model, not yet solved (exposed for tests of the model)."""

    model: FieldModel
    manager: Any
    routing: Any


def build_routing(
    day: FieldDay, model: FieldModel, penalties: Mapping[Priority, int]
) -> RoutingSetup:
    """The routing model of `day` over `model`'s nodes (model must have a vehicle)."""
    manager = pywrapcp.RoutingIndexManager(
        len(model.nodes), len(model.engineers), list(model.starts), list(model.ends)
    )
    routing = pywrapcp.RoutingModel(manager)
    places = [node.place for node in model.nodes]
    travel = [[day.travel[a][b] for b in places] for a in places]
    cost = [
        [t + (node.service_s if node.kind == PICKUP else 0) for t in row]
        for node, row in zip(model.nodes, travel, strict=True)
    ]
    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitMatrix(cost))
    add_visits(routing, manager, model, day, penalties, late_charges(day))
    time = add_time(routing, manager, model, day, travel)
    add_pairs(routing, manager, model, time)
    add_locked_order(routing, manager, model, day, time)
    add_van_stock(routing, model, day)
    add_load(routing, model, day)
    add_visit_count(routing, model)
    return RoutingSetup(model, manager, routing)


def _solve(
    day: FieldDay,
    model: FieldModel,
    penalties: Mapping[Priority, int],
    limit_ms: int,
    on_progress: Callable[[float], None] | None,
    first_solution: FirstSolution,
) -> tuple[Route, ...]:
    setup = build_routing(day, model, penalties)
    routing = setup.routing
    solver = routing.solver()  # its WallTime() counts from the model's creation: the origin
    if on_progress is not None:
        routing.AddAtSolutionCallback(_Progress(solver, limit_ms, on_progress))
    routing.CloseModelWithParameters(_parameters(limit_ms))
    seed = None
    if first_solution == "greedy":
        nodes = plan_as_nodes(day, model, greedy_plan(day))
        seed = None if nodes is None else routing.ReadAssignmentFromRoutes(nodes, True)
        if seed is None:
            # Not a bug (the greedy plan passed the check), but worth knowing: the search
            # then starts from scratch and may need a longer limit.
            logger.warning("the greedy seed does not fit the routing model; not seeding")
    parameters = _parameters(max(limit_ms - solver.WallTime(), MIN_SEARCH_MS))
    if seed is not None:
        solution = routing.SolveFromAssignmentWithParameters(seed, parameters)
    else:
        solution = routing.SolveWithParameters(parameters)
    if solution is None:
        raise NoFieldSolutionError(
            f"OR-Tools found no solution (status {routing.status()}), although dropping every "
            f"visit is always feasible: the model is inconsistent"
        )
    return tuple(_read_routes(day, setup, solution))


def _parameters(limit_ms: int) -> Any:
    parameters = pywrapcp.DefaultRoutingSearchParameters()
    parameters.first_solution_strategy = (
        routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    )
    parameters.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    parameters.time_limit.FromMilliseconds(limit_ms)
    return parameters


class _Progress:
    """At each new solution, the share of the time limit used, at most every PROGRESS_STEP.

    Elapsed time is the solver's own wall clock (ms since the model was created), so this
    module reads no clock itself."""

    def __init__(self, solver: Any, limit_ms: int, report: Callable[[float], None]) -> None:
        self._solver, self._limit_ms, self._report = solver, limit_ms, report
        self._last = -PROGRESS_STEP

    def __call__(self) -> None:
        share = min(1.0, max(0.0, self._solver.WallTime() / self._limit_ms))
        if share - self._last >= PROGRESS_STEP:
            self._last = share
            self._report(share)


def _read_routes(day: FieldDay, setup: RoutingSetup, solution: Any) -> list[Route]:
    model, manager, routing = setup.model, setup.manager, setup.routing
    routes: list[Route] = []
    for vehicle, engineer in enumerate(model.engineers):
        specs: list[StopSpec] = []
        index = solution.Value(routing.NextVar(routing.Start(vehicle)))
        while not routing.IsEnd(index):
            node = model.nodes[manager.IndexToNode(index)]
            if node.visit is None:
                raise NoFieldSolutionError(f"a route passes through a {node.kind} node")
            visit = day.visits[node.visit]
            if node.kind == PICKUP and node.depot is not None:
                specs.append(pickup_spec(node.depot, visit))
            else:
                specs.append(visit_spec(visit))
            index = solution.Value(routing.NextVar(index))
        if specs:
            routes.append(build_route(day, engineer, specs))
    return routes
