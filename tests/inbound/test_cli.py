"""`fieldops ingest-mail FILE.eml`: the outcome printed, malformed mail exits 2 and is kept."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select

from fieldops.inbound.models import InboundMessage
from fieldops.tickets.models import Ticket
from tests.inbound.conftest import Mailroom
from tests.inbound.mail import build_mail, sample


def _run(app: Flask, path: Path) -> Any:
    return app.test_cli_runner().invoke(args=["ingest-mail", str(path)])


def test_a_contacts_mail_file_opens_a_ticket(
    app: Flask, room: Mailroom, session: Any, tmp_path: Path
) -> None:
    eml = tmp_path / "plain.eml"
    eml.write_bytes(sample("plain.eml"))  # From: Ada@Customer.TEST, the room's contact

    result = _run(app, eml)

    assert result.exit_code == 0, result.output
    ticket = session.scalars(select(Ticket).order_by(Ticket.id.desc())).first()
    assert ticket is not None
    assert f"Opened ticket {ticket.number}" in result.output
    assert ticket.channel == "email"
    assert ticket.service_id == room.service.id


def test_unknown_senders_mail_is_reported_as_held(
    app: Flask, room: Mailroom, session: Any, tmp_path: Path
) -> None:
    eml = tmp_path / "stranger.eml"
    eml.write_bytes(build_mail(sender="who@nowhere.test"))

    result = _run(app, eml)

    assert result.exit_code == 0
    assert "Held for an agent to verify: unknown sender" in result.output


def test_malformed_mail_exits_2_with_the_reason_and_is_kept(
    app: Flask, room: Mailroom, session: Any, tmp_path: Path
) -> None:
    raw = b"this is not a mail at all\n"
    eml = tmp_path / "junk.eml"
    eml.write_bytes(raw)

    result = _run(app, eml)

    assert result.exit_code == 2
    assert "Rejected: This is not an RFC 822 message" in result.output
    session.expire_all()
    kept = session.scalars(select(InboundMessage).where(InboundMessage.raw == raw)).one()
    assert kept.status == "rejected"
    assert f"#{kept.id}" in result.output


def test_a_missing_file_is_a_usage_error(app: Flask, session: Any, tmp_path: Path) -> None:
    result = _run(app, tmp_path / "nope.eml")

    assert result.exit_code == 2
    assert "does not exist" in result.output
