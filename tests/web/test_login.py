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


def test_a_web_session_ends_after_idling_and_after_its_absolute_limit(
    app: Any, client: Any, session: Any
) -> None:
    from datetime import timedelta

    from fieldops.clock import utcnow
    from tests.factories import make_user

    agent = make_user(role="agent", email="idle@desk.test")
    session.commit()
    limits = (app.config["SESSION_IDLE_MINUTES"], app.config["SESSION_ABSOLUTE_HOURS"])
    cases = {
        "idle": (timedelta(minutes=5), timedelta(minutes=limits[0] + 1)),
        "absolute": (timedelta(hours=limits[1] + 1), timedelta(minutes=1)),
    }
    for name, (since_login, since_seen) in cases.items():
        forget_request_cache()
        with client.session_transaction() as web_session:
            web_session["_user_id"] = agent.get_id()
            web_session["logged_in_at"] = (utcnow() - since_login).isoformat()
            web_session["last_seen_at"] = (utcnow() - since_seen).isoformat()
        response = client.get("/desk/tickets")
        assert response.status_code == 302, name
        assert "/login" in response.headers["Location"], name
        forget_request_cache()
        assert client.get("/desk/tickets").status_code == 302, name  # stays logged out

    forget_request_cache()
    with client.session_transaction() as web_session:
        web_session["_user_id"] = agent.get_id()
        web_session["logged_in_at"] = (utcnow() - timedelta(hours=1)).isoformat()
        web_session["last_seen_at"] = (utcnow() - timedelta(minutes=2)).isoformat()
    assert client.get("/desk/tickets").status_code == 200
