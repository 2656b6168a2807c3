"""Rate limits on password guessing: the login page and the API token endpoint share a budget
per client address and per account e-mail (Flask-Limiter).

Storage is `memory://` by default, which counts per process; with several workers set
FIELDOPS_RATELIMIT_STORAGE_URL to Redis (STACK.md). Limits are read from the app config on
every request, as Flask-Limiter strings ("10 per minute").
"""

from __future__ import annotations

from flask import current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(key_func=get_remote_address, headers_enabled=True)


def _submitted_email() -> str:
    """The account a password attempt is for, from the form or the JSON body."""
    email = request.form.get("email")
    if email is None:
        body = request.get_json(silent=True)
        email = body.get("email") if isinstance(body, dict) else None
    return str(email or "").strip().lower()[:254] or "-"


# Decorators for the two endpoints that check passwords.
password_attempts_per_address = limiter.shared_limit(
    lambda: str(current_app.config["LOGIN_RATE_LIMIT_PER_ADDRESS"]),
    scope="password-address",
    methods=["POST"],
)
password_attempts_per_account = limiter.shared_limit(
    lambda: str(current_app.config["LOGIN_RATE_LIMIT_PER_ACCOUNT"]),
    scope="password-account",
    key_func=_submitted_email,
    methods=["POST"],
)
