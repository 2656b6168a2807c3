"""Tiny field days for the routing-core tests: places on a line, and a seeded random city."""

from __future__ import annotations

import random
from collections.abc import Sequence

from fieldops.geo import Point
from fieldops.routing.field import (
    Depot,
    Engineer,
    FieldDay,
    FieldPlan,
    PartNeed,
    Priority,
    Visit,
    Window,
)
from fieldops.routing.travel import GeodesicTravel

H = 3600
DAY = Window(8 * H, 17 * H)


# What a test reads off a plan.
def stops_of(plan: FieldPlan, engineer_key: str = "e1") -> list[tuple[str, str]]:
    route = next(r for r in plan.routes if r.engineer == engineer_key)
    return [(s.kind, s.for_visit or s.key) for s in route.stops]


def served(plan: FieldPlan) -> set[str]:
    return {s.key for r in plan.routes for s in r.stops if s.kind == "visit"}


def reason(plan: FieldPlan, key: str) -> str:
    return next(d.reason for d in plan.dropped if d.visit == key)


def on_a_line(minutes: Sequence[int]) -> tuple[tuple[int, ...], ...]:
    """Travel between places at these positions along one road, one minute per unit."""
    return tuple(tuple(abs(a - b) * 60 for b in minutes) for a in minutes)


def engineer(key: str = "e1", **overrides: object) -> Engineer:
    fields: dict[str, object] = {"start_place": 0, "end_place": 0, "shift": DAY}
    fields.update(overrides)
    return Engineer(key, **fields)  # type: ignore[arg-type]


def visit(key: str, place: int, **overrides: object) -> Visit:
    fields: dict[str, object] = {"service_s": 1800, "windows": (DAY,)}
    fields.update(overrides)
    return Visit(key, place, **fields)  # type: ignore[arg-type]


def day_on_a_line(
    minutes: Sequence[int],
    engineers: Sequence[Engineer],
    visits: Sequence[Visit],
    depots: Sequence[Depot] = (),
) -> FieldDay:
    return FieldDay(
        len(minutes), on_a_line(minutes), tuple(engineers), tuple(visits), tuple(depots)
    )


def random_city(visits: int, engineers: int, *, seed: int = 7) -> FieldDay:
    """A seeded city about 30 km across: homes, one depot, visits with mixed priorities,
    skills, windows, SLA deadlines, parts and van stock."""
    rng = random.Random(seed)
    homes = engineers
    points = [
        Point(52.37 + rng.uniform(-0.13, 0.13), 4.89 + rng.uniform(-0.2, 0.2))
        for _ in range(homes + 1 + visits)
    ]
    travel = GeodesicTravel(road_factor=1.3, speed_kmh=35).matrix(points).seconds
    depot = Depot("depot", homes, (Window(7 * H, 16 * H),))
    skills = ("hvac", "elec", "plumb")
    crew = tuple(
        Engineer(
            f"e{i}",
            i,
            i,
            Window(8 * H, 17 * H),
            frozenset(rng.sample(skills, 2)),
            {"F1": rng.randint(0, 2), "F2": rng.randint(0, 1)},
            rng.choice([None, 20, 40]),
        )
        for i in range(engineers)
    )
    jobs = []
    for i in range(visits):
        opens = rng.choice([8, 9, 10, 12, 13]) * H
        windows: tuple[Window, ...] = (
            Window(opens, min(opens + rng.choice([3, 4, 8]) * H, 17 * H)),
        )
        if rng.random() < 0.15:  # a lunch gap
            windows = (Window(8 * H, 12 * H), Window(13 * H, 17 * H))
        parts = None
        if rng.random() < 0.3:
            parts = PartNeed({rng.choice(["F1", "F2", "F3"]): 1}, "depot", rng.randint(1, 10))
        jobs.append(
            Visit(
                f"v{i}",
                homes + 1 + i,
                rng.choice([1200, 1800, 2700, 3600]),
                windows,
                Priority(rng.randint(1, 4)),
                arrive_by=windows[0].start + 2 * H if rng.random() < 0.4 else None,
                skills=frozenset(rng.sample(skills, rng.randint(0, 1))),
                parts=parts,
            )
        )
    return FieldDay(len(points), travel, crew, tuple(jobs), (depot,))


# Scenarios both planners must get right. Places are minutes along one road; the engineer
# lives at 0. Each returns the day; the tests say what the plan must show.


def only_one_fits() -> FieldDay:
    """A 3-hour shift and two 2-hour visits: only one can be served, the P1."""
    shift = Window(8 * H, 11 * H)
    return day_on_a_line(
        [0, 10, 12],
        [engineer(shift=shift)],
        [
            visit("p4", 1, service_s=2 * H, priority=Priority.P4),
            visit("p1", 2, service_s=2 * H, priority=Priority.P1),
        ],
    )


