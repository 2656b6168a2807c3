"""Test databases: a SQLite file and, when configured, a PostgreSQL database per worker."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

POSTGRES_ENV = "FIELDOPS_TEST_POSTGRES_URL"
REQUIRE_ENV = "FIELDOPS_REQUIRE_POSTGRES"


def postgres_base_url() -> str | None:
    return os.environ.get(POSTGRES_ENV) or None


def postgres_required() -> bool:
    return os.environ.get(REQUIRE_ENV) == "1"


def backends() -> list[str]:
    """The databases behaviour tests run on: SQLite always, PostgreSQL when configured."""
    return ["sqlite", "postgres"] if postgres_base_url() or postgres_required() else ["sqlite"]


def _admin_dsn(url: str) -> str:
    parsed = make_url(url).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)


def create_postgres_database(label: str) -> str:
    """Create a fresh, uniquely named database on the configured server; return its URL."""
    base = postgres_base_url()
    if base is None:
        raise RuntimeError(f"{POSTGRES_ENV} is not set")
    name = f"fieldops_{label}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_admin_dsn(base), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return make_url(base).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(url: str) -> None:
    base = postgres_base_url()
    if base is None:
        return
    name = make_url(url).database
    with psycopg.connect(_admin_dsn(base), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def sqlite_url(directory: Path, label: str) -> str:
    return f"sqlite:///{directory / f'{label}-{uuid.uuid4().hex[:8]}.db'}"
