"""Portal pages for a customer's services and tickets."""

from __future__ import annotations

from flask import render_template
from flask_login import login_required

from fieldops.portal import portal_bp


@portal_bp.get("/services")
@login_required
def services_list() -> str:
    return render_template("base.html")
