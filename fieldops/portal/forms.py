"""Reading the portal's HTML forms into the input TicketCreateSchema validates.

A datetime-local input sends a naive wall-clock time; the browser's IANA zone comes in the
hidden `tz` field (static/js/app.js), UTC when absent. An uploaded log must be plain text and
small enough to read in a browser. Errors are `{field: [messages]}`, as the API returns them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from marshmallow import ValidationError
from werkzeug.datastructures import FileStorage, MultiDict

from fieldops.errors import RuleViolationError
from fieldops.forms import Errors, Upload, local_instant, messages_of
from fieldops.forms import text_upload as shared_text_upload
from fieldops.tickets.schemas import TicketCreateSchema

OPTIONAL_TEXT = ("description", "urgency", "category", "circuit_id", "fault_pattern", "logs")
TEXT_FIELDS = ("service_id", "summary", "impact", "ip_address", *OPTIONAL_TEXT)


@dataclass
class Parsed:
    data: dict[str, Any] = field(default_factory=dict)
    errors: Errors = field(default_factory=dict)


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
    """The uploaded test results, if any, and the errors to show next to the field."""
    try:
        return shared_text_upload(file), {}
    except RuleViolationError as refused:
        return None, refused.errors
