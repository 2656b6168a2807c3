"""Desk pages for the notifications outbox: every e-mail queued, its delivery state and text.

With no SMTP server configured (`make run`), messages are only written to the log; this page
is where admins and support managers read what would have gone out, and check retries and
failures when SMTP is configured. Read-only: nothing here changes a message. Other roles get
404, as if the page did not exist.
"""

from __future__ import annotations

import math
import re
from typing import Any

from flask import abort, render_template, request
from flask_login import current_user

from fieldops.accounts.models import Role
from fieldops.backoffice import backoffice_bp, forms
from fieldops.errors import RuleViolationError
from fieldops.mailer.queries import get_message, list_messages
from fieldops.outbox import OutboxMessage, OutboxStatus

PER_PAGE = 50
OUTBOX_ROLES = frozenset({Role.ADMIN, Role.MANAGER})
STATUSES = tuple(s.value for s in OutboxStatus)
# Ticket notices carry the ticket's ID in their dedupe key and subject ("[TT-2026-000123]");
# the outbox row keeps only the internal ticket id (core never imports the tickets domain).
TICKET_NUMBER = re.compile(r"\bTT-\d{4}-\d{6}\b")


def may_see_outbox() -> bool:
    return bool(current_user.is_authenticated and current_user.role in OUTBOX_ROLES)


@backoffice_bp.context_processor
def _outbox_nav() -> dict[str, Any]:
    return {"may_see_outbox": may_see_outbox}


def _admins_only() -> None:
    if not may_see_outbox():
        abort(404)


def ticket_number(message: OutboxMessage) -> str | None:
    """The ID of the ticket a notice is about, for the link to it; None for other mail."""
    if message.ticket_id is None:
        return None
    for text in (message.dedupe_key or "", message.subject):
        found = TICKET_NUMBER.search(text)
        if found:
            return found.group(0)
    return None


@backoffice_bp.get("/outbox")
def outbox_list() -> tuple[str, int]:
    """Newest first; `status` narrows to pending, sending, sent or failed."""
    _admins_only()
    chosen = request.args.get("status", "").strip()
    page, status, errors = forms.page_arg(), 200, {}
    try:
        found = list_messages(page, PER_PAGE, status=chosen or None)
    except RuleViolationError as invalid:
        errors, status = invalid.errors, invalid.status
        found = list_messages(1, PER_PAGE)
        chosen = ""
    html = render_template(
        "backoffice/outbox_list.html",
        items=found.items,
        total=found.total,
        page=found.page,
        pages=max(math.ceil(found.total / PER_PAGE), 1),
        chosen=chosen,
        statuses=STATUSES,
        errors=errors,
        ticket_number=ticket_number,
    )
    return html, status


@backoffice_bp.get("/outbox/<int:message_id>")
def outbox_detail(message_id: int) -> str:
    _admins_only()
    message = get_message(message_id)
    return render_template(
        "backoffice/outbox_detail.html", m=message, ticket_number=ticket_number(message)
    )
