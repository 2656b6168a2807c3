"""Creating engineer profiles. Services flush, never commit."""

from __future__ import annotations

import logging
import re
from datetime import datetime

from fieldops.db import db
from fieldops.engineers.models import Engineer
from fieldops.errors import RuleViolationError

log = logging.getLogger(__name__)

SKILL_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


def create_engineer(
    *,
    name: str,
    home_lat: float,
    home_lon: float,
    now: datetime,
    skills: list[str] | None = None,
    user_id: int | None = None,
) -> Engineer:
    """Raises RuleViolationError naming the field for an empty name, a point off the globe or
    a skill tag that is not lower-case letters, digits and dashes."""
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = ["Give the engineer's name."]
    if not -90 <= home_lat <= 90:
        errors["home_lat"] = ["Must be between -90 and 90."]
    if not -180 <= home_lon <= 180:
        errors["home_lon"] = ["Must be between -180 and 180."]
    tags = sorted({s.strip().lower() for s in skills or []})
    if bad := [s for s in tags if not SKILL_RE.match(s)]:
        errors["skills"] = [f"Not a skill tag: {', '.join(bad)} (use letters, digits, dashes)."]
    if errors:
        raise RuleViolationError("The engineer could not be created.", errors)
    engineer = Engineer(
        name=name.strip(),
        home_lat=home_lat,
        home_lon=home_lon,
        skills=tags,
        user_id=user_id,
        is_active=True,
        created_at=now,
    )
    db.session.add(engineer)
    db.session.flush()
    log.info("engineer %s created", engineer.id)
    return engineer
