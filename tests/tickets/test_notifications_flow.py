"""What the customer is told, on both databases: every notice is an outbox row written in the
same unit of work as the change it announces, to the ticket's requester, quoting the ticket ID;
one notice also goes all the way through a real SMTP server."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from fieldops.accounts.models import User
from fieldops.customers.models import Service
from fieldops.db import db, transaction
from fieldops.errors import ConflictError, RuleViolationError
from fieldops.mailer import MailSettings, deliver_due
from fieldops.outbox import OutboxMessage
from fieldops.tickets.models import Ticket
from fieldops.tickets.services import change_status, open_ticket, set_eta
from fieldops.tickets.tasks import run_sweep
from tests.factories import make_contact, make_service, make_ticket, ticket_input
from tests.notifications.conftest import SmtpServer, mail_settings, smtp_server  # noqa: F401

H = timedelta(hours=1)
M = timedelta(minutes=1)
CONTACT = "noc@customer.example"


@pytest.fixture
def contact(service: Service) -> User:
    return make_contact(service.customer, email=CONTACT, name="Nora Kowalska")


def _mail(ticket: Ticket | None = None) -> list[OutboxMessage]:
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if ticket is not None:
        query = query.where(OutboxMessage.ticket_id == ticket.id)
    return list(db.session.scalars(query))


def _opened(service: Service, contact: User, now: datetime) -> Ticket:
    with transaction():
        return make_ticket(service, contact, now=now)


def test_opening_a_ticket_acknowledges_it_to_the_requester_with_its_id(
    service: Service, contact: User, now: datetime
) -> None:
    ticket = _opened(service, contact, now)

    [notice] = _mail()
    assert notice.template == "ticket_acknowledged"
    assert notice.to_addresses == [CONTACT]
    assert notice.ticket_id == ticket.id
    assert ticket.number.startswith("TT-2026-")
    assert f"[{ticket.number}]" in notice.subject
    assert "Please quote this ticket ID" in notice.body_text
    assert ticket.number in notice.body_text
    assert "Hello Nora Kowalska" in notice.body_text
    assert notice.status == "pending"


def test_the_customer_is_told_each_step_until_the_sweep_closes_the_ticket(
    service: Service, contact: User, agent: User, now: datetime
) -> None:
    ticket = _opened(service, contact, now)
    with transaction():
        change_status(ticket, actor=agent, to="acknowledged", note="Looking at it.", now=now + M)
    with transaction():
        set_eta(ticket, actor=agent, eta=now + 2 * H, reason="Engineer on the way.", now=now + M)
    with transaction():
        set_eta(ticket, actor=agent, eta=now + 3 * H, reason="Traffic.", now=now + 90 * M)
    resolved_at = now + 150 * M
    with transaction():
        change_status(
            ticket, actor=agent, to="resolved", note="Replaced the optic.", now=resolved_at
        )
    run_sweep(resolved_at + 24 * H)

    mail = _mail(ticket)
    assert [m.template for m in mail] == [
        "ticket_acknowledged",
        "status_changed",
        "eta_set",
        "eta_extended",
        "restored",
        "confirm_request",
        "auto_closed",
    ]
    assert all(m.to_addresses == [CONTACT] for m in mail)
    assert all(f"[{ticket.number}]" in m.subject for m in mail)
    status, eta_set, extended, restored, confirm, closed = mail[1:]
    assert "Status changed to acknowledged" in status.subject
    assert "Looking at it." in status.body_text
    assert "Estimated restoration time: Wed 18 Nov 2026, 12:00 UTC" in eta_set.subject
    assert "extended to Wed 18 Nov 2026, 13:00 UTC" in extended.subject
    assert "Wed 18 Nov 2026, 12:00 UTC" in extended.body_text  # the ETA it replaces
    assert "Traffic." in extended.body_text
    assert "Replaced the optic." in restored.body_text
    assert "Please confirm the fix" in confirm.subject
    assert "Without an answer by Thu 19 Nov 2026, 12:30 UTC" in confirm.body_text
    assert "closed\nautomatically on Thu 19 Nov 2026, 12:30 UTC" in closed.body_text


def test_a_wait_for_the_customer_asks_them_for_information(
    service: Service, contact: User, agent: User, now: datetime
) -> None:
    ticket = _opened(service, contact, now)
    with transaction():
        change_status(
            ticket, actor=agent, to="pending_customer", reason="waiting_customer_info", now=now
        )

    notice = _mail(ticket)[-1]
    assert "Status changed to pending customer" in notice.subject
    assert "We are waiting for information from you" in notice.body_text


def test_instants_are_shown_in_the_services_time_zone(
    session: Any, agent: User, now: datetime
) -> None:
    from tests.factories import CALENDAR_BUSINESS, make_sla_plan

    service = make_service(plan=make_sla_plan(calendar=CALENDAR_BUSINESS))
    ticket = _opened(service, make_contact(service.customer), now)
    with transaction():
        set_eta(ticket, actor=agent, eta=now + 2 * H, reason="", now=now)

    assert "Wed 18 Nov 2026, 13:00 CET" in _mail(ticket)[-1].subject


def _acknowledge_then_fail(
    ticket: Ticket, agent: User, at: datetime, *, queued_before: int
) -> None:
    with transaction():
        change_status(ticket, actor=agent, to="acknowledged", now=at)
        assert len(_mail()) == queued_before + 1  # queued inside the unit of work
        raise RuntimeError("the request failed after the change")


def test_a_refused_change_queues_nothing(
    service: Service, contact: User, agent: User, now: datetime
) -> None:
    ticket = _opened(service, contact, now)
    before = len(_mail())

    with pytest.raises(ConflictError), transaction():
        change_status(ticket, actor=agent, to="closed", now=now + M)
    with pytest.raises(RuleViolationError), transaction():
        set_eta(ticket, actor=agent, eta=now - H, reason="", now=now + M)
    # A change that was allowed but whose unit of work then failed takes its notice with it.
    with pytest.raises(RuntimeError, match="after the change"):
        _acknowledge_then_fail(ticket, agent, now + M, queued_before=before)

    assert len(_mail()) == before
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).status == "new"  # type: ignore[union-attr]


def test_a_ticket_the_desk_opens_without_a_requester_tells_nobody_and_works(
    service: Service, agent: User, now: datetime
) -> None:
    with transaction():
        ticket = open_ticket(actor=agent, data=ticket_input(service), channel="phone", now=now)
    with transaction():
        change_status(ticket, actor=agent, to="acknowledged", now=now + M)
        set_eta(ticket, actor=agent, eta=now + H, reason="", now=now + M)
        change_status(ticket, actor=agent, to="resolved", now=now + 30 * M)
    report = run_sweep(now + 30 * M + 24 * H)

    assert report.auto_closed == 1
    assert ticket.requester_id is None
    assert _mail() == []
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).status == "closed"  # type: ignore[union-attr]


def test_a_ticket_the_desk_opens_for_a_named_contact_is_acknowledged_to_them(
    service: Service, contact: User, agent: User, now: datetime
) -> None:
    with transaction():
        ticket = open_ticket(
            actor=agent,
            data=ticket_input(service, requester=CONTACT),
            channel="phone",
            now=now,
        )

    assert [(m.template, m.to_addresses) for m in _mail(ticket)] == [
        ("ticket_acknowledged", [CONTACT])
    ]


def test_an_eta_given_through_the_api_is_told_and_a_refused_one_is_not(
    service: Service,
    contact: User,
    agent: User,
    now: datetime,
    api_as: Callable[[User], Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ticket = _opened(service, contact, now)
    monkeypatch.setattr("fieldops.api.tickets.utcnow", lambda: now + 5 * M)
    desk = api_as(agent)
    path = f"/api/v1/tickets/{ticket.number}"

    given = desk.patch(
        path, json={"eta": "2026-11-18T12:00:00+00:00", "eta_reason": "Engineer dispatched."}
    )
    queued = len(_mail(ticket))
    refused = desk.patch(path, json={"eta": "2026-11-18T09:00:00+00:00"})
    moved = desk.patch(path, json={"eta": "2026-11-18T13:30:00+01:00", "eta_reason": "Traffic."})

    assert given.status_code == 200, given.get_data(as_text=True)
    assert (given.get_json()["eta"], given.get_json()["eta_missed"]) == (
        "2026-11-18T12:00:00+00:00",
        False,
    )
    assert refused.status_code == 422
    assert "eta" in refused.get_json()["errors"]
    assert moved.status_code == 200
    assert moved.get_json()["eta"] == "2026-11-18T12:30:00+00:00"
    mail = _mail(ticket)
    assert [m.template for m in mail[1:]] == ["eta_set", "eta_extended"]
    assert queued == 2
    assert "Engineer dispatched." in mail[1].body_text
    assert "extended to Wed 18 Nov 2026, 12:30 UTC" in mail[2].subject


def test_the_acknowledgement_arrives_by_smtp_with_the_ticket_id(
    service: Service,
    contact: User,
    now: datetime,
    smtp_server: SmtpServer,  # noqa: F811
    mail_settings: Callable[..., MailSettings],  # noqa: F811
) -> None:
    ticket = _opened(service, contact, now)

    report = deliver_due(now, settings=mail_settings(smtp_server))

    assert (report.sent, report.failed) == (1, 0)
    [arrived] = smtp_server.inbox.messages
    assert arrived["To"] == CONTACT
    assert smtp_server.inbox.envelope_recipients == [[CONTACT]]
    assert f"[{ticket.number}]" in str(arrived["Subject"])
    assert ticket.number in arrived.get_content()
    db.session.expire_all()
    assert [m.status for m in _mail()] == ["sent"]
