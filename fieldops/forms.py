"""Reading HTML forms: the browser's time zone, datetime-local values, text uploads, and
marshmallow's messages in the pages' wording. Shared by the page surfaces (portal, desk),
which may not import each other; it knows no domain.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from marshmallow import ValidationError
from werkzeug.datastructures import FileStorage

from fieldops.errors import RuleViolationError

UPLOAD_MAX_BYTES = 512 * 1024
TZ_NAME_MAX = 64
REQUIRED = "This field is required."

Errors = dict[str, list[str]]


@dataclass
class Upload:
    filename: str
    content_type: str
    content: bytes


def browser_zone(name: str | None) -> tzinfo:
    """The zone the browser reported; UTC when none. Raises ValueError for an unknown one."""
    if not name:
        return UTC
    try:
        if len(name) > TZ_NAME_MAX:
            raise ValueError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"Unknown time zone {name[:TZ_NAME_MAX]!r}.") from None


def local_instant(raw: str, zone_name: str | None) -> datetime:
    """An aware instant from a datetime-local value (naive wall-clock time) read in the
    browser's zone. Raises ValueError with a message fit for the page."""
    try:
        naive = datetime.fromisoformat(raw)
    except ValueError:
        raise ValueError("Enter a date and time, for example 2026-11-18 09:30.") from None
    if naive.tzinfo is not None:
        raise ValueError("Enter a local date and time without an offset.")
    return naive.replace(tzinfo=browser_zone(zone_name))


def messages_of(error: ValidationError) -> Errors:
    """marshmallow's messages as {field: [text]}, with a plain wording for a missing field."""
    raw = error.messages if isinstance(error.messages, dict) else {"_form": error.messages}
    return {
        str(name): [
            REQUIRED if text == "Missing data for required field." else str(text)
            for text in (texts if isinstance(texts, list) else [texts])
        ]
        for name, texts in raw.items()
    }


def text_upload(file: FileStorage | None, field: str = "logs_file") -> Upload | None:
    """An uploaded text file (logs, test output), if any: at most UPLOAD_MAX_BYTES of UTF-8.

    Raises RuleViolationError naming `field` for a file too large or not plain text.
    """
    if file is None or not file.filename:
        return None
    content = file.read(UPLOAD_MAX_BYTES + 1)
    if len(content) > UPLOAD_MAX_BYTES:
        limit = UPLOAD_MAX_BYTES // 1024
        raise RuleViolationError.on_field(
            field, f"The file is larger than {limit} KB; attach an extract."
        )
    try:
        content.decode("utf-8")
        if b"\x00" in content:
            raise UnicodeError
    except UnicodeError:
        raise RuleViolationError.on_field(
            field, "Only plain-text files (logs, test output) can be attached."
        ) from None
    return Upload(file.filename, file.mimetype or "text/plain", content)
