"""Shift periods: a weekly pattern in the engineer's zone, across midnight and DST, less
absences."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fieldops.dispatch.queries.candidates import shift_periods

MONDAY = datetime(2026, 11, 16, 0, 0, tzinfo=UTC)


def test_a_day_shift_in_warsaw_is_read_in_local_time() -> None:
    periods = shift_periods(
        "Europe/Warsaw", {"mon": [["08:00", "16:00"]]}, MONDAY, MONDAY + timedelta(days=1)
    )
    assert periods == [(MONDAY + timedelta(hours=7), MONDAY + timedelta(hours=15))]  # CET


def test_a_night_shift_split_at_midnight_is_one_period() -> None:
    pattern = {"mon": [["22:00", "24:00"]], "tue": [["00:00", "06:00"]]}
    periods = shift_periods("UTC", pattern, MONDAY, MONDAY + timedelta(days=2))
    assert periods == [(MONDAY + timedelta(hours=22), MONDAY + timedelta(hours=30))]


def test_an_absence_cuts_the_shift() -> None:
    pattern = {"mon": [["08:00", "16:00"]]}
    away = [(MONDAY + timedelta(hours=10), MONDAY + timedelta(hours=12))]
    periods = shift_periods("UTC", pattern, MONDAY, MONDAY + timedelta(days=1), away)
    assert periods == [
        (MONDAY + timedelta(hours=8), MONDAY + timedelta(hours=10)),
        (MONDAY + timedelta(hours=12), MONDAY + timedelta(hours=16)),
    ]
    whole_day = [(MONDAY, MONDAY + timedelta(days=1))]
    assert shift_periods("UTC", pattern, MONDAY, MONDAY + timedelta(days=1), whole_day) == []


def test_summer_time_moves_the_utc_hours() -> None:
    july = datetime(2026, 7, 13, 0, 0, tzinfo=UTC)  # a Monday in CEST
    periods = shift_periods(
        "Europe/Warsaw", {"mon": [["08:00", "16:00"]]}, july, july + timedelta(days=1)
    )
    assert periods == [(july + timedelta(hours=6), july + timedelta(hours=14))]


def test_no_hours_at_all_means_never_on_shift() -> None:
    assert shift_periods("UTC", {}, MONDAY, MONDAY + timedelta(days=7)) == []
