"""Reading the portal's HTML forms into the input TicketCreateSchema validates.

A datetime-local input sends a naive wall-clock time; the browser's IANA zone comes in the
hidden `tz` field (static/js/app.js), UTC when absent. An uploaded log must be plain text and
small enough to read in a browser. Errors are `{field: [messages]}`, as the API returns them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from marshmallow import ValidationError
from werkzeug.datastructures import FileStorage, MultiDict

from fieldops.tickets.schemas import TicketCreateSchema

UPLOAD_MAX_BYTES = 512 * 1024
TZ_NAME_MAX = 64
REQUIRED = "This field is required."
OPTIONAL_TEXT = ("description", "urgency", "category", "circuit_id", "fault_pattern", "logs")
TEXT_FIELDS = ("service_id", "summary", "impact", "ip_address", *OPTIONAL_TEXT)

Errors = dict[str, list[str]]


@dataclass
class Parsed:
    data: dict[str, Any] = field(default_factory=dict)
    errors: Errors = field(default_factory=dict)


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
    """An aware instant from a datetime-local value read in the browser's zone."""
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
    out: Errors = {}
    for name, messages in raw.items():
        texts = messages if isinstance(messages, list) else [str(messages)]
        out[str(name)] = [
            REQUIRED if text == "Missing data for required field." else str(text) for text in texts
        ]
    return out


def ticket_input(form: MultiDict[str, str]) -> Parsed:
    """Validate a ticket form with TicketCreateSchema; blank optional fields are left out."""
    parsed = Parsed()
    for name in TEXT_FIELDS:
        value = form.get(name, "")
        if value.strip():
            parsed.data[name] = value
    fault = form.get("fault_started_at", "").strip()
    if fault:
        try:
            instant = local_instant(fault, form.get("tz"))
        except ValueError as problem:
            parsed.errors["fault_started_at"] = [str(problem)]
        else:
            parsed.data["fault_started_at"] = instant.isoformat()
    try:
        parsed.data = TicketCreateSchema().load(parsed.data)
    except ValidationError as invalid:
        parsed.errors = {**messages_of(invalid), **parsed.errors}
    return parsed


def text_upload(file: FileStorage | None) -> tuple[Upload | None, Errors]:
    """The uploaded test results, if any: at most UPLOAD_MAX_BYTES of UTF-8 text."""
    if file is None or not file.filename:
        return None, {}
    content = file.read(UPLOAD_MAX_BYTES + 1)
    if len(content) > UPLOAD_MAX_BYTES:
        limit = UPLOAD_MAX_BYTES // 1024
        return None, {"logs_file": [f"The file is larger than {limit} KB; attach an extract."]}
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return None, {"logs_file": ["Only plain-text files (logs, test output) can be attached."]}
    if b"\x00" in content:
        return None, {"logs_file": ["Only plain-text files (logs, test output) can be attached."]}
    return Upload(file.filename, file.mimetype or "text/plain", content), {}
