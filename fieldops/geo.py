"""Distances on the Earth: geodesic (WGS-84, geopy) for exact single answers, a haversine
bound to keep the number of geodesic calls small, and the nearest-point search both serve."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from geopy.distance import geodesic

EARTH_MEAN_RADIUS_KM = 6371.0088
# The sphere's distance is within 0.56 % of the WGS-84 geodesic for any pair of points; a
# candidate farther than this factor beyond the best by haversine cannot be nearer by geodesic.
HAVERSINE_BOUND = 1.02

T = TypeVar("T")


@dataclass(frozen=True)
class Point:
    lat: float
    lon: float


def geodesic_km(a: Point, b: Point) -> float:
    """The WGS-84 geodesic distance in km (geopy, about 0.2 ms a call)."""
    return float(geodesic((a.lat, a.lon), (b.lat, b.lon)).km)


def haversine_km(a: Point, b: Point) -> float:
    """Great-circle distance on the mean sphere in km: fast, within 0.56 % of the geodesic."""
    phi1, phi2 = math.radians(a.lat), math.radians(b.lat)
    dphi = phi2 - phi1
    dlam = math.radians(b.lon - a.lon)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlam / 2) ** 2
    return 2 * EARTH_MEAN_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def by_geodesic_distance(origin: Point, items: Iterable[tuple[T, Point]]) -> list[tuple[T, float]]:
    """Items in increasing geodesic distance (km) from origin, ties kept in input order.

    Every item is ranked by geodesic distance, but geopy is called lazily: items are first
    ordered by haversine, and an item's geodesic is computed only when it might come next
    (its haversine lower bound is not beyond the best geodesic still waiting). A caller that
    reads only the first few entries therefore pays for a handful of geopy calls, not one per
    item.
    """
    return list(iter_by_geodesic_distance(origin, items))


def iter_by_geodesic_distance(
    origin: Point, items: Iterable[tuple[T, Point]]
) -> Iterable[tuple[T, float]]:
    """Lazy form of by_geodesic_distance: stop iterating and the remaining geodesics are never
    computed."""
    ranked: Sequence[tuple[float, int, T, Point]] = sorted(
        (haversine_km(origin, point), index, item, point)
        for index, (item, point) in enumerate(items)
    )
    # Items whose geodesic is known, waiting to be yielded: (geodesic, index, item).
    pending: list[tuple[float, int, T]] = []
    position = 0
    while position < len(ranked) or pending:
        # Refine every item whose haversine bound could still beat the best pending geodesic.
        while position < len(ranked) and (
            not pending or ranked[position][0] <= min(pending)[0] * HAVERSINE_BOUND
        ):
            _, index, item, point = ranked[position]
            pending.append((geodesic_km(origin, point), index, item))
            position += 1
        best = min(pending)
        pending.remove(best)
        yield best[2], best[0]
