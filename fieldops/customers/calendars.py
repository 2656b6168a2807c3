"""Validation of SLA calendars and targets held as data (pure: no Flask, no database)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PRIORITIES = ("P1", "P2", "P3", "P4")
TARGET_KEYS = ("response_min", "resolution_min", "onsite_min")
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")

ALWAYS_OPEN = {
    "timezone": "UTC",
    "hours": {day: [["00:00", "24:00"]] for day in WEEKDAYS},
    "holidays": [],
}


def calendar_errors(calendar: Any) -> list[str]:
    """Return what is wrong with a calendar document; empty when it is valid."""
    if not isinstance(calendar, dict):
        return ["Must be an object with timezone, hours and holidays."]
    problems: list[str] = []
    try:
        ZoneInfo(str(calendar.get("timezone", "")))
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(f"Unknown time zone {calendar.get('timezone')!r}.")
    hours = calendar.get("hours")
    if not isinstance(hours, dict) or set(hours) - set(WEEKDAYS):
        problems.append("hours must map mon..sun to lists of [start, end] pairs.")
    else:
        for day, spans in hours.items():
            if not isinstance(spans, list):
                problems.append(f"hours.{day} must be a list.")
                continue
            for span in spans:
                if (
                    not isinstance(span, list | tuple)
                    or len(span) != 2
                    or not all(isinstance(t, str) and _HHMM.match(t) for t in span)
                    or span[0] >= span[1]
                ):
                    problems.append(f"hours.{day} has a bad span {span!r} (HH:MM, start < end).")
    holidays = calendar.get("holidays", [])
    if not isinstance(holidays, list):
        problems.append("holidays must be a list of YYYY-MM-DD dates.")
    else:
        for day in holidays:
            try:
                date.fromisoformat(str(day))
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
    if set(targets) - set(PRIORITIES):
        problems.append("Only P1, P2, P3 and P4 may have targets.")
    return problems
