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


def _env_str(name: str, default: str) -> str:
    raw = os.environ.get(name)
    return raw if raw not in (None, "") else default


def _env_optional(name: str) -> str | None:
    return os.environ.get(name) or None


def database_url() -> str:
    return os.environ.get("FIELDOPS_DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'fieldops.db'}")


def queue_url() -> str:
    """The Huey broker: SqliteHuey under instance/ by default, `redis://...` for RedisHuey.

    Read from the environment, not from Config: the consumer builds its Huey instance at
    import time, before any app exists.
    """
    return _env_str("FIELDOPS_QUEUE_URL", f"sqlite:///{INSTANCE_DIR / 'huey.db'}")


def queue_name() -> str:
    """The Huey queue name; several deployments (or test runs) can share one Redis."""
    return _env_str("FIELDOPS_QUEUE_NAME", "fieldops")


def queue_immediate() -> bool:
    """FIELDOPS_QUEUE_IMMEDIATE=1 runs tasks inline when enqueued (debugging, unit tests)."""
    return os.environ.get("FIELDOPS_QUEUE_IMMEDIATE", "") == "1"


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
        # Inbound e-mail (CLI ingest-mail, POST /api/v1/inbound-mail): larger mail is refused.
        self.INBOUND_MAIL_MAX_BYTES: int = _env_int(
            "FIELDOPS_INBOUND_MAIL_MAX_BYTES", 10 * 1024 * 1024
        )
        # A ticket is "at risk" once this share of its resolution target is used.
        self.SLA_AT_RISK_SHARE: float = float(os.environ.get("FIELDOPS_SLA_AT_RISK_SHARE", "0.8"))
        # Travel estimates from geodesic distance: roads are this much longer, driven this fast.
        self.ROAD_FACTOR: float = float(os.environ.get("FIELDOPS_ROAD_FACTOR", "1.3"))
        self.AVERAGE_SPEED_KMH: float = float(os.environ.get("FIELDOPS_AVERAGE_SPEED_KMH", "60"))
        # Route planning: the search's budget when a request names none (1 to 300 s), and
        # whether a requested plan is handed to the background worker after commit.
        self.ROUTE_TIME_LIMIT_S: int = _env_int("FIELDOPS_ROUTE_TIME_LIMIT_S", 30)
        self.ROUTE_PLAN_KICK: bool = os.environ.get("FIELDOPS_ROUTE_PLAN_KICK", "1") != "0"
        # PDFs render in the background worker (the request answers "being prepared") unless
        # this is 0, when the request renders them itself; the name printed on RFOs.
        self.PDF_BACKGROUND: bool = os.environ.get("FIELDOPS_PDF_BACKGROUND", "1") != "0"
        self.PDF_PAPER: str = _env_str("FIELDOPS_PDF_PAPER", "a4")
        self.BRAND_NAME: str = _env_str("FIELDOPS_BRAND_NAME", "fieldops")
        # Password guessing: login page and token endpoint together, per address and account.
        self.RATELIMIT_STORAGE_URI: str = os.environ.get(
            "FIELDOPS_RATELIMIT_STORAGE_URL", "memory://"
        )
        self.LOGIN_RATE_LIMIT_PER_ADDRESS: str = os.environ.get(
            "FIELDOPS_LOGIN_RATE_LIMIT_PER_ADDRESS", "30 per minute"
        )
        self.LOGIN_RATE_LIMIT_PER_ACCOUNT: str = os.environ.get(
            "FIELDOPS_LOGIN_RATE_LIMIT_PER_ACCOUNT", "10 per minute"
        )
        self.WTF_CSRF_TIME_LIMIT: int | None = None
        # Links in e-mail point here (the portal and the desk live under this URL).
        self.PUBLIC_URL: str = _env_str("FIELDOPS_PUBLIC_URL", "http://127.0.0.1:5000")
        # Outgoing mail. No SMTP host: the "log" transport writes to MAIL_LOG_PATH instead.
        self.SMTP_HOST: str | None = _env_optional("FIELDOPS_SMTP_HOST")
        self.SMTP_PORT: int = _env_int("FIELDOPS_SMTP_PORT", 25)
        self.SMTP_TLS: str = _env_str("FIELDOPS_SMTP_TLS", "none")  # none | starttls | ssl
        self.SMTP_USER: str | None = _env_optional("FIELDOPS_SMTP_USER")
        self.SMTP_PASSWORD: str | None = _env_optional("FIELDOPS_SMTP_PASSWORD")
        self.SMTP_TIMEOUT_S: int = _env_int("FIELDOPS_SMTP_TIMEOUT_S", 10)
        self.MAIL_FROM: str = _env_str("FIELDOPS_MAIL_FROM", "fieldops <noreply@fieldops.invalid>")
        self.MAIL_LOG_PATH: str = _env_str("FIELDOPS_MAIL_LOG_PATH", str(INSTANCE_DIR / "mail.log"))
        # Retries: the n-th failure waits BASE * 2**(n-1) seconds, at most MAX; then gives up.
        self.MAIL_MAX_ATTEMPTS: int = _env_int("FIELDOPS_MAIL_MAX_ATTEMPTS", 8)
        self.MAIL_RETRY_BASE_S: int = _env_int("FIELDOPS_MAIL_RETRY_BASE_S", 60)
        self.MAIL_RETRY_MAX_S: int = _env_int("FIELDOPS_MAIL_RETRY_MAX_S", 3600)
        # How long a sender owns the messages it claimed before another may take them over.
        self.MAIL_LEASE_S: int = _env_int("FIELDOPS_MAIL_LEASE_S", 300)
        # After a commit that queued mail, enqueue the background delivery task at once
        # (otherwise the every-minute task picks it up).
        self.MAIL_KICK: bool = os.environ.get("FIELDOPS_MAIL_KICK", "1") != "0"
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
        # Every test logs in from 127.0.0.1; the rate-limit tests set tight limits themselves.
        self.LOGIN_RATE_LIMIT_PER_ADDRESS = "10000 per minute"
        self.LOGIN_RATE_LIMIT_PER_ACCOUNT = "10000 per minute"
        # Tests deliver explicitly (mailer.deliver_due) or wire their own queue.
        self.MAIL_KICK = False
        # Tests run route plans themselves (routing.tasks.run_route_plan), with short limits.
        self.ROUTE_PLAN_KICK = False
        # Tests get their PDFs straight back; the background path has its own tests.
        self.PDF_BACKGROUND = False
        self.ROUTE_TIME_LIMIT_S = 1
