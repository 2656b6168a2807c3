"""Who can take a job: every engineer's state against it (skills, shift periods to the
arrive-by with absences cut out, the day's load, travel from their position, parts in the
van), ranked by dispatch/scoring.py.

Set-based: a handful of queries whatever the number of engineers. Distances are first taken
on the sphere (haversine, microseconds each); the candidates returned are then measured
again on the WGS-84 ellipsoid (geopy's geodesic) and re-ranked, so the travel shown is the
geodesic one while a 2,000-engineer search stays cheap.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import String, Text, cast, func, or_, select

from fieldops.customers.models import Site
from fieldops.db import db
from fieldops.dispatch.models import Job, JobPart
from fieldops.dispatch.queries.lookups import (
    TravelModel,
    job_by_number,
    travel_model,
)
from fieldops.dispatch.rules import FINISHED, HELD
from fieldops.dispatch.scoring import (
    DEFAULT_WEIGHTS,
    EngineerState,
    JobNeed,
    Period,
    Ranking,
    Weights,
    rank,
)
from fieldops.engineers.models import Absence, Engineer
from fieldops.errors import ConflictError
from fieldops.geo import Point, geodesic_km, haversine_km
from fieldops.inventory.models import PartType, StockLevel, StockLocation
from fieldops.tickets import sla
from fieldops.tickets.models import Ticket

# Shifts are read this far past a job's arrive-by (or past now, once that has gone).
LATE_HORIZON = timedelta(hours=24)
REFINED_EXTRA = 5


@lru_cache(maxsize=512)
def _calendar(timezone: str, shifts_json: str) -> sla.Calendar:
    hours = json.loads(shifts_json)
    return sla.Calendar.from_document({"timezone": timezone, "hours": hours, "holidays": []})


def _pattern_periods(
    timezone: str, shifts_json: str, start: datetime, end: datetime
) -> list[Period]:
    calendar = _calendar(timezone, shifts_json)
    if not calendar.has_hours:
        return []
    return list(sla.working_periods(calendar, start, end))


def _without(periods: list[Period], absences: Sequence[Period]) -> list[Period]:
    for away_start, away_end in sorted(absences):
        kept: list[Period] = []
        for opens, closes in periods:
            if away_end <= opens or away_start >= closes:
                kept.append((opens, closes))
                continue
            if opens < away_start:
                kept.append((opens, away_start))
            if away_end < closes:
                kept.append((away_end, closes))
        periods = kept
    return periods


def shift_periods(
    timezone: str,
    shifts: Mapping[str, object] | str,
    start: datetime,
    end: datetime,
    absences: Sequence[Period] = (),
) -> list[Period]:
    """An engineer's working periods in [start, end) as UTC pairs, absences cut out.
    `shifts` is the weekly pattern, or its JSON text as stored."""
    text = shifts if isinstance(shifts, str) else json.dumps(shifts, sort_keys=True)
    return _without(_pattern_periods(timezone, text, start, end), absences)


class ShiftBook:
    """Shift periods over one window for many engineers: each distinct (zone, pattern) is
    expanded once (a rota has a handful of patterns for thousands of engineers), and
    absences are cut only for the engineers who have them."""

    def __init__(self, start: datetime, end: datetime, absences: Mapping[int, list[Period]]):
        self.start, self.end, self.absences = start, end, absences
        self._patterns: dict[tuple[str, str], list[Period]] = {}

    def of(self, row: EngineerRow) -> list[Period]:
        key = (row.timezone, row.shifts)
        periods = self._patterns.get(key)
        if periods is None:
            periods = _pattern_periods(row.timezone, row.shifts, self.start, self.end)
            self._patterns[key] = periods
        away = self.absences.get(row.id)
        return _without(periods, away) if away else periods


def window_end(job: Job, now: datetime) -> datetime:
    """How far ahead shifts are read for a job: a day past its arrive-by (or past now, when
    that has gone), so someone on shift in time who cannot get there in time is still a
    candidate, ranked as late, rather than wrongly "not on shift"."""
    return max(job.arrive_by, now) + LATE_HORIZON


class EngineerRow(NamedTuple):
    id: int
    name: str
    skills: frozenset[str]
    timezone: str
    shifts: str  # the weekly pattern's JSON text, as stored (a cache key, never re-encoded)
    capacity: int
    point: Point


@lru_cache(maxsize=1024)
def _skill_set(skills_json: str) -> frozenset[str]:
    # Read as text and parsed once per distinct set: thousands of engineers share a few.
    return frozenset(json.loads(skills_json))


def engineer_rows(
    ids: Collection[int] | None = None, *, skills: Collection[str] = ()
) -> list[EngineerRow]:
    """Active engineers, each at their last known position (their home base until one is
    reported). `skills`: only those with every one of them, matched in the database (a tag
    is lower-case letters, digits and dashes, so its quoted JSON form matches exactly)."""
    statement = select(
        Engineer.id,
        Engineer.name,
        cast(Engineer.skills, Text),
        Engineer.timezone,
        cast(Engineer.shifts, Text),
        Engineer.daily_capacity,
        Engineer.position_lat,
        Engineer.position_lon,
        Engineer.home_lat,
        Engineer.home_lon,
    ).where(Engineer.is_active.is_(True))
    if ids is not None:
        statement = statement.where(Engineer.id.in_(list(ids)))
    for tag in skills:
        statement = statement.where(cast(Engineer.skills, String).like(f'%"{tag}"%'))
    return [
        EngineerRow(
            id=row[0],
            name=row[1],
            skills=_skill_set(row[2] or "[]"),
            timezone=row[3],
            shifts=row[4] or "{}",
            capacity=row[5],
            point=(
                Point(row[6], row[7])
                if row[6] is not None and row[7] is not None
                else Point(row[8], row[9])
            ),
        )
        for row in db.session.execute(statement.order_by(Engineer.id))
    ]


def absences_between(start: datetime, end: datetime) -> dict[int, list[Period]]:
    found: dict[int, list[Period]] = defaultdict(list)
    for engineer_id, starts, ends in db.session.execute(
        select(Absence.engineer_id, Absence.starts_at, Absence.ends_at).where(
            Absence.starts_at < end, Absence.ends_at > start
        )
    ):
        found[engineer_id].append((starts, ends))
    return found


def local_day(day_of: datetime, timezone: str) -> tuple[datetime, datetime]:
    """The [start, end) in UTC of the local date of `day_of` in a zone."""
    zone = ZoneInfo(timezone)
    local = day_of.astimezone(zone).date()
    start = datetime.combine(local, datetime.min.time(), zone)
    return start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)


def day_loads(
    day_of: datetime, rows: Sequence[EngineerRow], exclude_job: int | None
) -> dict[int, int]:
    """Jobs each engineer already holds on the local day (in their zone) of `day_of`: one
    counting query, each time zone among the engineers bounding its own local day."""
    by_zone: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        by_zone[row.timezone].append(row.id)
    if not by_zone:
        return {}
    days = []
    for timezone in by_zone:
        start, end = local_day(day_of, timezone)
        days.append(
            (Engineer.timezone == timezone) & (Job.arrive_by >= start) & (Job.arrive_by < end)
        )
    statement = (
        select(Job.engineer_id, func.count())
        .join(Engineer, Engineer.id == Job.engineer_id)
        .where(
            Job.status.in_([str(s) for s in HELD]),
            Job.id != (exclude_job or 0),
            or_(*days),
        )
        .group_by(Job.engineer_id)
    )
    # A handful of engineers (one assignment): name them; many: filter after counting.
    ids = [row.id for row in rows]
    if len(ids) <= 100:
        statement = statement.where(Job.engineer_id.in_(ids))
    wanted = set(ids)
    return {
        int(engineer_id): int(count)
        for engineer_id, count in db.session.execute(statement)
        if engineer_id in wanted
    }


class DayLoads:
    """Held jobs per engineer and local day (in their zone), counted once for a batch of
    jobs and kept up to date as the batch gives jobs out (auto-assign)."""

    SPAN = timedelta(hours=38)  # any zone's local day lies within a day and 14 h of UTC

    def __init__(self, rows: Sequence[EngineerRow], days: Sequence[datetime]) -> None:
        self.by_zone: dict[str, list[int]] = defaultdict(list)
        for row in rows:
            self.by_zone[row.timezone].append(row.id)
        self.zone_of = {row.id: row.timezone for row in rows}
        self.counts: dict[tuple[int, date], int] = defaultdict(int)
        self.zones = zones = {name: ZoneInfo(name) for name in self.by_zone}
        if not days:
            return
        for engineer_id, arrive_by in db.session.execute(
            select(Job.engineer_id, Job.arrive_by).where(
                Job.status.in_([str(s) for s in HELD]),
                Job.arrive_by >= min(days) - self.SPAN,
                Job.arrive_by <= max(days) + self.SPAN,
            )
        ):
            if engineer_id is None or engineer_id not in self.zone_of:
                continue
            zone = zones[self.zone_of[engineer_id]]
            self.counts[(engineer_id, arrive_by.astimezone(zone).date())] += 1

    def on(self, day_of: datetime) -> dict[int, int]:
        """Each engineer's held jobs on the local date of `day_of`."""
        loads: dict[int, int] = {}
        for name, ids in self.by_zone.items():
            local = day_of.astimezone(self.zones[name]).date()
            for engineer_id in ids:
                loads[engineer_id] = self.counts.get((engineer_id, local), 0)
        return loads

    def add(self, engineer_id: int, day_of: datetime) -> None:
        zone = self.zones[self.zone_of[engineer_id]]
        self.counts[(engineer_id, day_of.astimezone(zone).date())] += 1


