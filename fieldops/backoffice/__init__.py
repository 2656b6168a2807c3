"""The helpdesk agent's desk: the queue, the ticket page with every action, the mail
quarantine and (admins and support managers) the notifications outbox.

Pages are for helpdesk staff (agents, support managers, admins). A customer contact gets
404, as if the desk did not exist; other staff are told the desk is not theirs (403).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, render_template
from flask_login import current_user

backoffice_bp = Blueprint("backoffice", __name__)


@backoffice_bp.before_request
def _desk_only() -> Any:
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
    if current_user.is_customer:
        abort(404)
    if not current_user.is_desk:
        message = "The helpdesk desk is for agents, support managers and admins."
        return render_template("error.html", status=403, message=message), 403
    return None


from fieldops.backoffice import (  # noqa: E402,F401  - routes register on import
    outbox,
    problems,
    quarantine,
    rfos,
    ticket_actions,
    ticket_intake,
    tickets,
)
