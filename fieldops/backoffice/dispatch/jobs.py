"""A job's page for the dispatcher: ticket, site, parts and reservations, the ranked
candidates with their score parts and one-line reasons (and, asked with ?explain=1, every
excluded engineer with why), an Assign button per candidate, and cancelling with a reason.

Actions are POST/redirect/GET inside one `transaction()`. A refusal (422 bad input, 409 the
job or engineer no longer fits) re-renders the page with that status, the message and the
field's error, keeping what was typed; the transaction rolled back, so nothing changed.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from fieldops.backoffice.dispatch import dispatch_bp
from fieldops.clock import utcnow
from fieldops.db import transaction
from fieldops.dispatch import queries, services
from fieldops.dispatch.rules import ASSIGNABLE, CANCELLABLE
from fieldops.errors import DomainError, RuleViolationError
from fieldops.routing import services as routing

CANDIDATES_SHOWN = 10
REASON_MAX = 2000
ID_MAX = 2**31 - 1


def render_job(
    number: str,
    *,
    refusal: DomainError | None = None,
    values: Any = None,
    failed: str | None = None,
) -> Any:
    """The job page; with a refusal, its status, message and the failed form (`failed`)."""
    now = utcnow()
    job = queries.get_job(number)
    explain = request.args.get("explain") == "1" or request.form.get("explain") == "1"
    ranking = None
    if job.status in ASSIGNABLE:
        _, ranking = queries.candidates_for(
            job.number, now, limit=CANDIDATES_SHOWN, explain=explain
        )
    status = refusal.status if refusal else 200
    html = render_template(
        "backoffice/dispatch_job.html",
        job=job,
        now=now,
        ranking=ranking,
        explain=explain,
        contact=queries.job_contact(job.number),
        assignable=job.status in ASSIGNABLE,
        cancellable=job.status in CANCELLABLE,
        refusal=refusal,
        status_code=status,
        errors=refusal.errors if refusal else {},
        values=values if values is not None else {},
        failed=failed,
    )
    return html, status


@dispatch_bp.get("/jobs/<number>")
def job_detail(number: str) -> Any:
    return render_job(number)


def _engineer_id(raw: str) -> int:
    raw = raw.strip()
    if not (raw.isascii() and raw.isdigit()) or not 0 < int(raw) <= ID_MAX:
        raise RuleViolationError.on_field("engineer_id", "Choose an engineer from the list.")
    return int(raw)


@dispatch_bp.post("/jobs/<number>/assign")
def job_assign(number: str) -> Any:
    """One action: give the job to the chosen candidate and reserve its parts."""
    job = queries.get_job(number)  # an unknown job is a 404, not a refused form
    try:
        engineer_id = _engineer_id(request.form.get("engineer_id", ""))
        with transaction():
            now = utcnow()
            # Through routing: the day's stored route plan follows the assignment.
            done = routing.assign_job(
                actor=current_user, number=job.number, engineer_id=engineer_id, now=now
            )
            message = f"{done.job.number} assigned to {done.engineer.name}."
            if done.backordered:
                message += (
                    f" Awaiting parts: {', '.join(done.backordered)} backordered for the "
                    "stock manager."
                )
    except DomainError as refused:
        if refused.status == 404:
            raise
        return render_job(job.number, refusal=refused, values=request.form, failed="assign")
    flash(message, "warn" if done.backordered else "success")
    return redirect(url_for("dispatch.job_detail", number=job.number))


@dispatch_bp.post("/jobs/<number>/cancel")
def job_cancel(number: str) -> Any:
    job = queries.get_job(number)
    reason = request.form.get("reason", "").strip()
    try:
        if len(reason) > REASON_MAX:
            raise RuleViolationError.on_field("reason", f"At most {REASON_MAX} characters.")
        with transaction():
            services.cancel_job(actor=current_user, number=job.number, reason=reason, now=utcnow())
    except DomainError as refused:
        if refused.status == 404:
            raise
        return render_job(job.number, refusal=refused, values=request.form, failed="cancel")
    flash(f"{job.number} cancelled; its reserved parts went back to stock.", "success")
    return redirect(url_for("dispatch.job_detail", number=job.number))
