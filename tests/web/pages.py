"""Helpers for request-level tests of HTML pages: read the CSRF token and post forms with it."""

from __future__ import annotations

import re
from typing import Any

from flask import g
from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from fieldops.clock import utcnow

_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(html: str) -> str:
    """The CSRF token a rendered form carries; fails the test when the page has none."""
    match = _TOKEN.search(html)
    assert match, "the page has no form with a CSRF token"
    return match.group(1)


def post_form(client: FlaskClient, form_page: str, action: str, data: dict[str, Any]) -> Any:
    """GET `form_page`, then POST `data` to `action` with the token that page rendered."""
    page = client.get(form_page)
    assert page.status_code == 200, page.status_code
    payload: dict[str, Any] = {"csrf_token": csrf_token(page.get_data(as_text=True))}
    for name, value in data.items():
        # (stream, filename) is a file upload, as with the test client's own data=.
        payload[name] = FileStorage(value[0], value[1], name) if isinstance(value, tuple) else value
    # Encoded in memory: the test client spools bodies over 500 KB to a temporary file it
    # never closes, which filterwarnings=error turns into a failure.
    boundary, body = encode_multipart(payload)
    return client.post(action, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def text(response: Any) -> str:
    return str(response.get_data(as_text=True))


def forget_request_cache() -> None:
    """Drop what Flask-Login and Flask-WTF cache on `g` for one request.

    The `session` fixture keeps one app context open for the whole test, so `g` outlives each
    request: after a login or logout the cached user and CSRF token would be stale.
    """
    g.pop("_login_user", None)
    g.pop("csrf_token", None)


def switch_user(client: FlaskClient, user: Any) -> FlaskClient:
    """Log `client` in as `user`, also when another user was logged in earlier in the test."""
    forget_request_cache()
    with client.session_transaction() as web_session:
        web_session["_user_id"] = user.get_id()
        # Stamped as a real login is, or the idle/absolute session limits would end it.
        web_session["logged_in_at"] = web_session["last_seen_at"] = utcnow().isoformat()
        web_session["_fresh"] = True
    return client