def van_stock(skus: Collection[str]) -> dict[int, dict[str, int]]:
    """Available stock of these SKUs in each engineer's van: {engineer_id: {sku: n}}."""
    if not skus:
        return {}
    found: dict[int, dict[str, int]] = defaultdict(dict)
    for engineer_id, sku, available in db.session.execute(
        select(StockLocation.engineer_id, PartType.sku, StockLevel.on_hand - StockLevel.reserved)
        .join(StockLevel, StockLevel.location_id == StockLocation.id)
        .join(PartType, PartType.id == StockLevel.part_type_id)
        .where(StockLocation.kind == "van", PartType.sku.in_(list(skus)))
    ):
        if engineer_id is not None and available > 0:
            found[engineer_id][sku] = int(available)
    return found


@dataclass
class JobContext:
    """What ranking needs about one job, read once (auto-assign reuses it per job)."""

    job: Job
    need: JobNeed
    site: Point
    # Held here, so the session (which keeps clean objects only weakly) need not reload it.
    ticket: Ticket


def job_context(job: Job) -> JobContext:
    return job_contexts([job])[0]


def job_contexts(jobs: Sequence[Job]) -> list[JobContext]:
    """The contexts of many jobs in three queries (tickets, sites, parts), whatever their
    number: auto-assign reads a whole batch this way."""
    ids = [job.id for job in jobs]
    tickets: dict[int, Ticket] = {}
    sites: dict[int, Point] = {}
    for ticket, site_id, lat, lon in db.session.execute(
        select(Ticket, Site.id, Site.lat, Site.lon)
        .join(Job, Job.ticket_id == Ticket.id)
        .join(Site, Site.id == Job.site_id)
        .where(Job.id.in_(ids))
    ):
        tickets[ticket.id] = ticket
        sites[site_id] = Point(lat, lon)
    parts: dict[int, dict[str, int]] = defaultdict(dict)
    for job_id, sku, quantity in db.session.execute(
        select(JobPart.job_id, PartType.sku, JobPart.quantity)
        .join(PartType, PartType.id == JobPart.part_type_id)
        .where(JobPart.job_id.in_(ids))
    ):
        parts[job_id][sku] = int(quantity)
    return [
        JobContext(
            job,
            JobNeed(
                skills=frozenset(job.required_skills or ()),
                arrive_by=job.arrive_by,
                duration=timedelta(minutes=job.duration_min),
                parts=parts.get(job.id, {}),
            ),
            sites[job.site_id],
            tickets[job.ticket_id],
        )
        for job in jobs
    ]


