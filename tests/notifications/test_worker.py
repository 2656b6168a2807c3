"""The Huey wiring: queue selection, immediate-mode delivery after commit, the minute sweep."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from huey import RedisHuey, SqliteHuey

from fieldops import worker
from fieldops.clock import utcnow
from fieldops.db import transaction
from fieldops.outbox import queue_email
from tests.notifications import samples
from tests.notifications.conftest import SmtpServer


def test_sqlite_queue_by_url(tmp_path: Path) -> None:
    queue = worker.build_huey(f"sqlite:///{tmp_path}/q/huey.db", "fieldops-test")
    assert isinstance(queue, SqliteHuey)
    assert Path(queue.storage.filename) == tmp_path / "q" / "huey.db"
    assert queue.name == "fieldops-test"


def test_redis_queue_by_url() -> None:
    queue = worker.build_huey("redis://127.0.0.1:6379/0", "fieldops-test")  # connects lazily
    assert isinstance(queue, RedisHuey)


def test_an_unknown_queue_url_is_refused() -> None:
    with pytest.raises(ValueError, match="FIELDOPS_QUEUE_URL"):
        worker.build_huey("amqp://rabbit", "fieldops-test")


def test_the_module_queue_has_the_delivery_and_minute_tasks() -> None:
    any_minute = datetime(2026, 11, 18, 10, 37, tzinfo=UTC)
    due = worker.huey.read_periodic(any_minute)
    assert [type(task).__name__ for task in due] == ["every_minute"]
    assert type(worker.deliver_outbox.s()).__name__ == "deliver_outbox"


@pytest.fixture
def immediate() -> Iterator[None]:
    worker.huey.immediate = True
    try:
        yield
    finally:
        worker.huey.immediate = False


@pytest.mark.usefixtures("immediate")
def test_a_commit_delivers_through_the_queued_task(
    app: Flask, session: Any, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real wiring: queue_email -> after commit -> deliver_outbox task -> SMTP."""
    monkeypatch.setitem(app.config, "MAIL_KICK", True)
    monkeypatch.setitem(app.config, "SMTP_HOST", smtp_server.host)
    monkeypatch.setitem(app.config, "SMTP_PORT", smtp_server.port)
    with transaction():
        message = queue_email(
            to=["ops@acme.test"],
            template="ticket_acknowledged",
            context=samples.context("ticket_acknowledged"),
            now=utcnow() - timedelta(seconds=1),
        )
        assert message is not None
        assert smtp_server.inbox.messages == []  # nothing leaves before the commit
    session.expire_all()

    assert smtp_server.inbox.message_ids() == [message.message_id]
    assert message.status == "sent"


@pytest.fixture
def log_transport(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "mail.log"
    monkeypatch.setitem(app.config, "SMTP_HOST", None)
    monkeypatch.setitem(app.config, "MAIL_LOG_PATH", str(path))
    return path


@pytest.mark.usefixtures("log_transport")
def test_the_minute_task_runs_every_registered_sweep_then_the_mail(session: Any) -> None:
    now = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
    calls: list[tuple[str, datetime]] = []

    def broken_sweep(at: datetime) -> None:
        calls.append(("broken", at))
        raise RuntimeError("a bug in one sweep")

    def escalation_sweep(at: datetime) -> None:
        calls.append(("escalation", at))
        queue_email(
            to=["lead@ops.test"], template="escalated", context=samples.context("escalated"), now=at
        )
        session.commit()

    worker.register_periodic_sweep(broken_sweep)
    worker.register_periodic_sweep(escalation_sweep)
    worker.register_periodic_sweep(escalation_sweep)  # twice is once
    try:
        worker.run_periodic(now)
    finally:
        worker.unregister_periodic_sweep(broken_sweep)
        worker.unregister_periodic_sweep(escalation_sweep)

    assert calls == [("broken", now), ("escalation", now)]
    from fieldops.mailer import list_messages

    assert [m.status for m in list_messages(status="sent").items] == ["sent"]


@pytest.mark.usefixtures("immediate", "log_transport")
def test_the_periodic_task_itself_calls_the_sweep_with_the_current_time(session: Any) -> None:
    seen: list[datetime] = []
    worker.register_periodic_sweep(seen.append)
    before = utcnow()
    try:
        worker.every_minute()  # immediate mode: runs inline, as the consumer would
    finally:
        worker.unregister_periodic_sweep(seen.append)
    assert len(seen) == 1
    assert before <= seen[0] <= utcnow()


def test_sweeps_named_in_the_wiring_are_found_when_they_exist(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        worker,
        "NAMED_SWEEPS",
        ("tests.notifications.samples:sample_sweep", "fieldops.not_built_yet:run_sweep"),
    )
    assert worker.periodic_sweeps() == [samples.sample_sweep]


def test_a_broken_import_in_a_named_sweep_is_not_hidden(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(worker, "NAMED_SWEEPS", ("tests.notifications.broken_import:run",))
    with pytest.raises(ModuleNotFoundError):
        worker.periodic_sweeps()


def test_the_consumer_refuses_immediate_mode(app: Flask, immediate: None) -> None:
    with pytest.raises(RuntimeError, match="IMMEDIATE"):
        worker.run_consumer(app)