def unknown_skill() -> FieldDay:
    return day_on_a_line(
        [0, 10],
        [engineer(skills=frozenset({"hvac"}))],
        [visit("gas", 1, skills=frozenset({"gas-safe"})), visit("ok", 1)],
    )


def parts_day() -> FieldDay:
    """`from_van` needs a filter the van holds; `from_depot` a pump only the depot has."""
    depot = Depot("north", 3, (Window(7 * H, 12 * H),))
    return day_on_a_line(
        [0, 10, 20, 30],
        [engineer(van_stock={"filter": 1})],
        [
            visit("from_depot", 2, parts=PartNeed({"pump": 1}, "north", 2)),
            visit("from_van", 1, parts=PartNeed({"filter": 1}, "north", 1)),
        ],
        [depot],
    )


def one_unit_two_visits(depot_open: bool = True) -> FieldDay:
    """Two visits each need the only filter in the van; the depot is far away (or closed)."""
    hours = (Window(7 * H, 17 * H),) if depot_open else (Window(0, 60),)
    return day_on_a_line(
        [0, 5, 6, 120],
        [engineer(van_stock={"filter": 1})],
        [
            visit("a", 1, parts=PartNeed({"filter": 1}, "far")),
            visit("b", 2, parts=PartNeed({"filter": 1}, "far")),
        ],
        [Depot("far", 3, hours)],
    )


def lunch_gap() -> FieldDay:
    """The site is open 08:00-09:00 and 15:00-16:00; the engineer cannot get there by 09:00."""
    return day_on_a_line(
        [0, 90],
        [engineer()],
        [visit("gap", 1, windows=(Window(15 * H, 16 * H), Window(8 * H, 9 * H)))],
    )


def late_sla() -> FieldDay:
    """Due on site at 08:10, thirty minutes' drive away from an 08:00 shift start."""
    return day_on_a_line(
        [0, 30], [engineer()], [visit("late", 1, priority=Priority.P1, arrive_by=8 * H + 600)]
    )


def locked() -> FieldDay:
    """e1 lives beside every job, but the first is locked to e2; e1 drives out to place 4
    and its three locked jobs must go in the order 1, 2, 3 although the road out meets them
    as 3, 2, 1."""
    return day_on_a_line(
        [0, 3, 2, 1, 60],
        [engineer("e1", end_place=4), engineer("e2", start_place=4, end_place=4)],
        [
            visit("theirs", 1, locked_to="e2"),
            visit("first", 1, locked_to="e1", locked_order=1, service_s=600),
            visit("second", 2, locked_to="e1", locked_order=2, service_s=600),
            visit("third", 3, locked_to="e1", locked_order=3, service_s=600),
        ],
    )


def van_space() -> FieldDay:
    """A van with 5 units of space, two pickups of 3 each, and a 9-unit part that fits no van."""
    return day_on_a_line(
        [0, 10, 20, 30],
        [engineer(capacity=5)],
        [
            visit("boiler", 1, parts=PartNeed({"b": 1}, "north", 3)),
            visit("tank", 2, parts=PartNeed({"t": 1}, "north", 3)),
            visit("huge", 2, parts=PartNeed({"h": 1}, "north", 9)),
        ],
        [Depot("north", 3, (Window(7 * H, 17 * H),))],
    )


def one_on_time() -> FieldDay:
    """Two one-hour jobs due by 08:30 on either side of home: whichever comes first is on
    time, the other late. The engineer ends the day beyond the P3, so doing the P3 first
    would save 40 minutes of driving; the P1 must be the one on time."""
    due = 8 * H + 1800
    return day_on_a_line(
        [0, 10, -20, -40],
        [engineer(end_place=3)],
        [
            visit("p3", 1, service_s=H, priority=Priority.P3, arrive_by=due),
            visit("p1", 2, service_s=H, priority=Priority.P1, arrive_by=due),
        ],
    )


def on_time_costs_a_detour() -> FieldDay:
    """A P4 due by 08:15 ten minutes east and an undated P4 ten minutes west; the engineer
    ends the day 20 minutes east. West first drives 40 minutes but reaches the P4 at 09:00;
    east first is on time and drives 60: only a charge for lateness makes it worth it."""
    return day_on_a_line(
        [0, 10, -10, 20],
        [engineer(end_place=3)],
        [
            visit("due", 1, priority=Priority.P4, arrive_by=8 * H + 900),
            visit("any", 2, priority=Priority.P4),
        ],
    )
