"""The dispatcher's pages: the board (unassigned jobs by SLA risk, jobs awaiting parts, each
engineer's day), a job's page with its ranked candidates and the assign, auto-assign and
cancel actions, and the form that turns a hardware-fault ticket into a job.

For dispatchers, support managers and admins (dispatch.rules.DISPATCH_ROLES). A customer
contact gets 404, as if the pages did not exist; other staff get the 403 page.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import unquote

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user

from fieldops.dispatch.rules import DISPATCH_ROLES
from fieldops.forms import browser_zone

dispatch_bp = Blueprint("dispatch", __name__)

# Under this many minutes before the arrive-by a job is marked "due soon" (in words).
DUE_SOON_MIN = 60


@dispatch_bp.before_request
def _dispatchers_only() -> Any:
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
    if current_user.is_customer:
        abort(404)
    if current_user.role not in DISPATCH_ROLES:
        message = "The dispatch board is for dispatchers, support managers and admins."
        return render_template("error.html", status=403, message=message), 403
    return None


def viewer_today(now: datetime) -> date:
    """Today's date where the dispatcher is (the browser's `tz` cookie), UTC without one."""
    try:
        zone = browser_zone(unquote(request.cookies.get("tz", "")))
    except ValueError:
        zone = browser_zone(None)
    return now.astimezone(zone).date()


def risk(arrive_by: datetime, now: datetime) -> dict[str, Any]:
    """How a job stands against its arrive-by, for the board: seconds left (negative when
    overdue) and a word, so the mark never depends on colour alone."""
    seconds = (arrive_by - now).total_seconds()
    if seconds < 0:
        level = "overdue"
    elif seconds < DUE_SOON_MIN * 60:
        level = "due soon"
    else:
        level = "on time"
    return {"seconds": seconds, "level": level}


@dispatch_bp.context_processor
def _dispatch_context() -> dict[str, Any]:
    return {"risk": risk}


# Routes register on import (as the stock pages do).
import fieldops.backoffice.dispatch.board as board  # noqa: E402, F401
import fieldops.backoffice.dispatch.jobs as jobs  # noqa: E402, F401
import fieldops.backoffice.dispatch.new_job as new_job  # noqa: E402, F401
import fieldops.backoffice.dispatch.routes as routes  # noqa: E402, F401
import fieldops.backoffice.dispatch.work_orders as work_orders  # noqa: E402, F401
