"""build_day: the snapshot of one day (reads only), and the mapping of the core's keys and
places back to engineers, jobs and depots."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from fieldops.dispatch.models import Job
from fieldops.dispatch.queries.candidates import (
    EngineerRow,
    ShiftBook,
    absences_between,
    engineer_rows,
    van_stock,
)
from fieldops.dispatch.queries.lookups import travel_model
from fieldops.errors import RuleViolationError
from fieldops.geo import Point
from fieldops.routing import day_rules
from fieldops.routing.day_builder import reads
from fieldops.routing.day_builder.reads import Busy, DepotRow, JobRow
from fieldops.routing.day_builder.timing import (
    HORIZON,
    calendar_windows,
    expected_finish,
    origin_of,
    seconds,
    shift_span,
    window,
)
from fieldops.routing.field import Depot, FieldDay, Priority, Visit, Window
from fieldops.routing.field import Engineer as FieldEngineer
from fieldops.routing.travel import GeodesicTravel, IntMatrix

# The depot key of parts no depot stocks: only a van already holding them can serve the job.
NO_DEPOT = "(no depot stocks them)"


@dataclass(frozen=True)
class PlannedEngineer:
    id: int
    key: str
    name: str
    start: Point
    end: Point
    starts_after_job_id: int | None = None


@dataclass(frozen=True)
class Snapshot:
    """The day for the core, and what maps its keys and places back to the database."""

    plan_on: date
    origin: datetime
    day: FieldDay
    points: tuple[Point, ...]  # per place index
    metres: IntMatrix
    engineers: Mapping[str, PlannedEngineer]  # by engineer key
    jobs: Mapping[str, int]  # visit key (the WO number) -> job id
    arrive_by: Mapping[int, datetime]  # job id -> its SLA arrive-by
    depots: Mapping[str, int]  # depot key (its code) -> location id
    dropped: tuple[tuple[int, str], ...]  # (job id, reason) left out before solving
    notes: tuple[str, ...]
    fingerprint: str

    def at(self, moment: int) -> datetime:
        """An instant from the core's seconds."""
        return self.origin + timedelta(seconds=moment)


def engineer_key(engineer_id: int, name: str) -> str:
    """Readable in the core's drop reasons ("locked to Nina Near #12"), unique by the id."""
    return f"{name} #{engineer_id}"


def region_code(region: str | None) -> str | None:
    """The depot code a region names, upper-cased; RuleViolationError naming `region` when no
    active depot has it."""
    if region is None or not region.strip():
        return None
    code = region.strip().upper()
    if not any(depot.code == code for depot in reads.active_depots()):
        raise RuleViolationError.on_field("region", f"No depot {region.strip()[:40]}.")
    return code


def region_of(point: Point) -> str | None:
    """The code of the active depot nearest a point: the region it belongs to."""
    return reads.nearest_depot(reads.active_depots())(point)


class _Places:
    """Distinct points (to 1e-6 degree), each one place of the day."""

    def __init__(self) -> None:
        self.points: list[Point] = []
        self._index: dict[tuple[float, float], int] = {}

    def index(self, point: Point) -> int:
        key = (round(point.lat, 6), round(point.lon, 6))
        if key not in self._index:
            self._index[key] = len(self.points)
            self.points.append(point)
        return self._index[key]


@dataclass
class _Crew:
    """The engineers of the day, and why the others are not."""

    planned: dict[str, PlannedEngineer] = field(default_factory=dict)
    shifts: list[tuple[EngineerRow, PlannedEngineer, Window]] = field(default_factory=list)
    unavailable: dict[int, str] = field(default_factory=dict)
    busy: list[Busy] = field(default_factory=list)


def build_day(
    plan_on: date,
    region: str | None,
    now: datetime,
    *,
    engineer_ids: Collection[int] | None = None,
    job_ids: Collection[int] | None = None,
    lock_to: int | None = None,
    job_order: Mapping[int, int] | None = None,
) -> Snapshot:
    """Read the day. Restricted to `engineer_ids` and `job_ids` (the open ones, due or not)
    when given, every visit locked to `lock_to` and kept in `job_order` (job id -> position)
    when given: a one-engineer day for re-timing a route. Reads only (STYLE 3.5); raises
    RuleViolationError naming `region` for an unknown depot code."""
    origin = origin_of(plan_on)
    depots = reads.active_depots()
    code = region_code(region)
    nearest = reads.nearest_depot(depots)
    notes: list[str] = []
    travel = _travel()
    crew = _crew(plan_on, now, origin, engineer_ids, code, nearest, travel, notes)
    jobs = reads.planned_jobs(plan_on, job_ids)
    if code is not None and job_ids is None:
        jobs = [row for row in jobs if nearest(row.site) == code]
    places = _Places()
    visits, keys, used, dropped, vans = _visits(
        jobs, crew, depots, places, origin, plan_on, lock_to, job_order or {}
    )
    day_depots = tuple(
        Depot(
            key=d.code,
            place=places.index(d.point),
            hours=calendar_windows(d.opening_hours, origin, origin + HORIZON),
        )
        for d in sorted(used.values(), key=lambda d: d.code)
    )
    engineers = tuple(
        FieldEngineer(
            key=planned.key,
            start_place=places.index(planned.start),
            end_place=places.index(planned.end),
            shift=shift,
            skills=row.skills,
            van_stock=dict(vans.get(row.id, {})),
            # The daily job capacity dispatch assigns against; a job under way holds a place.
            max_visits=max(0, row.capacity - (planned.starts_after_job_id is not None)),
        )
        for row, planned, shift in crew.shifts
    )
    matrix = travel.matrix(places.points)
    return Snapshot(
        plan_on=plan_on,
        origin=origin,
        day=FieldDay(len(places.points), matrix.seconds, engineers, tuple(visits), day_depots),
        points=tuple(places.points),
        metres=matrix.metres,
        engineers=crew.planned,
        jobs=keys,
        arrive_by={row.job.id: row.job.arrive_by for row in jobs},
        depots={d.code: d.id for d in used.values()},
        dropped=tuple(dropped),
        notes=tuple(notes),
        fingerprint=_fingerprint([row.job for row in jobs], crew.busy),
    )


