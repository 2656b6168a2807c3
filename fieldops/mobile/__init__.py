"""The field engineer's phone pages: today's jobs in order, a job's detail (site, contact,
access notes, parts to pick and where, navigation links), the status buttons, and the
completion and failure forms.

For logins with the engineer role linked to an engineer profile (Engineer.user_id). A
customer contact gets 404, as if the pages did not exist; other staff get the 403 page. An
engineer sees only their own jobs: another engineer's job is a 404, never a 403.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Blueprint, abort, current_app, g, render_template
from flask_login import current_user

from fieldops.engineers.queries import find_engineer_for_user

if TYPE_CHECKING:
    from fieldops.engineers.models import Engineer

mobile_bp = Blueprint("mobile", __name__)

ENGINEER_ROLE = "engineer"


@mobile_bp.before_request
def _engineers_only() -> Any:
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
    if current_user.is_customer:
        abort(404)
    if current_user.role != ENGINEER_ROLE:
        message = "The phone pages are for field engineers."
        return render_template("error.html", status=403, message=message), 403
    engineer = find_engineer_for_user(current_user.id)
    if engineer is None or not engineer.is_active:
        message = (
            "Your login is not linked to an active engineer profile yet. Ask a dispatcher "
            "to link it."
        )
        return render_template("error.html", status=403, message=message), 403
    g.engineer = engineer
    return None


def me() -> Engineer:
    """The engineer profile of the logged-in engineer (set by the gate above)."""
    engineer: Engineer = g.engineer
    return engineer


# Routes register on import.
import fieldops.mobile.jobs as jobs  # noqa: E402, F401
import fieldops.mobile.work_orders as work_orders  # noqa: E402, F401
