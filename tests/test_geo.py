"""Geodesic distances and the nearest-first ordering that keeps geopy calls few."""

from __future__ import annotations

import random

import pytest

from fieldops import geo
from fieldops.geo import Point, by_geodesic_distance, geodesic_km, haversine_km

WARSAW = Point(52.2297, 21.0122)
KRAKOW = Point(50.0647, 19.9450)


def test_geodesic_distance_warsaw_krakow_is_about_252_km() -> None:
    assert geodesic_km(WARSAW, KRAKOW) == pytest.approx(252.0, abs=2.0)
    assert geodesic_km(WARSAW, WARSAW) == 0.0


def test_haversine_stays_within_the_bound_the_search_relies_on() -> None:
    rng = random.Random(7)
    for _ in range(300):
        a = Point(rng.uniform(-80, 80), rng.uniform(-180, 180))
        b = Point(rng.uniform(-80, 80), rng.uniform(-180, 180))
        exact, sphere = geodesic_km(a, b), haversine_km(a, b)
        if exact > 1:
            assert abs(sphere - exact) / exact < geo.HAVERSINE_BOUND - 1


def test_ordering_is_exactly_by_geodesic_distance() -> None:
    rng = random.Random(11)
    items = [(i, Point(rng.uniform(49, 55), rng.uniform(14, 24))) for i in range(120)]
    ranked = by_geodesic_distance(WARSAW, items)
    expected = sorted(((geodesic_km(WARSAW, p), i) for i, p in items))
    assert [i for i, _ in ranked] == [i for _, i in expected]
    assert [d for _, d in ranked] == pytest.approx([d for d, _ in expected])


def test_reading_only_the_nearest_computes_few_geodesics(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(3)
    items = [(i, Point(rng.uniform(49, 55), rng.uniform(14, 24))) for i in range(200)]
    calls: list[int] = []
    real = geo.geodesic_km

    def counting(a: Point, b: Point) -> float:
        calls.append(1)
        return real(a, b)

    monkeypatch.setattr(geo, "geodesic_km", counting)
    first = next(iter(geo.iter_by_geodesic_distance(WARSAW, items)))
    assert first[0] == min(items, key=lambda item: real(WARSAW, item[1]))[0]
    assert len(calls) < 10


def test_ties_keep_their_input_order() -> None:
    same = [("a", KRAKOW), ("b", KRAKOW), ("c", KRAKOW)]
    assert [name for name, _ in by_geodesic_distance(WARSAW, same)] == ["a", "b", "c"]