def _crew(
    plan_on: date,
    now: datetime,
    origin: datetime,
    engineer_ids: Collection[int] | None,
    code: str | None,
    nearest: reads.Nearest,
    travel: GeodesicTravel,
    notes: list[str],
) -> _Crew:
    """Who works on the day, from where, in which window; why the others do not."""
    rows = engineer_rows(engineer_ids)
    homes = reads.homes([row.id for row in rows])
    if code is not None and engineer_ids is None:
        rows = [row for row in rows if nearest(homes[row.id]) == code]
    under_way = reads.under_way([row.id for row in rows])
    absences = absences_between(origin, origin + HORIZON)
    books: dict[str, ShiftBook] = {}
    crew = _Crew(busy=list(under_way.values()))
    for row in rows:
        span = shift_span(row, plan_on, books, absences.get(row.id, []), notes)
        if span is None:
            crew.unavailable[row.id] = f"is not on shift on {plan_on}"
            continue
        opens, closes = max(span[0], now), span[1]
        start, after = homes[row.id], None
        busy = under_way.get(row.id)
        if busy is not None:
            done = expected_finish(busy, row.point, now, travel)
            if done > opens:
                start, after, opens = busy.site, busy.job.id, done
        if opens >= closes:
            crew.unavailable[row.id] = (
                f"is busy on {busy.job.number} until the end of their shift"
                if busy is not None and after is not None
                else f"has no shift time left on {plan_on}"
            )
            continue
        key = engineer_key(row.id, row.name)
        planned = PlannedEngineer(row.id, key, row.name, start, homes[row.id], after)
        crew.planned[key] = planned
        crew.shifts.append((row, planned, window(origin, opens, closes)))
    return crew


def _visits(
    jobs: Sequence[JobRow],
    crew: _Crew,
    depots: Sequence[DepotRow],
    places: _Places,
    origin: datetime,
    plan_on: date,
    lock_to: int | None,
    job_order: Mapping[int, int],
) -> tuple[
    list[Visit],
    dict[str, int],
    dict[str, DepotRow],
    list[tuple[int, str]],
    dict[int, dict[str, int]],
]:
    """The visits (most urgent first), their keys, the depots they collect at, the jobs
    left out before solving with why, and the vans' available stock of their parts."""
    by_id = {planned.id: planned for planned in crew.planned.values()}
    needs = reads.job_parts([row.job.id for row in jobs])
    held = reads.reservations_of([row.job.number for row in jobs])
    skus = {sku for need in needs.values() for sku in need}
    vans = van_stock(skus)
    stock = reads.depot_stock(skus)
    stocked = [(d.code, d.point, stock.get(d.id, {})) for d in depots]
    visits: list[Visit] = []
    keys: dict[str, int] = {}
    used: dict[str, DepotRow] = {}
    dropped: list[tuple[int, str]] = []
    end = origin + HORIZON
    for row in sorted(jobs, key=lambda r: (r.job.priority, r.job.arrive_by, r.job.id)):
        job = row.job
        engineer_id = lock_to if lock_to is not None else job.engineer_id
        locked = by_id.get(engineer_id) if engineer_id is not None else None
        if engineer_id is not None and locked is None:
            dropped.append((job.id, reads.unavailable_reason(engineer_id, crew.unavailable)))
            continue
        parts = day_rules.part_need(
            needs.get(job.id, {}),
            held.get(job.number, []),
            engineer_id,
            site=row.site,
            depots=stocked,
            no_depot=NO_DEPOT,
        )
        if parts is not None and parts.depot == NO_DEPOT:
            carriers = [vans.get(locked.id, {})] if locked else list(vans.values())
            if not any(day_rules.holds(van, parts.skus) for van in carriers):
                listed = ", ".join(sorted(parts.skus))
                dropped.append((job.id, f"its parts ({listed}) are in no depot or van"))
                continue
        elif parts is not None:
            used[parts.depot] = next(d for d in depots if d.code == parts.depot)
        visits.append(
            Visit(
                key=job.number,
                place=places.index(row.site),
                service_s=job.duration_min * 60,
                windows=calendar_windows(job.access_hours, origin, end, job.duration_min * 60),
                priority=Priority[job.priority],
                arrive_by=max(0, seconds(origin, job.arrive_by)),
                skills=frozenset(job.required_skills or ()),
                parts=parts,
                locked_to=locked.key if locked is not None else None,
                locked_order=job_order.get(job.id),
            )
        )
        keys[job.number] = job.id
    return visits, keys, used, dropped, vans


def _travel() -> GeodesicTravel:
    model = travel_model()
    return GeodesicTravel(road_factor=model.road_factor, speed_kmh=model.speed_kmh)


def _fingerprint(jobs: Sequence[Job], busy: Sequence[Busy]) -> str:
    """What the snapshot depended on: each job's id, status, engineer and last change."""
    facts = sorted(
        (job.id, job.status, job.engineer_id or 0, job.updated_at.isoformat())
        for job in [*jobs, *(b.job for b in busy)]
    )
    return hashlib.sha256(json.dumps(facts).encode()).hexdigest()
