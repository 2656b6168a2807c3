"""The constraints of a field day on an OR-Tools routing model: time, pairs, order, parts (pure).

Kept apart from the search (field_solver) so each rule of the day maps to one short function.
OR-Tools objects are untyped (`Any`): its stubs declare no types.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from itertools import combinations, pairwise
from typing import Any

from fieldops.routing.field import FieldDay, Priority, Window
from fieldops.routing.field_model import DELIVERY, DIRECT, PICKUP, FieldModel

TIME, LOAD, VISITS = "Time", "Load", "Visits"


def restrict(var: Any, windows: Sequence[Window]) -> None:
    """Keep a cumul inside the union of merged windows: their hull minus the gaps."""
    var.SetRange(windows[0].start, windows[-1].end)
    for before, after in pairwise(windows):
        var.RemoveInterval(before.end + 1, after.start - 1)


def add_visits(
    routing: Any,
    manager: Any,
    model: FieldModel,
    day: FieldDay,
    penalties: Mapping[Priority, int],
    charges: Mapping[Priority, int],
) -> None:
    """Each visit is one disjunction over its alternative nodes, dropped at its priority's
    penalty; each node is open only to the vehicles that could serve it alone. A visit that
    has both on-time and late nodes also has a disjunction over its on-time nodes alone, at
    its priority's late charge: serving it late (or not at all) pays that charge. A node may
    sit in several disjunctions; the charge then needs no soft bound and no arc cost.

    SetAllowedVehiclesForIndex cannot be called from Python in 9.15 (its absl::Span argument
    has no SWIG typemap), so the vehicle variable's domain is cut instead; -1 keeps the node
    droppable. Starts and ends have no list and stay unrestricted.
    """
    for visit, nodes in zip(day.visits, model.alternatives, strict=True):
        if nodes:
            indices = [manager.NodeToIndex(node) for node in nodes]
            routing.AddDisjunction(indices, penalties[visit.priority], 1)
            timely = [manager.NodeToIndex(n) for n in nodes if not model.nodes[n].late]
            if timely and len(timely) < len(nodes):
                routing.AddDisjunction(timely, charges[visit.priority], 1)
    for node_index, node in enumerate(model.nodes):
        if node.vehicles:
            routing.VehicleVar(manager.NodeToIndex(node_index)).SetValues([-1, *node.vehicles])


def add_time(
    routing: Any, manager: Any, model: FieldModel, day: FieldDay, travel: list[list[int]]
) -> Any:
    """The Time dimension: the cumul of a node is when its service starts.

    transit(i, j) = service(i) + travel(i, j); waiting is slack, up to the whole horizon.
    Visits start inside their nodes' windows (an on-time node's end at `arrive_by`), pickups
    inside depot hours, routes inside the shift. Nothing here costs: no soft bounds.
    """
    horizon = max(w.end for node in model.nodes for w in node.windows)
    transit = [
        [node.service_s + t for t in row] for node, row in zip(model.nodes, travel, strict=True)
    ]
    routing.AddDimension(routing.RegisterTransitMatrix(transit), horizon, horizon, False, TIME)
    time = routing.GetDimensionOrDie(TIME)
    for vehicle in range(len(model.engineers)):
        restrict(time.CumulVar(routing.Start(vehicle)), model.nodes[model.starts[vehicle]].windows)
        restrict(time.CumulVar(routing.End(vehicle)), model.nodes[model.ends[vehicle]].windows)
    for nodes in model.alternatives:
        for node in nodes:
            index = manager.NodeToIndex(node)
            restrict(time.CumulVar(index), model.nodes[node].windows)
    for pickup, _ in model.pairs:
        restrict(time.CumulVar(manager.NodeToIndex(pickup)), model.nodes[pickup].windows)
    return time


def add_pairs(routing: Any, manager: Any, model: FieldModel, time: Any) -> None:
    """Each pickup rides with its delivery: same vehicle, both active or neither, pickup done
    before the delivery starts. The pickup's own disjunction costs nothing: its delivery's
    disjunction carries the penalty, and the equalities make them drop together."""
    solver = routing.solver()
    for pickup, delivery in model.pairs:
        first, second = manager.NodeToIndex(pickup), manager.NodeToIndex(delivery)
        routing.AddDisjunction([first], 0, 1)
        routing.AddPickupAndDelivery(first, second)
        solver.Add(routing.VehicleVar(first) == routing.VehicleVar(second))
        solver.Add(routing.ActiveVar(first) == routing.ActiveVar(second))
        time.AddNodePrecedence(first, second, model.nodes[pickup].service_s)


def add_locked_order(
    routing: Any, manager: Any, model: FieldModel, day: FieldDay, time: Any
) -> None:
    """Visits locked to one engineer with a `locked_order` start in that order when served.

    Every pair is constrained, not just neighbours: a precedence holds only when both ends are
    served, so a chain would stop ordering a and c once b is dropped. The offset of at least
    one second makes the order strict on the route, not only in time.
    """
    by_engineer: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for index, visit in enumerate(day.visits):
        if visit.locked_to is not None and visit.locked_order is not None:
            by_engineer[visit.locked_to].append((visit.locked_order, index))
    for ordered in by_engineer.values():
        for (order_a, a), (order_b, b) in combinations(sorted(ordered), 2):
            if order_a == order_b:
                continue
            offset = max(1, day.visits[a].service_s)
            for node_a in model.alternatives[a]:
                for node_b in model.alternatives[b]:
                    time.AddNodePrecedence(
                        manager.NodeToIndex(node_a), manager.NodeToIndex(node_b), offset
                    )


def add_van_stock(routing: Any, model: FieldModel, day: FieldDay) -> None:
    """One capacity dimension per contended sku: direct visits on a route use that van's units.

    A sku is contended when some van could be sent to more direct visits needing it than it
    holds units (a visit counted once, whether on time or late); the others need no
    dimension, since no route can run out of them.
    """
    needs: dict[str, list[int]] = defaultdict(lambda: [0] * len(model.nodes))
    wanted: dict[str, list[int]] = defaultdict(lambda: [0] * len(model.engineers))
    for visit, nodes in zip(day.visits, model.alternatives, strict=True):
        direct = [n for n in nodes if model.nodes[n].kind == DIRECT]
        if visit.parts is None or not direct:
            continue
        vehicles = {v for n in direct for v in model.nodes[n].vehicles}
        for sku, units in visit.parts.skus.items():
            for node in direct:
                needs[sku][node] = units
            for vehicle in vehicles:
                wanted[sku][vehicle] += units
    for sku, demand in sorted(needs.items()):
        stock = [engineer.van_stock.get(sku, 0) for engineer in model.engineers]
        if all(w <= s for w, s in zip(wanted[sku], stock, strict=True)):
            continue
        callback = routing.RegisterUnaryTransitVector(demand)
        routing.AddDimensionWithVehicleCapacity(callback, 0, stock, True, f"Stock:{sku}")


def add_visit_count(routing: Any, model: FieldModel) -> None:
    """At most `max_visits` visits a route (the engineer's daily job capacity), only when some
    engineer has one: every visit-side node counts one, a pickup none."""
    if all(engineer.max_visits is None for engineer in model.engineers):
        return
    counts = [0 if node.visit is None or node.kind == PICKUP else 1 for node in model.nodes]
    limit = [sum(counts) if e.max_visits is None else e.max_visits for e in model.engineers]
    callback = routing.RegisterUnaryTransitVector(counts)
    routing.AddDimensionWithVehicleCapacity(callback, 0, limit, True, VISITS)


def add_load(routing: Any, model: FieldModel, day: FieldDay) -> None:
    """Van space, only when some engineer's capacity is tracked: a pickup loads its parts'
    volume and its delivery unloads it. Untracked vans get room for every part of the day."""
    if all(engineer.capacity is None for engineer in model.engineers):
        return
    demand = [0] * len(model.nodes)
    for node_index, node in enumerate(model.nodes):
        parts = day.visits[node.visit].parts if node.visit is not None else None
        if parts is not None and node.kind in (PICKUP, DELIVERY):
            demand[node_index] = parts.volume if node.kind == PICKUP else -parts.volume
    roomy = 1 + sum(v for v in demand if v > 0)
    capacity = [roomy if e.capacity is None else e.capacity for e in model.engineers]
    callback = routing.RegisterUnaryTransitVector(demand)
    routing.AddDimensionWithVehicleCapacity(callback, 0, capacity, True, LOAD)
