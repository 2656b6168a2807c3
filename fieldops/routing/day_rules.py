"""The rules that turn stored facts into a field day's terms (pure: no Flask, no database).

Which shift periods make up an engineer's working day, what an absence leaves of it, and
which parts a visit still has to collect, and where. The day builder reads the facts; these
functions decide, and are tested without a database.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from fieldops.geo import Point, haversine_km
from fieldops.routing.field import PartNeed

Period = tuple[datetime, datetime]

# Shifts are read this far either side of the local day: a night shift starting on the day
# runs on past midnight, and yesterday's still running at midnight must be recognised.
READ_MARGIN = timedelta(hours=12)


def day_spans(
    periods: Sequence[Period],
    local_start: datetime,
    local_end: datetime,
    read_start: datetime,
    read_end: datetime,
) -> list[Period]:
    """The working periods of one local day, in order, from periods read over
    [read_start, read_end) (merged where they touch, as tickets/sla.py gives them).

    A shift belongs to the day it starts on: one starting on the day is kept whole, even past
    midnight (a night shift); one that started yesterday is yesterday's and left out. Two
    cases are continuous cover rather than a shift: a period already running when reading
    began, and one still running when reading ended; those count from the local midnight
    to the next, so a round-the-clock rota works exactly the day.
    """
    chosen: list[Period] = []
    for start, end in periods:
        if end <= local_start or start >= local_end:
            continue
        if start < local_start:
            if start <= read_start:
                chosen.append((local_start, min(end, local_end)))
            continue
        chosen.append((start, end if end < read_end else min(end, local_end)))
    return chosen


def free_part(span: Period, absences: Sequence[Period]) -> Period | None:
    """The longest part of `span` no absence overlaps (the earliest of equals); None when
    absences cover it all."""
    pieces = [span]
    for away_start, away_end in sorted(absences):
        kept: list[Period] = []
        for start, end in pieces:
            if away_end <= start or away_start >= end:
                kept.append((start, end))
                continue
            if start < away_start:
                kept.append((start, away_start))
            if away_end < end:
                kept.append((away_end, end))
        pieces = kept
    if not pieces:
        return None
    return max(pieces, key=lambda piece: (piece[1] - piece[0], -piece[0].timestamp()))


@dataclass(frozen=True)
class Held:
    """A job's active reservation: where its stock is. `depot` is the depot's code when it
    sits at a depot; `van_of` the engineer whose van holds it; `picked`: the engineer has
    already collected it."""

    sku: str
    quantity: int
    picked: bool = False
    depot: str | None = None
    van_of: int | None = None


def holds(stock: Mapping[str, int], skus: Mapping[str, int]) -> bool:
    return all(stock.get(sku, 0) >= units for sku, units in skus.items())


def part_need(
    needed: Mapping[str, int],
    held: Sequence[Held],
    engineer_id: int | None,
    *,
    site: Point,
    depots: Sequence[tuple[str, Point, Mapping[str, int]]],
    no_depot: str,
) -> PartNeed | None:
    """What a visit still has to collect, and at which depot; None when nothing.

    Collected already (picked) or reserved in the van of the engineer the job is locked to:
    nothing to collect. Held at a depot: collected there. Not reserved anywhere (or in
    someone else's van): from the nearest depot (to the site) whose available stock holds
    all of it, or `no_depot` when none does. One pickup per visit: when parts are held at
    several depots, the one holding most units is named for all of them.
    """
    if not needed:
        return None
    covered: Counter[str] = Counter()
    pickup: Counter[str] = Counter()
    votes: Counter[str] = Counter()
    for reservation in held:
        if reservation.van_of is not None and reservation.van_of != engineer_id:
            continue
        covered[reservation.sku] += reservation.quantity
        if reservation.picked or reservation.van_of is not None or reservation.depot is None:
            continue
        pickup[reservation.sku] += reservation.quantity
        votes[reservation.depot] += reservation.quantity
    missing = {sku: units - covered[sku] for sku, units in needed.items() if units > covered[sku]}
    pickup.update(missing)
    if not pickup:
        return None
    if votes:
        depot = min(votes, key=lambda code: (-votes[code], code))
    else:
        stocked = [
            (haversine_km(site, point), code)
            for code, point, stock in depots
            if holds(stock, missing)
        ]
        depot = min(stocked)[1] if stocked else no_depot
    return PartNeed(skus=dict(sorted(pickup.items())), depot=depot)
