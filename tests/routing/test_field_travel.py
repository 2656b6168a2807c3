"""Travel matrices: the geodesic estimate is vectorised, exact on the diagonal, symmetric,
rounded the safe way, and agrees with fieldops.geo.haversine_km."""

from __future__ import annotations

import math
import random
import time

import pytest

from fieldops.geo import Point, haversine_km
from fieldops.routing.field import FieldDay
from fieldops.routing.travel import (
    GeodesicTravel,
    TravelMatrix,
    TravelProvider,
    haversine_km_matrix,
)

AMSTERDAM = Point(52.3676, 4.9041)
UTRECHT = Point(52.0907, 5.1214)
ROTTERDAM = Point(51.9244, 4.4777)


def points(count: int, seed: int = 3) -> list[Point]:
    rng = random.Random(seed)
    return [Point(rng.uniform(-60, 60), rng.uniform(-180, 180)) for _ in range(count)]


def test_diagonal_is_zero_and_matrix_is_symmetric() -> None:
    matrix = GeodesicTravel(road_factor=1.3, speed_kmh=50).matrix(points(40))
    n = len(matrix.seconds)
    assert all(matrix.seconds[i][i] == 0 and matrix.metres[i][i] == 0 for i in range(n))
    assert all(
        matrix.seconds[i][j] == matrix.seconds[j][i] and matrix.metres[i][j] == matrix.metres[j][i]
        for i in range(n)
        for j in range(n)
    )


def test_the_same_place_twice_is_exactly_zero_apart() -> None:
    matrix = GeodesicTravel(road_factor=1.4, speed_kmh=30).matrix([UTRECHT, AMSTERDAM, UTRECHT])
    assert matrix.seconds[0][2] == matrix.seconds[2][0] == 0
    assert matrix.metres[0][2] == 0
    assert matrix.seconds[0][1] > 0


def test_metres_match_haversine_times_road_factor_within_rounding() -> None:
    sample = [AMSTERDAM, UTRECHT, ROTTERDAM, *points(30)]
    factor = 1.25
    matrix = GeodesicTravel(road_factor=factor, speed_kmh=60).matrix(sample)
    for i, a in enumerate(sample):
        for j, b in enumerate(sample):
            expected = haversine_km(a, b) * factor * 1000
            assert abs(matrix.metres[i][j] - expected) <= 0.5 + 1e-6 * expected


def test_seconds_are_rounded_up_from_the_road_distance() -> None:
    sample = [AMSTERDAM, UTRECHT, ROTTERDAM, *points(20)]
    travel = GeodesicTravel(road_factor=1.3, speed_kmh=45)
    matrix = travel.matrix(sample)
    for i, a in enumerate(sample):
        for j, b in enumerate(sample):
            exact_s = haversine_km(a, b) * 1.3 / 45 * 3600
            assert exact_s - 1e-6 <= matrix.seconds[i][j] < exact_s + 1 + 1e-6


def test_amsterdam_to_utrecht_is_about_forty_minutes_at_city_speeds() -> None:
    matrix = GeodesicTravel(road_factor=1.3, speed_kmh=60).matrix([AMSTERDAM, UTRECHT])
    # 34.6 km as the crow flies, 45 km by road, 45 minutes at 60 km/h.
    assert 44_000 < matrix.metres[0][1] < 46_000
    assert math.isclose(matrix.seconds[0][1], matrix.metres[0][1] * 3.6 / 60, abs_tol=1)


def test_values_are_plain_ints_usable_as_a_field_day_matrix() -> None:
    matrix = GeodesicTravel().matrix([AMSTERDAM, UTRECHT])
    assert all(type(value) is int for row in matrix.seconds + matrix.metres for value in row)
    day = FieldDay(places=2, travel=matrix.seconds, engineers=(), visits=())
    assert day.travel[0][1] == matrix.seconds[0][1]


def test_no_points_give_an_empty_matrix() -> None:
    assert GeodesicTravel().matrix([]) == TravelMatrix(seconds=(), metres=())


def test_the_matrix_is_one_vectorised_pass() -> None:
    # A million pairs: a Python loop over haversine_km takes well over a second here.
    sample = points(1000)
    began = time.perf_counter()
    km = haversine_km_matrix(sample)
    assert time.perf_counter() - began < 0.5
    assert km.shape == (1000, 1000)
    assert km[17][923] == pytest.approx(haversine_km(sample[17], sample[923]), rel=1e-9)


def test_geodesic_travel_is_a_travel_provider() -> None:
    provider: TravelProvider = GeodesicTravel(road_factor=1.2, speed_kmh=40)
    assert provider.matrix([AMSTERDAM]).seconds == ((0,),)


@pytest.mark.parametrize(
    ("road_factor", "speed_kmh"), [(0.9, 40), (1.3, 0), (1.3, -5), (math.nan, 40), (1.3, math.inf)]
)
def test_nonsense_factors_are_refused(road_factor: float, speed_kmh: float) -> None:
    with pytest.raises(ValueError, match="must be"):
        GeodesicTravel(road_factor=road_factor, speed_kmh=speed_kmh)
