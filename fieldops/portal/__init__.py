"""Customer portal: my services, my tickets, opening and following a ticket.

Every page is for logged-in customer contacts. Helpdesk staff who follow a portal link are
sent to the desk; other staff get 404, as if the page did not exist for them.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, redirect, url_for
from flask_login import current_user

portal_bp = Blueprint("portal", __name__)


@portal_bp.before_request
def _customers_only() -> Any:
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
    if current_user.is_customer:
        return None
    if current_user.is_desk:
        return redirect(url_for("backoffice.queue"))
    abort(404)


from fieldops.portal import rfos, services, tickets  # noqa: E402,F401  - routes register on import
