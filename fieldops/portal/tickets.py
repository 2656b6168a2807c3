"""Portal pages for the customer's tickets: list, open, follow, comment, confirm or reject,
and ask for escalation.

Views parse the form, call one ticket service inside `transaction()` and render. A refusal
(DomainError) re-renders the page with the error next to its field, with the refusal's
status code and everything typed kept; the transaction has rolled back, so nothing changed.
The ticket page also shows the SLA history (every stop of the clock), the ETA history and
the escalation level, read from the tickets domain.
"""

from __future__ import annotations

import math
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from fieldops.clock import utcnow
from fieldops.customers.queries import get_service, list_services
from fieldops.db import transaction
from fieldops.documents import queries as documents
from fieldops.documents.rfo_rules import ineligibility
from fieldops.errors import DomainError
from fieldops.portal import forms, portal_bp
from fieldops.tickets import queries
from fieldops.tickets import services as ticket_services
from fieldops.tickets.models import OPEN_STATUSES, Channel, EventKind, Ticket
from fieldops.tickets.schemas import STATUSES, event_payloads, ticket_payloads
from fieldops.tickets.services.clocks import at_risk_share

PER_PAGE = 20
SERVICES_MAX = 500


def _page_arg() -> int:
    raw = request.args.get("page", "1")
    return max(int(raw), 1) if raw.isdigit() else 1


@portal_bp.get("/tickets")
def tickets_list() -> str:
    status = request.args.get("status", "")
    filters = queries.TicketFilter()
    if status == "open":
        filters.open_only = True
    elif status in STATUSES:
        filters.status = [status]
    else:
        status = ""
    page, now = _page_arg(), utcnow()
    rows, total = queries.list_tickets(current_user, filters, page=page, per_page=PER_PAGE, now=now)
    items = ticket_payloads(rows, now=now, at_risk_share=at_risk_share(), for_customer=True)
    return render_template(
        "portal/tickets_list.html",
        items=items,
        total=total,
        page=page,
        pages=max(math.ceil(total / PER_PAGE), 1),
        status=status,
        statuses=STATUSES,
    )


def _render_new(values: Any, errors: forms.Errors, status: int = 200) -> tuple[str, int]:
    services, _ = list_services(current_user, per_page=SERVICES_MAX)
    page = render_template(
        "portal/tickets_new.html", services=services, values=values, errors=errors, now=utcnow()
    )
    return page, status


@portal_bp.route("/tickets/new", methods=["GET", "POST"])
def tickets_new() -> Any:
    if request.method == "GET":
        code = request.args.get("service", "")
        if code:
            code = get_service(current_user, code).code  # 404 for a service not theirs
        return _render_new({"service_id": code}, {})
    parsed = forms.ticket_input(request.form)
    upload, upload_errors = forms.text_upload(request.files.get("logs_file"))
    errors = {**parsed.errors, **upload_errors}
    status = 422
    if not errors:
        try:
            with transaction():
                now = utcnow()
                ticket = ticket_services.open_ticket(
                    actor=current_user, data=parsed.data, channel=Channel.PORTAL, now=now
                )
                if upload is not None:
                    ticket_services.attach_file(
                        ticket,
                        filename=upload.filename,
                        content_type=upload.content_type,
                        content=upload.content,
                        now=now,
                    )
                number = ticket.number
        except DomainError as refused:
            errors = refused.errors or {"_form": [refused.message]}
            status = refused.status
        else:
            attached = f" {upload.filename} is attached." if upload else ""
            flash(f"Ticket {number} opened.{attached}", "success")
            return redirect(url_for("portal.ticket_detail", number=number))
    return _render_new(request.form, errors, status)


def _level_names(ticket: Ticket) -> dict[int, str]:
    """{level: name} of the escalation matrix that applies to this ticket's customer."""
    return {level.level: level.name for level in queries.levels_for_customer(ticket.customer_id)}


def render_detail(
    number: str,
    *,
    errors: forms.Errors | None = None,
    values: Any = None,
    status: int = 200,
) -> tuple[str, int]:
    ticket = queries.get_ticket(current_user, number)
    item = ticket_payloads(
        [ticket],
        now=utcnow(),
        at_risk_share=at_risk_share(),
        for_customer=True,
    )[0]
    events = event_payloads(queries.list_events(current_user, ticket), for_customer=True)
    levels = _level_names(ticket)
    rfo = documents.find_rfo(ticket, utcnow())
    page = render_template(
        "portal/tickets_detail.html",
        t=item,
        events=events,
        eta_records=queries.eta_history(ticket),
        levels=levels,
        top_level=max(levels, default=0),
        reason_labels={r.code: r.label for r in queries.stop_clock_reasons(active_only=False)},
        open_statuses={s.value for s in OPEN_STATUSES},
        rfo=rfo,
        rfo_possible=rfo is None and ineligibility(ticket.priority, ticket.status) is None,
        errors=errors or {},
        values=values or {},
        status_code=status,
    )
    return page, status


@portal_bp.get("/tickets/<number>")
def ticket_detail(number: str) -> tuple[str, int]:
    return render_detail(number)


@portal_bp.post("/tickets/<number>/comments")
def ticket_comment(number: str) -> Any:
    try:
        with transaction():
            ticket = queries.get_ticket_for_update(current_user, number)
            ticket_services.add_event(
                ticket,
                actor=current_user,
                kind=EventKind.COMMENT,
                body=request.form.get("body", ""),
                public=True,
                now=utcnow(),
            )
            number = ticket.number
    except DomainError as refused:
        if refused.status == 404:
            raise
        errors = {"body": refused.errors.get("body") or [refused.message]}
        return render_detail(number, errors=errors, values=request.form, status=refused.status)
    flash("Your comment was added to the ticket.", "success")
    return redirect(url_for("portal.ticket_detail", number=number))


@portal_bp.post("/tickets/<number>/confirmation")
def ticket_confirmation(number: str) -> Any:
    accept = request.form.get("decision") == "confirm"
    try:
        with transaction():
            ticket = queries.get_ticket_for_update(current_user, number)
            ticket_services.confirm_resolution(
                ticket,
                actor=current_user,
                accept=accept,
                comment=request.form.get("comment", ""),
                now=utcnow(),
            )
            number = ticket.number
    except DomainError as refused:
        if refused.status == 404:
            raise
        errors = refused.errors or {"_form": [refused.message]}
        return render_detail(number, errors=errors, values=request.form, status=refused.status)
    flash(
        "Thank you: the ticket is closed." if accept else "The ticket is reopened; we are on it.",
        "success",
    )
    return redirect(url_for("portal.ticket_detail", number=number))


@portal_bp.post("/tickets/<number>/escalation")
def ticket_escalation(number: str) -> Any:
    """Raise the ticket one escalation level now; 409 when closed or already at the top."""
    try:
        with transaction():
            ticket = queries.get_ticket_for_update(current_user, number)
            record = ticket_services.request_escalation(
                ticket, actor=current_user, note=request.form.get("note", ""), now=utcnow()
            )
            number, level = ticket.number, record.level
            name = _level_names(ticket).get(level, "")
    except DomainError as refused:
        if refused.status == 404:
            raise
        errors = (
            {"note": refused.errors["note"]}
            if "note" in refused.errors
            else {"_form": [f"Not escalated: {refused.message}"]}
        )
        return render_detail(number, errors=errors, values=request.form, status=refused.status)
    who = f" ({name})" if name else ""
    flash(f"Escalated to level {level}{who}. They have been told and will follow up.", "success")
    return redirect(url_for("portal.ticket_detail", number=number))
