"""Reading the desk's HTML forms into the input the ticket, RFO and problem schemas and
services take.

A parse failure raises RuleViolationError with `{field: [messages]}`, so the views handle it
like any other refusal: 422, the error next to the field, nothing changed. A datetime-local
input is naive wall-clock time, read in the browser's IANA zone from the hidden `tz` field
(UTC when absent); the shared helpers live in fieldops/forms.py.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask import request
from marshmallow import Schema, ValidationError

from fieldops.documents.rfo_rules import TEXT_FIELDS as RFO_SECTIONS
from fieldops.documents.schemas import RfoUpdateSchema
from fieldops.errors import DomainError, RuleViolationError
from fieldops.forms import REQUIRED, Errors, local_instant, messages_of
from fieldops.problems.schemas import ProblemCreateSchema, ProblemUpdateSchema
from fieldops.tickets.lifecycle import PAUSED_STATUSES
from fieldops.tickets.schemas import TicketCreateSchema, TicketUpdateSchema, TransitionSchema

INTAKE_FIELDS = (
    "service_id",
    "summary",
    "impact",
    "ip_address",
    "description",
    "urgency",
    "category",
    "circuit_id",
    "fault_pattern",
    "logs",
    "channel",
    "requester",
)
# What each log-entry button records: (event kind, visible to the customer).
LOG_ENTRIES = {
    "note": ("comment", False),
    "reply": ("comment", True),
    "call": ("phone_call", False),
}

Form = Mapping[str, str]
PAGE_MAX = 10**6


def page_arg() -> int:
    """The `page` query argument of a desk list; 1 when it is missing or not a sane page."""
    raw = request.args.get("page", "1")
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < int(raw) < PAGE_MAX else 1


def _load(schema: Schema, data: dict[str, Any], errors: Errors | None = None) -> dict[str, Any]:
    errors = dict(errors or {})
    try:
        loaded: dict[str, Any] = schema.load(data)
    except ValidationError as invalid:
        errors = {**messages_of(invalid), **errors}
        loaded = {}
    if errors:
        raise RuleViolationError("Please check the highlighted fields.", errors)
    return loaded


def _instant_field(form: Form, name: str, errors: Errors) -> str | None:
    raw = form.get(name, "").strip()
    if not raw:
        return None
    try:
        return local_instant(raw, form.get("tz")).isoformat()
    except ValueError as problem:
        errors[name] = [str(problem)]
        return None


def intake(form: Form) -> dict[str, Any]:
    """A phone or e-mail report as TicketCreateSchema input; blank optional fields left out."""
    data = {name: form[name] for name in INTAKE_FIELDS if form.get(name, "").strip()}
    errors: Errors = {}
    fault = _instant_field(form, "fault_started_at", errors)
    if fault:
        data["fault_started_at"] = fault
    if "channel" not in data:
        errors["channel"] = [REQUIRED]
    return _load(TicketCreateSchema(), data, errors)


def transition(form: Form) -> dict[str, Any]:
    """{to, note, reason}: pending moves take the stop-clock code, others the written reason."""
    target = form.get("to", "")
    if target in {s.value for s in PAUSED_STATUSES}:
        reason = form.get("stop_reason", "")
    else:
        reason = form.get("reason", "")
    data = {"to": target, "note": form.get("note", ""), "reason": reason.strip() or None}
    return _load(TransitionSchema(), data)


def changes(form: Form, fields: tuple[str, ...], *, blank_is_none: bool = False) -> dict[str, Any]:
    """TicketUpdateSchema input from the named fields; a blank one is left out (or None)."""
    data: dict[str, Any] = {}
    for name in fields:
        value = form.get(name, "").strip()
        if value:
            data[name] = value
        elif blank_is_none:
            data[name] = None
    return _load(TicketUpdateSchema(), data)


def eta(form: Form) -> dict[str, Any]:
    """{eta, eta_reason}: the new ETA (None clears it) and why it was given or moved."""
    errors: Errors = {}
    value = _instant_field(form, "eta", errors)
    data: dict[str, Any] = {"eta": value}
    reason = form.get("eta_reason", "").strip()
    if reason:
        data["eta_reason"] = reason
    return _load(TicketUpdateSchema(), data, errors)


def escalation_note(form: Form) -> str:
    """The agent's note for an escalation; the service checks its length."""
    return form.get("note", "")


