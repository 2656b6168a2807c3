"""The desk queue: open tickets by default, every filter, sorting and pagination."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from flask.testing import FlaskClient

from fieldops.clock import utcnow
from fieldops.tickets import services
from tests.backoffice.conftest import Desk
from tests.factories import make_contact, make_current_ticket, make_service, make_user
from tests.web.pages import text


def _rows(html: str) -> list[str]:
    return re.findall(r'data-testid="ticket-row" data-ticket="([^"]+)"', html)


def test_queue_shows_open_tickets_by_default_and_all_on_request(
    agent_client: FlaskClient, desk: Desk, session: Any
) -> None:
    cancelled = make_current_ticket(desk.service, desk.contact, ago=timedelta(hours=1))
    services.change_status(
        cancelled, actor=desk.agent, to="cancelled", reason="Duplicate", now=utcnow()
    )
    session.commit()

    default = text(agent_client.get("/desk/tickets"))
    everything = text(agent_client.get("/desk/tickets?status=all"))
    only_cancelled = _rows(text(agent_client.get("/desk/tickets?status=cancelled")))

    assert desk.ticket.number in _rows(default)
    assert cancelled.number not in _rows(default)
    assert cancelled.number in _rows(everything)
    assert only_cancelled == [cancelled.number]
    assert "Link down in Krakow" in default


def test_queue_filters_by_priority_customer_service_tier_and_text(
    agent_client: FlaskClient, desk: Desk, session: Any
) -> None:
    other_service = make_service()
    other = make_current_ticket(
        other_service,
        make_contact(other_service.customer),
        impact="not_affecting",
        summary="Billing question about invoice",
    )
    services.update_ticket(other, actor=desk.agent, changes={"tier": "L2"}, now=utcnow())
    session.commit()

    def rows(query: str) -> list[str]:
        return _rows(text(agent_client.get(f"/desk/tickets?{query}")))

    assert rows("priority=P4") == [other.number]
    assert rows("priority=P1") == [desk.ticket.number]
    assert rows(f"customer={other_service.customer.code}") == [other.number]
    assert rows(f"service={desk.service.code}") == [desk.ticket.number]
    assert rows("tier=L2") == [other.number]
    assert rows("q=invoice") == [other.number]
    assert rows(f"q={desk.ticket.number}") == [desk.ticket.number]


def test_queue_filters_by_assignee_mine_unassigned_and_agent(
    agent_client: FlaskClient, desk: Desk, session: Any
) -> None:
    theirs = make_current_ticket(desk.service, desk.contact)
    services.update_ticket(
        desk.ticket, actor=desk.agent, changes={"assignee": str(desk.agent.id)}, now=utcnow()
    )
    services.update_ticket(
        theirs, actor=desk.agent, changes={"assignee": str(desk.colleague.id)}, now=utcnow()
    )
    unassigned = make_current_ticket(desk.service, desk.contact)
    session.commit()

    mine = _rows(text(agent_client.get("/desk/tickets?assignee=mine")))
    nobody = _rows(text(agent_client.get("/desk/tickets?assignee=unassigned")))
    bob = _rows(text(agent_client.get(f"/desk/tickets?assignee={desk.colleague.id}")))

    assert mine == [desk.ticket.number]
    assert nobody == [unassigned.number]
    assert bob == [theirs.number]


def test_queue_filters_breached_tickets(
    agent_client: FlaskClient, desk: Desk, session: Any
) -> None:
    # Opened days ago at P1 (4 h to resolve, 24x7): long breached by now.
    late = make_current_ticket(desk.service, desk.contact, ago=timedelta(days=2))
    session.commit()

    breached = text(agent_client.get("/desk/tickets?breached=yes"))
    healthy = _rows(text(agent_client.get("/desk/tickets?breached=no")))

    assert _rows(breached) == [late.number]
    assert 'data-testid="breached"' in breached
    assert healthy == [desk.ticket.number]


def test_queue_sorts_by_priority_and_paginates(
    agent_client: FlaskClient, desk: Desk, session: Any
) -> None:
    extra = [
        make_current_ticket(desk.service, desk.contact, ago=timedelta(minutes=1)) for _ in range(24)
    ]
    low = make_current_ticket(desk.service, desk.contact, impact="not_affecting")
    session.commit()

    newest_first = _rows(text(agent_client.get("/desk/tickets")))
    by_priority = _rows(text(agent_client.get("/desk/tickets?sort=priority&page=2")))

    assert len(newest_first) == 25
    assert newest_first[0] == low.number
    assert by_priority == [low.number]  # P4 sorts last: alone on page 2
    assert len(extra) + 2 == 26


def test_bad_filter_value_is_explained(agent_client: FlaskClient) -> None:
    response = agent_client.get("/desk/tickets?tier=L9")

    assert response.status_code == 422
    assert 'data-testid="error-summary"' in text(response)
    assert "Must be one of" in text(response)


def test_non_desk_staff_are_told_the_desk_is_not_theirs(login_as: Any, session: Any) -> None:
    dispatcher = make_user(role="dispatcher")
    session.commit()

    response = login_as(dispatcher).get("/desk/tickets")

    assert response.status_code == 403


def test_a_search_also_finds_archived_tickets(
    agent_client: FlaskClient, desk: Desk, session: Any
) -> None:
    closed = make_current_ticket(
        desk.service, desk.contact, ago=timedelta(hours=3), summary="Fibre cut near Gdansk"
    )
    services.change_status(closed, actor=desk.agent, to="resolved", now=utcnow())
    services.change_status(closed, actor=desk.contact, to="closed", now=utcnow())
    session.commit()

    assert closed.number not in _rows(text(agent_client.get("/desk/tickets")))
    assert _rows(text(agent_client.get("/desk/tickets?q=fibre+cut"))) == [closed.number]
    assert _rows(text(agent_client.get(f"/desk/tickets?q={closed.number}"))) == [closed.number]
