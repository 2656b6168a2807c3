"""Template filters every HTML surface shares: local times with their offset, durations, labels.

Instants are stored in UTC; showing them is a rendering concern. The browser tells us its
IANA time zone in the `tz` cookie (static/js/app.js sets it); when the cookie is missing or
names no zone this machine knows, times are shown in UTC. Either way the offset is printed,
so a time is never ambiguous.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from urllib.parse import unquote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import request

from fieldops.web import web_bp

TZ_COOKIE = "tz"
TZ_NAME_MAX = 64


def zone_or_none(name: str | None) -> ZoneInfo | None:
    """The IANA zone called `name`, or None when it is empty, too long or unknown."""
    if not name or len(name) > TZ_NAME_MAX:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def display_zone() -> tzinfo:
    return zone_or_none(unquote(request.cookies.get(TZ_COOKIE, ""))) or UTC


def format_offset(moment: datetime) -> str:
    offset = moment.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{rest:02d}"


@web_bp.app_template_filter("when")
def when(value: datetime | None) -> str:
    """'Wed 18 Nov 2026 11:00 UTC+01:00' in the viewer's zone; an em dash for None."""
    if value is None:
        return "—"
    local = value.astimezone(display_zone())
    return f"{local:%a %d %b %Y %H:%M} {format_offset(local)}"


@web_bp.app_template_filter("datetime_local")
def datetime_local(value: datetime | None) -> str:
    """The value a datetime-local input shows for an instant, in the viewer's zone."""
    if value is None:
        return ""
    return f"{value.astimezone(display_zone()):%Y-%m-%dT%H:%M}"


@web_bp.app_template_filter("duration")
def duration(seconds: int | float | None) -> str:
    """A working-time length for people: '2 d 3 h', '3 h 20 min', '45 min', 'under 1 min'."""
    if seconds is None:
        return "—"
    total = abs(int(seconds)) // 60
    days, rest = divmod(total, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min"
    return "under 1 min"


@web_bp.app_template_filter("label")
def label(value: str | None) -> str:
    """'pending_third_party' -> 'Pending third party'."""
    if not value:
        return "—"
    text = str(value).replace("_", " ")
    return text[:1].upper() + text[1:]


@web_bp.app_context_processor
def _display_context() -> dict[str, object]:
    return {"display_zone_name": str(display_zone())}