def states_for(
    context: JobContext,
    rows: Sequence[EngineerRow],
    now: datetime,
    travel: TravelModel,
    *,
    loads: Mapping[int, int],
    shifts: ShiftBook,
    vans: Mapping[int, dict[str, int]],
    able_only: bool = False,
) -> list[EngineerState]:
    """Each engineer's state against the job; `shifts` may cover a longer window than the
    job's (a batch), and is clipped here to it. `able_only`: leave out engineers lacking a
    required skill (when nobody asks why they are excluded)."""
    until = window_end(context.job, now)
    clip = shifts.end > until
    needed = context.need.skills
    states = []
    for row in rows:
        if able_only and not needed <= row.skills:
            continue
        distance = haversine_km(row.point, context.site)
        load = loads.get(row.id, 0)
        # Shifts are read only for someone skills and capacity did not already rule out.
        periods: Sequence[Period] = ()
        if context.need.skills <= row.skills and load < row.capacity:
            periods = shifts.of(row)
            if clip:
                periods = _clip(periods, until)
        states.append(
            EngineerState(
                id=row.id,
                name=row.name,
                skills=row.skills,
                shifts=periods,
                capacity=row.capacity,
                load=load,
                travel_min=travel.minutes(distance),
                distance_km=distance,
                van_stock=vans.get(row.id, {}),
            )
        )
    return states


