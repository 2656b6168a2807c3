"""Customer portal: my services, my tickets, opening and following a ticket."""

from flask import Blueprint

portal_bp = Blueprint("portal", __name__)

from fieldops.portal import tickets  # noqa: E402,F401  - routes register on import
