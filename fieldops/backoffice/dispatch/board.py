"""The dispatch board: unassigned jobs soonest arrive-by first (the most at risk at the top),
jobs awaiting parts, each engineer's day for a chosen date, and auto-assign for all
unassigned jobs (one button; the result is flashed)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from fieldops.backoffice.dispatch import dispatch_bp, viewer_today
from fieldops.clock import utcnow
from fieldops.db import transaction
from fieldops.dispatch import queries, services
from fieldops.dispatch.rules import JobStatus
from fieldops.routing import services as routing

BOARD_MAX = 200
NAMED_MAX = 10


def _chosen_day(default: date) -> tuple[date, str | None]:
    """The ?date= of the engineers' days; today (and the complaint) when it is not a date."""
    raw = request.args.get("date", "").strip()[:20]
    if not raw:
        return default, None
    try:
        return date.fromisoformat(raw), None
    except ValueError:
        return default, f"{raw!r} is not a date (YYYY-MM-DD); showing today."


@dispatch_bp.get("/")
def board() -> Any:
    now = utcnow()
    today = viewer_today(now)
    day, date_error = _chosen_day(today)
    unassigned, unassigned_total = queries.list_jobs(
        status=JobStatus.UNASSIGNED, per_page=BOARD_MAX
    )
    awaiting, awaiting_total = queries.list_jobs(
        status=JobStatus.AWAITING_PARTS, per_page=BOARD_MAX
    )
    days = queries.board_day(day)
    return render_template(
        "backoffice/dispatch_board.html",
        now=now,
        unassigned=unassigned,
        unassigned_total=unassigned_total,
        awaiting=awaiting,
        awaiting_total=awaiting_total,
        days=days,
        day=day,
        today=today,
        date_error=date_error,
    )


def _summary(result: services.AutoResult) -> tuple[str, str]:
    """The flash line for an auto-assign run, and its category."""
    if not result.assigned and not result.unplaced:
        return "There were no unassigned jobs to assign.", "info"
    parts = [f"Auto-assign: {len(result.assigned)} job(s) assigned"]
    if result.assigned:
        named = ", ".join(
            f"{a.job.number} to {a.engineer.name}" + (" (awaiting parts)" if a.backordered else "")
            for a in result.assigned[:NAMED_MAX]
        )
        more = len(result.assigned) - NAMED_MAX
        parts[0] += f" ({named}{f' and {more} more' if more > 0 else ''})"
    if result.unplaced:
        named = ", ".join(f"{number} ({why})" for number, why in result.unplaced[:NAMED_MAX])
        parts.append(f"{len(result.unplaced)} could not be placed: {named}")
    return "; ".join(parts) + ".", "warn" if result.unplaced else "success"


@dispatch_bp.post("/auto-assign")
def auto_assign() -> Any:
    with transaction():
        # Through routing: the day's stored route plans follow every assignment.
        result = routing.auto_assign(actor=current_user, now=utcnow())
        message, category = _summary(result)
    flash(message, category)
    return redirect(url_for("dispatch.board"))
