"""API authentication: bearer tokens from /auth/token, and 401 for anything else."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from fieldops.accounts.models import ApiToken, User
from fieldops.accounts.services import hash_token, issue_token
from fieldops.clock import utcnow
from tests.api.conftest import API, assert_error
from tests.factories import PASSWORD, make_user

PROTECTED = [
    ("get", "/customers"),
    ("post", "/customers"),
    ("get", "/customers/ACME"),
    ("get", "/services"),
    ("post", "/services"),
    ("get", "/services/SVC-10001"),
    ("get", "/sla-plans"),
    ("post", "/sla-plans"),
    ("get", "/tickets"),
    ("post", "/tickets"),
    ("get", "/tickets/TT-2026-000001"),
    ("patch", "/tickets/TT-2026-000001"),
    ("post", "/tickets/TT-2026-000001/transitions"),
    ("post", "/tickets/TT-2026-000001/confirmation"),
    ("get", "/tickets/TT-2026-000001/events"),
    ("post", "/tickets/TT-2026-000001/events"),
]


def _call(client: FlaskClient, method: str, path: str, headers: dict[str, str]) -> Any:
    kwargs: dict[str, Any] = {"headers": headers}
    if method in ("post", "patch"):
        kwargs["json"] = {}
    return getattr(client, method)(f"{API}{path}", **kwargs)


def _token(client: FlaskClient, email: str, password: str = PASSWORD) -> Any:
    return client.post(f"{API}/auth/token", json={"email": email, "password": password})


def test_a_user_trades_email_and_password_for_a_working_token(
    client: FlaskClient, agent: User
) -> None:
    before = utcnow()
    response = _token(client, agent.email)
    assert response.status_code in (200, 201)
    body = response.get_json()
    assert set(body) == {"token", "expires_at"}
    expires_at = datetime.fromisoformat(body["expires_at"])
    assert expires_at.utcoffset() is not None  # an instant with an offset
    assert before + timedelta(hours=11) < expires_at <= utcnow() + timedelta(hours=12)
    listed = client.get(f"{API}/tickets", headers={"Authorization": f"Bearer {body['token']}"})
    assert listed.status_code == 200


def test_the_email_is_matched_without_regard_to_case(client: FlaskClient, agent: User) -> None:
    assert _token(client, "  AGENT@Example.TEST ").status_code in (200, 201)


def test_the_token_itself_is_never_stored(client: FlaskClient, agent: User, session: Any) -> None:
    raw = _token(client, agent.email).get_json()["token"]
    stored = session.scalars(select(ApiToken.token_hash).where(ApiToken.user_id == agent.id))
    assert list(stored) == [hash_token(raw)]


@pytest.mark.parametrize(
    ("email", "password"),
    [("agent@example.test", "wrong-password"), ("nobody@example.test", PASSWORD)],
)
def test_a_wrong_password_or_unknown_email_is_401_and_says_the_same(
    client: FlaskClient, agent: User, email: str, password: str
) -> None:
    body = assert_error(_token(client, email, password), 401, "unauthorized")
    assert body["message"] == "Wrong e-mail or password."


def test_an_inactive_user_gets_no_token(client: FlaskClient, session: Any) -> None:
    user = make_user(role="agent")
    user.is_active = False
    session.flush()
    assert_error(_token(client, user.email), 401, "unauthorized")


@pytest.mark.parametrize("missing", ["email", "password"])
def test_a_token_request_missing_a_field_is_422_naming_it(
    client: FlaskClient, agent: User, missing: str
) -> None:
    body = {"email": agent.email, "password": PASSWORD}
    del body[missing]
    response = client.post(f"{API}/auth/token", json=body)
    assert_error(response, 422, "validation_error", missing)


def test_the_password_is_never_echoed(client: FlaskClient, agent: User) -> None:
    response = client.post(f"{API}/auth/token", json={"email": 5, "password": "s3cret-pw!"})
    assert "s3cret-pw!" not in response.get_data(as_text=True)


@pytest.mark.parametrize(("method", "path"), PROTECTED)
def test_every_resource_needs_a_token(client: FlaskClient, method: str, path: str) -> None:
    response = _call(client, method, path, {})
    body = assert_error(response, 401, "unauthorized")
    assert "bearer" in body["message"].lower()
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "header",
    [
        "Bearer not-a-real-token",
        "Bearer ",
        "Bearer",
        "Basic YWdlbnRAZXhhbXBsZS50ZXN0OmNvcnJlY3QtaG9yc2UtYmF0dGVyeQ==",
        "Token abc",
        "garbage",
    ],
)
def test_a_garbage_or_wrong_scheme_token_is_401(
    client: FlaskClient, agent: User, header: str
) -> None:
    response = client.get(f"{API}/tickets", headers={"Authorization": header})
    assert_error(response, 401, "unauthorized")


def test_an_expired_token_is_401(client: FlaskClient, agent: User, session: Any) -> None:
    issued = issue_token(agent, now=utcnow() - timedelta(hours=2), ttl=timedelta(hours=1))
    session.flush()
    response = client.get(f"{API}/tickets", headers={"Authorization": f"Bearer {issued.token}"})
    assert_error(response, 401, "unauthorized")


def test_a_revoked_token_is_401(
    client: FlaskClient, agent: User, session: Any, api_as: Callable[[User], Any]
) -> None:
    api = api_as(agent)
    assert api.get(f"{API}/tickets").status_code == 200
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(api.token)))
    token.revoked_at = utcnow()
    session.flush()
    assert_error(api.get(f"{API}/tickets"), 401, "unauthorized")


def test_a_deactivated_users_token_stops_working(
    agent: User, session: Any, api_as: Callable[[User], Any]
) -> None:
    api = api_as(agent)
    agent.is_active = False
    session.flush()
    assert_error(api.get(f"{API}/tickets"), 401, "unauthorized")


@pytest.mark.parametrize(("method", "path"), PROTECTED)
def test_a_logged_in_web_session_never_authenticates_the_api(
    login_as: Callable[[User], FlaskClient], agent: User, method: str, path: str
) -> None:
    browser = login_as(agent)
    response = _call(browser, method, path, {})
    assert_error(response, 401, "unauthorized")


def test_the_api_needs_no_csrf_token_with_a_bearer_token(
    api_as: Callable[[User], Any], session: Any
) -> None:
    manager = make_user(role="manager")
    response = api_as(manager).post(f"{API}/customers", json={"code": "NOCSRF", "name": "No"})
    assert response.status_code == 201


def test_issuing_a_token_and_reading_the_docs_need_no_token(client: FlaskClient) -> None:
    assert client.get(f"{API}/openapi.json").status_code == 200
    assert client.get(f"{API}/docs").status_code == 200
    assert client.post(f"{API}/auth/token", json={}).status_code == 422
