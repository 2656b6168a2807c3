"""The independent check of a field plan against its day: every hard rule, re-derived (pure).

Written from `field.py` alone, sharing no code with the planners, so a bug in a planner's
model or read-back cannot hide itself here. Both planners run it before returning a plan
(STYLE 6.12: a feasibility re-check in Python before anything is saved).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from itertools import pairwise
from typing import NoReturn

from fieldops.routing.field import Depot, Engineer, FieldDay, FieldPlan, Route, Stop, Visit, Window


class PlanViolationError(AssertionError):
    """A plan breaks a hard rule of its day.

    An AssertionError on purpose: a planner only returns plans it believes valid, so a
    violation is a bug, not a business outcome, and must not be caught and shown as one
    (`except DomainError` or `except RuntimeError` will not swallow it). `rule` names the
    rule broken; `engineer` and `visit` say where, when known.
    """

    def __init__(
        self, rule: str, message: str, *, engineer: str | None = None, visit: str | None = None
    ) -> None:
        where = ", ".join(
            part
            for part in (
                f"engineer {engineer}" if engineer else "",
                f"visit {visit}" if visit else "",
            )
            if part
        )
        super().__init__(f"[{rule}] {where + ': ' if where else ''}{message}")
        self.rule = rule
        self.engineer = engineer
        self.visit = visit


def check(day: FieldDay, plan: FieldPlan) -> None:
    """Raise PlanViolationError at the first broken rule; return None when the plan holds."""
    engineers = {e.key: e for e in day.engineers}
    visits = {v.key: v for v in day.visits}
    depots = {d.key: d for d in day.depots}
    seen_engineers: set[str] = set()
    served: dict[str, str] = {}
    for route in plan.routes:
        engineer = engineers.get(route.engineer)
        if engineer is None:
            raise PlanViolationError(
                "engineer", "not an engineer of the day", engineer=route.engineer
            )
        if route.engineer in seen_engineers:
            raise PlanViolationError("engineer", "has more than one route", engineer=route.engineer)
        seen_engineers.add(route.engineer)
        for stop in route.stops:
            if stop.kind == "visit":
                if stop.key in served:
                    raise PlanViolationError("served_once", "served more than once", visit=stop.key)
                served[stop.key] = route.engineer
        _check_times(day, engineer, route, visits, depots)
        _check_visits(engineer, route, visits, depots)
        _check_load(engineer, route, visits)
        _check_visit_count(engineer, route)
    _check_served_or_dropped(day, plan, served)
    _check_locked_order(day, plan)


def _fail(rule: str, message: str, engineer: Engineer, stop: Stop | None = None) -> NoReturn:
    visit = None if stop is None else (stop.for_visit or stop.key)
    raise PlanViolationError(rule, message, engineer=engineer.key, visit=visit)


def _limits(
    stop: Stop, visits: Mapping[str, Visit], depots: Mapping[str, Depot], engineer: Engineer
) -> tuple[int, int, tuple[Window, ...]]:
    """(place, service seconds, allowed start windows) of a stop, from the day's data."""
    if stop.kind == "visit":
        visit = visits.get(stop.key)
        if visit is None:
            _fail("unknown", f"visit {stop.key} is not in the day", engineer, stop)
        return visit.place, visit.service_s, visit.windows
    if stop.kind == "pickup":
        depot = depots.get(stop.key)
        if depot is None:
            _fail("unknown", f"depot {stop.key} is not in the day", engineer, stop)
        return depot.place, depot.pickup_service_s, depot.hours
    _fail("kind", f"unknown stop kind {stop.kind!r}", engineer, stop)


