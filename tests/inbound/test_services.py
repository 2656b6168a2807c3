"""Ingesting mail, and the desk's release and discard, on both databases."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from fieldops.db import db, transaction
from fieldops.errors import ConflictError, NotFoundError, RuleViolationError
from fieldops.inbound import services
from fieldops.inbound.models import InboundMessage
from fieldops.outbox import OutboxMessage
from fieldops.tickets import services as ticket_services
from fieldops.tickets.models import Ticket, TicketEvent
from tests.factories import make_contact, make_service, make_ticket, make_user
from tests.inbound.conftest import Mailroom
from tests.inbound.mail import build_mail


def _ingest(raw: bytes, now: datetime) -> services.Ingested:
    return services.ingest(raw, now=now, received_via="cli", actor=None)


def _tickets() -> int:
    return db.session.scalar(select(func.count(Ticket.id))) or 0


def _events(ticket: Ticket) -> list[TicketEvent]:
    return list(
        db.session.scalars(
            select(TicketEvent).where(TicketEvent.ticket_id == ticket.id).order_by(TicketEvent.id)
        )
    )


def _ticket(message: InboundMessage) -> Ticket:
    ticket = db.session.get(Ticket, message.ticket_id)
    assert ticket is not None
    return ticket


# --- known contacts ----------------------------------------------------------------------


def test_a_known_contacts_mail_opens_a_ticket_by_email(room: Mailroom, now: datetime) -> None:
    raw = build_mail(
        subject="Link down at the Krakow PoP",
        body="No light on xe-0/0/1 since 09:15.",
        date=now - timedelta(minutes=45),
    )

    message = _ingest(raw, now).message

    assert message.status == "ticket_created"
    assert message.raw == raw  # kept as it arrived
    ticket = _ticket(message)
    assert ticket.service_id == room.service.id
    assert (ticket.channel, ticket.requester_id) == ("email", room.contact.id)
    assert ticket.summary == "Link down at the Krakow PoP"
    assert ticket.description == "No light on xe-0/0/1 since 09:15."
    assert ticket.impact == "service_affecting"  # "down" in the subject
    assert ticket.fault_started_at == now - timedelta(minutes=45)
    created = _events(ticket)[0]
    assert created.kind == "created"
    assert created.public
    assert "via email" in created.body


def test_mail_without_outage_words_is_degraded(room: Mailroom, now: datetime) -> None:
    message = _ingest(build_mail(subject="Packet loss", body="About 3% loss."), now).message

    assert _ticket(message).impact == "degraded"


def test_the_service_named_in_the_mail_is_used(room: Mailroom, now: datetime) -> None:
    second = make_service(room.service.customer)

    message = _ingest(build_mail(subject=f"{second.code} is down"), now).message

    assert _ticket(message).service_id == second.id


def test_several_services_and_none_named_is_held_for_an_agent(
    room: Mailroom, now: datetime
) -> None:
    make_service(room.service.customer)
    before = _tickets()

    message = _ingest(build_mail(subject="Link down", body="Please help."), now).message

    assert message.status == "quarantined"
    assert message.reason is not None
    assert message.reason.startswith("service not identified")
    assert _tickets() == before


def test_a_reply_naming_the_ticket_id_is_a_public_event_on_it(
    room: Mailroom, now: datetime
) -> None:
    ticket = make_ticket(room.service, room.contact)
    raw = build_mail(
        subject=f"Re: [{ticket.number}] Link down",
        body="It is back since 10:40.\n\nOn Wed, 18 Nov 2026, desk wrote:\n> Any news?",
    )
    before = _tickets()

    message = _ingest(raw, now).message

    assert message.status == "event_added"
    assert message.ticket_id == ticket.id
    assert _tickets() == before
    event = _events(ticket)[-1]
    assert event.id == message.event_id
    assert (event.kind, event.public, event.actor_id) == ("comment", True, room.contact.id)
    assert event.body == "It is back since 10:40."  # the quote is not in the work log
    assert event.data == {"via": "email"}


def test_a_reply_restarts_a_clock_waiting_on_the_customer(room: Mailroom, now: datetime) -> None:
    ticket = make_ticket(room.service, room.contact)
    ticket_services.change_status(ticket, actor=room.agent, to="acknowledged", now=now)
    ticket_services.change_status(
        ticket, actor=room.agent, to="pending_customer", reason="waiting_customer_info", now=now
    )

    _ingest(build_mail(subject=f"{ticket.number}: logs attached", body="Here."), now)

    assert ticket.status == "in_progress"


def test_another_customers_ticket_id_never_gets_the_event(room: Mailroom, now: datetime) -> None:
    foreign = make_ticket(room.other_service, room.other_contact)
    foreign_events = len(_events(foreign))

    message = _ingest(build_mail(subject=f"Re: {foreign.number} down", body="Me too"), now).message

    assert len(_events(foreign)) == foreign_events
    assert message.ticket_id != foreign.id
    assert message.status == "ticket_created"  # a new ticket of the sender's own customer
    assert _ticket(message).customer_id == room.service.customer_id


def test_in_reply_to_one_of_our_mails_threads_to_its_ticket(room: Mailroom, now: datetime) -> None:
    ticket = make_ticket(room.service, room.contact)
    other = make_ticket(room.service, room.contact)
    db.session.add(
        OutboxMessage(
            to_addresses=[room.sender],
            subject="Acknowledged",
            body_text="...",
            template="ticket_acknowledged",
            ticket_id=ticket.id,
            message_id="<ack-77@fieldops.invalid>",
            created_at=now,
        )
    )
    db.session.flush()
    # The subject names another ticket: our Message-ID is the stronger evidence.
    raw = build_mail(
        subject=f"Re: {other.number}",
        body="Thanks, the site is open until 18:00.",
        in_reply_to="<ack-77@fieldops.invalid>",
        references="<older@fieldops.invalid> <ack-77@fieldops.invalid>",
    )

    message = _ingest(raw, now).message

    assert (message.status, message.ticket_id) == ("event_added", ticket.id)
    assert _events(ticket)[-1].body == "Thanks, the site is open until 18:00."


def test_a_reply_to_a_closed_ticket_opens_a_follow_up_on_its_service(
    room: Mailroom, now: datetime
) -> None:
    second = make_service(room.service.customer)
    old = make_ticket(second, room.contact)
    ticket_services.change_status(old, actor=room.agent, to="cancelled", reason="dup", now=now)

    message = _ingest(build_mail(subject=f"Re: {old.number}", body="Down again."), now).message

    assert message.status == "ticket_created"
    follow_up = _ticket(message)
    assert follow_up.id != old.id
    assert follow_up.service_id == second.id
    assert follow_up.description.startswith(f"Follow-up to {old.number}")


# --- held and refused -------------------------------------------------------------------


def test_an_unknown_sender_is_held_and_no_ticket_opens(room: Mailroom, now: datetime) -> None:
    before = _tickets()

    message = _ingest(build_mail(sender="stranger@elsewhere.test"), now).message

    assert message.status == "quarantined"
    assert message.reason is not None
    assert "unknown sender" in message.reason
    assert message.ticket_id is None
    assert _tickets() == before


def test_odd_bytes_in_headers_are_stored_on_both_databases(room: Mailroom, now: datetime) -> None:
    raw = (
        b"From: \xc5\x81ukasz \xff <lukasz@elsewhere.test>\n"
        b"Subject: awaria\x00 \xc5\x82\xc4\x85cza\n"
        b"Message-ID: <odd-1@elsewhere.test>\n\nbody\n"
    )

    with transaction():
        message_id = _ingest(raw, now).message.id
    db.session.expire_all()

    kept = db.session.get(InboundMessage, message_id)
    assert kept is not None
    assert (kept.status, kept.raw) == ("quarantined", raw)
    assert kept.subject == "awaria \u0142\u0105cza"
    assert kept.from_name == "\u0141ukasz \ufffd"


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        ("billing_only", "billing tickets only"),
        ("inactive", "inactive"),
        ("staff", "staff"),
        ("auto_reply", "automatic reply"),
    ],
)
def test_senders_that_cannot_open_tickets_by_mail_are_held_with_the_reason(
    room: Mailroom, now: datetime, setup: str, reason: str
) -> None:
    sender, headers = room.sender, {}
    if setup == "billing_only":
        sender = make_contact(room.service.customer, can_technical=False, can_billing=True).email
    elif setup == "inactive":
        room.contact.is_active = False
    elif setup == "staff":
        sender = make_user(role="dispatcher").email
    else:
        headers = {"Auto-Submitted": "auto-replied"}
    before = _tickets()

    message = _ingest(build_mail(sender=sender, headers=headers), now).message

    assert message.status == "quarantined"
    assert message.reason is not None
    assert reason in message.reason
    assert _tickets() == before


def test_a_refusal_by_the_ticket_rules_holds_the_mail_instead_of_losing_it(
    room: Mailroom, now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(**_: Any) -> None:
        make_ticket(room.service, room.contact)  # work the savepoint must undo
        raise RuleViolationError.on_field("summary", "Too odd.")

    monkeypatch.setattr(ticket_services, "open_ticket", refuse)
    before = _tickets()

    message = _ingest(build_mail(), now).message

    assert message.status == "quarantined"
    assert message.reason == "could not be applied automatically: summary: Too odd."
    assert _tickets() == before


def test_malformed_mail_is_rejected_and_kept_after_the_commit(
    room: Mailroom, now: datetime
) -> None:
    raw = b"Subject: where is the sender?\n\nbody\n"

    with transaction():
        received = _ingest(raw, now)
        message_id = received.message.id
    db.session.expire_all()

    kept = db.session.get(InboundMessage, message_id)
    assert kept is not None
    assert kept.status == "rejected"
    assert kept.reason == "The mail has no From header."
    assert kept.raw == raw


def test_the_same_message_id_twice_is_one_record_and_one_ticket(
    room: Mailroom, now: datetime
) -> None:
    raw = build_mail(message_id="<same-1@customer.test>")

    first = _ingest(raw, now)
    second = _ingest(raw, now + timedelta(minutes=5))

    assert not first.duplicate
    assert second.duplicate
    assert second.message.id == first.message.id
    assert second.message.status == "ticket_created"
    count = select(func.count()).where(InboundMessage.message_id == "<same-1@customer.test>")
    assert db.session.scalar(count) == 1
    assert db.session.scalar(select(func.count(Ticket.id))) == 1


def test_a_resend_of_a_mail_without_message_id_is_recognised_by_its_bytes(
    room: Mailroom, now: datetime
) -> None:
    raw = build_mail(message_id=None)

    first = _ingest(raw, now)
    second = _ingest(raw, now)

    assert second.duplicate
    assert second.message.id == first.message.id


def test_only_agents_and_admins_may_feed_mail_in(room: Mailroom, now: datetime) -> None:
    with pytest.raises(NotFoundError):
        services.ingest(build_mail(), now=now, received_via="api", actor=room.contact)

    received = services.ingest(build_mail(), now=now, received_via="api", actor=room.admin)

    assert received.message.received_by_id == room.admin.id


# --- the desk's decisions ---------------------------------------------------------------


def _held(now: datetime, **kwargs: Any) -> InboundMessage:
    message = _ingest(build_mail(sender="colleague@customer.test", **kwargs), now).message
    assert message.status == "quarantined"
    return message


def test_an_agent_releases_held_mail_to_a_ticket_for_a_contact(
    room: Mailroom, now: datetime
) -> None:
    message = _held(now, subject="Outage in Krakow", body="All links down.")

    services.release(
        message,
        actor=room.agent,
        service_code=room.service.code,
        contact_email=room.sender,
        note="Called Ada: it is her colleague.",
        now=now,
    )

    assert message.status == "released"
    assert (message.decided_by_id, message.decided_at) == (room.agent.id, now)
    assert message.decision_note == "Called Ada: it is her colleague."
    ticket = _ticket(message)
    assert (ticket.service_id, ticket.channel) == (room.service.id, "email")
    assert (ticket.requester_id, ticket.created_by_id) == (room.contact.id, room.agent.id)
    assert ticket.summary == "Outage in Krakow"


def test_an_agent_releases_held_mail_onto_a_ticket_as_the_contacts_reply(
    room: Mailroom, now: datetime
) -> None:
    ticket = make_ticket(room.service, room.contact)
    message = _held(now, subject=f"Re: {ticket.number}", body="Works again.")

    services.release(
        message,
        actor=room.agent,
        service_code=None,
        contact_email=room.sender,
        ticket_number=ticket.number,
        now=now,
    )

    event = _events(ticket)[-1]
    assert (message.status, message.event_id) == ("released", event.id)
    assert (event.body, event.public, event.actor_id) == ("Works again.", True, room.contact.id)


def test_release_refuses_a_contact_of_another_customer(room: Mailroom, now: datetime) -> None:
    message = _held(now)

    with pytest.raises(RuleViolationError) as refused:
        services.release(
            message,
            actor=room.agent,
            service_code=room.service.code,
            contact_email=room.other_contact.email,
            now=now,
        )

    assert "contact_email" in refused.value.errors
    assert message.status == "quarantined"


def test_an_agent_discards_held_mail_with_a_reason_and_it_stays(
    room: Mailroom, now: datetime
) -> None:
    message = _held(now)

    with pytest.raises(RuleViolationError):
        services.discard(message, actor=room.agent, reason="  ", now=now)
    services.discard(message, actor=room.agent, reason="Spam", now=now)

    assert (message.status, message.decision_note, message.decided_by_id) == (
        "discarded",
        "Spam",
        room.agent.id,
    )
    assert db.session.get(InboundMessage, message.id) is not None
    with pytest.raises(ConflictError):
        services.release(
            message, actor=room.agent, service_code=room.service.code, contact_email=None, now=now
        )


def test_a_customer_cannot_release_or_discard(room: Mailroom, now: datetime) -> None:
    message = _held(now)

    with pytest.raises(NotFoundError):
        services.release(
            message,
            actor=room.contact,
            service_code=room.service.code,
            contact_email=room.sender,
            now=now,
        )
    with pytest.raises(NotFoundError):
        services.discard(message, actor=room.contact, reason="mine", now=now)

    assert message.status == "quarantined"
