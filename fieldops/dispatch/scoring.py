"""Candidate scoring for a dispatch job (pure: no Flask, no database, `now` is an argument).

Who can take a job, and in what order. An engineer is a candidate when they have every
required skill, are on shift at some time before the job's arrive-by (absences already cut
out of their shift periods), and have capacity left on the job's day. Candidates are ranked
by a score of four visible parts, each given with the number behind it:

- travel: minutes from their current (or last known) position to the site,
- slack: minutes between when they could be on site and the arrive-by (late is heavily
  penalised, so an engineer who makes it always outranks one who does not),
- load: how full their day already is,
- parts: how much of what the job needs is already in their van.

Every excluded engineer is kept with the reason, for `?explain=1`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

Period = tuple[datetime, datetime]


@dataclass(frozen=True)
class Weights:
    """Points per unit of each score part. A day's spare minutes count up to `slack_cap_min`:
    beyond that, more slack does not make an engineer a better choice."""

    travel_per_min: float = 0.5
    late_base: float = 100.0
    late_per_min: float = 1.0
    slack_max: float = 20.0
    slack_cap_min: float = 240.0
    load_max: float = 30.0
    parts_max: float = 25.0


DEFAULT_WEIGHTS = Weights()


@dataclass(frozen=True)
class JobNeed:
    skills: frozenset[str]
    arrive_by: datetime
    duration: timedelta
    parts: Mapping[str, int]  # sku -> quantity


@dataclass(frozen=True)
class EngineerState:
    id: int
    name: str
    skills: frozenset[str]
    # Their working periods from now to the arrive-by (or a day ahead when it has passed),
    # as aware UTC pairs, absences removed, in order.
    shifts: Sequence[Period]
    capacity: int  # jobs a day
    load: int  # jobs already held on the job's day
    travel_min: float
    distance_km: float
    van_stock: Mapping[str, int] = field(default_factory=dict)  # sku -> available in the van


@dataclass(frozen=True)
class Candidate:
    engineer_id: int
    name: str
    score: float
    travel_min: float
    distance_km: float
    slack_min: float
    eta: datetime
    parts: dict[str, float]
    reasons: list[str]
    reason: str  # the one-line summary


@dataclass(frozen=True)
class Excluded:
    engineer_id: int
    name: str
    reasons: list[str]


@dataclass(frozen=True)
class Ranking:
    candidates: list[Candidate]
    excluded: list[Excluded]


def earliest_arrival(shifts: Sequence[Period], now: datetime, travel: timedelta) -> datetime | None:
    """When an engineer could be on site: they set off at the first moment on shift (now, or
    the start of their next period) and travel must fit in that period (no one drives to a
    job in their time off). None when no period can hold the trip."""
    for start, end in shifts:
        leave = max(start, now)
        if leave + travel <= end:
            return leave + travel
    return None


def van_share(need: Mapping[str, int], stock: Mapping[str, int]) -> tuple[float, list[str]]:
    """The share of the job's parts (by quantity) already in the van, and which SKUs are."""
    wanted = sum(need.values())
    if not wanted:
        return 0.0, []
    held = sum(min(quantity, stock.get(sku, 0)) for sku, quantity in need.items())
    carried = sorted(sku for sku, quantity in need.items() if stock.get(sku, 0) >= quantity)
    return held / wanted, carried


def _minutes(value: float) -> str:
    total = round(value)
    sign = "-" if total < 0 else ""
    hours, minutes = divmod(abs(total), 60)
    return f"{sign}{hours} h {minutes:02d} min" if hours else f"{sign}{minutes} min"


def assess(
    job: JobNeed, engineer: EngineerState, now: datetime, weights: Weights = DEFAULT_WEIGHTS
) -> Candidate | Excluded:
    """One engineer against one job: their score and its reasons, or why they are out."""
    out: list[str] = []
    missing = sorted(job.skills - engineer.skills)
    if missing:
        out.append(f"lacks skills: {', '.join(missing)}")
    if engineer.load >= engineer.capacity:
        out.append(f"no capacity left: {engineer.load} of {engineer.capacity} jobs that day")
    travel = timedelta(minutes=engineer.travel_min)
    eta = earliest_arrival(engineer.shifts, now, travel)
    deadline = max(job.arrive_by, now)
    # Shifts are only worth reading for someone the skills and capacity did not rule out.
    if not out and (eta is None or engineer.shifts[0][0] >= deadline):
        out.append("not on shift before the arrive-by time")
    if out or eta is None:
        return Excluded(engineer.id, engineer.name, out)
    slack_min = (job.arrive_by - eta).total_seconds() / 60
    if slack_min < 0:
        slack_pts = -(weights.late_base + weights.late_per_min * -slack_min)
    else:
        slack_pts = (
            weights.slack_max * min(slack_min, weights.slack_cap_min) / weights.slack_cap_min
        )
    share, carried = van_share(job.parts, engineer.van_stock)
    parts = {
        "travel": round(-weights.travel_per_min * engineer.travel_min, 2),
        "slack": round(slack_pts, 2),
        "load": round(-weights.load_max * engineer.load / engineer.capacity, 2),
        "parts": round(weights.parts_max * share, 2),
    }
    reasons = [
        f"{engineer.distance_km:.0f} km, {_minutes(engineer.travel_min)} away",
        (
            f"late by {_minutes(-slack_min)}"
            if slack_min < 0
            else f"{_minutes(slack_min)} to spare before the arrive-by"
        ),
        f"{engineer.load} of {engineer.capacity} jobs that day",
    ]
    if job.parts:
        reasons.append(
            f"carries {', '.join(carried)}" if carried else "parts to pick up at a depot"
        )
    return Candidate(
        engineer_id=engineer.id,
        name=engineer.name,
        score=round(sum(parts.values()), 2),
        travel_min=round(engineer.travel_min, 1),
        distance_km=round(engineer.distance_km, 2),
        slack_min=round(slack_min, 1),
        eta=eta,
        parts=parts,
        reasons=reasons,
        reason="; ".join(reasons),
    )


def rank(
    job: JobNeed,
    engineers: Sequence[EngineerState],
    now: datetime,
    weights: Weights = DEFAULT_WEIGHTS,
) -> Ranking:
    """Candidates best first (ties: nearer, then lower id), and the excluded in id order."""
    candidates: list[Candidate] = []
    excluded: list[Excluded] = []
    for engineer in engineers:
        result = assess(job, engineer, now, weights)
        if isinstance(result, Candidate):
            candidates.append(result)
        else:
            excluded.append(result)
    candidates.sort(key=lambda c: (-c.score, c.travel_min, c.engineer_id))
    excluded.sort(key=lambda e: e.engineer_id)
    return Ranking(candidates, excluded)
