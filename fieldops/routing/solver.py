"""The OR-Tools adapter: a RoutingProblem in, routes out (pure: no Flask, no database).

Choices, deliberately:
- Transits are registered as matrices (RegisterTransitMatrix), not Python callbacks: the
  search then never calls back into Python, which here reached in 5 s what callbacks did in
  30 s.
- Time is a dimension whose transit from i to j is service(i) + travel(i, j), with waiting
  allowed (slack) and every node's cumul bounded by its window.
- First solution: PARALLEL_CHEAPEST_INSERTION (the documentation's PATH_CHEAPEST_ARC finds
  nothing on tight-window instances), then guided local search until the time limit.
- Integer scaling is the caller's (see solomon.SCALE): costs rounded, travel rounded up.
"""

from __future__ import annotations

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from fieldops.routing.problem import Routes, RoutingProblem

_STRATEGY = routing_enums_pb2.FirstSolutionStrategy
FIRST_SOLUTIONS = {
    "parallel_cheapest_insertion": _STRATEGY.PARALLEL_CHEAPEST_INSERTION,
    "local_cheapest_insertion": _STRATEGY.LOCAL_CHEAPEST_INSERTION,
    "savings": _STRATEGY.SAVINGS,
}


class NoSolutionError(RuntimeError):
    """The search found no feasible plan within its time limit."""


def solve(
    problem: RoutingProblem,
    *,
    time_limit_s: float,
    first_solution: str = "parallel_cheapest_insertion",
) -> Routes:
    """Routes minimising total cost with every node served. Raises NoSolutionError."""
    manager = pywrapcp.RoutingIndexManager(problem.size, problem.vehicles, 0)
    routing = pywrapcp.RoutingModel(manager)
    cost = routing.RegisterTransitMatrix([list(row) for row in problem.cost])
    routing.SetArcCostEvaluatorOfAllVehicles(cost)
    demand = routing.RegisterUnaryTransitVector(list(problem.demands))
    routing.AddDimensionWithVehicleCapacity(
        demand, 0, [problem.capacity] * problem.vehicles, True, "Load"
    )
    horizon = problem.windows[0][1]
    time = routing.RegisterTransitMatrix(
        [
            [problem.service[i] + problem.time[i][j] for j in range(problem.size)]
            for i in range(problem.size)
        ]
    )
    routing.AddDimension(time, horizon, horizon, False, "Time")
    dimension = routing.GetDimensionOrDie("Time")
    for node in range(1, problem.size):
        ready, due = problem.windows[node]
        dimension.CumulVar(manager.NodeToIndex(node)).SetRange(ready, due)
    ready, due = problem.windows[0]
    for vehicle in range(problem.vehicles):
        dimension.CumulVar(routing.Start(vehicle)).SetRange(ready, due)
        dimension.CumulVar(routing.End(vehicle)).SetRange(ready, due)
    parameters = pywrapcp.DefaultRoutingSearchParameters()
    parameters.first_solution_strategy = FIRST_SOLUTIONS[first_solution]
    parameters.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    parameters.time_limit.FromMilliseconds(max(int(time_limit_s * 1000), 100))
    solution = routing.SolveWithParameters(parameters)
    if solution is None:
        raise NoSolutionError("no feasible plan found within the time limit")
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
