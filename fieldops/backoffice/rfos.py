"""Desk pages for RFOs (Reason For Outage reports): the worklist by due time, the editor in
which the desk writes, reviews and publishes one, the request on the customer's behalf, and
the PDF.

Each POST calls one RFO service inside `transaction()` and redirects with a confirmation.
A refusal (422: a section empty or too long; 409: an illegal move, a published RFO, or the
publisher being the one who sent it to review) re-renders the editor with the typed text,
the status code and the messages next to the fields; the transaction rolled back, so
nothing changed. Overdue is judged at the view's `utcnow()`, the instant tests pin.
"""

from __future__ import annotations

import math
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from fieldops.backoffice import backoffice_bp, forms
from fieldops.backoffice.tickets import render_detail
from fieldops.clock import utcnow
from fieldops.db import transaction
from fieldops.documents import queries, services
from fieldops.documents.models import DocumentKind
from fieldops.documents.rfo_rules import RfoStatus
from fieldops.downloads import paper_arg, pdf_download
from fieldops.errors import DomainError
from fieldops.problems import queries as problem_queries
from fieldops.problems.rules import ProblemStatus
from fieldops.tickets.queries import get_ticket

PER_PAGE = 50
PROBLEMS_MAX = 100
STATUSES = tuple(s.value for s in RfoStatus)
OVERDUE_CHOICES = {"yes": True, "no": False}
DONE = {
    RfoStatus.DRAFT.value: "Draft saved.",
    RfoStatus.IN_REVIEW.value: "Sent to review: a colleague reviews and publishes it.",
    RfoStatus.PUBLISHED.value: "Published: the customer can now download the RFO.",
}


def overdue_rfo_count() -> int:
    """Unpublished RFOs past their due time, for the desk's nav badge."""
    return queries.rfo_counts(utcnow())[1]


@backoffice_bp.context_processor
def _rfo_nav() -> dict[str, Any]:
    return {"overdue_rfo_count": overdue_rfo_count}


@backoffice_bp.get("/rfos")
def rfo_list() -> tuple[str, int]:
    """Soonest due first. By default the open ones (not yet published); `status` narrows to
    one status or "all", `overdue` to yes or no."""
    chosen = {name: request.args.get(name, "").strip()[:20] for name in ("status", "overdue")}
    errors: dict[str, list[str]] = {}
    if chosen["status"] not in ("", "all", *STATUSES):
        errors["status"] = [f"Must be one of: all, {', '.join(STATUSES)}."]
    if chosen["overdue"] not in ("", *OVERDUE_CHOICES):
        errors["overdue"] = ["Must be yes or no."]
    now, page = utcnow(), forms.page_arg()
    rows: list[queries.RfoView] = []
    total = 0
    if not errors:
        rows, total = queries.list_rfos(
            now,
            page=page,
            per_page=PER_PAGE,
            status=chosen["status"] if chosen["status"] in STATUSES else None,
            overdue=OVERDUE_CHOICES.get(chosen["overdue"]),
            open_only=not chosen["status"],
        )
    unpublished, late = queries.rfo_counts(now)
    html = render_template(
        "backoffice/rfos_list.html",
        items=rows,
        total=total,
        page=page,
        pages=max(math.ceil(total / PER_PAGE), 1),
        chosen=chosen,
        link_args={k: v for k, v in chosen.items() if v},
        statuses=STATUSES,
        errors=errors,
        unpublished=unpublished,
        late=late,
        now=now,
    )
    return html, 422 if errors else 200


def _problem_choices(cited: str | None, cited_title: str | None) -> list[tuple[str, str, str]]:
    """(number, title, status) of the open problems an RFO may cite, and the one it cites."""
    choices: list[tuple[str, str, str]] = []
    for status in (ProblemStatus.INVESTIGATING, ProblemStatus.KNOWN_ERROR):
        found, _ = problem_queries.list_problems(status=status.value, per_page=PROBLEMS_MAX)
        choices.extend((p.number, p.title, p.status) for p in found)
    if cited and all(number != cited for number, _, _ in choices):
        choices.append((cited, cited_title or "", "cited"))
    return sorted(choices)


def _render_editor(
    number: str,
    *,
    values: Any = None,
    refusal: DomainError | None = None,
    status: int = 200,
) -> tuple[str, int]:
    now = utcnow()
    ticket = get_ticket(current_user, number)
    rfo = queries.get_rfo(ticket, now)
    if values is None:
        values = {
            "summary": rfo.summary,
            "impact": rfo.impact,
            "root_cause": rfo.root_cause,
            "resolution": rfo.resolution,
            "preventive_actions": rfo.preventive_actions,
            "problem_id": rfo.problem_id or "",
        }
    page = render_template(
        "backoffice/rfos_edit.html",
        rfo=rfo,
        ticket=ticket,
        values=values,
        refusal=refusal,
        refusal_text=forms.refusal_text(refusal) if refusal else "",
        errors=refusal.errors if refusal else {},
        status_code=status,
        problems=[] if rfo.is_published else _problem_choices(rfo.problem_id, rfo.problem_title),
        now=now,
    )
    return page, status


@backoffice_bp.route("/tickets/<number>/rfo", methods=["GET", "POST"])
def rfo_edit(number: str) -> Any:
    """The editor. Every button posts the five sections and the cited problem with the
    status it moves the RFO to: one `edit_rfo` call."""
    if request.method == "GET":
        return _render_editor(number)
    try:
        changes = forms.rfo_changes(request.form)
        with transaction():
            rfo = services.edit_rfo(
                actor=current_user, ticket_number=number, changes=changes, now=utcnow()
            )
            now_status = rfo.status
    except DomainError as refused:
        if refused.status == 404:
            raise
        return _render_editor(number, values=request.form, refusal=refused, status=refused.status)
    was = request.form.get("current", "")
    if was == RfoStatus.IN_REVIEW and now_status == RfoStatus.DRAFT:
        flash("Sent back to draft.", "success")
    else:
        flash(DONE.get(now_status, "RFO saved."), "success")
    return redirect(url_for("backoffice.rfo_edit", number=number.strip().upper()))


@backoffice_bp.post("/tickets/<number>/rfo/request")
def rfo_request(number: str) -> Any:
    """The desk asks for the RFO for the customer (who called in); then opens the editor.
    A refusal (not a resolved P1/P2, asked already) is shown on the ticket page."""
    try:
        with transaction():
            rfo = services.request_rfo(actor=current_user, ticket_number=number, now=utcnow())
            due = rfo.due_at
    except DomainError as refused:
        if refused.status == 404:
            raise
        return render_detail(number, failed="rfo", refusal=refused, status=refused.status)
    flash(f"RFO requested on the customer's behalf; due by {due:%Y-%m-%d %H:%M} UTC.", "success")
    return redirect(url_for("backoffice.rfo_edit", number=number.strip().upper()))


@backoffice_bp.get("/tickets/<number>/rfo.pdf")
def rfo_pdf(number: str) -> Response:
    """The RFO as a PDF, `?paper=a4|letter`; a draft prints marked as one."""
    now = utcnow()
    ticket = get_ticket(current_user, number)
    queries.get_rfo(ticket, now)  # 404 when none was requested
    result = services.document_for(DocumentKind.RFO, ticket.number, paper_arg(), now)
    return pdf_download(result, f"RFO-{ticket.number}.pdf", f"the RFO for {ticket.number}")
