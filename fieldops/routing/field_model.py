"""The nodes of a field day's routing model: which stops exist, where, for whom (pure).

One node per visit, or two alternatives when some van already holds its parts: a "direct"
node (van stock, no pickup) and a "delivery" node paired with a pickup node at its depot. A
visit nobody can serve even alone gets no node at all: OR-Tools reads an empty allowed-vehicle
list as "every vehicle", so such a node would be a trap, and it could never be served anyway.
Engineers who cannot even drive from their start to their end place inside the shift get no
vehicle, so the empty plan is always feasible.

A visit that can be late (an `arrive_by` before its last window closes) gets those
alternatives twice: "on time", its windows cut at `arrive_by` (a hard limit), and "late",
its full windows, whose arcs out carry the late charge (field_costs). Each set has its own
vehicles: someone who can reach the visit alone but not by `arrive_by` gets only the late
nodes, and when nobody can be on time only the late nodes exist. Why not a soft upper bound
on the time cumul instead: see field_solver.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from fieldops.routing.field import Depot, Engineer, FieldDay, FieldPlan, Visit, Window
from fieldops.routing.field_rules import Options, depots_by_key, visit_options
from fieldops.routing.field_timing import merged

START, END, VISIT, DIRECT, DELIVERY, PICKUP = (
    "start",
    "end",
    "visit",
    "direct",
    "delivery",
    "pickup",
)


@dataclass(frozen=True)
class Node:
    """A model node. `visit` indexes `FieldDay.visits` (None for starts and ends);
    `vehicles` are the vehicles allowed to serve it. `late` marks a visit-side node of the
    late alternatives (never a pickup): serving the visit there is charged as late."""

    kind: str
    place: int
    service_s: int
    windows: tuple[Window, ...]
    visit: int | None = None
    vehicles: tuple[int, ...] = ()
    depot: Depot | None = None
    late: bool = False


@dataclass(frozen=True)
class FieldModel:
    """Nodes numbered as OR-Tools will see them: visit-side nodes first, then one start and
    one end node per vehicle. `engineers[v]` is the engineer of vehicle v; `alternatives[i]`
    are the nodes of visit i (empty: no node); `pairs` are (pickup, delivery) nodes."""

    nodes: tuple[Node, ...]
    engineers: tuple[Engineer, ...]
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    alternatives: tuple[tuple[int, ...], ...]
    pairs: tuple[tuple[int, int], ...]


def build_model(day: FieldDay) -> FieldModel:
    depots = depots_by_key(day)
    vehicle_of = {
        index: vehicle
        for vehicle, index in enumerate(
            i
            for i, e in enumerate(day.engineers)
            if e.shift.start + day.travel[e.start_place][e.end_place] <= e.shift.end
        )
    }
    nodes: list[Node] = []
    alternatives: list[tuple[int, ...]] = []
    pairs: list[tuple[int, int]] = []
    for index, visit in enumerate(day.visits):
        windows = merged(visit.windows)
        due = visit.arrive_by
        can_be_late = due is not None and bool(windows) and windows[-1].end > due
        mine: list[int] = []
        if due is not None and can_be_late and cut_at(windows, due):
            timely = replace(visit, windows=cut_at(windows, due))
            options = visit_options(day, timely, depots)
            mine += _add_nodes(nodes, pairs, timely, index, options, vehicle_of, depots)
        options = visit_options(day, visit, depots)
        mine += _add_nodes(
            nodes, pairs, visit, index, options, vehicle_of, depots, late=can_be_late
        )
        alternatives.append(tuple(mine))
    engineers = tuple(day.engineers[i] for i in vehicle_of)
    starts = tuple(len(nodes) + v for v in range(len(engineers)))
    nodes.extend(Node(START, e.start_place, 0, (e.shift,)) for e in engineers)
    ends = tuple(len(nodes) + v for v in range(len(engineers)))
    nodes.extend(Node(END, e.end_place, 0, (e.shift,)) for e in engineers)
    return FieldModel(tuple(nodes), engineers, starts, ends, tuple(alternatives), tuple(pairs))


def cut_at(windows: tuple[Window, ...], moment: int) -> tuple[Window, ...]:
    """Merged `windows` cut to the seconds at or before `moment`."""
    return tuple(Window(w.start, min(w.end, moment)) for w in windows if w.start <= moment)


def _add_nodes(
    nodes: list[Node],
    pairs: list[tuple[int, int]],
    visit: Visit,
    index: int,
    options: Options,
    vehicle_of: Mapping[int, int],
    depots: Mapping[str, Depot],
    *,
    late: bool = False,
) -> list[int]:
    """Append the direct and the delivery (with its pickup) node of `visit` for whoever
    `options` allows; return the visit-side nodes added."""
    direct = tuple(vehicle_of[e] for e in options.direct if e in vehicle_of)
    pickup = tuple(vehicle_of[e] for e in options.pickup if e in vehicle_of)
    windows = merged(visit.windows)
    added: list[int] = []
    if direct:
        kind = DIRECT if visit.parts else VISIT
        added.append(len(nodes))
        nodes.append(Node(kind, visit.place, visit.service_s, windows, index, direct, late=late))
    if pickup and visit.parts is not None:
        depot = depots[visit.parts.depot]
        hours = merged(depot.hours)
        pairs.append((len(nodes), len(nodes) + 1))
        nodes.append(Node(PICKUP, depot.place, depot.pickup_service_s, hours, index, pickup, depot))
        added.append(len(nodes))
        nodes.append(
            Node(DELIVERY, visit.place, visit.service_s, windows, index, pickup, late=late)
        )
    return added


def plan_as_nodes(day: FieldDay, model: FieldModel, plan: FieldPlan) -> list[list[int]] | None:
    """The plan's routes as model nodes, one list per vehicle (to seed the search), or None
    when the plan uses a stop the model has no node for. A visit served on time takes an
    on-time node when its vehicle has one, a late visit a late node."""
    visit_index = {visit.key: index for index, visit in enumerate(day.visits)}
    vehicle_of = {engineer.key: vehicle for vehicle, engineer in enumerate(model.engineers)}
    pickup_of = {delivery: pickup for pickup, delivery in model.pairs}
    routes: list[list[int]] = [[] for _ in model.engineers]
    for route in plan.routes:
        vehicle = vehicle_of.get(route.engineer)
        if vehicle is None:
            return None
        collected = {stop.for_visit for stop in route.stops if stop.kind == "pickup"}
        chosen: dict[int, int] = {}
        for stop in route.stops:
            if stop.kind != "visit":
                continue
            index = visit_index[stop.key]
            kind_ok = [
                n
                for n in model.alternatives[index]
                if (model.nodes[n].kind == DELIVERY) == (stop.key in collected)
                and vehicle in model.nodes[n].vehicles
            ]
            # On time: any node fits, an on-time one avoids the charge; late: a late one.
            fitting = sorted(
                (n for n in kind_ok if stop.late_by == 0 or model.nodes[n].late),
                key=lambda n: model.nodes[n].late,
            )
            if not fitting:
                return None
            chosen[index] = fitting[0]
        for stop in route.stops:
            node = chosen.get(visit_index[stop.for_visit or stop.key])
            if node is None:
                return None
            routes[vehicle].append(pickup_of[node] if stop.kind == "pickup" else node)
    return routes
