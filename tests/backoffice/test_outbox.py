"""The notifications outbox page: admins and support managers read every queued e-mail."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from fieldops.accounts.models import User
from fieldops.clock import utcnow
from fieldops.outbox import OutboxMessage, queue_email
from fieldops.tickets import services
from tests.backoffice.conftest import Desk
from tests.factories import make_user
from tests.web.pages import switch_user, text

OUTBOX = "/desk/outbox"


def _eta_notice(desk: Desk, session: Any) -> OutboxMessage:
    """An ETA given on the desk ticket queues the 'ETA set' e-mail to its contact."""
    services.set_eta(
        desk.ticket,
        actor=desk.agent,
        eta=utcnow() + timedelta(hours=2),
        reason="Engineer booked.",
        now=utcnow(),
    )
    session.commit()
    message = session.scalar(
        select(OutboxMessage).where(
            OutboxMessage.ticket_id == desk.ticket.id, OutboxMessage.template == "eta_set"
        )
    )
    assert message is not None
    return message


def _row(html: str, message: OutboxMessage) -> str:
    found = re.search(rf'<tr data-testid="outbox-row" data-id="{message.id}">.*?</tr>', html, re.S)
    assert found, f"message {message.id} is not listed"
    return found.group(0)


def test_admin_sees_a_queued_message_and_its_full_text(
    login_as: Callable[[User], FlaskClient], desk: Desk, session: Any
) -> None:
    message = _eta_notice(desk, session)
    client = login_as(make_user(role="admin", name="Ada Admin"))

    listing = client.get(OUTBOX)
    row = _row(text(listing), message)
    detail = text(client.get(f"{OUTBOX}/{message.id}"))

    assert listing.status_code == 200
    assert 'data-testid="nav-outbox"' in text(listing)
    assert "ada@customer.test" in row
    assert message.subject in row
    assert "<code>eta_set</code>" in row
    assert f'data-testid="outbox-ticket">{desk.ticket.number}</a>' in row
    assert 'data-testid="outbox-status">Pending<' in row
    assert "not sent" in row
    assert 'data-testid="outbox-attempts">0 attempts<' in row
    assert 'data-testid="outbox-body">' in detail
    assert "Engineer booked." in detail  # the whole rendered text
    assert f'href="/desk/tickets/{desk.ticket.number}"' in detail


def test_status_filter_narrows_the_list(
    login_as: Callable[[User], FlaskClient], desk: Desk, session: Any
) -> None:
    message = _eta_notice(desk, session)
    client = login_as(make_user(role="manager"))

    pending = text(client.get(f"{OUTBOX}?status=pending"))
    sent = text(client.get(f"{OUTBOX}?status=sent"))
    bad = client.get(f"{OUTBOX}?status=bogus")

    assert _row(pending, message)
    assert 'aria-current="page" data-testid="tab-pending"' in pending
    assert f'data-id="{message.id}"' not in sent
    assert 'data-testid="empty">No messages sent.' in sent
    assert bad.status_code == 422
    assert 'data-testid="error-summary"' in text(bad)


def test_a_message_without_a_ticket_has_no_ticket_link(
    login_as: Callable[[User], FlaskClient], session: Any
) -> None:
    message = queue_email(
        to=["ops@example.test"],
        template="ticket_acknowledged",
        context={
            "ticket_number": "none",
            "summary": "Not about a ticket",
            "service_code": "SVC-1",
            "priority": "P1",
            "created_at": utcnow(),
            "ticket_url": "/",
        },
        now=utcnow(),
    )
    assert message is not None
    session.commit()
    client = login_as(make_user(role="admin"))

    row = _row(text(client.get(OUTBOX)), message)

    assert 'data-testid="outbox-ticket"' not in row


def test_agents_and_customers_get_404(
    login_as: Callable[[User], FlaskClient], desk: Desk, session: Any
) -> None:
    message = _eta_notice(desk, session)
    client = login_as(desk.agent)

    agent_list = client.get(OUTBOX)
    agent_detail = client.get(f"{OUTBOX}/{message.id}")
    queue = text(client.get("/desk/tickets"))
    switch_user(client, desk.contact)
    customer_list = client.get(OUTBOX)
    customer_detail = client.get(f"{OUTBOX}/{message.id}")

    assert agent_list.status_code == agent_detail.status_code == 404
    assert 'data-testid="nav-outbox"' not in queue
    assert customer_list.status_code == customer_detail.status_code == 404


def test_unknown_message_is_404(login_as: Callable[[User], FlaskClient], session: Any) -> None:
    client = login_as(make_user(role="admin"))

    assert client.get(f"{OUTBOX}/999999").status_code == 404


def test_a_failed_message_shows_its_attempts_and_last_error(
    login_as: Callable[[User], FlaskClient], desk: Desk, session: Any
) -> None:
    message = _eta_notice(desk, session)
    message.status, message.attempts = "failed", 5
    message.last_error = "550 5.1.1 mailbox unavailable"
    session.commit()
    client = login_as(make_user(role="admin"))

    row = _row(text(client.get(f"{OUTBOX}?status=failed")), message)
    detail = text(client.get(f"{OUTBOX}/{message.id}"))

    assert 'data-testid="outbox-status">Failed<' in row
    assert 'data-testid="outbox-attempts">5 attempts<' in row
    assert 'data-testid="outbox-error">550 5.1.1 mailbox unavailable<' in row
    assert 'data-testid="outbox-error">550 5.1.1 mailbox unavailable<' in detail
