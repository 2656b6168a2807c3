"""A generated field-service day for the routing benchmark: 300 visits, 40 engineers and 5
depots across Warsaw and its ring towns (about 40 km across), with skills, site access
hours, SLA arrive-by times by priority, and a third of the visits needing parts collected at
a depot (some vans carry those parts already).

Seeded: the same seed gives the same day. Times are seconds from 00:00 of the day; travel
comes from the same geodesic provider the product uses (road factor 1.3, 60 km/h).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from fieldops.geo import Point
from fieldops.routing.field import (
    Depot,
    Engineer,
    FieldDay,
    PartNeed,
    Priority,
    Visit,
    Window,
)
from fieldops.routing.travel import GeodesicTravel

HOUR = 3600
SKILLS = ("router", "switch", "optical", "power", "server", "storage")
SKUS = tuple(f"PART-{n:02d}" for n in range(12))
# Towns of the region with a weight for how many sites and homes they hold.
TOWNS = (
    ("Warszawa Śródmieście", 52.2297, 21.0122, 8),
    ("Warszawa Mokotów", 52.1934, 21.0346, 4),
    ("Warszawa Bemowo", 52.2545, 20.9106, 3),
    ("Warszawa Praga", 52.2569, 21.0450, 3),
    ("Piaseczno", 52.0733, 21.0239, 2),
    ("Pruszków", 52.1706, 20.8120, 2),
    ("Legionowo", 52.4010, 20.9268, 2),
    ("Otwock", 52.1059, 21.2610, 1),
    ("Marki", 52.3259, 21.1053, 1),
)
DEPOT_TOWNS = ("Warszawa Śródmieście", "Piaseczno", "Pruszków", "Legionowo", "Otwock")
PRIORITY_SHARES = (
    (Priority.P1, 0.08),
    (Priority.P2, 0.22),
    (Priority.P3, 0.45),
    (Priority.P4, 0.25),
)
# How long after 08:00 the SLA allows, by priority (None: by the end of the day).
ARRIVE_WITHIN_H = {Priority.P1: 4, Priority.P2: 8, Priority.P3: None, Priority.P4: None}
SHIFTS = ((7, 15), (8, 16), (8, 17), (9, 18), (10, 19))
DEPOT_HOURS = (Window(7 * HOUR, 19 * HOUR),)


@dataclass(frozen=True)
class Shape:
    visits: int = 300
    engineers: int = 40
    pickup_share: float = 1 / 3


def _near(rng: random.Random, lat: float, lon: float, km: float) -> Point:
    # Roughly uniform in a disc of `km`; a degree of latitude is ~111 km.
    radius = km * rng.random() ** 0.5 / 111.0
    bearing = rng.uniform(0, 2 * math.pi)
    return Point(
        lat + radius * math.cos(bearing),
        lon + radius * math.sin(bearing) / math.cos(math.radians(lat)),
    )


def _town(rng: random.Random) -> tuple[str, float, float, int]:
    return rng.choices(TOWNS, weights=[t[3] for t in TOWNS])[0]


def generate(seed: int, shape: Shape = Shape()) -> tuple[FieldDay, list[Point]]:
    """The day and the coordinates of its places (index = place number)."""
    rng = random.Random(seed)
    places: list[Point] = []

    def place(point: Point) -> int:
        places.append(point)
        return len(places) - 1

    towns = {t[0]: t for t in TOWNS}
    depots = tuple(
        Depot(f"DEP-{n}", place(Point(towns[name][1], towns[name][2])), DEPOT_HOURS)
        for n, name in enumerate(DEPOT_TOWNS, 1)
    )
    engineers = []
    for n in range(shape.engineers):
        _, lat, lon, _ = _town(rng)
        home = place(_near(rng, lat, lon, 8))
        start_h, end_h = rng.choice(SHIFTS)
        carried = {sku: rng.randint(1, 2) for sku in rng.sample(SKUS, rng.randint(0, 3))}
        engineers.append(
            Engineer(
                key=f"E{n:02d}",
                start_place=home,
                end_place=home,
                shift=Window(start_h * HOUR, end_h * HOUR),
                skills=frozenset(rng.sample(SKILLS, rng.randint(2, 4))),
                van_stock=carried,
            )
        )
    visits = []
    for n in range(shape.visits):
        _, lat, lon, _ = _town(rng)
        priority = rng.choices(
            [p for p, _ in PRIORITY_SHARES], weights=[w for _, w in PRIORITY_SHARES]
        )[0]
        within = ARRIVE_WITHIN_H[priority]
        access = rng.random()
        if access < 0.6:
            windows = (Window(7 * HOUR, 20 * HOUR),)
        elif access < 0.8:
            windows = (Window(8 * HOUR, 12 * HOUR), Window(13 * HOUR, 17 * HOUR))
        elif access < 0.9:
            windows = (Window(8 * HOUR, 12 * HOUR),)
        else:
            windows = (Window(12 * HOUR, 18 * HOUR),)
        parts = None
        if rng.random() < shape.pickup_share:
            sku = rng.choice(SKUS)
            depot = rng.choice(depots)
            parts = PartNeed(skus={sku: 1}, depot=depot.key)
        visits.append(
            Visit(
                key=f"V{n:03d}",
                place=place(_near(rng, lat, lon, 6)),
                service_s=rng.choice((20, 30, 30, 45, 60)) * 60,
                windows=windows,
                priority=priority,
                arrive_by=None if within is None else (8 + within) * HOUR,
                skills=frozenset({rng.choice(SKILLS)}),
                parts=parts,
            )
        )
    matrix = GeodesicTravel(road_factor=1.3, speed_kmh=60.0).matrix(places)
    day = FieldDay(
        places=len(places),
        travel=matrix.seconds,
        engineers=tuple(engineers),
        visits=tuple(visits),
        depots=depots,
    )
    return day, places
