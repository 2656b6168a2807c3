"""The baseline planner: cheapest feasible insertion, one visit at a time (pure).

Visits go in order of priority, then SLA deadline (`arrive_by`, none last), then input order;
each is inserted where it adds the least to the solver's objective (travel, pickup time, and
its own late charge from field_costs; lateness it pushes onto visits already placed is not
counted, so a P3 may take the slot that kept a P1 on time), over every position of every
engineer's route, or dropped when it fits nowhere. It honours the same hard
rules as the OR-Tools planner (skills, locks, windows, depot hours, shifts, pickup before its
visit, van stock, van space) and its plan passes the same check. It never revisits a decision,
which is what makes it a baseline: a benchmark shows what the search buys over it. Taking
visits by priority also makes it the search's starting point (see field_solver).

Feasibility of a candidate position is tested incrementally, not by re-timing the route: each
route keeps every stop's earliest start and latest start (field_timing's definitions), so a
single stop fits before stop q exactly when it can start inside its windows and the engineer
still reaches stop q by q's latest start. A pickup-and-visit pair re-times only the stops
between the two, walking forward once per pickup position.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from fieldops.routing.drop_reasons import drop_reason
from fieldops.routing.field import Dropped, Engineer, FieldDay, FieldPlan, Visit
from fieldops.routing.field_check import check
from fieldops.routing.field_costs import late_charges
from fieldops.routing.field_rules import depots_by_key, validate_day, visit_options
from fieldops.routing.field_timing import (
    StopSpec,
    build_route,
    earliest_in,
    pickup_spec,
    schedule,
    visit_spec,
)


@dataclass
class _Route:
    """An engineer's route under construction and its timing, refreshed after each insertion.

    `starts[i]`/`latest[i]` are stop i's earliest and latest start; `load[i]` the van space in
    use on leaving stop i; `visits[i]` the visit a stop serves or collects for."""

    engineer: Engineer
    specs: list[StopSpec] = field(default_factory=list)
    visits: list[int] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    latest: list[int] = field(default_factory=list)
    load: list[int] = field(default_factory=list)
    from_van: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True)
class _Candidate:
    """Insert `spec` before stop `visit_at` of route `route` (and `pickup` before stop
    `pickup_at`, positions counted in the route before either insertion)."""

    cost: int
    route: int
    spec: StopSpec
    visit_at: int
    pickup: StopSpec | None = None
    pickup_at: int = 0


def greedy_plan(day: FieldDay) -> FieldPlan:
    """Plan `day` by cheapest insertion; the plan is checked (PlanViolationError on a bug)."""
    validate_day(day)
    depots = depots_by_key(day)
    routes = [_Route(engineer) for engineer in day.engineers]
    order = sorted(
        range(len(day.visits)),
        key=lambda i: (
            day.visits[i].priority,
            day.visits[i].arrive_by is None,
            day.visits[i].arrive_by or 0,
            i,
        ),
    )
    charges = late_charges(day)
    dropped: list[int] = []
    for index in order:
        visit = day.visits[index]
        options = visit_options(day, visit, depots)
        spec = visit_spec(visit)
        charge = charges[visit.priority]
        best: _Candidate | None = None
        for route_index in options.engineers:
            route = routes[route_index]
            if _full(route):
                continue
            lo, hi = _lock_bounds(day, route, visit)
            if route_index in options.direct and _stock_fits(route, visit):
                found = _best_single(day, route, route_index, spec, charge, lo, hi)
                best = _better(best, found)
            if route_index in options.pickup and visit.parts is not None:
                pickup = pickup_spec(depots[visit.parts.depot], visit)
                volume = visit.parts.volume
                found = _best_pair(day, route, route_index, pickup, spec, charge, volume, lo, hi)
                best = _better(best, found)
        if best is None:
            dropped.append(index)
            continue
        _insert(day, routes[best.route], best, index)
    plan = FieldPlan(
        tuple(build_route(day, r.engineer, r.specs) for r in routes if r.specs),
        tuple(
            Dropped(day.visits[i].key, drop_reason(day, day.visits[i], depots))
            for i in sorted(dropped)
        ),
    )
    check(day, plan)
    return plan


def _better(best: _Candidate | None, other: _Candidate | None) -> _Candidate | None:
    if other is None:
        return best
    return other if best is None or other.cost < best.cost else best


def _lateness(spec: StopSpec, charge: int, start: int) -> int:
    """The late charge when starting `spec` at `start` misses its deadline, else 0."""
    return charge if spec.arrive_by is not None and start > spec.arrive_by else 0


def _full(route: _Route) -> bool:
    """The route already holds as many visits as the engineer's day may."""
    limit = route.engineer.max_visits
    return limit is not None and sum(s.kind == "visit" for s in route.specs) >= limit


def _stock_fits(route: _Route, visit: Visit) -> bool:
    parts = visit.parts
    if parts is None:
        return True
    stock = route.engineer.van_stock
    return all(
        route.from_van[sku] + units <= stock.get(sku, 0) for sku, units in parts.skus.items()
    )