def _clip(periods: Sequence[Period], until: datetime) -> list[Period]:
    return [(start, min(end, until)) for start, end in periods if start < until]


def refine(
    context: JobContext,
    ranking: Ranking,
    states: Sequence[EngineerState],
    points: Mapping[int, Point],
    now: datetime,
    travel: TravelModel,
    limit: int,
    weights: Weights = DEFAULT_WEIGHTS,
) -> Ranking:
    """Re-measure the best `limit` (and a few more) on the ellipsoid and rank them again."""
    by_id = {state.id: state for state in states}
    exact = []
    for candidate in ranking.candidates[: limit + REFINED_EXTRA]:
        distance = geodesic_km(points[candidate.engineer_id], context.site)
        exact.append(
            replace(
                by_id[candidate.engineer_id],
                distance_km=distance,
                travel_min=travel.minutes(distance),
            )
        )
    refined = rank(context.need, exact, now, weights, limit=limit)
    return Ranking(refined.candidates[:limit], ranking.excluded + refined.excluded)


def candidates_for(
    number: str,
    now: datetime,
    *,
    limit: int = 20,
    explain: bool = False,
    travel: TravelModel | None = None,
) -> tuple[Job, Ranking]:
    """The ranked candidates for a job (at most `limit`) and the excluded engineers with
    why: with `explain`, every engineer (those lacking a skill too); without, only those
    with the skills, the rest never leaving the database. Raises NotFoundError for an
    unknown job, ConflictError for a finished one."""

    job = job_by_number(number)
    if job.status in FINISHED:
        raise ConflictError(
            f"{job.number} is {job.status}: it needs no engineer now.",
            {"status": [f"Is {job.status}."]},
        )
    context = job_context(job)
    travel = travel or travel_model()
    rows = engineer_rows() if explain else engineer_rows(skills=sorted(context.need.skills))
    until = window_end(job, now)
    states = states_for(
        context,
        rows,
        now,
        travel,
        loads=day_loads(job.arrive_by, rows, exclude_job=job.id),
        shifts=ShiftBook(now, until, absences_between(now, until)),
        vans=van_stock(context.need.parts.keys()),
    )
    ranking = rank(context.need, states, now, limit=limit + REFINED_EXTRA)
    points = {row.id: row.point for row in rows}
    return job, refine(context, ranking, states, points, now, travel, limit)
