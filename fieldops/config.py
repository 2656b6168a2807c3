"""Settings: every value comes from a FIELDOPS_* environment variable with a typed default."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = Path(os.environ.get("FIELDOPS_INSTANCE_DIR", PROJECT_ROOT / "instance"))


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw not in (None, "") else default


def _secret_key() -> str:
    """Use FIELDOPS_SECRET_KEY, else a random key kept in instance/ so sessions survive restarts."""
    configured = os.environ.get("FIELDOPS_SECRET_KEY")
    if configured:
        return configured
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    key_file = INSTANCE_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(48))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def database_url() -> str:
    return os.environ.get("FIELDOPS_DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'fieldops.db'}")


class Config:
    """Runtime configuration, read from the environment when instantiated."""

    def __init__(self) -> None:
        self.SECRET_KEY: str = _secret_key()
        self.SQLALCHEMY_DATABASE_URI: str = database_url()
        self.SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {"pool_pre_ping": True}
        self.API_TOKEN_TTL_HOURS: int = _env_int("FIELDOPS_API_TOKEN_TTL_HOURS", 12)
        self.SESSION_IDLE_MINUTES: int = _env_int("FIELDOPS_SESSION_IDLE_MINUTES", 60)
        self.SESSION_ABSOLUTE_HOURS: int = _env_int("FIELDOPS_SESSION_ABSOLUTE_HOURS", 12)
        self.SESSION_COOKIE_HTTPONLY: bool = True
        self.SESSION_COOKIE_SAMESITE: str = "Lax"
        self.SESSION_COOKIE_SECURE: bool = os.environ.get("FIELDOPS_HTTPS", "") == "1"
        self.MAX_CONTENT_LENGTH: int = _env_int("FIELDOPS_MAX_UPLOAD_BYTES", 2 * 1024 * 1024)
        # A ticket is "at risk" once this share of its resolution target is used.
        self.SLA_AT_RISK_SHARE: float = float(os.environ.get("FIELDOPS_SLA_AT_RISK_SHARE", "0.8"))
        self.WTF_CSRF_TIME_LIMIT: int | None = None
        self.TESTING: bool = False
        # flask-smorest: the OpenAPI document lives under the API prefix.
        self.API_TITLE: str = "fieldops"
        self.API_VERSION: str = "v1"
        self.OPENAPI_VERSION: str = "3.1.0"
        self.OPENAPI_URL_PREFIX: str = "/api/v1"
        self.OPENAPI_JSON_PATH: str = "openapi.json"


class TestConfig(Config):
    """Configuration for the test suite: a database URL is always passed explicitly."""

    def __init__(self, database_url: str) -> None:
        super().__init__()
        self.SECRET_KEY = "test-secret-key"  # noqa: S105 - tests only
        self.SQLALCHEMY_DATABASE_URI = database_url
        self.TESTING = True