def _lock_bounds(day: FieldDay, route: _Route, visit: Visit) -> tuple[int, int]:
    """Positions the visit may take: after every lower locked order, before every higher."""
    lo, hi = 0, len(route.specs)
    if visit.locked_to != route.engineer.key or visit.locked_order is None:
        return lo, hi
    for position, spec in enumerate(route.specs):
        other = day.visits[route.visits[position]]
        if spec.kind != "visit" or other.locked_to != visit.locked_to or other.locked_order is None:
            continue
        if other.locked_order < visit.locked_order:
            lo = max(lo, position + 1)
        elif other.locked_order > visit.locked_order:
            hi = min(hi, position)
    return lo, hi


def _around(route: _Route, position: int) -> tuple[int, int, int, int]:
    """(place, departure) of the stop before `position` and (place, latest arrival) of the
    stop at it, with the start and the end of the shift as sentinels."""
    engineer = route.engineer
    if position == 0:
        before_place, before_departure = engineer.start_place, engineer.shift.start
    else:
        spec = route.specs[position - 1]
        before_place, before_departure = spec.place, route.starts[position - 1] + spec.service_s
    if position == len(route.specs):
        return before_place, before_departure, engineer.end_place, engineer.shift.end
    return before_place, before_departure, route.specs[position].place, route.latest[position]


def _best_single(
    day: FieldDay, route: _Route, route_index: int, spec: StopSpec, charge: int, lo: int, hi: int
) -> _Candidate | None:
    travel = day.travel
    best: _Candidate | None = None
    for position in range(lo, hi + 1):
        prev_place, prev_departure, next_place, next_latest = _around(route, position)
        start = earliest_in(spec.windows, prev_departure + travel[prev_place][spec.place])
        if start is None:
            continue
        if start + spec.service_s + travel[spec.place][next_place] > next_latest:
            continue
        cost = (
            travel[prev_place][spec.place]
            + travel[spec.place][next_place]
            - travel[prev_place][next_place]
            + _lateness(spec, charge, start)
        )
        best = _better(best, _Candidate(cost, route_index, spec, position))
    return best


def _best_pair(
    day: FieldDay,
    route: _Route,
    route_index: int,
    pickup: StopSpec,
    spec: StopSpec,
    charge: int,
    volume: int,
    lo: int,
    hi: int,
) -> _Candidate | None:
    """The cheapest pickup position p and visit position q >= p (both before insertion).

    For each p the stops between the pickup and the visit are re-timed once, walking q
    forward; stops after the visit are unchanged, so their latest starts still apply."""
    travel, capacity = day.travel, route.engineer.capacity
    best: _Candidate | None = None
    for p in range(hi + 1):
        prev_place, prev_departure, next_place, _ = _around(route, p)
        start = earliest_in(pickup.windows, prev_departure + travel[prev_place][pickup.place])
        if start is None:
            continue
        if capacity is not None and (route.load[p - 1] if p else 0) + volume > capacity:
            continue
        here, departure = pickup.place, start + pickup.service_s
        for q in range(p, hi + 1):
            if q > p:  # stop q-1 now rides between the pickup and the visit
                stop = route.specs[q - 1]
                moved = earliest_in(stop.windows, departure + travel[here][stop.place])
                if moved is None or (
                    capacity is not None and route.load[q - 1] + volume > capacity
                ):
                    break  # that stop is in the way of every later q too
                here, departure = stop.place, moved + stop.service_s
            if q < lo:
                continue
            _, _, after_place, after_latest = _around(route, q)
            begin = earliest_in(spec.windows, departure + travel[here][spec.place])
            if begin is None or (
                begin + spec.service_s + travel[spec.place][after_place] > after_latest
            ):
                continue
            if q == p:
                added = travel[prev_place][pickup.place] + travel[pickup.place][spec.place]
                removed = travel[prev_place][after_place]
            else:
                added = (
                    travel[prev_place][pickup.place]
                    + travel[pickup.place][next_place]
                    + travel[here][spec.place]
                )
                removed = travel[prev_place][next_place] + travel[here][after_place]
            cost = (
                added
                + travel[spec.place][after_place]
                - removed
                + pickup.service_s  # the same objective as the solver: a pickup's time costs
                + _lateness(spec, charge, begin)
            )
            candidate = _Candidate(cost, route_index, spec, q, pickup, p)
            best = _better(best, candidate)
    return best


def _insert(day: FieldDay, route: _Route, chosen: _Candidate, visit_index: int) -> None:
    """Apply an insertion, then re-time the route (schedule raises if the incremental test
    was wrong: a bug)."""
    visit = day.visits[visit_index]
    route.specs.insert(chosen.visit_at, chosen.spec)
    route.visits.insert(chosen.visit_at, visit_index)
    if chosen.pickup is not None:
        route.specs.insert(chosen.pickup_at, chosen.pickup)
        route.visits.insert(chosen.pickup_at, visit_index)
    elif visit.parts is not None:
        route.from_van.update(visit.parts.skus)
    timing = schedule(day, route.engineer, route.specs)
    route.starts, route.latest = list(timing.starts), list(timing.latest)
    load, route.load = 0, []
    carried = {route.visits[i] for i, spec in enumerate(route.specs) if spec.kind == "pickup"}
    for position, spec in enumerate(route.specs):
        parts = day.visits[route.visits[position]].parts
        if parts is not None and route.visits[position] in carried:
            load += parts.volume if spec.kind == "pickup" else -parts.volume
        route.load.append(load)
