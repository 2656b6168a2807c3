"""Enrolling a field engineer: their profile and their van, created together."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select

from fieldops.db import db
from fieldops.engineers.models import Engineer
from fieldops.engineers.services import DEFAULT_CAPACITY, DEFAULT_TIMEZONE, Shifts
from fieldops.engineers.services import create_engineer as _create_engineer
from fieldops.errors import ConflictError, RuleViolationError
from fieldops.inventory.models import StockLocation
from fieldops.inventory.rules import LocationKind
from fieldops.inventory.services.catalogue import LOCATION_CODE_RE, create_location

log = logging.getLogger(__name__)


def enrol_engineer(
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
    van_code: str | None = None,
    city: str = "",
) -> tuple[Engineer, StockLocation]:
    """A new engineer (engineers.services.create_engineer) and their van, parked at the home
    base, coded `van_code` or VAN-<engineer id>.

    One unit of work's change (flushes, never commits): a refusal of either half leaves the
    caller's transaction to roll back both, so there is never an engineer without a van.
    Raises RuleViolationError naming every bad field at once (the van's code as `van`) and
    ConflictError for a user already linked or a van code in use.
    """
    code = van_code.strip().upper() if van_code is not None else None
    van_errors: dict[str, list[str]] = {}
    if code is not None and not LOCATION_CODE_RE.match(code):
        van_errors["van"] = ["2-40 capital letters, digits or dashes, such as VAN-KMA."]
    try:
        engineer = _create_engineer(
            name=name,
            home_lat=home_lat,
            home_lon=home_lon,
            now=now,
            skills=skills,
            timezone=timezone,
            shifts=shifts,
            daily_capacity=daily_capacity,
            user_id=user_id,
        )
    except RuleViolationError as error:
        raise RuleViolationError(error.message, {**error.errors, **van_errors}) from error
    if van_errors:
        raise RuleViolationError("The engineer could not be created.", van_errors)
    code = code or f"VAN-{engineer.id}"
    if db.session.scalar(select(StockLocation.id).where(StockLocation.code == code)):
        raise ConflictError(f"Location {code} already exists.", {"van": ["Taken."]})
    van = create_location(
        code=code,
        kind=LocationKind.VAN,
        name=f"Van of {engineer.name}",
        lat=engineer.home_lat,
        lon=engineer.home_lon,
        city=city,
        engineer_id=engineer.id,
        now=now,
    )
    log.info("engineer %s enrolled with van %s", engineer.id, van.id)
    return engineer, van
