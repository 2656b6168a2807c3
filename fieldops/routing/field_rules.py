"""Who could serve a visit at all, and how: skills, locks, van stock, and reaching it alone
inside the windows and the shift (pure).

These are facts about one visit and one engineer with an otherwise empty day, so they hold for
any plan: the planners use them to prune their choices (an engineer who cannot do a visit
alone cannot do it in a busy day either) and drop_reasons uses them to explain a drop.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from fieldops.routing.field import Depot, Engineer, FieldDay, PartNeed, Visit
from fieldops.routing.field_timing import earliest_in, merged


def has_skills(engineer: Engineer, visit: Visit) -> bool:
    return visit.skills <= engineer.skills


def van_holds(engineer: Engineer, parts: PartNeed) -> bool:
    """The van already carries every sku in the needed quantity (before any other visit)."""
    return all(engineer.van_stock.get(sku, 0) >= units for sku, units in parts.skus.items())


def allowed(engineer: Engineer, visit: Visit) -> bool:
    """Skills and lock permit this engineer (reachability aside)."""
    return has_skills(engineer, visit) and visit.locked_to in (None, engineer.key)


def reaches_alone(day: FieldDay, engineer: Engineer, visit: Visit, depot: Depot | None) -> bool:
    """Can the engineer, with nothing else to do, serve the visit (collecting at `depot`
    first when one is given) and be back at the end place by the end of the shift?"""
    here, moment = engineer.start_place, engineer.shift.start
    if depot is not None:
        pickup = earliest_in(merged(depot.hours), moment + day.travel[here][depot.place])
        if pickup is None:
            return False
        here, moment = depot.place, pickup + depot.pickup_service_s
    start = earliest_in(merged(visit.windows), moment + day.travel[here][visit.place])
    if start is None:
        return False
    back = start + visit.service_s + day.travel[visit.place][engineer.end_place]
    return back <= engineer.shift.end


@dataclass(frozen=True)
class Options:
    """Engineers (indices into `FieldDay.engineers`) who could serve a visit alone: straight
    from their van (`direct`), or after collecting its parts at its depot (`pickup`, which
    also needs the van space). A visit without parts has only `direct` options."""

    direct: tuple[int, ...]
    pickup: tuple[int, ...]

    @property
    def engineers(self) -> tuple[int, ...]:
        return tuple(sorted(set(self.direct) | set(self.pickup)))


def visit_options(day: FieldDay, visit: Visit, depots: Mapping[str, Depot]) -> Options:
    direct: list[int] = []
    pickup: list[int] = []
    parts = visit.parts
    depot = depots.get(parts.depot) if parts is not None else None
    for index, engineer in enumerate(day.engineers):
        if not allowed(engineer, visit):
            continue
        if (parts is None or van_holds(engineer, parts)) and reaches_alone(
            day, engineer, visit, None
        ):
            direct.append(index)
        if (
            parts is not None
            and depot is not None
            and (engineer.capacity is None or parts.volume <= engineer.capacity)
            and reaches_alone(day, engineer, visit, depot)
        ):
            pickup.append(index)
    return Options(tuple(direct), tuple(pickup))


def depots_by_key(day: FieldDay) -> dict[str, Depot]:
    return {depot.key: depot for depot in day.depots}


def validate_day(day: FieldDay) -> None:
    """Refuse a day the planners cannot reason about: raises ValueError.

    Times must be non-negative (OR-Tools cumuls start at 0; the caller picks an origin at or
    before the day), durations and travel non-negative, places inside the matrix, keys unique.
    """
    for kind, keys in (
        ("engineer", [e.key for e in day.engineers]),
        ("visit", [v.key for v in day.visits]),
        ("depot", [d.key for d in day.depots]),
    ):
        if len(set(keys)) != len(keys):
            raise ValueError(f"{kind} keys must be unique")
    if any(t < 0 for row in day.travel for t in row):
        raise ValueError("travel times must be non-negative")
    windows = [e.shift for e in day.engineers]
    windows += [w for v in day.visits for w in v.windows]
    windows += [w for d in day.depots for w in d.hours]
    if any(w.start < 0 for w in windows):
        raise ValueError("times are seconds from an origin at or before the day: no negatives")
    places = [p for e in day.engineers for p in (e.start_place, e.end_place)]
    places += [v.place for v in day.visits] + [d.place for d in day.depots]
    if any(not 0 <= p < day.places for p in places):
        raise ValueError(f"places must index the {day.places}x{day.places} travel matrix")
    durations = [v.service_s for v in day.visits] + [d.pickup_service_s for d in day.depots]
    if any(s < 0 for s in durations):
        raise ValueError("service times must be non-negative")
    volumes = [v.parts.volume for v in day.visits if v.parts is not None]
    if any(n < 0 for n in volumes) or any(
        (e.capacity or 0) < 0 or any(n < 0 for n in e.van_stock.values()) for e in day.engineers
    ):
        raise ValueError("volumes, capacities and stock must be non-negative")
