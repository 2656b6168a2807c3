"""Business-hours calendar arithmetic for SLA clocks (pure: no Flask, no db, no clock reads).

A :class:`Calendar` is parsed from the JSON document stored on an SLA plan::

    {"timezone": "Europe/Warsaw",
     "hours": {"mon": [["08:00", "17:00"]], ..., "sun": []},
     "holidays": ["2026-12-25"]}

The contract shared by every function here:

- Datetimes in must be aware (any zone; naive ones raise ValueError); datetimes out are aware
  UTC. ``now`` is always an argument.
- Durations are exact ``timedelta``s (microsecond resolution); nothing is rounded to seconds.
- Opening hours are wall-clock hours in the calendar's zone. Each local span bound is resolved
  with ``fold=0`` and converted to UTC, and durations are measured in UTC. So 08:00-17:00 is
  9 real hours on every day, while 00:00-06:00 is 5 real hours on a spring-forward night and 7
  on a fall-back night (the repeated hour is worked twice).
  - An ambiguous local time (in the repeated hour) means its first occurrence.
  - A non-existent local time (in the skipped hour) is read with the offset in force before the
    change, so it lands as far past the jump as it was meant to be past its start (02:30 on
    Warsaw's spring-forward day is 03:30 CEST). A span whose bounds collapse or cross because
    of this is empty that day; spans that come to overlap are merged.
- Holidays are local dates: the whole local day is closed.
- Periods that touch (22:00-24:00 then 00:00-06:00 the next day) form one continuous period.
- A 24x7 calendar (every day 00:00-24:00, no holidays) is open at every instant in every zone,
  so its arithmetic is plain UTC addition/subtraction, O(1). Other calendars are walked one
  local day at a time, never minute by minute.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import TypeAlias, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_MINUTES = 24 * 60

Span: TypeAlias = tuple[int, int]  # [start, end) in minutes after local midnight
Period: TypeAlias = tuple[datetime, datetime]  # [opens, closes) as aware UTC
Pause: TypeAlias = tuple[datetime, datetime | None]  # (started, ended or None while open)

_T = TypeVar("_T", int, datetime)
_ZERO = timedelta(0)
_ONE_DAY = timedelta(days=1)
_HHMM = re.compile(r"(\d\d):(\d\d)")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DOC_KEYS = frozenset({"timezone", "hours", "holidays"})


@dataclass(frozen=True)
class Calendar:
    """Weekly opening hours in one IANA time zone, plus closed local dates.

    ``hours[i]`` holds the spans of weekday ``i`` (Monday is 0) as sorted, disjoint,
    non-touching ``(start, end)`` minutes after local midnight, ``0 <= start < end <= 1440``
    (1440 is "24:00", the end of the day). Build one with :meth:`from_document`.
    """

    zone: ZoneInfo
    hours: tuple[tuple[Span, ...], ...]
    holidays: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        if len(self.hours) != len(WEEKDAYS):
            raise ValueError("calendar hours must list exactly 7 weekdays, Monday first")
        for day, spans in zip(WEEKDAYS, self.hours, strict=True):
            if list(spans) != _merge(list(spans)) or any(
                not 0 <= a < b <= DAY_MINUTES for a, b in spans
            ):
                raise ValueError(f"calendar hours for {day!r} must be sorted, disjoint spans")

    @classmethod
    def from_document(cls, doc: Mapping[str, object]) -> Calendar:
        """Parse an SLA plan's calendar document; raise ValueError naming what is wrong.

        ``timezone`` (IANA name) and ``hours`` are required, ``holidays`` is optional, and no
        other key is allowed (a typo such as ``"holiday"`` must not silently mean "none").
        A missing weekday is closed. Overlapping or touching spans of a day are merged.
        """
        if not isinstance(doc, Mapping):
            raise ValueError("calendar document must be a JSON object")
        unknown = set(doc) - _DOC_KEYS
        if unknown:
            raise ValueError(f"calendar document has unknown keys: {sorted(map(str, unknown))}")
        return cls(
            zone=_parse_zone(doc.get("timezone")),
            hours=_parse_hours(doc.get("hours")),
            holidays=_parse_holidays(doc.get("holidays", [])),
        )

    @property
    def timezone(self) -> str:
        return str(self.zone)

    @property
    def is_always_open(self) -> bool:
        """True for 24x7 with no holidays: every instant is working time, in any zone."""
        return not self.holidays and all(spans == ((0, DAY_MINUTES),) for spans in self.hours)

    @property
    def has_hours(self) -> bool:
        """False when no weekday has any span: such a calendar is never open."""
        return any(self.hours)


def working_periods(cal: Calendar, start: datetime, end: datetime) -> Iterator[Period]:
    """The open periods intersecting [start, end), clipped to it, in order, as UTC pairs.

    Touching periods (across midnight, or adjacent spans) come out as one period.
    """
    start, end = _utc(start, "start"), _utc(end, "end")
    if end <= start:
        return iter(())
    if cal.is_always_open:
        return iter(((start, end),))
    return _clipped(cal, start, end)


def working_time_between(cal: Calendar, start: datetime, end: datetime) -> timedelta:
    """Working time in [start, end), exactly; zero if ``end <= start``."""
    start, end = _utc(start, "start"), _utc(end, "end")
    if end <= start:
        return _ZERO
    if cal.is_always_open:
        return end - start
    return sum((e - s for s, e in _clipped(cal, start, end)), _ZERO)


def is_working(cal: Calendar, at: datetime) -> bool:
    """Whether ``at`` falls inside an open period (periods are half-open: [open, close))."""
    at = _utc(at, "at")
    if cal.is_always_open:
        return True
    first = next(_periods(cal, at, until=at), None)
    return first is not None and first[0] <= at


def next_working_instant(cal: Calendar, at: datetime) -> datetime:
    """``at`` itself if it is working time, else the start of the next open period (UTC).

    This is where the clock of something reported out of hours starts. Raises ValueError if
    the calendar is never open.
    """
    at = _utc(at, "at")
    if cal.is_always_open:
        return at
    _require_hours(cal)
    opens, _closes = next(_periods(cal, at, until=None))
    return max(opens, at)


def add_working_time(cal: Calendar, start: datetime, duration: timedelta) -> datetime:
    """The earliest instant by which ``duration`` of working time has elapsed after ``start``.

    Counting begins at the next opening when ``start`` is out of hours, and a result that
    completes exactly at a closing time is that closing time (not the next opening). A zero
    duration returns ``start`` unchanged, even out of hours: nothing has to elapse, and a
    caller who wants the clock to start at the next opening asks
    :func:`next_working_instant`. Raises ValueError for a negative duration, or a positive
    one on a calendar that is never open (rather than looking for an opening forever).
    """
    start = _utc(start, "start")
    if duration < _ZERO:
        raise ValueError(f"duration must not be negative, got {duration}")
    if not duration:
        return start
    if cal.is_always_open:
        return start + duration
    _require_hours(cal)
    remaining = duration
    for opens, closes in _periods(cal, start, until=None):
        available = closes - max(opens, start)
        if remaining <= available:
            return max(opens, start) + remaining
        remaining -= available
    raise AssertionError("unreachable: the walk over open periods never ends")


def close_of_working_day(cal: Calendar, at: datetime, days: int) -> datetime:
    """The close of the ``days``-th working day after the local date of ``at`` (UTC).

    A working day is a local date in the calendar's zone that has open hours and is not a
    holiday; the day of ``at`` itself never counts, whatever the hour, so a request made
    late on a Monday gets as many whole days as one made early. "Due within 5 working
    days" (an RFO) is the close of the fifth. On a 24x7 calendar every date is a working day
    and its close is local midnight. Raises ValueError for ``days`` below 1 or a calendar
    that is never open.
    """
    at = _utc(at, "at")
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    _require_hours(cal)
    day = at.astimezone(cal.zone).date()
    counted, closed_run = 0, 0
    while True:
        day += _ONE_DAY
        periods = _day_periods(cal, day)
        if not periods:
            closed_run += 1
            if closed_run > _max_closed_run(cal):
                raise ValueError("calendar has no open hours")
            continue
        closed_run = 0
        counted += 1
        if counted == days:
            return max(closes for _opens, closes in periods)


def paused_working_time(cal: Calendar, pauses: Sequence[Pause], now: datetime) -> timedelta:
    """Working time inside the union of the pauses; overlapping pauses count once.

    A pause is ``(started, ended)``; ``ended`` is None while it is still open, and then it
    counts up to ``now``. Raises ValueError for a closed pause that ends before it starts.
    """
    return sum((working_time_between(cal, s, e) for s, e in _pause_union(pauses, now)), _ZERO)


def due_at(
    cal: Calendar,
    start: datetime,
    target: timedelta,
    pauses: Sequence[Pause],
    now: datetime,
) -> datetime:
    """When a clock started at ``start`` with a working-time ``target`` runs out (UTC).

    The clock runs only on working time outside every pause; pauses are given as for
    :func:`paused_working_time` (an open one counts up to ``now``, so while it lasts the
    result moves later as ``now`` advances). Precisely: the earliest instant T >= start with
    ``working time in [start, T) - paused working time in [start, T) == target``. Pause time
    before ``start`` or out of hours changes nothing. A zero target is due at ``start``.
    """
    start = _utc(start, "start")
    if target < _ZERO:
        raise ValueError(f"target must not be negative, got {target}")
    union = _pause_union(pauses, now)
    if not target:
        return start
    cursor, remaining = start, target
    for paused_from, paused_until in union:
        if paused_until <= cursor:
            continue
        if paused_from > cursor:
            running = working_time_between(cal, cursor, paused_from)
            if remaining <= running:
                return add_working_time(cal, cursor, remaining)
            remaining -= running
        cursor = paused_until
    return add_working_time(cal, cursor, remaining)


# --- the day walk ----------------------------------------------------------------------------


def _periods(cal: Calendar, start: datetime, until: datetime | None) -> Iterator[Period]:
    """Merged open periods that end after ``start``, in time order, as UTC pairs.

    With ``until`` the walk stops after the local day holding it (so the last period may be
    cut short there: callers clip to ``until`` anyway); without, it never ends. The walk starts
    a local day early for zones that once skipped a whole date (Pacific/Apia, 2011-12-30).
    """
    day = start.astimezone(cal.zone).date() - _ONE_DAY
    last = None if until is None else until.astimezone(cal.zone).date() + _ONE_DAY
    max_closed_run, closed_run = _max_closed_run(cal), 0
    current: Period | None = None
    while last is None or day <= last:
        todays = _day_periods(cal, day)
        closed_run = 0 if todays else closed_run + 1
        if last is None and closed_run > max_closed_run:
            raise ValueError("calendar has no open hours")
        for opens, closes in todays:
            if current is None:
                current = (opens, closes)
            elif opens <= current[1]:
                current = (current[0], max(current[1], closes))
            else:
                if current[1] > start:
                    yield current
                current = (opens, closes)
        day += _ONE_DAY
    if current is not None and current[1] > start:
        yield current


def _max_closed_run(cal: Calendar) -> int:
    """Backstop against an endless walk: an open weekday recurs every 7 days, each holiday
    can cost one more week, and a span swallowed by a DST gap (at most a day or two a year)
    a little more. A longer run of closed days means the calendar never opens."""
    return 7 * len(cal.holidays) + 400


@lru_cache(maxsize=4096)
def _day_periods(cal: Calendar, day: date) -> tuple[Period, ...]:
    """The open periods of one local date, sorted, as UTC pairs (may overlap; merged later).

    Cached: a sweep over many tickets on one SLA plan keeps asking about the same few days.
    """
    if day in cal.holidays:
        return ()
    periods = []
    for a, b in cal.hours[day.weekday()]:
        opens, closes = _local_to_utc(cal.zone, day, a), _local_to_utc(cal.zone, day, b)
        if opens < closes:
            periods.append((opens, closes))
    periods.sort()  # a bound in a DST gap can move past the next span's start
    return tuple(periods)


def _local_to_utc(zone: ZoneInfo, day: date, minute: int) -> datetime:
    """Wall time ``minute`` after local midnight of ``day``, read with fold=0, in UTC."""
    if minute == DAY_MINUTES:
        day, minute = day + _ONE_DAY, 0
    local = datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=zone)
    return local.astimezone(UTC)


def _clipped(cal: Calendar, start: datetime, end: datetime) -> Iterator[Period]:
    if not cal.has_hours:
        return
    for opens, closes in _periods(cal, start, until=end):
        if opens >= end:
            return
        yield max(opens, start), min(closes, end)


def _pause_union(pauses: Sequence[Pause], now: datetime) -> list[Period]:
    now = _utc(now, "now")
    spans: list[Period] = []
    for started, ended in pauses:
        paused_from = _utc(started, "pause start")
        paused_until = now if ended is None else _utc(ended, "pause end")
        if ended is not None and paused_until < paused_from:
            raise ValueError(f"pause ends before it starts: {started!r} > {ended!r}")
        if paused_from < paused_until:  # an open pause begun after `now` is empty
            spans.append((paused_from, paused_until))
    return _merge(spans)


def _merge(intervals: list[tuple[_T, _T]]) -> list[tuple[_T, _T]]:
    """Sorted union of half-open intervals; overlapping or touching ones become one."""
    merged: list[tuple[_T, _T]] = []
    for a, b in sorted(intervals):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def _utc(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime, got naive {value!r}")
    return value.astimezone(UTC)


def _require_hours(cal: Calendar) -> None:
    if not cal.has_hours:
        raise ValueError(f"calendar in {cal.timezone} has no open hours at all")


# --- document parsing ------------------------------------------------------------------------


def _parse_zone(value: object) -> ZoneInfo:
    if not isinstance(value, str) or not value:
        raise ValueError("calendar 'timezone' must be an IANA zone name such as 'Europe/Warsaw'")
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise ValueError(f"calendar 'timezone' {value!r} is not a known IANA zone") from exc


def _parse_hours(value: object) -> tuple[tuple[Span, ...], ...]:
    if not isinstance(value, Mapping):
        raise ValueError("calendar 'hours' must map weekday names ('mon'..'sun') to span lists")
    unknown = set(value) - set(WEEKDAYS)
    if unknown:
        raise ValueError(f"calendar 'hours' has unknown weekdays: {sorted(map(str, unknown))}")
    week = []
    for day in WEEKDAYS:
        spans = value.get(day, [])
        if not isinstance(spans, list | tuple):
            raise ValueError(f"calendar hours for {day!r} must be a list of [start, end] pairs")
        week.append(tuple(_merge([_parse_span(day, span) for span in spans])))
    return tuple(week)


def _parse_span(day: str, span: object) -> Span:
    if not isinstance(span, list | tuple) or len(span) != 2:
        raise ValueError(f"calendar hours for {day!r}: {span!r} is not a [start, end] pair")
    start, end = (_parse_hhmm(day, bound) for bound in span)
    if start == DAY_MINUTES:
        raise ValueError(f"calendar hours for {day!r}: a span cannot start at 24:00")
    if end <= start:
        raise ValueError(
            f"calendar hours for {day!r}: {span!r} must end after it starts; cover a night as "
            "['22:00', '24:00'] on one day and ['00:00', '06:00'] on the next"
        )
    return start, end


def _parse_hhmm(day: str, bound: object) -> int:
    match = _HHMM.fullmatch(bound) if isinstance(bound, str) else None
    if match is None:
        raise ValueError(f"calendar hours for {day!r}: {bound!r} is not an 'HH:MM' time")
    minute = int(match[1]) * 60 + int(match[2])
    if int(match[2]) >= 60 or minute > DAY_MINUTES:
        raise ValueError(f"calendar hours for {day!r}: {bound!r} is not between 00:00 and 24:00")
    return minute


def _parse_holidays(value: object) -> frozenset[date]:
    if not isinstance(value, list | tuple):
        raise ValueError("calendar 'holidays' must be a list of 'YYYY-MM-DD' dates")
    days = set()
    for item in value:
        if not isinstance(item, str) or not _ISO_DATE.fullmatch(item):
            raise ValueError(f"calendar holiday {item!r} is not a 'YYYY-MM-DD' date")
        try:
            days.add(date.fromisoformat(item))
        except ValueError as exc:
            raise ValueError(f"calendar holiday {item!r} is not a real date") from exc
    return frozenset(days)
