"""Desk pages for problem records: the list, a new problem (from an incident or a risk), one
problem with its text, status and linked incidents, and linking an incident from its
ticket page.

Each POST parses its form, calls one problem service inside `transaction()` and redirects
with a confirmation. A refusal (422: a missing or too long field, a reactive problem with no
incident, a status whose fields are empty; 409: an illegal move, a closed problem, a link
that exists or the last incident of a reactive problem) re-renders the page with the typed
input, the status code and the messages next to the fields; nothing changed.
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
from fieldops.errors import DomainError, RuleViolationError
from fieldops.problems import queries, services
from fieldops.problems.rules import MOVES, ProblemKind, ProblemStatus

PER_PAGE = 50
KINDS = tuple(k.value for k in ProblemKind)
STATUSES = tuple(s.value for s in ProblemStatus)


def _shown(refused: DomainError) -> DomainError:
    """An unknown problem or ticket typed into a form is a field to correct (422), not a
    missing page."""
    if refused.status == 404 and not refused.errors:
        return RuleViolationError(refused.message, {"_form": [refused.message]})
    return refused


@backoffice_bp.get("/problems")
def problem_list() -> tuple[str, int]:
    """Most recently changed first; `status` and `kind` narrow it."""
    chosen = {name: request.args.get(name, "").strip()[:20] for name in ("status", "kind")}
    errors: dict[str, list[str]] = {}
    if chosen["status"] not in ("", *STATUSES):
        errors["status"] = [f"Must be one of: {', '.join(STATUSES)}."]
    if chosen["kind"] not in ("", *KINDS):
        errors["kind"] = [f"Must be one of: {', '.join(KINDS)}."]
    page = forms.page_arg()
    rows: list[queries.ProblemView] = []
    total = 0
    if not errors:
        rows, total = queries.list_problems(
            page=page,
            per_page=PER_PAGE,
            status=chosen["status"] or None,
            kind=chosen["kind"] or None,
        )
    html = render_template(
        "backoffice/problems_list.html",
        items=rows,
        total=total,
        page=page,
        pages=max(math.ceil(total / PER_PAGE), 1),
        chosen=chosen,
        link_args={k: v for k, v in chosen.items() if v},
        statuses=STATUSES,
        kinds=KINDS,
        errors=errors,
    )
    return html, 422 if errors else 200


def _render_new(values: Any, refusal: DomainError | None = None, status: int = 200) -> Any:
    page = render_template(
        "backoffice/problems_new.html",
        values=values,
        refusal=refusal,
        refusal_text=forms.refusal_text(refusal) if refusal else "",
        errors=refusal.errors if refusal else {},
        status_code=status,
        kinds=KINDS,
    )
    return page, status


@backoffice_bp.route("/problems/new", methods=["GET", "POST"])
def problem_new() -> Any:
    """`?ticket=TT-...` starts a reactive problem from that incident."""
    if request.method == "GET":
        ticket = request.args.get("ticket", "").strip().upper()[:20]
        return _render_new({"ticket_ids": ticket, "kind": "reactive"} if ticket else {})
    try:
        data = forms.problem_new(request.form)
        with transaction():
            problem = services.record_problem(
                actor=current_user,
                title=data["title"],
                kind=data["kind"],
                now=utcnow(),
                ticket_ids=data["ticket_ids"],
                fields=data,
            )
            number = problem.number
    except DomainError as refused:
        shown = _shown(refused)
        return _render_new(request.form, shown, shown.status)
    flash(f"Problem {number} recorded.", "success")
    return redirect(url_for("backoffice.problem_detail", number=number))


def _render_detail(
    number: str,
    *,
    failed: str | None = None,
    refusal: DomainError | None = None,
    values: Any = None,
    status: int = 200,
) -> tuple[str, int]:
    """One problem; after a refusal, `failed` names the form ("edit", "link", "unlink")
    whose input is kept."""
    problem = queries.get_problem(number)
    current = ProblemStatus(problem.status)
    page = render_template(
        "backoffice/problems_detail.html",
        p=problem,
        moves=[current.value, *sorted(s.value for s in MOVES[current])],
        failed=failed,
        values=values if values is not None else {},
        refusal=refusal,
        refusal_text=forms.refusal_text(refusal) if refusal else "",
        errors=refusal.errors if refusal else {},
        status_code=status,
    )
    return page, status


def _refused(number: str, failed: str, refused: DomainError) -> tuple[str, int]:
    shown = _shown(refused)
    return _render_detail(
        number, failed=failed, refusal=shown, values=request.form, status=shown.status
    )


@backoffice_bp.route("/problems/<number>", methods=["GET", "POST"])
def problem_detail(number: str) -> Any:
    """The problem; POST saves the title, text and status of its one edit form."""
    if request.method == "GET":
        return _render_detail(number)
    try:
        changes = forms.problem_changes(request.form)
        with transaction():
            problem = services.update_problem(
                actor=current_user, number=number, changes=changes, now=utcnow()
            )
            number, status = problem.number, problem.status
    except DomainError as refused:  # an unknown problem: get_problem's 404 page
        return _refused(number, "edit", refused)
    flash(f"Problem {number} saved; status {status.replace('_', ' ')}.", "success")
    return redirect(url_for("backoffice.problem_detail", number=number))


def _change_link(number: str, action: str) -> Any:
    """Link or unlink the incident the form names; one service call, then back to the page."""
    change, done = {
        "link": (services.link_ticket, "linked to"),
        "unlink": (services.unlink_ticket, "unlinked from"),
    }[action]
    try:
        ticket = forms.one_ticket_number(request.form)
        with transaction():
            problem = change(actor=current_user, number=number, ticket_id=ticket, now=utcnow())
            number = problem.number
    except DomainError as refused:
        return _refused(number, action, refused)
    flash(f"{ticket} {done} {number}.", "success")
    return redirect(url_for("backoffice.problem_detail", number=number))


@backoffice_bp.post("/problems/<number>/link")
def problem_link(number: str) -> Any:
    return _change_link(number, "link")


@backoffice_bp.post("/problems/<number>/unlink")
def problem_unlink(number: str) -> Any:
    return _change_link(number, "unlink")


@backoffice_bp.post("/tickets/<number>/problems")
def ticket_problem_link(number: str) -> Response | tuple[str, int]:
    """From the ticket page: link this incident to an existing problem by its number."""
    try:
        problem_number = forms.problem_number(request.form)
        with transaction():
            problem = services.link_ticket(
                actor=current_user, number=problem_number, ticket_id=number, now=utcnow()
            )
            linked, ticket = problem.number, number.strip().upper()
    except DomainError as refused:
        shown = refused
        if refused.status == 404 and not refused.errors:
            shown = RuleViolationError(refused.message, {"problem": [refused.message]})
        return render_detail(
            number, failed="problem", refusal=shown, values=request.form, status=shown.status
        )
    flash(f"Linked to problem {linked}.", "success")
    return redirect(url_for("backoffice.ticket_detail", number=ticket) + "#problems")
