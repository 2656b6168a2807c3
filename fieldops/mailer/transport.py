"""Sending one e-mail: settings from config, the SMTP and log transports, error classes.

Stdlib only (smtplib, email with policy.default): no new dependency, and header injection
is refused by the email package itself as well as by the outbox's rendering.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any, Protocol

log = logging.getLogger("fieldops.mailer")
mail_log = logging.getLogger("fieldops.mail")

TLS_MODES = ("none", "starttls", "ssl")


@dataclass(frozen=True)
class MailSettings:
    """Transport and retry policy, normally read from the app config (FIELDOPS_SMTP_* etc.)."""

    host: str | None = None
    port: int = 25
    tls: str = "none"
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout_s: float = 10
    mail_from: str = "fieldops <noreply@fieldops.invalid>"
    log_path: str = "mail.log"
    max_attempts: int = 8
    retry_base_s: int = 60
    retry_max_s: int = 3600
    lease_s: int = 300

    def __post_init__(self) -> None:
        if self.tls not in TLS_MODES:
            raise ValueError(f"SMTP TLS mode must be one of {', '.join(TLS_MODES)}")
        if self.max_attempts < 1 or self.lease_s < 1:
            raise ValueError("MAIL_MAX_ATTEMPTS and MAIL_LEASE_S must be positive")

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> MailSettings:
        return cls(
            host=config.get("SMTP_HOST") or None,
            port=int(config.get("SMTP_PORT", 25)),
            tls=str(config.get("SMTP_TLS", "none")).lower(),
            user=config.get("SMTP_USER") or None,
            password=config.get("SMTP_PASSWORD") or None,
            timeout_s=float(config.get("SMTP_TIMEOUT_S", 10)),
            mail_from=str(config.get("MAIL_FROM", cls.mail_from)),
            log_path=str(config.get("MAIL_LOG_PATH", cls.log_path)),
            max_attempts=int(config.get("MAIL_MAX_ATTEMPTS", 8)),
            retry_base_s=int(config.get("MAIL_RETRY_BASE_S", 60)),
            retry_max_s=int(config.get("MAIL_RETRY_MAX_S", 3600)),
            lease_s=int(config.get("MAIL_LEASE_S", 300)),
        )

    def backoff(self, attempts: int) -> timedelta:
        """Wait after the attempts-th failure: base * 2**(attempts-1), capped at retry_max_s."""
        exponent = min(max(attempts - 1, 0), 30)
        return timedelta(seconds=min(self.retry_base_s * 2**exponent, self.retry_max_s))


@dataclass(frozen=True)
class OutgoingMail:
    """A snapshot of a claimed outbox row: sending happens after its transaction has ended."""

    id: int
    to: list[str]
    subject: str
    body: str
    message_id: str
    attempts: int


class Transport(Protocol):
    def send(self, message: EmailMessage) -> None: ...


_log_file_lock = threading.Lock()


class LogTransport:
    """No SMTP configured (`make run`): append each message to a file and note it in the log.

    The full text (addresses included) goes only to the file; the logger gets the ids.
    """

    def __init__(self, path: str) -> None:
        self.path = Path(path)

    def send(self, message: EmailMessage) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Headers, then the decoded body: a log a person reads, not a wire format.
        headers = "".join(
            f"{name}: {value}\n"
            for name, value in message.items()
            if name != "Content-Transfer-Encoding"
        )
        text = f"{headers}\n{message.get_content().rstrip()}\n\n{'=' * 72}\n\n"
        with _log_file_lock, self.path.open("a", encoding="utf-8") as handle:
            handle.write(text)
        mail_log.info("mail %s written to %s", message["Message-ID"], self.path)


class SmtpTransport:
    """One SMTP connection for a batch; TLS mode and credentials from MailSettings."""

    def __init__(self, settings: MailSettings, connection: smtplib.SMTP) -> None:
        self.settings = settings
        self.connection = connection

    def send(self, message: EmailMessage) -> None:
        refused = self.connection.send_message(message)
        if refused:  # accepted for some recipients only: it is sent, and not resent to all
            log.warning("mail %s refused for %d recipient(s)", message["Message-ID"], len(refused))


@contextmanager
def open_transport(settings: MailSettings) -> Iterator[Transport]:
    """The log transport without a host, else a logged-in SMTP connection (closed after)."""
    if not settings.host:
        yield LogTransport(settings.log_path)
        return
    context = ssl.create_default_context()
    connection: smtplib.SMTP
    if settings.tls == "ssl":
        connection = smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=settings.timeout_s, context=context
        )
    else:
        connection = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_s)
    try:
        if settings.tls == "starttls":
            connection.starttls(context=context)
        if settings.user:
            connection.login(settings.user, settings.password or "")
        yield SmtpTransport(settings, connection)
    finally:
        try:
            connection.quit()
        except (OSError, smtplib.SMTPException):
            connection.close()


def build_message(claimed: OutgoingMail, settings: MailSettings, now: datetime) -> EmailMessage:
    message = EmailMessage()  # policy.default: refuses CR/LF in header values
    message["From"] = settings.mail_from
    message["To"] = ", ".join(claimed.to)
    message["Subject"] = claimed.subject
    message["Message-ID"] = claimed.message_id
    message["Date"] = format_datetime(now)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to us
    message.set_content(claimed.body)
    return message


def is_permanent(error: Exception) -> bool:
    """5xx answers about this message (not about the connection) will never succeed."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPSenderRefused | smtplib.SMTPDataError):
        return error.smtp_code >= 500
    return isinstance(error, ValueError)  # an unbuildable message (bad header)


def breaks_connection(error: Exception) -> bool:
    """The connection is gone: socket errors, a disconnect, or 421 (service closing)."""
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return True
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code == 421
    return isinstance(error, OSError) and not isinstance(error, smtplib.SMTPException)
