"""deliver_due against a real SMTP server (aiosmtpd): delivery, retries, leases, log transport."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from fieldops import mailer
from fieldops.db import transaction
from fieldops.errors import NotFoundError, RuleViolationError
from fieldops.mailer import MailSettings, deliver_due, get_message, list_messages
from fieldops.outbox import OutboxMessage, queue_email
from tests.notifications import samples
from tests.notifications.conftest import SmtpServer, free_port
from tests.notifications.samples import NOW, TICKET

Settings = Callable[..., MailSettings]


def _queue(to: str = "ops@acme.test", template: str = "eta_set", **context: Any) -> OutboxMessage:
    with transaction():
        message = queue_email(
            to=[to], template=template, context=samples.context(template, **context), now=NOW
        )
        assert message is not None
        return message


def _fresh(session: Any, message_id: int) -> OutboxMessage:
    session.expire_all()
    message = session.get(OutboxMessage, message_id)
    assert message is not None
    return message


def test_due_messages_arrive_with_their_headers_and_are_marked_sent(
    session: Any, smtp_server: SmtpServer, mail_settings: Settings
) -> None:
    first = _queue("ops@acme.test", "restored")
    second = _queue("noc@acme.test", "status_changed")

    report = deliver_due(NOW, settings=mail_settings(smtp_server))

    assert (report.claimed, report.sent, report.retrying, report.failed) == (2, 2, 0, 0)
    arrived = {str(m["Message-ID"]): m for m in smtp_server.inbox.messages}
    assert set(arrived) == {first.message_id, second.message_id}
    restored = arrived[first.message_id]
    assert restored["To"] == "ops@acme.test"
    assert restored["From"] == "fieldops <noreply@fieldops.test>"
    assert restored["Subject"] == f"[{TICKET}] Service restored: Link down at the Warsaw PoP"
    assert restored["Auto-Submitted"] == "auto-generated"
    assert "Replaced the failed SFP module." in restored.get_content()
    for message in (first, second):
        stored = _fresh(session, message.id)
        assert stored.status == "sent"
        assert stored.sent_at == NOW
        assert stored.claim_token is None
        assert stored.locked_until is None

    again = deliver_due(NOW + timedelta(hours=1), settings=mail_settings(smtp_server))
    assert again.claimed == 0
    assert len(smtp_server.inbox.messages) == 2


def test_a_message_is_not_sent_before_it_is_due(
    session: Any, smtp_server: SmtpServer, mail_settings: Settings
) -> None:
    _queue()
    assert deliver_due(NOW - timedelta(seconds=1), settings=mail_settings(smtp_server)).claimed == 0
    assert smtp_server.inbox.messages == []


def test_an_injected_header_never_reaches_the_wire(
    session: Any, smtp_server: SmtpServer, mail_settings: Settings
) -> None:
    _queue(summary="Down\r\nBcc: thief@evil.test")

    deliver_due(NOW, settings=mail_settings(smtp_server))

    (message,) = smtp_server.inbox.messages
    assert message["Bcc"] is None
    assert smtp_server.inbox.envelope_recipients == [["ops@acme.test"]]
    assert message["Subject"].endswith("Estimated restoration time: Wed 18 Nov 2026, 14:00 UTC")


@pytest.mark.usefixtures("fieldops_logs")
def test_smtp_down_is_retried_with_backoff_then_given_up(
    session: Any, mail_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    message = _queue()
    down = mail_settings(port=free_port(), host="127.0.0.1", max_attempts=3, retry_base_s=60)

    report = deliver_due(NOW, settings=down)
    stored = _fresh(session, message.id)
    assert (report.claimed, report.retrying) == (1, 1)
    assert (stored.status, stored.attempts) == ("pending", 1)
    assert stored.next_attempt_at == NOW + timedelta(seconds=60)
    assert stored.last_error is not None
    assert "ConnectionRefusedError" in stored.last_error

    assert deliver_due(NOW + timedelta(seconds=59), settings=down).claimed == 0

    deliver_due(NOW + timedelta(seconds=60), settings=down)
    stored = _fresh(session, message.id)
    assert (stored.status, stored.attempts) == ("pending", 2)
    assert stored.next_attempt_at == NOW + timedelta(seconds=60 + 120)  # doubled

    with caplog.at_level(logging.ERROR, logger="fieldops.mailer"):
        report = deliver_due(NOW + timedelta(seconds=180), settings=down)
    stored = _fresh(session, message.id)
    assert report.failed == 1
    assert (stored.status, stored.attempts, stored.next_attempt_at) == ("failed", 3, None)
    assert "failed for good after 3 attempt(s)" in caplog.text

    assert deliver_due(NOW + timedelta(days=30), settings=down).claimed == 0


def test_a_retry_after_an_outage_keeps_the_message_id(
    session: Any, smtp_server: SmtpServer, mail_settings: Settings
) -> None:
    message = _queue()
    deliver_due(NOW, settings=mail_settings(host="127.0.0.1", port=free_port()))

    report = deliver_due(NOW + timedelta(minutes=1), settings=mail_settings(smtp_server))

    assert report.sent == 1
    assert smtp_server.inbox.message_ids() == [message.message_id]
    stored = _fresh(session, message.id)
    assert (stored.status, stored.attempts) == ("sent", 1)


def test_backoff_is_capped() -> None:
    settings = MailSettings(retry_base_s=60, retry_max_s=600)
    assert [settings.backoff(n).total_seconds() for n in (1, 2, 3, 4, 5, 40)] == [
        60,
        120,
        240,
        480,
        600,
        600,
    ]


def test_a_permanent_refusal_fails_at_once_and_the_batch_goes_on(
    session: Any, smtp_server: SmtpServer, mail_settings: Settings
) -> None:
    smtp_server.inbox.refuse.add("gone@acme.test")
    refused = _queue("gone@acme.test")
    fine = _queue("ops@acme.test")

    report = deliver_due(NOW, settings=mail_settings(smtp_server, max_attempts=5))

    assert (report.sent, report.failed) == (1, 1)
    assert _fresh(session, refused.id).status == "failed"
    assert _fresh(session, refused.id).attempts == 1
    assert smtp_server.inbox.message_ids() == [fine.message_id]


def test_a_crashed_senders_claim_is_taken_over_after_its_lease(
    session: Any, smtp_server: SmtpServer, mail_settings: Settings
) -> None:
    message = _queue()
    settings = mail_settings(smtp_server, lease_s=300)
    crashed = mailer._claim(NOW, 10, settings.lease_s, "crashed-sender")
    assert [c.id for c in crashed] == [message.id]

    assert deliver_due(NOW + timedelta(seconds=299), settings=settings).claimed == 0
    report = deliver_due(NOW + timedelta(seconds=300), settings=settings)

    assert report.sent == 1
    assert smtp_server.inbox.message_ids() == [message.message_id]
    # The stale sender, should it wake up, can no longer record anything.
    assert mailer._finish(message.id, "crashed-sender", status="sent") is False
    assert _fresh(session, message.id).sent_at == NOW + timedelta(seconds=300)


def test_a_sender_past_half_its_lease_hands_the_rest_back(
    session: Any,
    smtp_server: SmtpServer,
    mail_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    messages = [_queue() for _ in range(3)]
    readings = [0.0, 0.0]  # the deadline, the first send; after that half the lease is gone
    monkeypatch.setattr(mailer, "monotonic", lambda: readings.pop(0) if readings else 1000.0)

    report = deliver_due(NOW, settings=mail_settings(smtp_server))

    assert (report.claimed, report.sent, report.released) == (3, 1, 2)
    assert [_fresh(session, m.id).status for m in messages] == ["sent", "pending", "pending"]
    assert [_fresh(session, m.id).attempts for m in messages] == [0, 0, 0]


@pytest.mark.usefixtures("fieldops_logs")
def test_without_smtp_the_log_transport_writes_the_mail_log(
    session: Any, mail_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    message = _queue(template="confirm_request")
    settings = mail_settings()  # no host

    with caplog.at_level(logging.INFO, logger="fieldops.mail"):
        report = deliver_due(NOW, settings=settings)

    assert report.sent == 1
    text = Path(settings.log_path).read_text(encoding="utf-8")
    assert f"Message-ID: {message.message_id}" in text
    assert "To: ops@acme.test" in text
    assert f"Subject: [{TICKET}] Please confirm the fix" in text
    assert "closed automatically" in text
    assert message.message_id in caplog.text
    assert "ops@acme.test" not in caplog.text  # addresses stay out of the log
    assert _fresh(session, message.id).status == "sent"


def test_mail_settings_come_from_the_app_config(app: Any) -> None:
    settings = MailSettings.from_config(
        {**app.config, "SMTP_HOST": "smtp.example.test", "SMTP_TLS": "STARTTLS"}
    )
    assert (settings.host, settings.port, settings.tls) == ("smtp.example.test", 25, "starttls")
    assert "hunter2" not in repr(MailSettings(password="hunter2"))
    with pytest.raises(ValueError, match="TLS"):
        MailSettings(tls="sometimes")


def test_list_messages_pages_newest_first_and_filters_by_status(
    session: Any, mail_settings: Settings
) -> None:
    queued = [_queue() for _ in range(5)]
    deliver_due(NOW, limit=2, settings=mail_settings())  # the two oldest are sent

    page = list_messages(page=1, per_page=2)
    assert page.total == 5
    assert [m.id for m in page.items] == [queued[4].id, queued[3].id]
    assert [m.id for m in list_messages(page=3, per_page=2).items] == [queued[0].id]

    sent = list_messages(status="sent")
    assert sent.total == 2
    assert {m.id for m in sent.items} == {queued[0].id, queued[1].id}
    with pytest.raises(RuleViolationError):
        list_messages(status="lost")

    assert get_message(queued[0].id).status == "sent"
    with pytest.raises(NotFoundError):
        get_message(10**9)
