"""A field-service day as the routing core sees it, and the plan it returns (pure).

Times are whole seconds from the plan's origin (the caller picks it, e.g. midnight UTC of the
planned day) and travel is a matrix of whole seconds between `places`, so the core never
touches clocks, time zones or the database. Keys (`Engineer.key`, `Visit.key`, `Depot.key`)
are the caller's identifiers, handed back unchanged in the plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum


class Priority(IntEnum):
    """P1 is the most urgent; a dropped visit costs by its priority (see field_costs)."""

    P1 = 1
    P2 = 2
    P3 = 3
    P4 = 4


@dataclass(frozen=True)
class Window:
    """A closed interval [start, end] of seconds from the origin."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"window ends ({self.end}) before it starts ({self.start})")

    def contains(self, moment: int) -> bool:
        return self.start <= moment <= self.end


@dataclass(frozen=True)
class Engineer:
    """One vehicle. `start_place`/`end_place` index `FieldDay.places` (home, or the site of
    the job they are on now); the route may begin no earlier than `shift.start` and must be
    back at `end_place` by `shift.end`. `van_stock` is what the van already holds (sku ->
    units) so visits needing those parts need no depot pickup; `capacity` is the van's free
    volume (None: volume is not tracked); `max_visits` is how many visits the day may still
    hold (the engineer's daily job capacity; None: no limit)."""

    key: str
    start_place: int
    end_place: int
    shift: Window
    skills: frozenset[str] = frozenset()
    van_stock: Mapping[str, int] = field(default_factory=dict)
    capacity: int | None = None
    max_visits: int | None = None


@dataclass(frozen=True)
class Depot:
    """Where parts that are not in a van are collected; pickups happen inside `hours`."""

    key: str
    place: int
    hours: tuple[Window, ...]
    pickup_service_s: int = 600


@dataclass(frozen=True)
class PartNeed:
    """Parts a visit needs: from the van when the engineer's van holds all of them, else
    collected at `depot` beforehand. `volume` is what they take up in the van."""

    skus: Mapping[str, int]
    depot: str
    volume: int = 0


@dataclass(frozen=True)
class Visit:
    """A job on site. Service may start only inside one of `windows` (site access hours,
    already cut to the day); `arrive_by` is the SLA deadline — soft: being late costs, by
    priority, but a late visit beats a dropped one. `locked_to` pins the visit to one
    engineer; visits locked to the same engineer with a `locked_order` keep that order."""

    key: str
    place: int
    service_s: int
    windows: tuple[Window, ...]
    priority: Priority = Priority.P3
    arrive_by: int | None = None
    skills: frozenset[str] = frozenset()
    parts: PartNeed | None = None
    locked_to: str | None = None
    locked_order: int | None = None


@dataclass(frozen=True)
class FieldDay:
    """Everything the core needs to plan a day. `travel[i][j]` is seconds from place i to j
    (0 on the diagonal, and between two places that are the same)."""

    places: int
    travel: tuple[tuple[int, ...], ...]
    engineers: tuple[Engineer, ...]
    visits: tuple[Visit, ...]
    depots: tuple[Depot, ...] = ()

    def __post_init__(self) -> None:
        if len(self.travel) != self.places or any(len(r) != self.places for r in self.travel):
            raise ValueError(f"travel must be a {self.places}x{self.places} matrix")


@dataclass(frozen=True)
class Stop:
    """One stop on an engineer's route. `kind` is "visit" or "pickup" (a pickup names the
    visit it collects for in `for_visit`, and the depot in `key`). `slack` is how long the
    stop could start later without breaking a later window or the shift end."""

    kind: str
    key: str
    place: int
    arrival: int
    start: int
    departure: int
    slack: int
    late_by: int = 0
    for_visit: str | None = None


@dataclass(frozen=True)
class Route:
    engineer: str
    stops: tuple[Stop, ...]
    leave: int
    back: int
    travel_s: int


@dataclass(frozen=True)
class Dropped:
    visit: str
    reason: str


@dataclass(frozen=True)
class FieldPlan:
    routes: tuple[Route, ...]
    dropped: tuple[Dropped, ...]

    @property
    def travel_s(self) -> int:
        return sum(route.travel_s for route in self.routes)

    @property
    def served(self) -> int:
        return sum(1 for route in self.routes for stop in route.stops if stop.kind == "visit")
