"""A real SMTP server per test (aiosmtpd on a free loopback port) and mail-test helpers."""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from fieldops.mailer import MailSettings

# fieldops.worker opens its Huey queue on import: keep the tests' queue out of instance/.
_QUEUE_DIR = tempfile.mkdtemp(prefix="fieldops-test-queue-")
atexit.register(shutil.rmtree, _QUEUE_DIR, ignore_errors=True)
os.environ.setdefault("FIELDOPS_QUEUE_URL", f"sqlite:///{_QUEUE_DIR}/huey.db")


def free_port() -> int:
    """A port nothing listens on right now (aiosmtpd cannot bind port 0, STACK.md)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Inbox:
    """What the SMTP server accepted, parsed; `refuse` makes it answer RCPT with a 550."""

    messages: list[EmailMessage] = field(default_factory=list)
    envelope_recipients: list[list[str]] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.original_content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        with self._lock:
            self.messages.append(parsed)
            self.envelope_recipients.append(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"

    def message_ids(self) -> list[str]:
        with self._lock:
            return [str(m["Message-ID"]) for m in self.messages]

    def wait_for(self, count: int, timeout_s: float = 20) -> list[EmailMessage]:
        """Poll until `count` messages arrived (bounded wait, for background consumers)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.05)
        with self._lock:
            return list(self.messages)


@dataclass
class SmtpServer:
    host: str
    port: int
    inbox: Inbox


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", port, inbox)
    finally:
        controller.stop()


@pytest.fixture
def mail_settings(tmp_path: Path) -> Callable[..., MailSettings]:
    """mail_settings(server=None, **overrides): SMTP to `server`, or the log transport."""

    def _make(server: SmtpServer | None = None, **overrides: Any) -> MailSettings:
        values: dict[str, Any] = {
            "host": server.host if server else None,
            "port": server.port if server else 25,
            "timeout_s": 5,
            "mail_from": "fieldops <noreply@fieldops.test>",
            "log_path": str(tmp_path / "mail.log"),
            "max_attempts": 3,
            "retry_base_s": 60,
            "retry_max_s": 600,
            "lease_s": 300,
        }
        values.update(overrides)
        return MailSettings(**values)

    return _make


@pytest.fixture
def fieldops_logs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Re-enable our loggers: Alembic's fileConfig (run by the app fixture) disables them."""
    for name in ("fieldops.mailer", "fieldops.mail", "fieldops.outbox", "fieldops.worker"):
        monkeypatch.setattr(logging.getLogger(name), "disabled", False)
