"""Desk pages for tickets."""

from __future__ import annotations

from flask import render_template
from flask_login import login_required

from fieldops.backoffice import backoffice_bp


@backoffice_bp.get("/tickets")
@login_required
def queue() -> str:
    return render_template("base.html")
