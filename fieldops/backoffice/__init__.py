"""The helpdesk agent's desk: the queue and the ticket page with every action."""

from flask import Blueprint

backoffice_bp = Blueprint("backoffice", __name__)

from fieldops.backoffice import tickets  # noqa: E402,F401  - routes register on import
