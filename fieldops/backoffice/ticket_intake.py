"""Desk intake: an agent records a fault reported by phone or e-mail as a new ticket.

The same TicketCreateSchema and `open_ticket` as the portal and the API; the agent picks the
customer's service, the channel, and optionally the reporting contact's e-mail.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from fieldops import forms as shared_forms
from fieldops.backoffice import backoffice_bp, forms
from fieldops.clock import utcnow
from fieldops.customers.queries import list_services
from fieldops.db import transaction
from fieldops.errors import DomainError, RuleViolationError
from fieldops.tickets import services

SERVICES_MAX = 2000


def _render(values: Any, errors: shared_forms.Errors, status: int = 200) -> tuple[str, int]:
    choices, _ = list_services(current_user, per_page=SERVICES_MAX)
    choices.sort(key=lambda s: (s.customer.code, s.code))
    page = render_template(
        "backoffice/tickets_new.html", services=choices, values=values, errors=errors, now=utcnow()
    )
    return page, status


@backoffice_bp.route("/tickets/new", methods=["GET", "POST"])
def ticket_new() -> Any:
    if request.method == "GET":
        return _render({"channel": "phone"}, {})
    errors: shared_forms.Errors = {}
    data: dict[str, Any] = {}
    upload: shared_forms.Upload | None = None
    try:
        data = forms.intake(request.form)
    except RuleViolationError as invalid:
        errors.update(invalid.errors)
    try:
        upload = shared_forms.text_upload(request.files.get("logs_file"))
    except RuleViolationError as invalid:
        errors.update(invalid.errors)
    if errors:
        return _render(request.form, errors, 422)
    try:
        with transaction():
            now = utcnow()
            ticket = services.open_ticket(
                actor=current_user, data=data, channel=data["channel"], now=now
            )
            if upload is not None:
                services.attach_file(
                    ticket,
                    filename=upload.filename,
                    content_type=upload.content_type,
                    content=upload.content,
                    now=now,
                )
            number = ticket.number
    except DomainError as refused:
        return _render(request.form, refused.errors or {"_form": [refused.message]}, refused.status)
    flash(f"Ticket {number} opened.", "success")
    return redirect(url_for("backoffice.ticket_detail", number=number))
