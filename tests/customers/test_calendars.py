"""Validation of SLA calendar and target documents held as data (pure).

What the validator accepts must be a calendar the SLA clock can run on: a plan that passes
here but makes the clock raise would turn every ticket on it into a server error.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from fieldops.customers.calendars import ALWAYS_OPEN, calendar_errors, targets_errors
from fieldops.tickets.sla import Calendar, next_working_instant

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
BUSINESS: dict[str, Any] = {
    "timezone": "Europe/Warsaw",
    "hours": {
        **{d: [["08:00", "17:00"]] for d in WEEKDAYS[:5]},
        "sat": [],
        "sun": [],
    },
    "holidays": ["2026-12-25", "2026-12-26"],
}
TARGETS: dict[str, Any] = {
    "P1": {"response_min": 15, "resolution_min": 240, "onsite_min": 240},
    "P2": {"response_min": 30, "resolution_min": 480, "onsite_min": 480},
    "P3": {"response_min": 120, "resolution_min": 1440, "onsite_min": 1440},
    "P4": {"response_min": 480, "resolution_min": 4320, "onsite_min": 4320},
}


@pytest.mark.parametrize(
    "calendar",
    [
        ALWAYS_OPEN,
        BUSINESS,
        {"timezone": "America/New_York", "hours": {"mon": [["00:00", "24:00"]]}},
        {
            "timezone": "Asia/Tokyo",
            "hours": {"fri": [["08:00", "12:00"], ["13:00", "17:00"]], "sat": [["09:00", "13:00"]]},
            "holidays": [],
        },
    ],
)
def test_good_calendars_pass_and_the_clock_can_run_on_them(calendar: dict[str, Any]) -> None:
    assert calendar_errors(calendar) == []
    parsed = Calendar.from_document(calendar)
    assert parsed.has_hours


def test_always_open_is_24x7_with_no_holidays() -> None:
    assert ALWAYS_OPEN["holidays"] == []
    assert all(ALWAYS_OPEN["hours"][d] == [["00:00", "24:00"]] for d in WEEKDAYS)
    assert Calendar.from_document(ALWAYS_OPEN).is_always_open


def _bad(**changes: Any) -> dict[str, Any]:
    document = copy.deepcopy(BUSINESS)
    for key, value in changes.items():
        if value is None:
            document.pop(key)
        else:
            document[key] = value
    return document


def _start_a_clock(calendar: Any) -> None:
    next_working_instant(Calendar.from_document(calendar), datetime(2026, 11, 18, tzinfo=UTC))


BAD_CALENDARS: list[tuple[str, Any, str]] = [
    ("not an object", ["Europe/Warsaw"], "Must be an object"),
    ("unknown zone", _bad(timezone="Mars/Olympus_Mons"), "time zone"),
    ("no zone", _bad(timezone=None), "time zone"),
    ("zone not a string", _bad(timezone=1), "time zone"),
    ("hours not a map", _bad(hours=[["08:00", "17:00"]]), "hours"),
    ("unknown weekday", _bad(hours={"monday": [["08:00", "17:00"]]}), "hours"),
    ("day not a list", _bad(hours={"mon": "08:00-17:00"}), "hours.mon"),
    ("span not a pair", _bad(hours={"mon": [["08:00"]]}), "hours.mon"),
    ("span not HH:MM", _bad(hours={"mon": [["8am", "5pm"]]}), "hours.mon"),
    ("minutes out of range", _bad(hours={"mon": [["08:60", "17:00"]]}), "hours.mon"),
    ("span backwards", _bad(hours={"mon": [["17:00", "08:00"]]}), "hours.mon"),
    ("span empty", _bad(hours={"mon": [["08:00", "08:00"]]}), "hours.mon"),
    ("starts at 24:00", _bad(hours={"mon": [["24:00", "24:00"]]}), "hours.mon"),
    ("holidays not a list", _bad(holidays="2026-12-25"), "holidays"),
    ("holiday not a date", _bad(holidays=["Christmas"]), "Christmas"),
    ("holiday not a real date", _bad(holidays=["2026-02-30"]), "2026-02-30"),
    ("holiday in basic format", _bad(holidays=["20261225"]), "20261225"),
    ("holiday with a time", _bad(holidays=["2026-12-25T00:00"]), "2026-12-25T00:00"),
    ("holiday not a string", _bad(holidays=[20261225]), "20261225"),
    ("holiday with a newline", _bad(holidays=["2026-12-25\n"]), "2026-12-25"),
    ("time with a newline", _bad(hours={"mon": [["08:00", "17:00\n"]]}), "hours.mon"),
    ("a typo for holidays", {**BUSINESS, "holiday": ["2026-12-24"]}, "holiday"),
    ("never open", _bad(hours={d: [] for d in WEEKDAYS}), "open"),
    ("no hours at all", _bad(hours=None), "hours"),
]


@pytest.mark.parametrize(
    ("calendar", "fragment"),
    [(c, f) for _, c, f in BAD_CALENDARS],
    ids=[name for name, _, _ in BAD_CALENDARS],
)
def test_bad_calendars_are_refused_naming_the_problem(calendar: Any, fragment: str) -> None:
    problems = calendar_errors(calendar)
    assert problems, "accepted a calendar the SLA clock cannot use"
    assert any(fragment in p for p in problems), problems


@pytest.mark.parametrize(
    "calendar", [c for _, c, _ in BAD_CALENDARS], ids=[n for n, _, _ in BAD_CALENDARS]
)
def test_whatever_the_validator_refuses_the_clock_cannot_use_either(calendar: Any) -> None:
    """The validator is no stricter than the clock: refusals are real problems."""
    with pytest.raises(ValueError):  # noqa: PT011 - the clock's messages are its own contract
        _start_a_clock(calendar)


def test_every_problem_is_reported_at_once() -> None:
    problems = calendar_errors(
        {"timezone": "Nowhere/Land", "hours": {"mon": [["9", "5"]]}, "holidays": ["soon"]}
    )
    assert len(problems) >= 3


def test_good_targets_pass() -> None:
    assert targets_errors(TARGETS) == []
    a_year = {"response_min": 60, "resolution_min": 525_600, "onsite_min": 525_600}
    assert targets_errors({**TARGETS, "P4": a_year}) == []


def _targets(**changes: Any) -> dict[str, Any]:
    document = copy.deepcopy(TARGETS)
    for priority, entry in changes.items():
        if entry is None:
            document.pop(priority)
        else:
            document[priority] = entry
    return document


BAD_TARGETS: list[tuple[str, Any, str]] = [
    ("not an object", [15, 240], "Must map P1..P4"),
    ("a priority missing", _targets(P4=None), "P4 is missing"),
    ("entry not an object", _targets(P2=30), "P2 is missing"),
    ("onsite missing", _targets(P1={"response_min": 15, "resolution_min": 240}), "P1.onsite_min"),
    (
        "zero minutes",
        _targets(P3={"response_min": 0, "resolution_min": 1440, "onsite_min": 1440}),
        "P3.response_min",
    ),
    (
        "negative minutes",
        _targets(P3={"response_min": 60, "resolution_min": -1, "onsite_min": 1440}),
        "P3.resolution_min",
    ),
    (
        "fractional minutes",
        _targets(P2={"response_min": 30.5, "resolution_min": 480, "onsite_min": 480}),
        "P2.response_min",
    ),
    (
        "minutes as text",
        _targets(P2={"response_min": "30", "resolution_min": 480, "onsite_min": 480}),
        "P2.response_min",
    ),
    (
        "a boolean is not a number",
        _targets(P2={"response_min": True, "resolution_min": 480, "onsite_min": 480}),
        "P2.response_min",
    ),
    (
        "more than a year of minutes",
        _targets(P4={"response_min": 480, "resolution_min": 10**30, "onsite_min": 4320}),
        "P4.resolution_min",
    ),
    (
        "an unknown priority",
        _targets(P5={"response_min": 1, "resolution_min": 1, "onsite_min": 1}),
        "Only P1, P2, P3 and P4",
    ),
]


@pytest.mark.parametrize(
    ("targets", "fragment"),
    [(t, f) for _, t, f in BAD_TARGETS],
    ids=[name for name, _, _ in BAD_TARGETS],
)
def test_bad_targets_are_refused_naming_the_problem(targets: Any, fragment: str) -> None:
    problems = targets_errors(targets)
    assert problems
    assert any(fragment in p for p in problems), problems
