"""The schematic route map on the dispatcher's routes page: lat/lon projected into an SVG box.

No tiles and no JavaScript library: the page must work offline and under the CSP
(default-src 'self'), and a dispatcher needs the shape of the day (who goes where, in which
order), not streets. The projection is equirectangular with longitude scaled by cos(latitude)
at the middle of the area, which keeps distances in proportion over the span of a city or a
region (a few hundred km); it would distort a continent, which no day's route covers.

Pure: no Flask, no database. The template draws what `draw` returns and words the titles
(times are a rendering concern).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

# The viewBox is WIDTH wide; the SVG is scaled by CSS to its container, so these are units,
# not pixels. 400 is about a phone's width, so numbered markers stay readable there; the
# height bounds keep a long, thin day from making the figure a strip or a tower.
WIDTH = 400
PAD = 24
MIN_HEIGHT = 200
MAX_HEIGHT = 420
# Colours are classes (route-c0..), defined in app.css: the CSP forbids inline styles, and a
# fixed palette keeps the legend and the map in step.
PALETTE_SIZE = 8
# Below this span (degrees, about 100 m) every point is drawn at the centre rather than
# blowing one street up to fill the box.
MIN_SPAN_DEG = 0.001


class _Stop(Protocol):
    @property
    def seq(self) -> int: ...
    @property
    def kind(self) -> str: ...
    @property
    def lat(self) -> float: ...
    @property
    def lon(self) -> float: ...
    @property
    def depot_code(self) -> str | None: ...


class _Route(Protocol):
    @property
    def engineer_id(self) -> int: ...
    @property
    def start_lat(self) -> float: ...
    @property
    def start_lon(self) -> float: ...
    @property
    def end_lat(self) -> float: ...
    @property
    def end_lon(self) -> float: ...
    @property
    def stops(self) -> Sequence[_Stop]: ...


@dataclass(frozen=True)
class Point:
    x: float
    y: float


@dataclass(frozen=True)
class Marker:
    """One stop on the map; `stop` is the caller's stop, for the template's title."""

    at: Point
    stop: _Stop


@dataclass(frozen=True)
class MapRoute:
    route: _Route
    colour: int  # index into the palette: class route-c<colour>
    start: Point
    end: Point
    points: str  # the polyline's `points` attribute: start, each stop, end
    markers: tuple[Marker, ...]


@dataclass(frozen=True)
class DepotMark:
    code: str
    at: Point


@dataclass(frozen=True)
class RouteMap:
    width: int
    height: int
    routes: tuple[MapRoute, ...]
    depots: tuple[DepotMark, ...]


def colour_of(index: int) -> int:
    """The palette slot of the index-th route (colours repeat after PALETTE_SIZE)."""
    return index % PALETTE_SIZE


class _Projection:
    """Equirectangular, y down, fitted into the box with PAD on every side, centred."""

    def __init__(self, coords: Sequence[tuple[float, float]]) -> None:
        lats = [lat for lat, _ in coords]
        lons = [lon for _, lon in coords]
        self.k = math.cos(math.radians((min(lats) + max(lats)) / 2))
        self.x0 = min(lons) * self.k
        self.y0 = max(lats)
        span_x = max((max(lons) - min(lons)) * self.k, MIN_SPAN_DEG)
        span_y = max(max(lats) - min(lats), MIN_SPAN_DEG)
        inner_w = WIDTH - 2 * PAD
        # The box's height follows the area's shape (within bounds) so a long, thin day is
        # not squeezed into a square.
        self.height = round(min(max(span_y * inner_w / span_x + 2 * PAD, MIN_HEIGHT), MAX_HEIGHT))
        inner_h = self.height - 2 * PAD
        self.scale = min(inner_w / span_x, inner_h / span_y)
        self.off_x = PAD + (inner_w - ((max(lons) - min(lons)) * self.k) * self.scale) / 2
        self.off_y = PAD + (inner_h - (max(lats) - min(lats)) * self.scale) / 2

    def __call__(self, lat: float, lon: float) -> Point:
        x = self.off_x + (lon * self.k - self.x0) * self.scale
        y = self.off_y + (self.y0 - lat) * self.scale
        return Point(round(x, 1), round(y, 1))


def draw(routes: Sequence[_Route]) -> RouteMap | None:
    """The map of the routes that have stops; route i of `routes` gets colour_of(i) whether
    or not an earlier one is drawn, so the page's route list can colour itself the same way.
    None when no route has a stop (there is nothing to draw)."""
    drawn = [(index, route) for index, route in enumerate(routes) if route.stops]
    if not drawn:
        return None
    coords: list[tuple[float, float]] = []
    for _, route in drawn:
        coords.append((route.start_lat, route.start_lon))
        coords.extend((stop.lat, stop.lon) for stop in route.stops)
        coords.append((route.end_lat, route.end_lon))
    project = _Projection(coords)
    map_routes = []
    depots: dict[str, Point] = {}
    for index, route in drawn:
        start = project(route.start_lat, route.start_lon)
        end = project(route.end_lat, route.end_lon)
        markers = tuple(Marker(project(stop.lat, stop.lon), stop) for stop in route.stops)
        path = [start, *(marker.at for marker in markers), end]
        for marker in markers:
            if marker.stop.kind == "pickup" and marker.stop.depot_code:
                depots.setdefault(marker.stop.depot_code, marker.at)
        map_routes.append(
            MapRoute(
                route=route,
                colour=colour_of(index),
                start=start,
                end=end,
                points=" ".join(f"{p.x},{p.y}" for p in path),
                markers=markers,
            )
        )
    return RouteMap(
        width=WIDTH,
        height=project.height,
        routes=tuple(map_routes),
        depots=tuple(DepotMark(code, at) for code, at in sorted(depots.items())),
    )
