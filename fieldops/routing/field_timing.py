"""Stop times of a route in a given order: window arithmetic and the forward/backward passes
that turn an ordered list of stops into a `Route` (pure).

The planners (OR-Tools, greedy) decide only *who goes where in which order*; the times they
report all come from here, so they are exact, reproducible and the same whichever planner ran.

- `start` is the earliest the stop can start: the engineer drives on as soon as the last
  stop is done and waits on site only for a window to open (a forward pass).
- `slack` is the longest delay the stop's start can take, with every later stop then
  starting as early as it can, while every later window and the shift end still hold and the
  stop itself stays inside the window it starts in (a backward pass of latest starts). It
  ignores `arrive_by`: the SLA deadline is soft, slack is about the hard limits.
- `leave` is the latest departure from the start place that still reaches the first stop at
  its start, so nobody sits outside a closed site because they left home at shift start.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from fieldops.routing.field import Depot, Engineer, FieldDay, Route, Stop, Visit, Window
from fieldops.routing.field_check import PlanViolationError


def merged(windows: Iterable[Window]) -> tuple[Window, ...]:
    """Windows sorted and merged where they overlap or touch (times are whole seconds)."""
    result: list[Window] = []
    for window in sorted(windows, key=lambda w: (w.start, w.end)):
        if result and window.start <= result[-1].end + 1:
            last = result.pop()
            window = Window(last.start, max(last.end, window.end))
        result.append(window)
    return tuple(result)


def earliest_in(windows: Sequence[Window], moment: int) -> int | None:
    """The first second at or after `moment` inside merged `windows`, or None."""
    position = bisect.bisect_left([w.end for w in windows], moment)
    if position == len(windows):
        return None
    return max(moment, windows[position].start)


def latest_in(windows: Sequence[Window], moment: int) -> int | None:
    """The last second at or before `moment` inside merged `windows`, or None."""
    position = bisect.bisect_right([w.start for w in windows], moment) - 1
    if position < 0:
        return None
    return min(moment, windows[position].end)


def end_of_window_at(windows: Sequence[Window], moment: int) -> int:
    """The end of the merged window containing `moment` (which must be inside one)."""
    position = bisect.bisect_right([w.start for w in windows], moment) - 1
    return windows[position].end


@dataclass(frozen=True)
class StopSpec:
    """A stop before it has times: where, how long, when it may start (merged windows)."""

    kind: str
    key: str
    place: int
    service_s: int
    windows: tuple[Window, ...]
    arrive_by: int | None = None
    for_visit: str | None = None


def visit_spec(visit: Visit) -> StopSpec:
    return StopSpec(
        "visit", visit.key, visit.place, visit.service_s, merged(visit.windows), visit.arrive_by
    )


def pickup_spec(depot: Depot, visit: Visit) -> StopSpec:
    return StopSpec(
        "pickup",
        depot.key,
        depot.place,
        depot.pickup_service_s,
        merged(depot.hours),
        None,
        visit.key,
    )


@dataclass(frozen=True)
class Schedule:
    """Timing of stops in a fixed order: `legs[i]` is the drive into stop i (the last leg is
    the drive home), `starts` the earliest and `latest` the latest start of each stop."""

    legs: tuple[int, ...]
    starts: tuple[int, ...]
    latest: tuple[int, ...]


def schedule(day: FieldDay, engineer: Engineer, specs: Sequence[StopSpec]) -> Schedule:
    """Earliest and latest starts of `specs` in this order for `engineer`.

    Raises PlanViolationError when the order cannot be kept inside the windows and the shift:
    the planners only hand over orders they believe feasible, so that is a bug.
    """
    places = [engineer.start_place, *(s.place for s in specs), engineer.end_place]
    legs = tuple(day.travel[a][b] for a, b in pairwise(places))
    starts: list[int] = []
    departure = engineer.shift.start
    for index, spec in enumerate(specs):
        start = earliest_in(spec.windows, departure + legs[index])
        if start is None:
            raise PlanViolationError(
                "window",
                f"no window left for {spec.kind} {spec.key} in this order",
                engineer=engineer.key,
                visit=spec.for_visit or spec.key,
            )
        starts.append(start)
        departure = start + spec.service_s
    if departure + legs[-1] > engineer.shift.end:
        raise PlanViolationError(
            "shift",
            f"back at {departure + legs[-1]}, after the shift ends at {engineer.shift.end}",
            engineer=engineer.key,
        )
    latest = _latest_starts(engineer, specs, legs)
    for spec, start, last in zip(specs, starts, latest, strict=True):
        if last < start:
            raise PlanViolationError(
                "shift",
                f"{spec.kind} {spec.key} cannot start in time for the rest of the route",
                engineer=engineer.key,
                visit=spec.for_visit or spec.key,
            )
    return Schedule(legs, tuple(starts), tuple(latest))


def build_route(day: FieldDay, engineer: Engineer, specs: Sequence[StopSpec]) -> Route:
    """The timed route of `engineer` through `specs` in this order (see the module docstring
    for what each time means). Raises PlanViolationError like `schedule`."""
    timing = schedule(day, engineer, specs)
    legs = timing.legs
    stops: list[Stop] = []
    departure = engineer.shift.start
    if specs:
        departure = max(departure, timing.starts[0] - legs[0])
    leave = departure
    for index, spec in enumerate(specs):
        start = timing.starts[index]
        slack = min(timing.latest[index], end_of_window_at(spec.windows, start)) - start
        late_by = max(0, start - spec.arrive_by) if spec.arrive_by is not None else 0
        stops.append(
            Stop(
                kind=spec.kind,
                key=spec.key,
                place=spec.place,
                arrival=departure + legs[index],
                start=start,
                departure=start + spec.service_s,
                slack=slack,
                late_by=late_by,
                for_visit=spec.for_visit,
            )
        )
        departure = start + spec.service_s
    return Route(engineer.key, tuple(stops), leave, departure + legs[-1], sum(legs))


_NEVER = -(2**63)


def _latest_starts(engineer: Engineer, specs: Sequence[StopSpec], legs: Sequence[int]) -> list[int]:
    """Latest start of each stop keeping every later stop and the return inside their limits
    (a stop whose limits cannot be met gets a latest start below every possible start)."""
    latest = [_NEVER] * len(specs)
    bound = engineer.shift.end  # latest arrival at the next place
    for index in range(len(specs) - 1, -1, -1):
        spec = specs[index]
        moment = latest_in(spec.windows, bound - legs[index + 1] - spec.service_s)
        if moment is None:
            # Nothing earlier can help; mark this and every earlier stop impossible.
            return latest
        latest[index] = moment
        bound = moment
    return latest
