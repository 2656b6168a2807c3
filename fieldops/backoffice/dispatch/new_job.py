"""Turning a hardware-fault ticket into a dispatch job: the ticket number, the skills needed,
parts lines (SKU and quantity), the estimated duration and whether an agent reviews the
result before the ticket is resolved.

GET shows the form (?ticket= pre-fills the number); POST parses it, calls
dispatch.services.create_job in one transaction and redirects to the new job's page. A
refusal re-renders the form with 422 (or 409 for a ticket already closed), the message and
each field's error, keeping what was typed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from fieldops.backoffice.dispatch import dispatch_bp
from fieldops.clock import utcnow
from fieldops.db import transaction
from fieldops.dispatch import services
from fieldops.errors import DomainError, RuleViolationError
from fieldops.forms import REQUIRED, Errors

PART_ROWS = 5
DURATION_DEFAULT = "60"
TEXT_MAX = 5000
SKILLS_SPLIT = re.compile(r"[\s,;]+")
# The service names a part line by its index among the lines given: "parts.0.sku".
SERVICE_PART_FIELD = re.compile(r"^parts\.(\d+)\.(sku|quantity)$")


def _count(raw: str) -> int | None:
    raw = raw.strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 6 else None


def parse(form: Mapping[str, str]) -> tuple[dict[str, Any], list[int]]:
    """The create_job keyword arguments, and for each part line given the form row it came
    from (so the service's `parts.<i>` errors land by the right inputs). Raises
    RuleViolationError naming the form's fields."""
    errors: Errors = {}
    ticket = form.get("ticket_id", "").strip()[:40]
    if not ticket:
        errors["ticket_id"] = [REQUIRED]
    skills = [s for s in SKILLS_SPLIT.split(form.get("required_skills", "")[:1000]) if s]
    duration = _count(form.get("duration_min", ""))
    if duration is None:
        errors["duration_min"] = ["Enter the estimated minutes on site, such as 90."]
    parts: list[dict[str, Any]] = []
    rows: list[int] = []
    for row in range(PART_ROWS):
        sku = form.get(f"parts-{row}-sku", "").strip()[:40]
        raw_quantity = form.get(f"parts-{row}-quantity", "").strip()
        if not sku and not raw_quantity:
            continue
        if not sku:
            errors[f"parts-{row}-sku"] = ["Give the SKU, or clear the quantity."]
            continue
        quantity = _count(raw_quantity) if raw_quantity else 1
        if quantity is None or quantity < 1:
            errors[f"parts-{row}-quantity"] = ["Must be a whole number of 1 or more."]
            continue
        parts.append({"sku": sku, "quantity": quantity})
        rows.append(row)
    notes = form.get("notes", "")
    if len(notes) > TEXT_MAX:
        errors["notes"] = [f"At most {TEXT_MAX} characters."]
    if errors:
        raise RuleViolationError("Please check the highlighted fields.", errors)
    return {
        "ticket_number": ticket,
        "required_skills": skills,
        "parts": parts,
        "duration_min": duration,
        "review_required": form.get("review_required") == "1",
        "notes": notes,
    }, rows


def form_errors(errors: Errors, rows: list[int]) -> Errors:
    """The service's field names (`parts.1.sku`) as the form's (`parts-3-sku`)."""
    renamed: Errors = {}
    for name, messages in errors.items():
        match = SERVICE_PART_FIELD.match(name)
        if match and int(match.group(1)) < len(rows):
            name = f"parts-{rows[int(match.group(1))]}-{match.group(2)}"
        renamed.setdefault(name, []).extend(messages)
    return renamed


def _render(values: Mapping[str, str], refusal: DomainError | None, errors: Errors) -> Any:
    status = refusal.status if refusal else 200
    html = render_template(
        "backoffice/dispatch_new.html",
        values=values,
        refusal=refusal,
        errors=errors,
        status_code=status,
        part_rows=range(PART_ROWS),
    )
    return html, status


@dispatch_bp.route("/jobs/new", methods=["GET", "POST"])
def job_new() -> Any:
    if request.method == "GET":
        values = {
            "ticket_id": request.args.get("ticket", "")[:40],
            "duration_min": DURATION_DEFAULT,
        }
        return _render(values, None, {})
    rows: list[int] = []
    try:
        kwargs, rows = parse(request.form)
        with transaction():
            job = services.create_job(actor=current_user, now=utcnow(), **kwargs)
            number = job.number
    except DomainError as refused:
        if refused.status == 404:
            raise
        return _render(request.form, refused, form_errors(refused.errors, rows))
    flash(
        f"{number} created from {kwargs['ticket_number'].upper()}: choose an engineer.", "success"
    )
    return redirect(url_for("dispatch.job_detail", number=number))
