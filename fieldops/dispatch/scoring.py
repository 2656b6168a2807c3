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


# Built for every engineer on every search (thousands a call): slots and no frozen-field
# setattr make that several times cheaper; nothing mutates one after it is built.
@dataclass(slots=True)
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


@dataclass(slots=True)
class _Scored:
    """An eligible engineer's numbers, before the reasons are written out."""

    engineer: EngineerState
    eta: datetime
    slack_min: float
    parts: dict[str, float]
    carried: list[str]

    @property
    def score(self) -> float:
        return round(sum(self.parts.values()), 2)

    @property
    def order(self) -> tuple[float, float, int]:
        return (-self.score, round(self.engineer.travel_min, 1), self.engineer.id)


def _score(
    job: JobNeed, engineer: EngineerState, now: datetime, weights: Weights
) -> _Scored | Excluded:
    out: list[str] = []
    missing = sorted(job.skills - engineer.skills)
    if missing:
        out.append(f"lacks skills: {', '.join(missing)}")
    if engineer.load >= engineer.capacity:
        out.append(f"no capacity left: {engineer.load} of {engineer.capacity} jobs that day")
    eta = None
    if not out:
        # Shifts are only worth reading for someone skills and capacity did not rule out.
        eta = earliest_arrival(engineer.shifts, now, timedelta(minutes=engineer.travel_min))
        if eta is None or engineer.shifts[0][0] >= max(job.arrive_by, now):
            out.append("not on shift before the arrive-by time")
    if out or eta is None:
        return Excluded(engineer.id, engineer.name, out)
    slack_min = (job.arrive_by - eta).total_seconds() / 60
    if slack_min < 0:
        slack_pts = -(weights.late_base + weights.late_per_min * -slack_min)
    else:
        capped = min(slack_min, weights.slack_cap_min)
        slack_pts = weights.slack_max * capped / weights.slack_cap_min
    share, carried = van_share(job.parts, engineer.van_stock)
    parts = {
        "travel": round(-weights.travel_per_min * engineer.travel_min, 2),
        "slack": round(slack_pts, 2),
        "load": round(-weights.load_max * engineer.load / engineer.capacity, 2),
        "parts": round(weights.parts_max * share, 2),
    }
    return _Scored(engineer, eta, slack_min, parts, carried)


def _candidate(job: JobNeed, scored: _Scored) -> Candidate:
    engineer, slack_min = scored.engineer, scored.slack_min
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
            f"carries {', '.join(scored.carried)}"
            if scored.carried
            else "parts to pick up at a depot"
        )
    return Candidate(
        engineer_id=engineer.id,
        name=engineer.name,
        score=scored.score,
        travel_min=round(engineer.travel_min, 1),
        distance_km=round(engineer.distance_km, 2),
        slack_min=round(slack_min, 1),
        eta=scored.eta,
        parts=scored.parts,
        reasons=reasons,
        reason="; ".join(reasons),
    )


def assess(
    job: JobNeed, engineer: EngineerState, now: datetime, weights: Weights = DEFAULT_WEIGHTS
) -> Candidate | Excluded:
    """One engineer against one job: their score and its reasons, or why they are out."""
    result = _score(job, engineer, now, weights)
    return result if isinstance(result, Excluded) else _candidate(job, result)


def rank(
    job: JobNeed,
    engineers: Sequence[EngineerState],
    now: datetime,
    weights: Weights = DEFAULT_WEIGHTS,
    *,
    limit: int | None = None,
) -> Ranking:
    """Candidates best first (ties: nearer, then lower id), at most `limit` of them, and
    the excluded in id order. Reasons are written out only for the candidates returned."""
    scored: list[_Scored] = []
    excluded: list[Excluded] = []
    for engineer in engineers:
        result = _score(job, engineer, now, weights)
        if isinstance(result, Excluded):
            excluded.append(result)
        else:
            scored.append(result)
    scored.sort(key=lambda s: s.order)
    kept = scored if limit is None else scored[:limit]
    excluded.sort(key=lambda e: e.engineer_id)
    return Ranking([_candidate(job, s) for s in kept], excluded)
