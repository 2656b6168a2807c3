"""Logging in and out through the shared pages, and where each role lands."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from tests.factories import PASSWORD, make_user
from tests.web.pages import csrf_token, forget_request_cache, text


def _log_in(client: FlaskClient, email: str, password: str) -> Any:
    token = csrf_token(text(client.get("/login")))
    return client.post("/login", data={"csrf_token": token, "email": email, "password": password})


def test_agent_logs_in_lands_on_the_queue_and_logs_out(client: FlaskClient, session: Any) -> None:
    agent = make_user(role="agent", email="desk@example.test")
    session.commit()

    response = _log_in(client, agent.email, PASSWORD)
    forget_request_cache()
    queue = client.get("/desk/tickets")
    token = csrf_token(text(queue))
    logged_out = client.post("/logout", data={"csrf_token": token})
    forget_request_cache()

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/desk/tickets")
    assert queue.status_code == 200
    assert logged_out.status_code == 302
    assert client.get("/desk/tickets").status_code == 302  # back to the login page


def test_wrong_password_is_refused(client: FlaskClient, session: Any) -> None:
    make_user(role="agent", email="desk@example.test")
    session.commit()

    response = _log_in(client, "desk@example.test", "not-the-password")

    assert response.status_code == 401
    assert "Wrong e-mail or password." in text(response)
