"""Desk pages for inbound e-mail: the quarantine list, one mail, and the release or discard.

Mail from an unknown sender (or one the rules could not place) waits here for an agent to
verify (DESIGN: intake). Release turns it into a ticket on a chosen service, or into an
entry on a named ticket; discard marks it with a reason. Nothing is ever deleted. Each action
calls one inbound service inside `transaction()`; a refusal re-renders the page with the
status code and the message, and nothing changed.
"""

from __future__ import annotations

import math
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from fieldops.backoffice import backoffice_bp
from fieldops.clock import utcnow
from fieldops.customers.queries import list_services
from fieldops.db import transaction
from fieldops.errors import DomainError
from fieldops.inbound import queries, services
from fieldops.inbound.models import STATUSES, InboundStatus

PER_PAGE = 25
SERVICES_MAX = 2000
TAB_ALL = "all"


@backoffice_bp.get("/quarantine")
def quarantine_list() -> tuple[str, int]:
    """Held mail by default; the other outcomes (rejected mail too) for inspection."""
    chosen = request.args.get("status", InboundStatus.QUARANTINED.value)
    if chosen not in (*STATUSES, TAB_ALL):
        chosen = InboundStatus.QUARANTINED.value
    page = request.args.get("page", "1")
    page_number = int(page) if page.isascii() and page.isdigit() and 0 < int(page) < 10**6 else 1
    rows, total = queries.list_messages(
        current_user,
        status=None if chosen == TAB_ALL else chosen,
        page=page_number,
        per_page=PER_PAGE,
    )
    html = render_template(
        "backoffice/quarantine_list.html",
        items=rows,
        total=total,
        page=page_number,
        pages=max(math.ceil(total / PER_PAGE), 1),
        chosen=chosen,
        statuses=STATUSES,
        counts=queries.count_by_status(current_user),
    )
    return html, 200


def _render_detail(
    message_id: int,
    *,
    failed: str | None = None,
    refusal: DomainError | None = None,
    values: Any = None,
    status: int = 200,
) -> tuple[str, int]:
    message = queries.get_message(current_user, message_id)
    view = queries.read_mail(message)
    choices, _ = list_services(current_user, per_page=SERVICES_MAX)
    choices.sort(key=lambda s: (s.customer.code, s.code))
    html = render_template(
        "backoffice/quarantine_detail.html",
        message=message,
        mail=view.mail,
        raw_text=view.raw_text,
        raw_cut=view.raw_cut,
        ticket_number=queries.ticket_number_of(message),
        suggestion=queries.suggest_release(message, view.mail),
        services=choices,
        failed=failed,
        refusal=refusal,
        errors=refusal.errors if refusal else {},
        values=values or {},
        status_code=status,
    )
    return html, status


@backoffice_bp.get("/quarantine/<int:message_id>")
def quarantine_detail(message_id: int) -> tuple[str, int]:
    return _render_detail(message_id)


@backoffice_bp.post("/quarantine/<int:message_id>/release")
def quarantine_release(message_id: int) -> Any:
    form = request.form
    try:
        with transaction():
            message = queries.get_message_for_update(current_user, message_id)
            services.release(
                message,
                actor=current_user,
                service_code=form.get("service_id") or None,
                contact_email=form.get("contact_email") or None,
                ticket_number=form.get("ticket_id") or None,
                note=form.get("note", ""),
                now=utcnow(),
            )
            number = queries.ticket_number_of(message)
    except DomainError as refused:
        if refused.status == 404:
            raise
        return _render_detail(
            message_id, failed="release", refusal=refused, values=form, status=refused.status
        )
    flash(f"Inbound e-mail #{message_id} released to {number}.", "success")
    return redirect(url_for("backoffice.quarantine_list"))


@backoffice_bp.post("/quarantine/<int:message_id>/discard")
def quarantine_discard(message_id: int) -> Response | tuple[str, int]:
    try:
        with transaction():
            message = queries.get_message_for_update(current_user, message_id)
            services.discard(
                message, actor=current_user, reason=request.form.get("reason", ""), now=utcnow()
            )
    except DomainError as refused:
        if refused.status == 404:
            raise
        return _render_detail(
            message_id,
            failed="discard",
            refusal=refused,
            values=request.form,
            status=refused.status,
        )
    flash(f"Inbound e-mail #{message_id} discarded; it stays on record.", "success")
    return redirect(url_for("backoffice.quarantine_list"))
