"""A real consumer process (SqliteHuey, Redis) delivers a committed message over real SMTP.

The test process queues the message and, after commit, enqueues `deliver_outbox` onto the
consumer's queue exactly as the app does; the consumer runs in its own process on the same
database and must get the mail to the aiosmtpd server within a bounded wait.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from flask import Flask
from huey import Huey

from fieldops import worker
from fieldops.clock import utcnow
from fieldops.db import db, transaction
from fieldops.outbox import OutboxMessage, queue_email, register_delivery_kick
from tests.notifications import samples
from tests.notifications.conftest import SmtpServer

REDIS_URL = os.environ.get("FIELDOPS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
BIN = Path(sys.executable).parent
WAIT_S = 20


@dataclass
class Consumer:
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def _redis_or_skip() -> None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        if os.environ.get("FIELDOPS_REQUIRE_REDIS") == "1":
            pytest.fail(f"FIELDOPS_REQUIRE_REDIS=1 but Redis is unreachable: {error}")
        pytest.skip(f"Redis unreachable at {REDIS_URL}: {error}")


@pytest.fixture
def start_consumer(
    fresh_app: Flask, smtp_server: SmtpServer, tmp_path: Path
) -> Iterator[Callable[[list[str], str, str], Consumer]]:
    started: list[Consumer] = []

    def _start(argv: list[str], queue_url: str, queue_name: str) -> Consumer:
        env = {
            **os.environ,
            "FIELDOPS_DATABASE_URL": fresh_app.config["SQLALCHEMY_DATABASE_URI"],
            "FIELDOPS_INSTANCE_DIR": str(tmp_path / "instance"),
            "FIELDOPS_SECRET_KEY": "consumer-test",
            "FIELDOPS_QUEUE_URL": queue_url,
            "FIELDOPS_QUEUE_NAME": queue_name,
            "FIELDOPS_SMTP_HOST": smtp_server.host,
            "FIELDOPS_SMTP_PORT": str(smtp_server.port),
        }
        env.pop("FIELDOPS_QUEUE_IMMEDIATE", None)
        log = tmp_path / f"consumer-{len(started)}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT)
        consumer = Consumer(process, log)
        started.append(consumer)
        return consumer

    yield _start
    for consumer in started:
        if consumer.process.poll() is None:
            # SIGTERM: stop now (SIGINT would wait for idle workers to finish polling).
            consumer.process.send_signal(signal.SIGTERM)
            try:
                consumer.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                consumer.process.kill()
                consumer.process.wait()


def _wire_queue(app: Flask, queue: Huey) -> None:
    """Make `app` kick delivery onto `queue` after commit, as cli.py wires the real queue."""
    deliver = queue.task(name="deliver_outbox")(worker.deliver_outbox.func)
    app.config["MAIL_KICK"] = True
    register_delivery_kick(app, deliver)


def _queue_and_expect_delivery(app: Flask, smtp_server: SmtpServer, consumer: Consumer) -> None:
    with app.app_context(), transaction():
        message = queue_email(
            to=["ops@acme.test"],
            template="ticket_acknowledged",
            context=samples.context("ticket_acknowledged"),
            now=utcnow() - timedelta(seconds=1),
        )
        assert message is not None
        message_id, row_id = message.message_id, message.id

    arrived = smtp_server.inbox.wait_for(1, timeout_s=WAIT_S)
    assert [str(m["Message-ID"]) for m in arrived] == [message_id], consumer.output()
    assert arrived[0]["To"] == "ops@acme.test"

    deadline = time.monotonic() + WAIT_S
    status = None
    while time.monotonic() < deadline:
        with app.app_context():
            status = db.session.get(OutboxMessage, row_id).status  # type: ignore[union-attr]
        if status == "sent":
            break
        time.sleep(0.05)
    assert status == "sent", consumer.output()
    assert consumer.process.poll() is None, consumer.output()


def test_fieldops_worker_on_sqlite_huey_delivers(
    backend: str,
    fresh_app: Flask,
    smtp_server: SmtpServer,
    start_consumer: Callable[[list[str], str, str], Consumer],
    tmp_path: Path,
) -> None:
    """The `make run` shape: SQLite queue, SQLite database, `fieldops worker`."""
    if backend != "sqlite":
        pytest.skip("the SQLite queue tier runs once, with SQLite (Redis covers PostgreSQL)")
    queue_url = f"sqlite:///{tmp_path}/huey.db"
    queue_name = f"fieldops-test-{uuid.uuid4().hex[:8]}"
    _wire_queue(fresh_app, worker.build_huey(queue_url, queue_name))

    consumer = start_consumer(
        [str(BIN / "fieldops"), "worker", "--workers", "2", "--no-periodic"], queue_url, queue_name
    )

    _queue_and_expect_delivery(fresh_app, smtp_server, consumer)


def test_huey_consumer_on_redis_delivers(
    fresh_app: Flask,
    smtp_server: SmtpServer,
    start_consumer: Callable[[list[str], str, str], Consumer],
) -> None:
    """The scale-out shape: Redis queue, `huey_consumer`, on every database backend."""
    _redis_or_skip()
    queue_name = f"fieldops-test-{uuid.uuid4().hex[:8]}"
    queue = worker.build_huey(REDIS_URL, queue_name)
    _wire_queue(fresh_app, queue)
    try:
        consumer = start_consumer(
            [str(BIN / "huey_consumer"), "fieldops.worker.huey", "-w", "2", "-n"],
            REDIS_URL,
            queue_name,
        )
        _queue_and_expect_delivery(fresh_app, smtp_server, consumer)
    finally:
        queue.storage.flush_all()
