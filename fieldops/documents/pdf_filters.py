"""Jinja filters for the PDF templates: local times, durations and the ticket QR code.

Stored datetimes are aware UTC (STYLE 6.6); a document prints them in its own zone
(`content.timezone`, the service's SLA calendar zone), with the zone's abbreviation so a
reader in another zone is not misled: "Tue 1 Dec 2026 14:05 CET". Day and month names come
from fixed English tables, not `strftime`'s %a/%b, so the process locale cannot change a
document. A naive datetime is a bug upstream and raises ValueError rather than print a
guess.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import segno
from markupsafe import Markup

__all__ = ["FILTERS", "duration", "local_date", "local_datetime", "local_time", "qr_svg"]

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)  # raises ZoneInfoNotFoundError for an unknown zone


def _local(at: datetime, zone: str) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"naive datetime {at.isoformat()} given to a document")
    return at.astimezone(_zone(zone))


def _day(on: date) -> str:
    return f"{_DAYS[on.weekday()]} {on.day} {_MONTHS[on.month - 1]} {on.year}"


def local_datetime(at: datetime | None, zone: str) -> str:
    """`at` in `zone` as "Tue 1 Dec 2026 14:05 CET"; "" for None (a blank field)."""
    if at is None:
        return ""
    here = _local(at, zone)
    return f"{_day(here)} {here:%H:%M} {here.tzname()}"


def local_time(at: datetime | None, zone: str) -> str:
    """`at` in `zone` as "14:05"; "" for None."""
    return "" if at is None else f"{_local(at, zone):%H:%M}"


def local_date(on: date | datetime | None, zone: str = "UTC") -> str:
    """A date as "Tue 1 Dec 2026"; an aware datetime is first moved into `zone`."""
    if on is None:
        return ""
    return _day(_local(on, zone) if isinstance(on, datetime) else on)


def duration(length: int | timedelta | None) -> str:
    """Minutes (int) or a timedelta as "45 min", "2 h 05 min", "3 d 4 h 00 min".

    Rounded down to the minute; None prints "" and a negative length raises ValueError
    (a resolution before its fault is a data error, not something to print).
    """
    if length is None:
        return ""
    minutes = length if isinstance(length, int) else int(length.total_seconds() // 60)
    if minutes < 0:
        raise ValueError(f"negative duration: {minutes} min")
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h {mins:02d} min"
    if hours:
        return f"{hours} h {mins:02d} min"
    return f"{mins} min"


def qr_svg(text: str) -> Markup:
    """A QR code of `text` as inline SVG markup (no data: URL: the fetcher refuses those).

    The payload is encoded into path data, so the markup holds no text to escape. Sized by
    CSS (`svg.qr`); error correction M (15 %) so a crumpled, stained sheet still scans.
    """
    svg = segno.make_qr(text, error="m").svg_inline(
        border=2, omitsize=True, svgclass="qr", lineclass=None
    )
    return Markup(svg)  # noqa: S704 - segno's output: path data, never the payload as text


FILTERS = {
    "local_datetime": local_datetime,
    "local_time": local_time,
    "local_date": local_date,
    "duration": duration,
    "qr_svg": qr_svg,
}
