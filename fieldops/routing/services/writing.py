"""Writing a solved route and a plan's drops as rows: times from the core's seconds, legs
measured on the snapshot's matrices, jobs that changed meanwhile left out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import NamedTuple

from fieldops.db import db
from fieldops.engineers.models import Engineer
from fieldops.routing.day_builder import Snapshot
from fieldops.routing.field import Route, Stop
from fieldops.routing.models import EngineerRoute, RouteDrop, RouteStop, StopKind


class JobState(NamedTuple):
    """A job as it is when the plan is written (re-read after the solve)."""

    status: str
    engineer_id: int | None
    open: bool  # still to be planned: unassigned, assigned or awaiting parts


def _engineer_name(engineer_id: int) -> str:
    engineer = db.session.get(Engineer, engineer_id)
    return engineer.name if engineer is not None else f"engineer {engineer_id}"


def write_route(
    plan_id: int, snapshot: Snapshot, route: Route, states: Mapping[int, JobState]
) -> list[tuple[int, str]]:
    """Add one engineer's route and its stops; returns the jobs left out because they went
    to another engineer meanwhile, with why (jobs no longer open are left out silently)."""
    planned = snapshot.engineers[route.engineer]
    engineer = next(e for e in snapshot.day.engineers if e.key == route.engineer)
    kept_visits: set[str] = set()
    moved: list[tuple[int, str]] = []
    for stop in route.stops:
        if stop.kind != StopKind.VISIT:
            continue
        job_id = snapshot.jobs[stop.key]
        state = states.get(job_id)
        if state is None or not state.open:
            continue
        if state.engineer_id is not None and state.engineer_id != planned.id:
            name = _engineer_name(state.engineer_id)
            moved.append((job_id, f"it was assigned to {name} while the plan was being made"))
            continue
        kept_visits.add(stop.key)
    stops = [
        stop
        for stop in route.stops
        if (stop.key if stop.kind == StopKind.VISIT else stop.for_visit) in kept_visits
    ]
    if not stops:
        return moved
    travel, metres = snapshot.day.travel, snapshot.metres
    previous = engineer.start_place
    travel_total = distance_total = 0
    for seq, stop in enumerate(stops, start=1):
        leg_s, leg_m = travel[previous][stop.place], metres[previous][stop.place]
        travel_total += leg_s
        distance_total += leg_m
        db.session.add(_stop_row(plan_id, planned.id, seq, stop, snapshot, leg_s, leg_m))
        previous = stop.place
    travel_total += travel[previous][engineer.end_place]
    distance_total += metres[previous][engineer.end_place]
    db.session.add(
        EngineerRoute(
            plan_id=plan_id,
            engineer_id=planned.id,
            leave_at=snapshot.at(route.leave),
            back_at=snapshot.at(max(route.back, route.leave)),
            travel_s=travel_total,
            distance_m=distance_total,
            start_lat=planned.start.lat,
            start_lon=planned.start.lon,
            end_lat=planned.end.lat,
            end_lon=planned.end.lon,
            starts_after_job_id=planned.starts_after_job_id,
        )
    )
    return moved


def _stop_row(
    plan_id: int,
    engineer_id: int,
    seq: int,
    stop: Stop,
    snapshot: Snapshot,
    leg_s: int,
    leg_m: int,
) -> RouteStop:
    start_at = snapshot.at(stop.start)
    if stop.kind == StopKind.VISIT:
        job_id: int | None = snapshot.jobs[stop.key]
        location_id, for_job_id = None, None
        due = snapshot.arrive_by[snapshot.jobs[stop.key]]
        late_s = max(0, int((start_at - due).total_seconds()))
    else:
        job_id, location_id = None, snapshot.depots[stop.key]
        for_job_id = snapshot.jobs[stop.for_visit] if stop.for_visit else None
        late_s = 0
    return RouteStop(
        plan_id=plan_id,
        engineer_id=engineer_id,
        seq=seq,
        kind=stop.kind,
        job_id=job_id,
        location_id=location_id,
        for_job_id=for_job_id,
        arrive_at=snapshot.at(stop.arrival),
        start_at=start_at,
        depart_at=snapshot.at(stop.departure),
        slack_s=max(0, stop.slack),
        late_s=late_s,
        travel_s=leg_s,
        distance_m=leg_m,
    )


def write_drops(
    plan_id: int, drops: Iterable[tuple[int, str]], states: Mapping[int, JobState]
) -> None:
    """One row per job still open (the first reason given for it wins)."""
    seen: set[int] = set()
    for job_id, reason in drops:
        state = states.get(job_id)
        if job_id in seen or state is None or not state.open:
            continue
        seen.add(job_id)
        db.session.add(RouteDrop(plan_id=plan_id, job_id=job_id, reason=reason))
