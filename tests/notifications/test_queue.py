"""queue_email: rendering, deduplication, header injection, and the transaction it joins."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from jinja2 import UndefinedError
from sqlalchemy import func, select

from fieldops.db import transaction
from fieldops.outbox import KICK_EXTENSION, OutboxMessage, queue_email, render_email
from tests.factories import make_ticket
from tests.notifications import samples
from tests.notifications.samples import NOW, TICKET


def _count(session: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(OutboxMessage)))


@pytest.mark.parametrize("template", samples.TEMPLATES)
def test_every_template_renders_with_its_documented_keys(template: str) -> None:
    rendered = render_email(template, samples.context(template, timezone="Europe/Warsaw"))

    assert rendered.subject.startswith(f"[{TICKET}] ")
    assert "\n" not in rendered.subject
    assert TICKET in rendered.body
    assert "Please keep [TT-2026-000123] in the subject" in rendered.body  # footer
    assert rendered.body.endswith(".\n")
    assert "{{" not in rendered.body
    assert "{#" not in rendered.body


@pytest.mark.parametrize("template", samples.TEMPLATES)
def test_a_missing_required_key_is_an_error_not_a_blank(template: str) -> None:
    context = samples.context(template)
    del context["summary"]
    with pytest.raises(UndefinedError):
        render_email(template, context)


def test_instants_are_shown_in_english_in_the_recipients_zone() -> None:
    rendered = render_email("eta_set", samples.context("eta_set", timezone="Europe/Warsaw"))
    assert rendered.subject == f"[{TICKET}] Estimated restoration time: Wed 18 Nov 2026, 15:00 CET"


def test_eta_extended_without_a_new_eta_says_the_old_one_passed() -> None:
    context = samples.context("eta_extended")
    del context["new_eta"]
    rendered = render_email("eta_extended", context)
    assert rendered.subject == f"[{TICKET}] Estimated restoration time passed: {context['summary']}"
    assert "will send you a new estimate" in rendered.body


def test_escalation_names_the_level_and_the_reason() -> None:
    rendered = render_email("escalated", samples.context("escalated"))
    assert "Escalated to level 2 (Shift lead): P1" in rendered.subject
    assert "(4 h 10 min ago)" in rendered.body
    assert "longer than this level's threshold" in rendered.body


@pytest.mark.parametrize("name", ["../base", "_footer", "Ticket", "nope"])
def test_only_known_mail_templates_render(name: str) -> None:
    with pytest.raises((ValueError, LookupError)):
        render_email(name, samples.context("eta_set"))


def test_queue_email_renders_and_stores_a_pending_message(session: Any) -> None:
    message = queue_email(
        to=["ops@acme.test", "OPS@acme.test", "noc@acme.test"],
        template="status_changed",
        context=samples.context("status_changed", note="We are on it."),
        now=NOW,
    )

    assert message is not None
    assert message.id is not None
    assert message.to_addresses == ["ops@acme.test", "noc@acme.test"]  # duplicates dropped
    assert (
        message.subject == f"[{TICKET}] Status changed to in progress: Link down at the Warsaw PoP"
    )
    assert "We are on it." in message.body_text
    assert message.status == "pending"
    assert message.attempts == 0
    assert message.next_attempt_at == NOW
    assert message.created_at == NOW
    assert message.template == "status_changed"
    assert message.message_id.startswith("<")
    assert message.message_id.endswith("@fieldops.invalid>")


def test_queue_email_links_the_ticket(session: Any) -> None:
    ticket = make_ticket()
    message = queue_email(
        to=["ops@acme.test"],
        template="eta_set",
        context=samples.context("eta_set"),
        now=NOW,
        ticket_id=ticket.id,
    )
    assert message is not None
    session.expire_all()
    assert session.get(OutboxMessage, message.id).ticket_id == ticket.id


def test_the_same_dedupe_key_queues_once(session: Any) -> None:
    def _queue() -> OutboxMessage | None:
        return queue_email(
            to=["ops@acme.test"],
            template="escalated",
            context=samples.context("escalated"),
            now=NOW,
            dedupe_key="escalation:123:2",
        )

    first = _queue()
    second = _queue()
    with transaction():
        third = _queue()  # also after a commit

    assert first is not None
    assert second is None
    assert third is None
    assert _count(session) == 1


def test_messages_without_a_dedupe_key_are_never_merged(session: Any) -> None:
    for _ in range(2):
        queue_email(
            to=["a@acme.test"], template="eta_set", context=samples.context("eta_set"), now=NOW
        )
    assert _count(session) == 2


def test_crlf_in_a_context_value_cannot_inject_a_header(session: Any) -> None:
    message = queue_email(
        to=["ops@acme.test"],
        template="restored",
        context=samples.context("restored", summary="Down\r\nBcc: thief@evil.test\n\nhi"),
        now=NOW,
    )
    assert message is not None
    assert message.subject == f"[{TICKET}] Service restored: Down Bcc: thief@evil.test hi"
    assert "\r" not in message.subject
    assert "\n" not in message.subject


@pytest.mark.parametrize(
    "to",
    [
        ["ops@acme.test\r\nBcc: thief@evil.test"],
        ["Ops <ops@acme.test>"],
        ["not-an-address"],
        [],
    ],
)
def test_recipients_must_be_plain_addresses(session: Any, to: list[str]) -> None:
    with pytest.raises(ValueError, match="recipient"):
        queue_email(to=to, template="eta_set", context=samples.context("eta_set"), now=NOW)
    assert _count(session) == 0


def test_a_single_string_is_not_a_recipient_list(session: Any) -> None:
    with pytest.raises(TypeError):
        queue_email(
            to="ops@acme.test",  # type: ignore[arg-type]
            template="eta_set",
            context=samples.context("eta_set"),
            now=NOW,
        )


@pytest.fixture
def kicks(app: Flask, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Turn the after-commit kick on and record it instead of enqueueing a Huey task."""
    recorded: list[int] = []
    monkeypatch.setitem(app.config, "MAIL_KICK", True)
    monkeypatch.setitem(app.extensions, KICK_EXTENSION, lambda: recorded.append(1))
    return recorded


def test_a_rolled_back_change_takes_its_message_with_it(session: Any, kicks: list[int]) -> None:
    def _refused_change() -> None:
        with transaction():
            queue_email(
                to=["ops@acme.test"],
                template="eta_set",
                context=samples.context("eta_set"),
                now=NOW,
            )
            raise RuntimeError("the change it announces was refused")

    with pytest.raises(RuntimeError, match="refused"):
        _refused_change()

    assert _count(session) == 0
    assert kicks == []  # nothing was handed to the sender


def test_a_commit_kicks_the_sender_once_and_only_after_commit(
    session: Any, kicks: list[int]
) -> None:
    with transaction():
        for hours in (1, 2, 3):
            queue_email(
                to=["ops@acme.test"],
                template="eta_set",
                context=samples.context("eta_set"),
                now=NOW + timedelta(hours=hours),
            )
        assert kicks == []

    assert kicks == [1]
    assert _count(session) == 3


def test_no_kick_when_switched_off(app: Flask, session: Any, kicks: list[int]) -> None:
    app.config["MAIL_KICK"] = False  # restored by the kicks fixture's monkeypatch
    with transaction():
        queue_email(
            to=["ops@acme.test"], template="eta_set", context=samples.context("eta_set"), now=NOW
        )
    assert kicks == []
