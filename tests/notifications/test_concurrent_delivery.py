"""Concurrent senders on real, committing connections: every message arrives exactly once."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from flask import Flask
from sqlalchemy import func, select

from fieldops.db import db, transaction
from fieldops.mailer import DeliveryReport, MailSettings, deliver_due
from fieldops.outbox import OutboxMessage, queue_email
from tests.notifications import samples
from tests.notifications.conftest import SmtpServer
from tests.notifications.samples import NOW

MESSAGES = 24
SENDERS = 4


def test_concurrent_senders_send_each_message_exactly_once(
    fresh_app: Flask, smtp_server: SmtpServer, mail_settings: Callable[..., MailSettings]
) -> None:
    with fresh_app.app_context(), transaction():
        for n in range(MESSAGES):
            queue_email(
                to=[f"contact{n}@acme.test"],
                template="eta_set",
                context=samples.context("eta_set"),
                now=NOW,
            )
    settings = mail_settings(smtp_server)
    barrier = threading.Barrier(SENDERS)

    def _sender(_: int) -> list[DeliveryReport]:
        """Claim small batches until nothing is left, racing the other senders."""
        reports = []
        with fresh_app.app_context():
            barrier.wait()
            while (report := deliver_due(NOW, limit=3, settings=settings)).claimed:
                reports.append(report)
        return reports

    with ThreadPoolExecutor(max_workers=SENDERS) as pool:
        per_sender = list(pool.map(_sender, range(SENDERS)))

    arrived = Counter(smtp_server.inbox.message_ids())
    assert sum(arrived.values()) == MESSAGES
    assert set(arrived.values()) == {1}
    assert sum(r.sent for reports in per_sender for r in reports) == MESSAGES
    with fresh_app.app_context():
        statuses = dict(
            db.session.execute(
                select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
            ).all()
        )
        stored_ids = set(db.session.scalars(select(OutboxMessage.message_id)))
    assert statuses == {"sent": MESSAGES}
    assert stored_ids == set(arrived)
