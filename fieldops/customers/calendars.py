"""Validation of SLA calendars and targets held as data (pure: no Flask, no database)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PRIORITIES = ("P1", "P2", "P3", "P4")
TARGET_KEYS = ("response_min", "resolution_min", "onsite_min")
# No SLA promises more than a year; far larger targets overflow the clock's datetime maths.
TARGET_MAX_MIN = 525_600
_HHMM = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]|24:00")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
CALENDAR_KEYS = ("timezone", "hours", "holidays")

ALWAYS_OPEN = {
    "timezone": "UTC",
    "hours": {day: [["00:00", "24:00"]] for day in WEEKDAYS},
    "holidays": [],
}


def calendar_errors(calendar: Any) -> list[str]:
    """Return what is wrong with a calendar document; empty when it is valid.

    As strict as the SLA clock that reads it (tickets/sla.py): a plan that passed here but
    made the clock raise would turn every ticket on it into a server error. So unknown keys
    (a typo such as "holiday" must not silently mean "no holidays"), holidays that are not
    exactly YYYY-MM-DD and a week with no open hours at all are refused.
    """
    if not isinstance(calendar, dict):
        return ["Must be an object with timezone, hours and holidays."]
    problems: list[str] = []
    unknown = sorted(str(key) for key in set(calendar) - set(CALENDAR_KEYS))
    if unknown:
        problems.append(f"Unknown key(s) {', '.join(unknown)}; use timezone, hours, holidays.")
    zone = calendar.get("timezone")
    try:
        if not isinstance(zone, str) or not zone:
            raise ValueError(zone)
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        problems.append(f"Unknown time zone {zone!r}.")
    hours = calendar.get("hours")
    if not isinstance(hours, dict) or set(hours) - set(WEEKDAYS):
        problems.append("hours must map mon..sun to lists of [start, end] pairs.")
    else:
        open_spans = 0
        for day, spans in hours.items():
            if not isinstance(spans, list):
                problems.append(f"hours.{day} must be a list.")
                continue
            for span in spans:
                if (
                    not isinstance(span, list | tuple)
                    or len(span) != 2
                    or not all(isinstance(t, str) and _HHMM.fullmatch(t) for t in span)
                    or span[0] >= span[1]
                ):
                    problems.append(f"hours.{day} has a bad span {span!r} (HH:MM, start < end).")
                else:
                    open_spans += 1
        if open_spans == 0 and not problems:
            problems.append("hours must open on at least one day: this calendar is never open.")
    holidays = calendar.get("holidays", [])
    if not isinstance(holidays, list):
        problems.append("holidays must be a list of YYYY-MM-DD dates.")
    else:
        for day in holidays:
            try:
                if not isinstance(day, str) or not _ISO_DATE.fullmatch(day):
                    raise ValueError(day)
                date.fromisoformat(day)
            except ValueError:
                problems.append(f"holiday {day!r} is not a YYYY-MM-DD date.")
    return problems


def targets_errors(targets: Any) -> list[str]:
    """Return what is wrong with a targets document; empty when it is valid."""
    if not isinstance(targets, dict):
        return ["Must map P1..P4 to response_min, resolution_min and onsite_min."]
    problems: list[str] = []
    for priority in PRIORITIES:
        entry = targets.get(priority)
        if not isinstance(entry, dict):
            problems.append(f"{priority} is missing.")
            continue
        for key in TARGET_KEYS:
            value = entry.get(key)
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                problems.append(f"{priority}.{key} must be a positive whole number of minutes.")
            elif value > TARGET_MAX_MIN:
                problems.append(f"{priority}.{key} must be at most {TARGET_MAX_MIN} (a year).")
    if set(targets) - set(PRIORITIES):
        problems.append("Only P1, P2, P3 and P4 may have targets.")
    return problems


# Office hours for the "reported outside business hours" rule when the SLA calendar itself is
# open round the clock: a not-affecting fault reported at night or at the weekend on a 24x7
# plan starts its clock at the next office-hours period, in the plan's zone and holidays.
OFFICE_HOURS = {day: [["08:00", "17:00"]] for day in WEEKDAYS[:5]} | {"sat": [], "sun": []}


def business_hours_document(calendar: dict[str, Any]) -> dict[str, Any]:
    """The business hours a plan's calendar implies: its own hours when it has closed times,
    else office hours (Mon-Fri 08:00-17:00) in its time zone with its holidays."""
    hours = calendar.get("hours", {})
    always_open = all(hours.get(day) == [["00:00", "24:00"]] for day in WEEKDAYS)
    if not always_open:
        return calendar
    return {
        "timezone": calendar.get("timezone", "UTC"),
        "hours": OFFICE_HOURS,
        "holidays": list(calendar.get("holidays", [])),
    }
