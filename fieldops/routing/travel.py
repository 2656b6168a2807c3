"""Travel-time matrices between places: the provider seam and the geodesic estimate (pure).

A road-matrix service (OSRM, Valhalla) can replace the estimate later by implementing
`TravelProvider`; the planner only ever sees a `TravelMatrix` of whole seconds and metres.

The estimate is the haversine distance on the mean Earth sphere times a road factor (roads
are longer than the great circle), driven at a constant speed. It is computed for all pairs in
one vectorised NumPy pass: a 200x200 matrix takes about a millisecond, where geopy's geodesic
would take seconds (see STACK.md, "distances").
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from fieldops.geo import EARTH_MEAN_RADIUS_KM, Point

IntMatrix = tuple[tuple[int, ...], ...]


@dataclass(frozen=True)
class TravelMatrix:
    """`seconds[i][j]` and `metres[i][j]` from point i to point j, whole numbers, 0 on the
    diagonal. `seconds` is what `FieldDay.travel` takes."""

    seconds: IntMatrix
    metres: IntMatrix


class TravelProvider(Protocol):
    """Anything that turns points into a travel matrix (in the order given)."""

    def matrix(self, points: Sequence[Point]) -> TravelMatrix: ...


@dataclass(frozen=True)
class GeodesicTravel:
    """Straight-line travel: haversine km x `road_factor`, at `speed_kmh`.

    Metres are rounded to the nearest metre; seconds are rounded *up* from the unrounded road
    distance, so a plan that is feasible in these whole seconds is feasible in real ones (the
    estimate never makes a leg shorter than the model says). Two identical points are exactly
    0 apart, and the matrix is exactly symmetric.
    """

    road_factor: float = 1.3
    speed_kmh: float = 40.0

    def __post_init__(self) -> None:
        if not (math.isfinite(self.road_factor) and self.road_factor >= 1.0):
            raise ValueError(f"road_factor must be a finite number >= 1, not {self.road_factor}")
        if not (math.isfinite(self.speed_kmh) and self.speed_kmh > 0):
            raise ValueError(f"speed_kmh must be a finite positive number, not {self.speed_kmh}")

    def matrix(self, points: Sequence[Point]) -> TravelMatrix:
        road_m = self.road_factor * 1000.0 * haversine_km_matrix(points)
        metres = np.rint(road_m).astype(np.int64)
        # Dividing by the speed in m/s and rounding up; 0 m stays exactly 0 s.
        seconds = np.ceil(road_m * 3.6 / self.speed_kmh).astype(np.int64)
        return TravelMatrix(seconds=_as_tuples(seconds), metres=_as_tuples(metres))


def haversine_km_matrix(points: Sequence[Point]) -> np.ndarray:
    """All-pairs great-circle distances (km) on the mean sphere, one vectorised pass.

    Same formula as `fieldops.geo.haversine_km`. Only the upper triangle is trusted and
    mirrored, so the result is symmetric to the last bit whatever the floating point does.
    """
    if not points:
        return np.zeros((0, 0))
    lat = np.radians(np.fromiter((p.lat for p in points), dtype=float, count=len(points)))
    lon = np.radians(np.fromiter((p.lon for p in points), dtype=float, count=len(points)))
    dphi = lat[None, :] - lat[:, None]
    dlam = lon[None, :] - lon[:, None]
    h = np.sin(dphi / 2) ** 2 + np.cos(lat)[:, None] * np.cos(lat)[None, :] * np.sin(dlam / 2) ** 2
    km = 2 * EARTH_MEAN_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    upper = np.triu(km, k=1)
    return upper + upper.T


def _as_tuples(matrix: np.ndarray) -> IntMatrix:
    return tuple(tuple(int(value) for value in row) for row in matrix.tolist())