def log_entry(form: Form) -> tuple[str, str, bool]:
    """(kind, body, public) from the button pressed; the service checks the body."""
    entry = form.get("entry", "")
    if entry not in LOG_ENTRIES:
        raise RuleViolationError.on_field("kind", "Choose a note, a public reply or a phone call.")
    kind, public = LOG_ENTRIES[entry]
    return kind, form.get("body", ""), public


PROBLEM_TEXT = ("description", "root_cause", "workaround", "permanent_fix")
TICKET_NUMBER_MAX = 20
_SEPARATORS = re.compile(r"[\s,;]+")


def refusal_text(refused: DomainError) -> str:
    """The refusal's message for the top of a page: "title: Must not be empty." (one field,
    named by its code) reads as its message alone, which is also shown next to the field."""
    if len(refused.errors) == 1:
        ((name, messages),) = refused.errors.items()
        if refused.message == f"{name}: {' '.join(messages)}":
            return " ".join(messages)
    return refused.message


def rfo_changes(form: Form) -> dict[str, Any]:
    """The RFO editor's sections, the cited problem ("" for none) and the status the pressed
    button moves it to (absent: the service's default, a draft)."""
    data: dict[str, Any] = {name: form.get(name, "") for name in RFO_SECTIONS}
    data["problem_id"] = form.get("problem_id", "").strip()
    if form.get("status"):
        data["status"] = form["status"]
    return _load(RfoUpdateSchema(), data)


def ticket_numbers(raw: str, errors: Errors, field: str = "ticket_ids") -> list[str]:
    """Ticket IDs typed separated by commas, semicolons, spaces or new lines."""
    numbers = [part.upper() for part in _SEPARATORS.split(raw.strip()) if part]
    too_long = [n for n in numbers if len(n) > TICKET_NUMBER_MAX]
    if too_long:
        errors[field] = [f"Not a ticket ID: {too_long[0][:TICKET_NUMBER_MAX]}…"]
    return numbers


def problem_new(form: Form) -> dict[str, Any]:
    """A new problem: title, kind, the text fields and the incidents' ticket IDs."""
    errors: Errors = {}
    data: dict[str, Any] = {name: form.get(name, "") for name in PROBLEM_TEXT}
    for name in ("title", "kind"):
        if form.get(name, "").strip():
            data[name] = form[name].strip()
    numbers = ticket_numbers(form.get("ticket_ids", ""), errors)
    loaded = _load(ProblemCreateSchema(), data, errors)
    loaded["ticket_ids"] = numbers
    return loaded


def problem_changes(form: Form) -> dict[str, Any]:
    """A problem's edit form: title, text fields and the chosen status, in one change."""
    errors: Errors = {}
    data: dict[str, Any] = {name: form.get(name, "") for name in PROBLEM_TEXT}
    title = form.get("title", "").strip()
    if title:
        data["title"] = title
    else:
        errors["title"] = [REQUIRED]
    if form.get("status"):
        data["status"] = form["status"]
    return _load(ProblemUpdateSchema(), data, errors)


def one_ticket_number(form: Form, field: str = "ticket_id") -> str:
    """The one ticket ID a link or unlink form names."""
    errors: Errors = {}
    numbers = ticket_numbers(form.get(field, ""), errors, field)
    if not errors and len(numbers) != 1:
        errors[field] = [REQUIRED if not numbers else "Enter one ticket ID."]
    if errors:
        raise RuleViolationError("Please check the highlighted fields.", errors)
    return numbers[0]


def problem_number(form: Form, field: str = "problem") -> str:
    """The problem number typed on the ticket page (PRB-2026-000007)."""
    number = form.get(field, "").strip().upper()
    if not number:
        raise RuleViolationError("Please check the highlighted fields.", {field: [REQUIRED]})
    if len(number) > TICKET_NUMBER_MAX:
        raise RuleViolationError(
            "Please check the highlighted fields.", {field: ["Not a problem number."]}
        )
    return number
