"""Business-hours SLA arithmetic: worked examples, DST edges, pauses and properties (pure)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldops.tickets.sla import (
    WEEKDAYS,
    Calendar,
    add_working_time,
    due_at,
    is_working,
    next_working_instant,
    paused_working_time,
    working_periods,
    working_time_between,
)

Hours = dict[str, list[list[str]]]  # a calendar document's "hours"

WARSAW = ZoneInfo("Europe/Warsaw")
TICK = timedelta(microseconds=1)
H = timedelta(hours=1)
OFFICE = {day: [["08:00", "17:00"]] for day in WEEKDAYS[:5]}
ALL_DAY = {day: [["00:00", "24:00"]] for day in WEEKDAYS}


def calendar(hours: Hours, tz: str = "Europe/Warsaw", holidays: tuple[str, ...] = ()) -> Calendar:
    return Calendar.from_document({"timezone": tz, "hours": hours, "holidays": list(holidays)})


def at(y: int, mo: int, d: int, h: int = 0, mi: int = 0, tz: ZoneInfo = WARSAW) -> datetime:
    """A local wall time (fold=0) as aware UTC."""
    return datetime(y, mo, d, h, mi, tzinfo=tz).astimezone(UTC)


# --- documents -------------------------------------------------------------------------------


def test_document_is_parsed_into_sorted_merged_minute_spans() -> None:
    cal = calendar(
        {"mon": [["13:00", "17:00"], ["08:00", "12:00"], ["11:00", "13:00"]], "sun": []},
        holidays=("2026-12-25",),
    )
    assert cal.timezone == "Europe/Warsaw"
    assert cal.hours[0] == ((8 * 60, 17 * 60),)
    assert cal.hours[1:] == ((),) * 6
    assert cal.holidays == frozenset({date(2026, 12, 25)})
    assert cal.has_hours
    assert not cal.is_always_open


def test_24x7_is_always_open_only_without_holidays() -> None:
    assert calendar(ALL_DAY).is_always_open
    assert calendar({d: [["00:00", "12:00"], ["12:00", "24:00"]] for d in WEEKDAYS}).is_always_open
    assert not calendar(ALL_DAY, holidays=("2026-12-25",)).is_always_open
    assert not calendar({d: [["00:00", "24:00"]] for d in WEEKDAYS[:6]}).is_always_open


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ([], "must be a JSON object"),
        ({"hours": {}}, "timezone"),
        ({"timezone": "Mars/Olympus", "hours": {}}, "not a known IANA zone"),
        ({"timezone": "Europe", "hours": {}}, "not a known IANA zone"),
        ({"timezone": "UTC"}, "'hours' must map"),
        ({"timezone": "UTC", "hours": {"monday": []}}, "unknown weekdays"),
        ({"timezone": "UTC", "hours": {}, "holiday": []}, "unknown keys"),
        ({"timezone": "UTC", "hours": {"mon": "08:00-17:00"}}, "list of"),
        ({"timezone": "UTC", "hours": {"mon": [["08:00"]]}}, "not a \\[start, end\\] pair"),
        ({"timezone": "UTC", "hours": {"mon": [["8:00", "17:00"]]}}, "'HH:MM'"),
        ({"timezone": "UTC", "hours": {"mon": [["08:60", "17:00"]]}}, "between 00:00 and 24:00"),
        ({"timezone": "UTC", "hours": {"mon": [["08:00", "24:30"]]}}, "between 00:00 and 24:00"),
        ({"timezone": "UTC", "hours": {"mon": [["24:00", "24:00"]]}}, "cannot start at 24:00"),
        ({"timezone": "UTC", "hours": {"mon": [["22:00", "06:00"]]}}, "must end after"),
        ({"timezone": "UTC", "hours": {"mon": [["08:00", "08:00"]]}}, "must end after"),
        ({"timezone": "UTC", "hours": {}, "holidays": "2026-12-25"}, "must be a list"),
        ({"timezone": "UTC", "hours": {}, "holidays": ["25.12.2026"]}, "'YYYY-MM-DD'"),
        ({"timezone": "UTC", "hours": {}, "holidays": ["2026-02-30"]}, "not a real date"),
    ],
)
def test_bad_documents_are_rejected_with_a_clear_message(doc: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Calendar.from_document(doc)  # type: ignore[arg-type]


def test_calendar_built_directly_must_be_well_formed() -> None:
    with pytest.raises(ValueError, match="exactly 7 weekdays"):
        Calendar(zone=WARSAW, hours=((),))
    with pytest.raises(ValueError, match="sorted, disjoint"):
        Calendar(zone=WARSAW, hours=(((600, 500),),) + ((),) * 6)


# --- worked examples -------------------------------------------------------------------------


def test_friday_1600_plus_two_hours_lands_monday_0900() -> None:
    friday = at(2026, 6, 5, 16)
    assert friday.astimezone(WARSAW).strftime("%a") == "Fri"
    due = add_working_time(calendar(OFFICE), friday, 2 * H)
    assert due == at(2026, 6, 8, 9)
    assert due.tzinfo is UTC


def test_holiday_closes_the_whole_local_day() -> None:
    cal = calendar(OFFICE, holidays=("2026-12-25",))  # a Friday
    assert add_working_time(cal, at(2026, 12, 24, 16), 2 * H) == at(2026, 12, 28, 9)
    assert not is_working(cal, at(2026, 12, 25, 10))
    assert working_time_between(cal, at(2026, 12, 21), at(2026, 12, 28)) == 36 * H


@pytest.mark.parametrize(
    ("day", "local_day_length", "local_result"),
    [
        (date(2026, 3, 29), 23 * H, (5, 0)),  # spring forward: 02:00 CET -> 03:00 CEST
        (date(2026, 10, 25), 25 * H, (3, 0)),  # fall back: 03:00 CEST -> 02:00 CET
    ],
)
def test_24x7_adds_real_hours_across_dst(
    day: date, local_day_length: timedelta, local_result: tuple[int, int]
) -> None:
    cal = calendar(ALL_DAY)
    midnight = at(day.year, day.month, day.day)
    due = add_working_time(cal, midnight, 4 * H)
    assert due - midnight == 4 * H
    assert (due.astimezone(WARSAW).hour, due.astimezone(WARSAW).minute) == local_result
    next_midnight = at(day.year, day.month, day.day + 1)
    assert working_time_between(cal, midnight, next_midnight) == local_day_length
    # The walked path (a holiday far away disables the 24x7 shortcut) agrees.
    walked = calendar(ALL_DAY, holidays=("2030-01-01",))
    assert add_working_time(walked, midnight, 4 * H) == due
    assert working_time_between(walked, midnight, next_midnight) == local_day_length


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 3, 29), 5 * H + 9 * H),  # 00:00-06:00 loses the skipped hour
        (date(2026, 6, 7), 6 * H + 9 * H),
        (date(2026, 10, 25), 7 * H + 9 * H),  # ... and works the repeated hour twice
    ],
)
def test_sunday_open_calendar_counts_real_time_on_dst_days(day: date, expected: timedelta) -> None:
    cal = calendar({"sun": [["00:00", "06:00"], ["08:00", "17:00"]]})
    start, end = at(day.year, day.month, day.day - 1, 12), at(day.year, day.month, day.day + 1)
    assert working_time_between(cal, start, end) == expected
    assert add_working_time(cal, start, expected) == at(day.year, day.month, day.day, 17)
    # 08:00-17:00 is 9 real hours even on the change day.
    assert add_working_time(cal, at(day.year, day.month, day.day, 8), 9 * H) == at(
        day.year, day.month, day.day, 17
    )


def test_spans_in_the_skipped_or_repeated_hour_resolve_with_fold_0() -> None:
    gap = calendar({"sun": [["02:00", "03:00"], ["02:30", "04:00"]]})  # merged to 02:00-04:00
    spring = calendar({"sun": [["02:30", "04:00"]]})
    day = (at(2026, 3, 28), at(2026, 3, 30))
    # 02:00 and 03:00 are the same instant that day; 02:30 is read as 03:30 CEST.
    assert working_time_between(gap, *day) == H
    assert working_time_between(spring, *day) == H / 2
    assert next_working_instant(spring, day[0]) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert working_time_between(calendar({"sun": [["02:00", "03:00"]]}), *day) == timedelta(0)
    # On fall-back day 02:30 is its first occurrence (CEST): 02:30 CEST-04:00 CET is 2.5 h.
    autumn = (at(2026, 10, 24), at(2026, 10, 26))
    assert working_time_between(spring, *autumn) == 2 * H + H / 2
    assert next_working_instant(spring, autumn[0]) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_multiple_spans_per_day() -> None:
    cal = calendar({"mon": [["08:00", "12:00"], ["13:00", "17:00"]]})
    assert add_working_time(cal, at(2026, 6, 8, 11), 2 * H) == at(2026, 6, 8, 14)
    assert list(working_periods(cal, at(2026, 6, 8), at(2026, 6, 9))) == [
        (at(2026, 6, 8, 8), at(2026, 6, 8, 12)),
        (at(2026, 6, 8, 13), at(2026, 6, 8, 17)),
    ]
    assert not is_working(cal, at(2026, 6, 8, 12, 30))
    assert is_working(cal, at(2026, 6, 8, 13))
    assert not is_working(cal, at(2026, 6, 8, 17))  # periods are half-open


def test_24_00_is_the_end_of_the_day() -> None:
    cal = calendar({"mon": [["18:00", "24:00"]], "tue": [["18:00", "24:00"]]})
    assert add_working_time(cal, at(2026, 6, 8, 23), 2 * H) == at(2026, 6, 9, 19)
    assert add_working_time(cal, at(2026, 6, 8, 23), H) == at(2026, 6, 9)
    assert is_working(cal, at(2026, 6, 8, 23, 59))
    assert not is_working(cal, at(2026, 6, 9))


def test_overnight_cover_is_one_continuous_period() -> None:
    cal = calendar({"mon": [["22:00", "24:00"]], "tue": [["00:00", "06:00"]]})
    periods = list(working_periods(cal, at(2026, 6, 8, 20), at(2026, 6, 9, 8)))
    assert periods == [(at(2026, 6, 8, 22), at(2026, 6, 9, 6))]
    assert add_working_time(cal, at(2026, 6, 8, 23), 2 * H) == at(2026, 6, 9, 1)
    assert is_working(cal, at(2026, 6, 9))
    assert next_working_instant(cal, at(2026, 6, 9)) == at(2026, 6, 9)


def test_calendar_with_no_hours_never_opens_and_refuses_to_add() -> None:
    cal = calendar({}, holidays=("2026-12-25",))
    start = at(2026, 6, 8, 9)
    with pytest.raises(ValueError, match="no open hours"):
        add_working_time(cal, start, H)
    with pytest.raises(ValueError, match="no open hours"):
        next_working_instant(cal, start)
    with pytest.raises(ValueError, match="no open hours"):
        due_at(cal, start, H, [], now=start)
    assert working_time_between(cal, start, start + timedelta(days=400)) == timedelta(0)
    assert list(working_periods(cal, start, start + timedelta(days=400))) == []
    assert not is_working(cal, start)


def test_exact_microseconds_are_kept() -> None:
    cal = calendar(OFFICE)
    start = at(2026, 6, 5, 16, 59) + timedelta(seconds=59, microseconds=999_998)
    assert add_working_time(cal, start, TICK) == start + TICK
    assert add_working_time(cal, start, 3 * TICK) == at(2026, 6, 8, 8) + TICK
    odd = timedelta(hours=30, microseconds=1)
    assert working_time_between(cal, start, add_working_time(cal, start, odd)) == odd


def test_zero_duration_returns_start_unchanged_even_out_of_hours() -> None:
    cal = calendar(OFFICE)
    saturday = at(2026, 6, 6, 10)
    assert add_working_time(cal, saturday, timedelta(0)) == saturday
    assert due_at(cal, saturday, timedelta(0), [], now=saturday) == saturday


def test_negative_durations_are_rejected() -> None:
    cal = calendar(OFFICE)
    with pytest.raises(ValueError, match="negative"):
        add_working_time(cal, at(2026, 6, 8, 9), -TICK)
    with pytest.raises(ValueError, match="negative"):
        due_at(cal, at(2026, 6, 8, 9), -TICK, [], now=at(2026, 6, 8, 9))


def test_end_before_start_is_zero_working_time() -> None:
    cal = calendar(OFFICE)
    assert working_time_between(cal, at(2026, 6, 8, 12), at(2026, 6, 8, 10)) == timedelta(0)
    assert list(working_periods(cal, at(2026, 6, 8, 12), at(2026, 6, 8, 10))) == []


@pytest.mark.parametrize(
    "call",
    [
        lambda cal, naive: add_working_time(cal, naive, H),
        lambda cal, naive: working_time_between(cal, naive, at(2026, 6, 9)),
        lambda cal, naive: working_time_between(cal, at(2026, 6, 1), naive),
        lambda cal, naive: list(working_periods(cal, at(2026, 6, 1), naive)),
        lambda cal, naive: next_working_instant(cal, naive),
        lambda cal, naive: is_working(cal, naive),
        lambda cal, naive: due_at(cal, naive, H, [], now=at(2026, 6, 9)),
        lambda cal, naive: due_at(cal, at(2026, 6, 1), H, [(naive, None)], now=at(2026, 6, 9)),
        lambda cal, naive: paused_working_time(cal, [(at(2026, 6, 1), None)], now=naive),
    ],
)
@pytest.mark.parametrize("hours", [OFFICE, ALL_DAY])
def test_naive_datetimes_are_rejected(
    call: Callable[[Calendar, datetime], object], hours: Hours
) -> None:
    naive = datetime(2026, 6, 8, 9)  # noqa: DTZ001 - the point of the test
    with pytest.raises(ValueError, match="aware"):
        call(calendar(hours), naive)


def test_any_aware_zone_in_utc_out() -> None:
    cal = calendar(OFFICE)
    start = datetime(2026, 6, 5, 10, tzinfo=ZoneInfo("America/New_York"))  # 16:00 Warsaw
    due = add_working_time(cal, start, 2 * H)
    assert due == at(2026, 6, 8, 9)
    assert due.tzinfo is UTC


def test_thirty_days_of_working_time_is_walked_day_by_day() -> None:
    cal = calendar(OFFICE, holidays=("2026-08-15", "2026-11-11"))
    start = at(2026, 6, 5, 16)
    began = time.perf_counter()
    due = add_working_time(cal, start, timedelta(days=30))
    assert time.perf_counter() - began < 0.05  # ~0.3 ms in practice; minute steps take seconds
    assert working_time_between(cal, start, due) == timedelta(days=30)


# --- after-hours starts ----------------------------------------------------------------------


def test_after_hours_report_starts_its_clock_at_the_next_opening() -> None:
    cal = calendar(OFFICE)
    friday_evening = at(2026, 6, 5, 18, 30)
    assert next_working_instant(cal, friday_evening) == at(2026, 6, 8, 8)
    assert next_working_instant(cal, at(2026, 6, 8, 8)) == at(2026, 6, 8, 8)
    assert next_working_instant(cal, at(2026, 6, 8, 16, 59)) == at(2026, 6, 8, 16, 59)
    assert next_working_instant(cal, at(2026, 6, 8, 17)) == at(2026, 6, 9, 8)
    assert add_working_time(cal, friday_evening, H) == at(2026, 6, 8, 9)


# --- pauses ----------------------------------------------------------------------------------


MONDAY_0900 = at(2026, 6, 8, 9)


def test_pause_in_hours_pushes_due_by_exactly_the_paused_working_time() -> None:
    cal = calendar(OFFICE)
    pause = (at(2026, 6, 8, 10) + TICK, at(2026, 6, 8, 10, 17) + timedelta(seconds=33.123457))
    paused = paused_working_time(cal, [pause], now=at(2026, 6, 9))
    assert paused == pause[1] - pause[0]
    due = due_at(cal, MONDAY_0900, 4 * H, [pause], now=at(2026, 6, 9))
    assert due == at(2026, 6, 8, 13) + paused


def test_pause_outside_hours_changes_nothing() -> None:
    cal = calendar(OFFICE)
    overnight = (at(2026, 6, 8, 17), at(2026, 6, 9, 8))
    before_start = (at(2026, 6, 5, 9), at(2026, 6, 5, 12))
    now = at(2026, 6, 10)
    assert paused_working_time(cal, [overnight], now=now) == timedelta(0)
    plain = due_at(cal, MONDAY_0900, 12 * H, [], now=now)
    assert plain == at(2026, 6, 9, 12)
    assert due_at(cal, MONDAY_0900, 12 * H, [overnight, before_start], now=now) == plain


def test_pause_across_closing_counts_only_its_working_hours() -> None:
    cal = calendar(OFFICE)
    pause = (at(2026, 6, 8, 16), at(2026, 6, 9, 9))
    assert paused_working_time(cal, [pause], now=at(2026, 6, 10)) == 2 * H
    assert due_at(cal, MONDAY_0900, 8 * H, [pause], now=at(2026, 6, 10)) == at(2026, 6, 9, 10)


def test_overlapping_pauses_count_once() -> None:
    cal = calendar(OFFICE)
    pauses = [
        (at(2026, 6, 8, 10), at(2026, 6, 8, 11)),
        (at(2026, 6, 8, 10, 30), at(2026, 6, 8, 11, 30)),
    ]
    now = at(2026, 6, 9)
    assert paused_working_time(cal, pauses, now=now) == H + H / 2
    assert paused_working_time(cal, pauses + pauses[:1], now=now) == H + H / 2
    assert due_at(cal, MONDAY_0900, 4 * H, pauses, now=now) == at(2026, 6, 8, 14, 30)


def test_open_pause_runs_until_now() -> None:
    cal = calendar(OFFICE)
    pause = [(at(2026, 6, 8, 10), None)]
    assert paused_working_time(cal, pause, now=at(2026, 6, 8, 10, 45)) == H * 3 / 4
    assert due_at(cal, MONDAY_0900, 4 * H, pause, now=at(2026, 6, 8, 10, 45)) == at(
        2026, 6, 8, 13, 45
    )
    # Still paused the next morning: the clock resumes from `now` at the earliest.
    assert due_at(cal, MONDAY_0900, 4 * H, pause, now=at(2026, 6, 9, 9)) == at(2026, 6, 9, 12)
    # An open pause begun after `now` has not paused anything yet.
    assert paused_working_time(cal, pause, now=at(2026, 6, 8, 9)) == timedelta(0)


def test_pause_ending_before_it_starts_is_rejected() -> None:
    with pytest.raises(ValueError, match="ends before it starts"):
        paused_working_time(
            calendar(OFFICE), [(at(2026, 6, 8, 11), at(2026, 6, 8, 10))], now=at(2026, 6, 9)
        )


# --- properties ------------------------------------------------------------------------------

ZONES = ("Europe/Warsaw", "America/New_York", "Australia/Sydney", "UTC")
PROPERTY = settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


DAY_TEMPLATES: tuple[list[list[str]], ...] = (
    [],
    [["00:00", "24:00"]],
    [["08:00", "17:00"]],
    [["08:00", "12:00"], ["13:00", "17:00"]],
    [["22:00", "24:00"]],
    [["00:00", "06:00"]],
    [["00:00", "06:00"], ["22:00", "24:00"]],
    [["01:30", "03:30"]],  # straddles the skipped / repeated hour
    [["02:00", "03:00"]],  # is the skipped / repeated hour in Europe and Sydney
    [["02:30", "03:00"]],  # inverts on a spring-forward day
)


def _mask_spans(mask: int) -> list[list[str]]:
    """Spans for the set bits of a 48-bit mask, one bit per half hour from 00:00."""
    spans, bit = [], 0
    while bit < 48:
        if mask >> bit & 1:
            end = bit
            while end < 48 and mask >> end & 1:
                end += 1
            spans.append([_hhmm(bit), _hhmm(end)])
            bit = end
        bit += 1
    return spans


def _hhmm(half_hours: int) -> str:
    return f"{half_hours // 2:02d}:{30 * (half_hours % 2):02d}"


# Realistic shapes, and arbitrary half-hour patterns that land on and inside DST changes.
day_spans = st.one_of(st.sampled_from(DAY_TEMPLATES), st.integers(0, 2**48 - 1).map(_mask_spans))


@st.composite
def calendars(draw: st.DrawFn) -> Calendar:
    hours = {day: draw(day_spans) for day in WEEKDAYS}
    if not any(hours.values()):
        hours["wed"] = [["08:00", "17:00"]]
    holidays = draw(st.lists(st.integers(0, 485), max_size=12))
    return calendar(
        hours,
        tz=draw(st.sampled_from(ZONES)),
        holidays=tuple((date(2025, 12, 1) + timedelta(days=d)).isoformat() for d in holidays),
    )


# Hypothesis takes naive bounds and attaches the zone itself.
instants = st.datetimes(
    datetime(2026, 1, 1),  # noqa: DTZ001
    datetime(2026, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)
durations = st.timedeltas(timedelta(0), timedelta(days=6))


@PROPERTY
@given(calendars(), instants, durations, durations)
def test_add_working_time_round_trips_to_the_earliest_instant_and_is_monotone(
    cal: Calendar, start: datetime, d1: timedelta, d2: timedelta
) -> None:
    d1, d2 = sorted((d1, d2))
    due1, due2 = add_working_time(cal, start, d1), add_working_time(cal, start, d2)
    assert start <= due1 <= due2
    assert due2.tzinfo is UTC
    assert working_time_between(cal, start, due2) == d2
    if d2:
        # The result is the earliest such instant: the tick just before it was worked.
        assert is_working(cal, due2 - TICK)
        assert working_time_between(cal, start, due2 - TICK) == d2 - TICK


@PROPERTY
@given(calendars(), instants, durations, durations)
def test_working_periods_are_maximal_and_working_time_is_additive(
    cal: Calendar, a: datetime, ab: timedelta, bc: timedelta
) -> None:
    b, c = a + ab, a + ab + bc
    whole = working_time_between(cal, a, c)
    assert whole == working_time_between(cal, a, b) + working_time_between(cal, b, c)
    periods = list(working_periods(cal, a, c))
    assert whole == sum((e - s for s, e in periods), timedelta(0))
    for (_s1, e1), (s2, _e2) in pairwise(periods):
        assert e1 < s2  # touching periods would have been merged
    for s, e in periods:
        assert a <= s < e <= c
        assert s.tzinfo is UTC
        assert is_working(cal, s)
        assert is_working(cal, e - TICK)
        assert e == c or not is_working(cal, e)
        assert s == a or not is_working(cal, s - TICK)


@PROPERTY
@given(calendars(), instants)
def test_next_working_instant_and_is_working_agree_with_the_wall_clock(
    cal: Calendar, moment: datetime
) -> None:
    opens = next_working_instant(cal, moment)
    assert opens >= moment
    assert is_working(cal, opens)
    assert working_time_between(cal, moment, opens) == timedelta(0)
    assert (opens == moment) == is_working(cal, moment)
    # An independent oracle, valid where the local day has no DST change: is the local wall
    # time inside one of the day's spans?
    local = moment.astimezone(cal.zone)
    midnight = datetime.combine(local.date(), datetime.min.time(), tzinfo=cal.zone)
    next_midnight = datetime.combine(
        local.date() + timedelta(days=1), datetime.min.time(), tzinfo=cal.zone
    )
    if midnight.utcoffset() == next_midnight.utcoffset():
        minute = local.hour * 60 + local.minute
        expected = local.date() not in cal.holidays and any(
            a <= minute < b for a, b in cal.hours[local.weekday()]
        )
        assert is_working(cal, moment) == expected


# A pause as (offset of its start from the clock's start, its length or None while open).
pause_shapes = st.lists(
    st.tuples(
        st.timedeltas(timedelta(days=-2), timedelta(days=8)),
        st.one_of(st.none(), st.timedeltas(timedelta(0), timedelta(days=3))),
    ),
    max_size=4,
)


def _pauses(
    start: datetime, shapes: list[tuple[timedelta, timedelta | None]]
) -> list[tuple[datetime, datetime | None]]:
    return [(start + o, None if n is None else start + o + n) for o, n in shapes]


@PROPERTY
@given(calendars(), instants, durations, pause_shapes, pause_shapes.filter(bool), durations)
def test_due_at_meets_its_definition_and_more_pause_never_makes_it_earlier(
    cal: Calendar,
    start: datetime,
    target: timedelta,
    shapes: list[tuple[timedelta, timedelta | None]],
    extra: list[tuple[timedelta, timedelta | None]],
    since_start: timedelta,
) -> None:
    pauses, now = _pauses(start, shapes), start + since_start
    due = due_at(cal, start, target, pauses, now)
    assert due >= start
    assert due <= due_at(cal, start, target, pauses + _pauses(start, extra), now)
    assert due_at(cal, start, target, [], now) == add_working_time(cal, start, target)

    def run(until: datetime) -> timedelta:
        clipped = [
            (max(s, start), min(now if e is None else e, until))
            for s, e in pauses
            if min(now if e is None else e, until) > max(s, start)
        ]
        return working_time_between(cal, start, until) - paused_working_time(cal, clipped, now)

    assert run(due) == target
    if target:
        assert run(due - TICK) < target
