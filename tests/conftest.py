"""Fixtures: app per database backend, a rolled-back session per test, clients and users."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy.orm import scoped_session, sessionmaker

from fieldops import create_app
from fieldops.accounts.models import User
from fieldops.accounts.services import issue_token
from fieldops.clock import utcnow
from fieldops.config import TestConfig
from fieldops.db import db
from tests import databases
from tests.factories import cheap_password_hashing, make_user

os.environ.setdefault("FIELDOPS_INSTANCE_DIR", "/tmp/fieldops-test-instance")  # noqa: S108


def _build_app(backend: str, tmp_dir: Path, label: str) -> tuple[Flask, str]:
    if backend == "postgres":
        if databases.postgres_base_url() is None:
            if databases.postgres_required():
                pytest.fail("FIELDOPS_REQUIRE_POSTGRES=1 but FIELDOPS_TEST_POSTGRES_URL is unset")
            pytest.skip("PostgreSQL not configured (set FIELDOPS_TEST_POSTGRES_URL)")
        try:
            url = databases.create_postgres_database(label)
        except Exception as error:
            if databases.postgres_required():
                pytest.fail(f"PostgreSQL required but unreachable: {error}")
            pytest.skip(f"PostgreSQL unreachable: {error}")
    else:
        url = databases.sqlite_url(tmp_dir, label)
    app = create_app(TestConfig(url))
    with app.app_context():
        upgrade()
    return app, url


def _dispose(app: Flask, backend: str, url: str) -> None:
    with app.app_context():
        db.engine.dispose()
    if backend == "postgres":
        databases.drop_postgres_database(url)


@pytest.fixture(scope="session", params=databases.backends())
def app(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    """One migrated database per backend and worker, shared by the session's tests."""
    backend: str = request.param
    application, url = _build_app(backend, tmp_path_factory.mktemp("db"), "session")
    application.config["TEST_BACKEND"] = backend
    yield application
    _dispose(application, backend, url)


@pytest.fixture
def fresh_app(request: pytest.FixtureRequest, app: Flask, tmp_path: Path) -> Iterator[Flask]:
    """A separate, migrated database whose transactions really commit (concurrency tests)."""
    backend = app.config["TEST_BACKEND"]
    application, url = _build_app(backend, tmp_path, "fresh")
    application.config["TEST_BACKEND"] = backend
    yield application
    _dispose(application, backend, url)


@pytest.fixture
def session(app: Flask) -> Iterator[Any]:
    """The test's session: everything, including the code's commits, is rolled back after.

    The outer connection transaction is never committed; the code under test commits into
    SAVEPOINTs (join_transaction_mode="create_savepoint").
    """
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        scoped = scoped_session(
            sessionmaker(bind=connection, join_transaction_mode="create_savepoint"),
            scopefunc=lambda: "test",
        )
        db.session = scoped  # type: ignore[assignment]
        try:
            yield scoped
        finally:
            scoped.remove()
            db.session = original
            outer.rollback()
            connection.close()


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """One PBKDF2 round instead of scrypt for test users: logins still go through werkzeug."""
    cheap_password_hashing(monkeypatch)


@pytest.fixture
def backend(app: Flask) -> str:
    return str(app.config["TEST_BACKEND"])


@pytest.fixture
def now() -> datetime:
    return datetime(2026, 11, 18, 10, 0, tzinfo=UTC)  # a Wednesday, 11:00 in Warsaw


@pytest.fixture
def client(app: Flask, session: Any) -> FlaskClient:
    return app.test_client()


class ApiClient:
    """A test client that sends a bearer token and JSON."""

    def __init__(self, client: FlaskClient, token: str) -> None:
        self.client = client
        self.token = token

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}"}
        headers.update(extra or {})
        return headers

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.client.get(path, headers=self._headers(kwargs.pop("headers", None)), **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        return self.client.post(
            path, json=json, headers=self._headers(kwargs.pop("headers", None)), **kwargs
        )

    def patch(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        return self.client.patch(
            path, json=json, headers=self._headers(kwargs.pop("headers", None)), **kwargs
        )

    def delete(self, path: str, **kwargs: Any) -> Any:
        return self.client.delete(
            path, headers=self._headers(kwargs.pop("headers", None)), **kwargs
        )


@pytest.fixture
def api_as(client: FlaskClient, session: Any) -> Callable[[User], ApiClient]:
    """api_as(user) -> a client authenticated with a fresh token for that user."""
    from datetime import timedelta

    from fieldops.clock import utcnow

    def _make(user: User) -> ApiClient:
        issued = issue_token(user, now=utcnow(), ttl=timedelta(hours=1))
        # Commit (into the test's SAVEPOINT) so a refused request, which rolls its own unit
        # of work back, cannot also roll back the users and data the test set up.
        session.commit()
        return ApiClient(client, issued.token)

    return _make


@pytest.fixture
def login_as(client: FlaskClient, session: Any) -> Callable[[User], FlaskClient]:
    """login_as(user) -> the test client with a logged-in web session for that user."""

    def _login(user: User) -> FlaskClient:
        session.commit()
        with client.session_transaction() as web_session:
            web_session["_user_id"] = user.get_id()
            # Stamped as a real login is, or the idle/absolute session limits would end it.
            web_session["logged_in_at"] = web_session["last_seen_at"] = utcnow().isoformat()
            web_session["_fresh"] = True
        return client

    return _login


@pytest.fixture
def agent(session: Any) -> User:
    return make_user(role="agent", email="agent@example.test", tier="L1")
