"""Time in the day builder: the origin of the core's seconds, windows from calendar
documents (access hours, depot opening hours), an engineer's working span on the day and
when a job under way will be done."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fieldops.dispatch.queries.candidates import EngineerRow, ShiftBook
from fieldops.dispatch.rules import JobStatus
from fieldops.geo import Point
from fieldops.routing import day_rules
from fieldops.routing.day_builder.reads import Busy
from fieldops.routing.field import Window
from fieldops.routing.travel import TravelProvider
from fieldops.tickets import sla

# Every zone's local day (UTC-12 to UTC+14) starts at or after midnight UTC minus 14 h, and
# ends, with an overnight shift running 12 h on, within 64 h of that.
ORIGIN_LEAD = timedelta(hours=14)
HORIZON = timedelta(hours=64)

Period = tuple[datetime, datetime]


def origin_of(plan_on: date) -> datetime:
    """Where the core's seconds count from for a day: midnight UTC of it minus 14 h."""
    return datetime.combine(plan_on, datetime.min.time(), UTC) - ORIGIN_LEAD


def seconds(origin: datetime, moment: datetime) -> int:
    return int((moment - origin).total_seconds())


def window(origin: datetime, start: datetime, end: datetime) -> Window:
    return Window(seconds(origin, start), seconds(origin, end))


def calendar_windows(
    document: Mapping[str, Any] | None, origin: datetime, end: datetime, shorten_s: int = 0
) -> tuple[Window, ...]:
    """Open periods of a calendar document over [origin, end) as windows, each ended
    `shorten_s` early (so a visit of that length is over when the site closes); None: one
    window over the whole horizon."""
    if document is None:
        return (Window(0, seconds(origin, end) - shorten_s),)
    calendar = sla.Calendar.from_document(dict(document))
    windows = []
    for opens, closes in sla.working_periods(calendar, origin, end):
        last = seconds(origin, closes) - shorten_s
        if last >= seconds(origin, opens):
            windows.append(Window(seconds(origin, opens), last))
    return tuple(windows)


def shift_span(
    row: EngineerRow,
    plan_on: date,
    books: dict[str, ShiftBook],
    absences: Sequence[Period],
    notes: list[str],
) -> Period | None:
    """The engineer's working span on their local day `plan_on` (UTC instants): shift
    periods first to last (several are noted in `notes`), then the longest part no absence
    covers. One ShiftBook per zone, kept in `books`, expands each pattern once."""
    zone = ZoneInfo(row.timezone)
    local_start = datetime.combine(plan_on, datetime.min.time(), zone).astimezone(UTC)
    next_day = datetime.combine(plan_on + timedelta(days=1), datetime.min.time(), zone)
    local_end = next_day.astimezone(UTC)
    book = books.get(row.timezone)
    if book is None:
        margin = day_rules.READ_MARGIN
        book = books[row.timezone] = ShiftBook(local_start - margin, local_end + margin, {})
    spans = day_rules.day_spans(book.of(row), local_start, local_end, book.start, book.end)
    if not spans:
        return None
    if len(spans) > 1:
        notes.append(
            f"{row.name} works {len(spans)} spans on {plan_on}: planned as one, "
            f"{spans[0][0]:%H:%M}-{spans[-1][1]:%H:%M} UTC."
        )
    return day_rules.free_part((spans[0][0], spans[-1][1]), absences)


def expected_finish(busy: Busy, position: Point, now: datetime, travel: TravelProvider) -> datetime:
    """On site: when its duration has passed since arriving (now at the earliest); en route:
    now, plus the drive from the engineer's last known position, plus the duration."""
    duration = timedelta(minutes=busy.job.duration_min)
    if busy.job.status == JobStatus.ON_SITE and busy.job.on_site_at is not None:
        return max(now, busy.job.on_site_at + duration)
    drive = travel.matrix([position, busy.site]).seconds[0][1]
    return now + timedelta(seconds=drive) + duration
