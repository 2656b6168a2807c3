"""Password guessing is rate-limited: the login page and the API token endpoint share one budget
per client address and one per account, and refuse with 429 in each surface's own shape."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from fieldops.ratelimit import limiter
from tests.factories import PASSWORD, make_user
from tests.web.pages import csrf_token

TOKEN = "/api/v1/auth/token"


@pytest.fixture
def tight_limits(app: Flask) -> Iterator[None]:
    saved = {
        k: app.config[k] for k in ("LOGIN_RATE_LIMIT_PER_ADDRESS", "LOGIN_RATE_LIMIT_PER_ACCOUNT")
    }
    app.config["LOGIN_RATE_LIMIT_PER_ADDRESS"] = "6 per minute"
    app.config["LOGIN_RATE_LIMIT_PER_ACCOUNT"] = "3 per minute"
    with app.app_context():
        limiter.reset()
    yield
    app.config.update(saved)
    with app.app_context():
        limiter.reset()


def _token(client: FlaskClient, email: str, password: str = "wrong-password") -> Any:
    return client.post(TOKEN, json={"email": email, "password": password})


def test_an_account_gets_three_tries_then_429_even_with_the_right_password(
    client: FlaskClient, session: Any, tight_limits: None
) -> None:
    agent = make_user(role="agent", email="guessed@desk.test")
    session.commit()
    assert [_token(client, agent.email).status_code for _ in range(3)] == [401, 401, 401]
    refused = _token(client, agent.email, PASSWORD)
    assert refused.status_code == 429
    body = refused.get_json()
    assert body["code"] == "too_many_requests"
    assert set(body) == {"code", "message", "errors"}
    assert int(refused.headers["Retry-After"]) > 0
    # Another account from the same address still has its own budget.
    other = make_user(role="agent", email="other@desk.test")
    session.commit()
    assert _token(client, other.email, PASSWORD).status_code == 201


def test_the_login_page_and_the_api_share_the_budget_of_an_address(
    client: FlaskClient, session: Any, tight_limits: None
) -> None:
    for n in range(3):
        assert _token(client, f"nobody{n}@desk.test").status_code == 401
    page = client.get("/login").get_data(as_text=True)
    for n in range(3):
        response = client.post(
            "/login",
            data={
                "csrf_token": csrf_token(page),
                "email": f"page{n}@desk.test",
                "password": "wrong-password",
            },
        )
        assert response.status_code == 401
    refused = client.post(
        "/login",
        data={"csrf_token": csrf_token(page), "email": "page9@desk.test", "password": "x"},
    )
    assert refused.status_code == 429
    assert "Too many attempts" in refused.get_data(as_text=True)
    assert _token(client, "fresh@desk.test").status_code == 429
    # Reading the login page is not an attempt.
    assert client.get("/login").status_code == 200
