"""Desk actions on one ticket: status moves, hand-over, assignment, priority, classification,
ETA (with its reason), escalation and work-log entries.

Each view parses its form, then calls one ticket service inside `transaction()` and
redirects back with a confirmation. A refusal (DomainError: 409 illegal move, 422 bad or
missing input, 403 not the desk's move) re-renders the ticket page with the status code, the
message and the typed input; the transaction rolled back, so nothing changed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import flash, redirect, request, url_for
from flask_login import current_user

from fieldops.backoffice import backoffice_bp, forms
from fieldops.backoffice.tickets import render_detail
from fieldops.clock import utcnow
from fieldops.db import transaction
from fieldops.errors import DomainError
from fieldops.tickets import queries, services
from fieldops.tickets.models import Ticket

Apply = Callable[[Ticket, datetime], str]


def _words(code: str) -> str:
    return code.replace("_", " ")


def _act(number: str, form_name: str, parse: Callable[[], Apply]) -> Any:
    """Parse, apply inside one transaction, then redirect; re-render on any refusal."""
    try:
        apply = parse()
        with transaction():
            ticket = queries.get_ticket_for_update(current_user, number)
            message = apply(ticket, utcnow())
            number = ticket.number
    except DomainError as refused:
        if refused.status == 404:
            raise
        return render_detail(
            number, failed=form_name, refusal=refused, values=request.form, status=refused.status
        )
    flash(message, "success")
    return redirect(url_for("backoffice.ticket_detail", number=number))


def _update(changes: dict[str, Any], done: str) -> Apply:
    def apply(ticket: Ticket, now: datetime) -> str:
        services.update_ticket(ticket, actor=current_user, changes=changes, now=now)
        return done

    return apply


@backoffice_bp.post("/tickets/<number>/status")
def ticket_status(number: str) -> Any:
    def parse() -> Apply:
        move = forms.transition(request.form)

        def apply(ticket: Ticket, now: datetime) -> str:
            source = ticket.status
            services.change_status(
                ticket,
                actor=current_user,
                to=move["to"],
                note=move["note"],
                reason=move["reason"],
                now=now,
            )
            return f"{ticket.number}: {_words(source)} → {_words(ticket.status)}."

        return apply

    return _act(number, "status", parse)


@backoffice_bp.post("/tickets/<number>/assignment")
def ticket_assign(number: str) -> Any:
    def parse() -> Apply:
        choice = request.form.get("assignee", "")
        assignee = str(current_user.id) if choice == "me" else choice
        changes = forms.changes({"assignee": assignee}, ("assignee",), blank_is_none=True)
        return _update(changes, "Assignment saved.")

    return _act(number, "assignment", parse)


@backoffice_bp.post("/tickets/<number>/tier")
def ticket_tier(number: str) -> Any:
    def parse() -> Apply:
        changes = forms.changes(request.form, ("tier", "handover_note"))
        return _update(changes, f"Handed over to {changes.get('tier', 'the same tier')}.")

    return _act(number, "tier", parse)


@backoffice_bp.post("/tickets/<number>/priority")
def ticket_priority(number: str) -> Any:
    def parse() -> Apply:
        changes = forms.changes(request.form, ("priority", "priority_reason"))
        return _update(changes, f"Priority set to {changes.get('priority', 'the same')}.")

    return _act(number, "priority", parse)


@backoffice_bp.post("/tickets/<number>/classification")
def ticket_classify(number: str) -> Any:
    def parse() -> Apply:
        wanted = forms.changes(request.form, ("category", "impact", "urgency"))

        def apply(ticket: Ticket, now: datetime) -> str:
            # Only what the agent changed, so the log does not fill with "x -> x" lines.
            changed = {k: v for k, v in wanted.items() if getattr(ticket, k) != v}
            if not changed:
                return "Classification unchanged."
            services.update_ticket(ticket, actor=current_user, changes=changed, now=now)
            return "Classification saved."

        return apply

    return _act(number, "classification", parse)


@backoffice_bp.post("/tickets/<number>/eta")
def ticket_eta(number: str) -> Any:
    def parse() -> Apply:
        changes = forms.eta(request.form)

        def apply(ticket: Ticket, now: datetime) -> str:
            if changes["eta"] == ticket.eta:
                return "ETA unchanged."
            services.update_ticket(ticket, actor=current_user, changes=changes, now=now)
            return "ETA saved; the customer is told." if changes["eta"] else "ETA cleared."

        return apply

    return _act(number, "eta", parse)


@backoffice_bp.post("/tickets/<number>/escalation")
def ticket_escalate(number: str) -> Any:
    def parse() -> Apply:
        note = forms.escalation_note(request.form)

        def apply(ticket: Ticket, now: datetime) -> str:
            record = services.request_escalation(ticket, actor=current_user, note=note, now=now)
            return f"Escalated to level {record.level}; its contacts are told."

        return apply

    return _act(number, "escalation", parse)


@backoffice_bp.post("/tickets/<number>/events")
def ticket_log(number: str) -> Any:
    def parse() -> Apply:
        kind, body, public = forms.log_entry(request.form)

        def apply(ticket: Ticket, now: datetime) -> str:
            services.add_event(
                ticket, actor=current_user, kind=kind, body=body, public=public, now=now
            )
            return "Reply sent to the customer." if public else "Added to the work log."

        return apply

    return _act(number, "log", parse)