def _check_times(
    day: FieldDay,
    engineer: Engineer,
    route: Route,
    visits: Mapping[str, Visit],
    depots: Mapping[str, Depot],
) -> None:
    if route.leave < engineer.shift.start:
        _fail("shift", f"leaves at {route.leave}, before the shift starts", engineer)
    place, departure, travel_s = engineer.start_place, route.leave, 0
    limits = [_limits(stop, visits, depots, engineer) for stop in route.stops]
    for stop, (stop_place, service, windows) in zip(route.stops, limits, strict=True):
        if stop.place != stop_place:
            _fail("place", f"stop at place {stop.place}, expected {stop_place}", engineer, stop)
        leg = day.travel[place][stop.place]
        travel_s += leg
        if stop.arrival != departure + leg:
            _fail("timing", f"arrival {stop.arrival} != {departure} + travel {leg}", engineer, stop)
        if stop.start < stop.arrival:
            _fail("timing", f"starts at {stop.start}, before arriving", engineer, stop)
        if not any(w.start <= stop.start <= w.end for w in windows):
            _fail("window", f"starts at {stop.start}, outside {windows}", engineer, stop)
        if stop.departure != stop.start + service:
            _fail("timing", f"departure {stop.departure} != start + {service}", engineer, stop)
        late = 0
        if stop.kind == "visit":
            arrive_by = visits[stop.key].arrive_by
            late = 0 if arrive_by is None else max(0, stop.start - arrive_by)
        if stop.late_by != late:
            _fail("late_by", f"late_by {stop.late_by}, expected {late}", engineer, stop)
        place, departure = stop.place, stop.departure
    leg = day.travel[place][engineer.end_place]
    if route.back != departure + leg:
        _fail("timing", f"back {route.back} != {departure} + travel {leg}", engineer)
    if route.back > engineer.shift.end:
        _fail("shift", f"back at {route.back}, after the shift ends", engineer)
    if route.travel_s != travel_s + leg:
        _fail("travel_s", f"travel_s {route.travel_s}, legs sum to {travel_s + leg}", engineer)
    _check_slack(day, engineer, route, limits)


def _check_slack(
    day: FieldDay,
    engineer: Engineer,
    route: Route,
    limits: list[tuple[int, int, tuple[Window, ...]]],
) -> None:
    """Starting any stop `slack` later (later stops as early as they can) must still hold."""
    for index, stop in enumerate(route.stops):
        if stop.slack < 0:
            _fail("slack", f"negative slack {stop.slack}", engineer, stop)
        start = stop.start + stop.slack
        if not any(w.start <= start <= w.end for w in limits[index][2]):
            _fail("slack", f"a start {stop.slack} s later leaves its window", engineer, stop)
        place, departure = stop.place, start + limits[index][1]
        for later, (_, service, windows) in zip(
            route.stops[index + 1 :], limits[index + 1 :], strict=True
        ):
            arrival = departure + day.travel[place][later.place]
            opening = [max(arrival, w.start) for w in windows if w.end >= arrival]
            if not opening:
                _fail("slack", f"a start {stop.slack} s later misses {later.key}", engineer, stop)
            place, departure = later.place, min(opening) + service
        if departure + day.travel[place][engineer.end_place] > engineer.shift.end:
            _fail("slack", f"a start {stop.slack} s later misses the shift end", engineer, stop)


def _holds(engineer: Engineer, skus: Mapping[str, int]) -> bool:
    return all(engineer.van_stock.get(sku, 0) >= units for sku, units in skus.items())


