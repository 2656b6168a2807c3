"""Portal page for the customer's own services: code, type, site and circuits."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from fieldops.customers.queries import list_services
from fieldops.portal import portal_bp

SERVICES_MAX = 500


@portal_bp.get("/services")
def services_list() -> str:
    services, total = list_services(current_user, per_page=SERVICES_MAX)
    return render_template("portal/services_list.html", services=services, total=total)
