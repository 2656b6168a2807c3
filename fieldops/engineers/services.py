"""Engineer profiles and their absences: creating, changing, positions. Services flush, never
commit (STYLE.md 3.2); the surface's transaction() is the unit of work."""

from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from fieldops.accounts.models import Role, User
from fieldops.customers.calendars import ALWAYS_OPEN, WEEKDAYS, calendar_errors
from fieldops.db import db
from fieldops.engineers.models import DEFAULT_SHIFTS, Absence, Engineer
from fieldops.engineers.queries import get_engineer
from fieldops.errors import ConflictError, NotFoundError, RuleViolationError

log = logging.getLogger(__name__)

SKILL_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
MAX_SKILLS = 30
NAME_MAX = 120  # Engineer.name
REASON_MAX = 200  # Absence.reason
TIMEZONE_MAX = 64  # Engineer.timezone
DEFAULT_TIMEZONE = "Europe/Warsaw"
DEFAULT_CAPACITY = 6
CAPACITY_MIN, CAPACITY_MAX = 1, 50

Shifts = dict[str, list[list[str]]]


def _point_errors(lat: Any, lon: Any, lat_field: str, lon_field: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if isinstance(lat, bool) or not isinstance(lat, int | float) or not -90 <= lat <= 90:
        errors[lat_field] = ["Must be between -90 and 90."]
    if isinstance(lon, bool) or not isinstance(lon, int | float) or not -180 <= lon <= 180:
        errors[lon_field] = ["Must be between -180 and 180."]
    return errors


def _skills(skills: list[str], errors: dict[str, list[str]]) -> list[str]:
    """Skill tags lower-cased, de-duplicated and sorted (the candidate filter compares them)."""
    if not isinstance(skills, list) or not all(isinstance(s, str) for s in skills):
        errors["skills"] = ["Must be a list of skill tags."]
        return []
    tags = sorted({s.strip().lower() for s in skills})
    if bad := [s for s in tags if not SKILL_RE.match(s)]:
        errors["skills"] = [f"Not a skill tag: {', '.join(bad)} (use letters, digits, dashes)."]
    elif len(tags) > MAX_SKILLS:
        errors["skills"] = [f"At most {MAX_SKILLS} skills."]
    return tags


def _timezone(timezone: str, errors: dict[str, list[str]]) -> None:
    # The SLA calendar's validator, given always-open hours, judges the zone alone.
    if not isinstance(timezone, str) or len(timezone) > TIMEZONE_MAX:
        errors["timezone"] = ["Must be an IANA time zone such as Europe/Warsaw."]
    elif problems := calendar_errors({**ALWAYS_OPEN, "timezone": timezone}):
        errors["timezone"] = problems


def _shifts(shifts: Any, errors: dict[str, list[str]]) -> Shifts:
    """Weekly spans as an SLA calendar's `hours` (validated by calendar_errors, the one rule
    the SLA clock and candidate filter also obey); a missing weekday is a day off. A night
    shift is split at midnight: [["22:00", "24:00"]] on one day, [["00:00", "06:00"]] next."""
    problems = calendar_errors({"timezone": "UTC", "hours": shifts, "holidays": []})
    if problems:
        errors["shifts"] = problems
        return {}
    return {day: [list(span) for span in shifts.get(day, [])] for day in WEEKDAYS}


def _capacity(daily_capacity: Any, errors: dict[str, list[str]]) -> None:
    if (
        isinstance(daily_capacity, bool)
        or not isinstance(daily_capacity, int)
        or not CAPACITY_MIN <= daily_capacity <= CAPACITY_MAX
    ):
        errors["daily_capacity"] = [
            f"Must be a whole number of jobs from {CAPACITY_MIN} to {CAPACITY_MAX}."
        ]


def _check_user(user_id: int, errors: dict[str, list[str]]) -> None:
    user = db.session.get(User, user_id) if 0 < user_id <= 2**31 - 1 else None
    if user is None:
        errors["user_id"] = [f"No user {user_id}."]
    elif user.role != Role.ENGINEER:
        errors["user_id"] = ["The user's role must be engineer."]


def _user_taken(user_id: int) -> ConflictError:
    return ConflictError(
        f"User {user_id} is already linked to an engineer.",
        {"user_id": ["Already linked to an engineer."]},
    )


def create_engineer(
    *,
    name: str,
    home_lat: float,
    home_lon: float,
    now: datetime,
    skills: list[str] | None = None,
    timezone: str = DEFAULT_TIMEZONE,
    shifts: Shifts | None = None,
    daily_capacity: int = DEFAULT_CAPACITY,
    user_id: int | None = None,
) -> Engineer:
    """A new, active engineer; shifts default to DEFAULT_SHIFTS (Mon-Fri 08:00-16:00 local).

    Raises RuleViolationError naming each bad field (empty name, a point off the globe, a
    malformed skill tag, an unknown time zone, bad shifts, a capacity outside 1..50, a user
    who does not exist or is not an engineer) and ConflictError when the user already has an
    engineer profile: one login is one engineer.
    """
    errors: dict[str, list[str]] = {}
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > NAME_MAX:
        errors["name"] = [f"Give the engineer's name (1-{NAME_MAX} characters)."]
    errors.update(_point_errors(home_lat, home_lon, "home_lat", "home_lon"))
    tags = _skills(skills or [], errors)
    _timezone(timezone, errors)
    week = _shifts(DEFAULT_SHIFTS if shifts is None else shifts, errors)
    _capacity(daily_capacity, errors)
    if user_id is not None:
        _check_user(user_id, errors)
    if errors:
        raise RuleViolationError("The engineer could not be created.", errors)
    if user_id is not None and db.session.scalar(
        select(Engineer.id).where(Engineer.user_id == user_id)
    ):
        raise _user_taken(user_id)
    engineer = Engineer(
        name=name.strip(),
        home_lat=float(home_lat),
        home_lon=float(home_lon),
        skills=tags,
        timezone=timezone,
        shifts=week,
        daily_capacity=daily_capacity,
        user_id=user_id,
        is_active=True,
        created_at=now,
    )
    try:
        # A savepoint, so a concurrent link of the same user (the unique constraint) is a 409
        # and the rest of the unit of work survives.
        with db.session.begin_nested():
            db.session.add(engineer)
    except IntegrityError as error:
        raise _user_taken(user_id or 0) from error
    log.info("engineer %s created", engineer.id)
    return engineer


def update_engineer(
    engineer_id: int,
    *,
    skills: list[str] | None = None,
    shifts: Shifts | None = None,
    timezone: str | None = None,
    daily_capacity: int | None = None,
    is_active: bool | None = None,
) -> Engineer:
    """Change what is given (None leaves a field as it is). Raises NotFoundError for an
    unknown engineer and RuleViolationError naming each bad field, changing nothing."""
    engineer = get_engineer(engineer_id)
    errors: dict[str, list[str]] = {}
    tags = _skills(skills, errors) if skills is not None else engineer.skills
    week = _shifts(shifts, errors) if shifts is not None else engineer.shifts
    if timezone is not None:
        _timezone(timezone, errors)
    if daily_capacity is not None:
        _capacity(daily_capacity, errors)
    if is_active is not None and not isinstance(is_active, bool):
        errors["active"] = ["Must be true or false."]
    if errors:
        raise RuleViolationError("The engineer could not be changed.", errors)
    engineer.skills = list(tags)
    engineer.shifts = dict(week)
    if timezone is not None:
        engineer.timezone = timezone
    if daily_capacity is not None:
        engineer.daily_capacity = daily_capacity
    if is_active is not None:
        engineer.is_active = is_active
    db.session.flush()
    log.info("engineer %s updated", engineer.id)
    return engineer


def _aware(value: Any) -> bool:
    return isinstance(value, datetime) and value.utcoffset() is not None


def add_absence(
    engineer_id: int, *, starts_at: datetime, ends_at: datetime, reason: str = ""
) -> Absence:
    """Record time away [starts_at, ends_at): the engineer is no candidate in it.

    Raises NotFoundError for an unknown engineer, RuleViolationError for a naive instant, an
    end not after the start or a reason over 200 characters, and ConflictError when it
    overlaps an absence already recorded (touching is fine). The engineer's row is locked
    first, so two overlapping requests cannot both pass the check.
    """
    get_engineer(engineer_id)
    db.session.execute(select(Engineer.id).where(Engineer.id == engineer_id).with_for_update())
    errors: dict[str, list[str]] = {}
    if not _aware(starts_at):
        errors["starts_at"] = ["Must be an instant with a UTC offset."]
    if not _aware(ends_at):
        errors["ends_at"] = ["Must be an instant with a UTC offset."]
    elif not errors and ends_at <= starts_at:
        errors["ends_at"] = ["Must be after starts_at."]
    if not isinstance(reason, str) or len(reason.strip()) > REASON_MAX:
        errors["reason"] = [f"At most {REASON_MAX} characters."]
    if errors:
        raise RuleViolationError("The absence could not be recorded.", errors)
    clash = db.session.scalar(
        select(Absence)
        .where(
            Absence.engineer_id == engineer_id,
            Absence.starts_at < ends_at,
            Absence.ends_at > starts_at,
        )
        .order_by(Absence.starts_at)
        .limit(1)
    )
    if clash is not None:
        raise ConflictError(
            f"Overlaps absence {clash.id} ({clash.starts_at.isoformat()} to "
            f"{clash.ends_at.isoformat()}).",
            {"starts_at": [f"Overlaps absence {clash.id}."]},
        )
    absence = Absence(
        engineer_id=engineer_id, starts_at=starts_at, ends_at=ends_at, reason=reason.strip()
    )
    db.session.add(absence)
    db.session.flush()
    log.info("absence %s added for engineer %s", absence.id, engineer_id)
    return absence


def remove_absence(engineer_id: int, absence_id: int) -> None:
    """Delete one of the engineer's absences. Raises NotFoundError for an unknown engineer or
    an absence that is not theirs."""
    get_engineer(engineer_id)
    absence = db.session.get(Absence, absence_id) if 0 < absence_id <= 2**31 - 1 else None
    if absence is None or absence.engineer_id != engineer_id:
        raise NotFoundError(f"No absence {absence_id} for engineer {engineer_id}.")
    db.session.delete(absence)
    db.session.flush()
    log.info("absence %s removed for engineer %s", absence_id, engineer_id)


def report_position(engineer_id: int, *, lat: float, lon: float, now: datetime) -> Engineer:
    """Store the engineer's last known position, stamped `now` (aware UTC); candidates' travel
    times start from it. Raises NotFoundError or RuleViolationError naming lat or lon."""
    engineer = get_engineer(engineer_id)
    if errors := _point_errors(lat, lon, "lat", "lon"):
        raise RuleViolationError("The position could not be recorded.", errors)
    engineer.position_lat = float(lat)
    engineer.position_lon = float(lon)
    engineer.position_at = now
    db.session.flush()
    log.info("engineer %s reported a position", engineer_id)
    return engineer
