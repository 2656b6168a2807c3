"""Desk intake: an agent records a phone call or e-mail as a ticket, validated as the portal."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import func, select

from fieldops.tickets.models import Ticket
from tests.backoffice.conftest import Desk
from tests.factories import make_contact, make_service
from tests.web.pages import post_form, text

NEW = "/desk/tickets/new"


def _form(desk: Desk, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "channel": "phone",
        "service_id": desk.service.code,
        "fault_started_at": (datetime.now(UTC) - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "tz": "UTC",
        "summary": "Customer reports total outage",
        "impact": "service_affecting",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _count(session: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(Ticket)))


def test_form_offers_every_customers_services_grouped(
    agent_client: FlaskClient, desk: Desk, session: Any
) -> None:
    other = make_service()
    session.commit()

    html = text(agent_client.get(NEW))

    assert re.search(rf'<optgroup label="{desk.service.customer.code} · ', html)
    assert desk.service.code in html
    assert other.code in html
    assert 'data-testid="channel-phone"' in html


def test_phone_report_for_a_contact_opens_a_ticket(
    agent_client: FlaskClient, desk: Desk, session: Any
) -> None:
    response = post_form(
        agent_client, NEW, NEW, _form(desk, requester="ada@customer.test", circuit_id="CID-KRK-1")
    )

    assert response.status_code == 302
    ticket = session.scalars(select(Ticket).order_by(Ticket.id.desc())).first()
    assert (ticket.channel, ticket.requester_id) == ("phone", desk.contact.id)
    assert ticket.created_by_id == desk.agent.id
    html = text(agent_client.get(response.headers["Location"]))
    assert f"Ticket {ticket.number} opened." in html
    assert f'<span data-testid="ticket-id">{ticket.number}</span>' in html


def test_missing_fields_are_named_and_typed_text_kept(
    agent_client: FlaskClient, desk: Desk, session: Any
) -> None:
    before = _count(session)

    response = post_form(
        agent_client,
        NEW,
        NEW,
        _form(desk, channel=None, impact=None, description="Caller: NOC, shift lead"),
    )

    html = text(response)
    assert response.status_code == 422
    assert 'data-testid="error-channel"' in html
    assert 'data-testid="error-impact"' in html
    assert "Caller: NOC, shift lead" in html
    assert 'value="Customer reports total outage"' in html
    assert _count(session) == before


def test_requester_from_another_customer_is_refused(
    agent_client: FlaskClient, desk: Desk, session: Any
) -> None:
    stranger = make_contact(make_service().customer, email="eve@elsewhere.test")
    session.commit()
    before = _count(session)

    response = post_form(
        agent_client, NEW, NEW, _form(desk, channel="email", requester=stranger.email)
    )

    assert response.status_code == 422
    assert re.search(r'data-testid="error-requester">No contact of', text(response))
    assert 'value="eve@elsewhere.test"' in text(response)
    assert _count(session) == before