def _check_visits(
    engineer: Engineer, route: Route, visits: Mapping[str, Visit], depots: Mapping[str, Depot]
) -> None:
    picked: dict[str, Stop] = {}
    from_van: Counter[str] = Counter()
    for stop in route.stops:
        if stop.kind == "pickup":
            target = visits.get(stop.for_visit or "")
            if target is None or target.parts is None:
                _fail("parts", "pickup for a visit that needs no parts", engineer, stop)
            if stop.key != target.parts.depot:
                _fail(
                    "parts", f"picked up at {stop.key}, not at {target.parts.depot}", engineer, stop
                )
            if target.key in picked:
                _fail("parts", "picked up twice", engineer, stop)
            picked[target.key] = stop
            continue
        visit = visits[stop.key]
        if not visit.skills <= engineer.skills:
            missing = ", ".join(sorted(visit.skills - engineer.skills))
            _fail("skills", f"engineer lacks {missing}", engineer, stop)
        if visit.locked_to is not None and visit.locked_to != engineer.key:
            _fail("locked_to", f"locked to {visit.locked_to}", engineer, stop)
        if visit.parts is not None and visit.key not in picked:
            if not _holds(engineer, visit.parts.skus):
                later = any(s.kind == "pickup" and s.for_visit == visit.key for s in route.stops)
                problem = "its pickup comes after it" if later else "no pickup before it"
                _fail("parts", f"{problem} and the van does not hold its parts", engineer, stop)
            from_van.update(visit.parts.skus)
    done = {stop.key for stop in route.stops if stop.kind == "visit"}
    for visit_key, stop in picked.items():
        position = route.stops.index(stop)
        if visit_key not in done:
            _fail("parts", "pickup for a visit that is not on this route", engineer, stop)
        if not any(s.kind == "visit" and s.key == visit_key for s in route.stops[position + 1 :]):
            _fail("parts", "pickup comes after its visit", engineer, stop)
    for sku, units in from_van.items():
        if units > engineer.van_stock.get(sku, 0):
            raise PlanViolationError(
                "van_stock",
                f"{units} x {sku} used from the van, which holds {engineer.van_stock.get(sku, 0)}",
                engineer=engineer.key,
            )


def _check_visit_count(engineer: Engineer, route: Route) -> None:
    if engineer.max_visits is None:
        return
    count = sum(1 for stop in route.stops if stop.kind == "visit")
    if count > engineer.max_visits:
        _fail("max_visits", f"{count} visits, more than the day's {engineer.max_visits}", engineer)


def _check_load(engineer: Engineer, route: Route, visits: Mapping[str, Visit]) -> None:
    if engineer.capacity is None:
        return
    load = 0
    picked: set[str] = set()
    for stop in route.stops:
        if stop.kind == "pickup" and stop.for_visit is not None:
            parts = visits[stop.for_visit].parts
            load += parts.volume if parts is not None else 0
            picked.add(stop.for_visit)
        elif stop.kind == "visit" and stop.key in picked:
            parts = visits[stop.key].parts
            load -= parts.volume if parts is not None else 0
        if load > engineer.capacity:
            _fail("capacity", f"load {load} exceeds capacity {engineer.capacity}", engineer, stop)


def _check_served_or_dropped(day: FieldDay, plan: FieldPlan, served: Mapping[str, str]) -> None:
    keys = {v.key for v in day.visits}
    dropped: set[str] = set()
    for item in plan.dropped:
        if item.visit not in keys:
            raise PlanViolationError("unknown", "dropped but not in the day", visit=item.visit)
        if item.visit in dropped:
            raise PlanViolationError("dropped", "dropped more than once", visit=item.visit)
        if item.visit in served:
            raise PlanViolationError("dropped", "both served and dropped", visit=item.visit)
        if not item.reason.strip():
            raise PlanViolationError("dropped", "dropped without a reason", visit=item.visit)
        dropped.add(item.visit)
    for key in keys - dropped - set(served):
        raise PlanViolationError("dropped", "neither served nor dropped", visit=key)


def _check_locked_order(day: FieldDay, plan: FieldPlan) -> None:
    visits = {v.key: v for v in day.visits}
    for route in plan.routes:
        orders: list[tuple[int, str]] = []
        for stop in route.stops:
            visit = visits[stop.key] if stop.kind == "visit" else None
            if (
                visit is not None
                and visit.locked_to == route.engineer
                and visit.locked_order is not None
            ):
                orders.append((visit.locked_order, visit.key))
        for (first, first_key), (second, second_key) in pairwise(orders):
            if second < first:
                raise PlanViolationError(
                    "locked_order",
                    f"{second_key} (order {second}) comes after {first_key} (order {first})",
                    engineer=route.engineer,
                    visit=second_key,
                )
