"""Portal ticket page records: the SLA history, the ETA history, and asking for escalation."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import func, select

from fieldops.accounts.models import User
from fieldops.outbox import OutboxMessage
from fieldops.tickets import services
from fieldops.tickets.models import Ticket, TicketEscalation
from fieldops.tickets.services.sweep import mark_missed_etas
from tests.factories import make_current_ticket, make_user
from tests.portal.conftest import World
from tests.web.pages import post_form, switch_user, text
from tests.web.worlds import escalation_matrix


def _page(ticket: Ticket) -> str:
    return f"/portal/tickets/{ticket.number}"


def _escalations(session: Any, ticket: Ticket) -> int:
    query = select(func.count()).where(TicketEscalation.ticket_id == ticket.id)
    return int(session.scalar(query))


def _level(session: Any, ticket: Ticket) -> int:
    session.expire_all()
    return session.get(Ticket, ticket.id).escalation_level


def _section(html: str, testid: str) -> str:
    found = re.search(rf'<section class="[^"]*" data-testid="{testid}">.*?</section>', html, re.S)
    assert found, f"no {testid} section"
    return found.group(0)


# --- SLA history -------------------------------------------------------------------------


def test_sla_history_lists_every_clock_stop_in_words(
    login_as: Callable[[User], FlaskClient], world: World, session: Any
) -> None:
    agent = make_user(role="agent", name="Desk Dana")
    ticket = make_current_ticket(world.service, world.contact, ago=timedelta(hours=3))
    opened = ticket.created_at
    services.change_status(ticket, actor=agent, to="in_progress", now=opened + timedelta(minutes=5))
    services.change_status(
        ticket,
        actor=agent,
        to="pending_customer",
        reason="waiting_customer_info",
        now=opened + timedelta(minutes=10),
    )
    services.change_status(
        ticket, actor=agent, to="in_progress", now=opened + timedelta(minutes=70)
    )
    services.change_status(
        ticket,
        actor=agent,
        to="pending_third_party",
        reason="third_party_fault",
        now=opened + timedelta(minutes=150),
    )
    session.commit()

    history = _section(text(login_as(world.contact).get(_page(ticket))), "sla-history")

    stops = re.findall(r'<li data-testid="clock-stop".*?</li>', history, re.S)
    assert len(stops) == 2
    assert "Waiting for information from the customer" in stops[0]
    assert re.search(r'data-testid="removed">1 h 0 min<', stops[0])
    assert "still stopped" not in stops[0]
    assert "Fault with a carrier or vendor" in stops[1]
    assert 'data-testid="still-stopped"' in stops[1]
    assert re.search(r'data-testid="removed">\d+ min so far<', stops[1])
    assert "UTC+00:00" in stops[0]  # start and end, with their offset
    assert "Desk Dana" not in history  # the desk is one team to the customer


def test_sla_history_says_when_the_clock_never_stopped(
    login_as: Callable[[User], FlaskClient], world: World, session: Any
) -> None:
    ticket = make_current_ticket(world.service, world.contact)
    session.commit()

    html = text(login_as(world.contact).get(_page(ticket)))

    assert 'data-testid="no-stops">The SLA clock has not been stopped.' in html
    assert 'data-testid="sla-left"' in html
    assert 'data-testid="sla-breached">no' in html


def test_breached_and_at_risk_are_shown(
    login_as: Callable[[User], FlaskClient], world: World, session: Any
) -> None:
    late = make_current_ticket(world.service, world.contact, ago=timedelta(hours=5))
    close = make_current_ticket(world.service, world.contact, ago=timedelta(hours=3, minutes=30))
    session.commit()
    client = login_as(world.contact)

    late_html = text(client.get(_page(late)))
    close_html = text(client.get(_page(close)))

    # P1 on 24x7: 4 h to resolve. 5 h in: overdue and breached; 3.5 h in: at risk (80 %).
    assert re.search(r'data-testid="sla-left"><span class="bad">overdue by', late_html)
    assert 'data-testid="sla-breached"><span class="badge bad">yes' in late_html
    assert re.search(
        r'data-testid="sla-left">\d+ min\s*<span class="badge warn">at risk', close_html
    )


# --- ETA history ---------------------------------------------------------------------------


def test_eta_history_shows_each_change_and_a_missed_eta(
    login_as: Callable[[User], FlaskClient], world: World, session: Any
) -> None:
    agent = make_user(role="agent", name="Desk Dana")
    ticket = make_current_ticket(world.service, world.contact, ago=timedelta(hours=4))
    opened = ticket.created_at
    first, second = opened + timedelta(hours=1), opened + timedelta(hours=2)
    services.set_eta(ticket, actor=agent, eta=first, reason="Engineer on the way.", now=opened)
    services.set_eta(
        ticket,
        actor=agent,
        eta=second,
        reason="Spare part delayed.",
        now=opened + timedelta(minutes=30),
    )
    mark_missed_etas(opened + timedelta(hours=3))
    session.commit()

    html = text(login_as(world.contact).get(_page(ticket)))
    history = _section(html, "eta-history")

    changes = re.findall(r'<li data-testid="eta-change">.*?</li>', history, re.S)
    assert len(changes) == 2
    newest, oldest = changes
    assert "ETA moved" in newest
    assert re.search(
        r'data-testid="eta-move"><span class="muted"><time[^>]*>[^<]+</time>'
        r"</span> → <time",
        newest,
    )
    assert "Spare part delayed." in newest
    assert "passed" in newest
    assert "a new ETA will follow" in newest
    assert "ETA given" in oldest
    assert "Engineer on the way." in oldest
    assert "a new ETA will follow" not in oldest
    assert "Desk Dana" not in history
    assert 'data-testid="eta-missed"' in html


def test_no_eta_yet(login_as: Callable[[User], FlaskClient], world: World, session: Any) -> None:
    ticket = make_current_ticket(world.service, world.contact)
    session.commit()

    html = text(login_as(world.contact).get(_page(ticket)))

    assert 'data-testid="no-eta">No ETA has been given yet.' in html
    assert 'data-testid="eta-missed"' not in html


# --- escalation ----------------------------------------------------------------------------


def test_asking_for_escalation_raises_exactly_one_level_and_tells_it(
    login_as: Callable[[User], FlaskClient], world: World, session: Any
) -> None:
    escalation_matrix(world.service.customer)
    ticket = make_current_ticket(world.service, world.contact)
    session.commit()
    client = login_as(world.contact)
    before = text(client.get(_page(ticket)))
    assert 'data-testid="escalation-level">not escalated' in before
    assert "level 1 (Duty engineer)" in before

    response = post_form(
        client, _page(ticket), f"{_page(ticket)}/escalation", {"note": "Our shop is offline."}
    )

    assert response.status_code == 302
    assert _level(session, ticket) == 1
    assert _escalations(session, ticket) == 1
    told = session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.ticket_id == ticket.id, OutboxMessage.template == "escalated"
        )
    ).all()
    assert [m.to_addresses for m in told] == [["level1@ops.test"]]
    html = text(client.get(_page(ticket)))
    assert "Escalated to level 1 (Duty engineer)." in html
    assert 'data-testid="escalation-level">level 1 · Duty engineer' in html
    assert "Our shop is offline." in html  # the public work-log line


def test_escalation_without_the_csrf_token_is_refused(
    login_as: Callable[[User], FlaskClient], world: World, session: Any
) -> None:
    escalation_matrix(world.service.customer)
    ticket = make_current_ticket(world.service, world.contact)
    session.commit()

    response = login_as(world.contact).post(f"{_page(ticket)}/escalation", data={"note": ""})

    assert response.status_code == 400
    assert _level(session, ticket) == 0


def test_escalation_at_the_top_level_is_refused_clearly_and_changes_nothing(
    login_as: Callable[[User], FlaskClient], world: World, session: Any
) -> None:
    escalation_matrix(world.service.customer)
    ticket = make_current_ticket(world.service, world.contact)
    for _ in range(2):
        services.request_escalation(ticket, actor=world.contact, note="", now=ticket.created_at)
    session.commit()
    client = login_as(world.contact)
    messages = session.scalar(select(func.count()).select_from(OutboxMessage))

    page = text(client.get(_page(ticket)))
    response = post_form(client, _page(ticket), f"{_page(ticket)}/escalation", {"note": "More!"})

    assert 'data-testid="escalation-top">Your ticket is already at the highest' in page
    assert 'data-testid="escalation-form"' not in page
    assert response.status_code == 409
    assert re.search(
        r'data-testid="action-error">Not escalated: .*highest escalation level \(2\).*\(409\)',
        text(response),
    )
    assert _level(session, ticket) == 2
    assert _escalations(session, ticket) == 2
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == messages


def test_a_closed_ticket_offers_no_escalation_and_refuses_one(
    login_as: Callable[[User], FlaskClient], world: World, session: Any
) -> None:
    escalation_matrix(world.service.customer)
    ticket = make_current_ticket(world.service, world.contact)
    services.change_status(
        ticket, actor=world.contact, to="cancelled", reason="Found it", now=ticket.created_at
    )
    session.commit()
    client = login_as(world.contact)

    page = text(client.get(_page(ticket)))
    response = post_form(client, _page(ticket), f"{_page(ticket)}/escalation", {})

    assert 'data-testid="escalation-form"' not in page
    assert response.status_code == 409
    assert "cannot be escalated" in text(response)
    assert _level(session, ticket) == 0


def test_an_over_long_note_is_refused_next_to_the_field(
    login_as: Callable[[User], FlaskClient], world: World, session: Any
) -> None:
    escalation_matrix(world.service.customer)
    ticket = make_current_ticket(world.service, world.contact)
    session.commit()

    response = post_form(
        login_as(world.contact), _page(ticket), f"{_page(ticket)}/escalation", {"note": "x" * 2001}
    )

    assert response.status_code == 422
    assert re.search(r'data-testid="error-note">At most 2000 characters', text(response))
    assert _level(session, ticket) == 0


def test_another_customers_ticket_cannot_be_escalated(
    login_as: Callable[[User], FlaskClient], world: World, session: Any
) -> None:
    escalation_matrix(world.foreign_service.customer)
    theirs = make_current_ticket(world.foreign_service, world.foreign_contact)
    mine = make_current_ticket(world.service, world.contact)
    session.commit()

    response = post_form(login_as(world.contact), _page(mine), f"{_page(theirs)}/escalation", {})

    assert response.status_code == 404
    assert _level(session, theirs) == 0


def test_desk_staff_posting_to_the_portal_route_change_nothing(
    login_as: Callable[[User], FlaskClient], world: World, session: Any
) -> None:
    escalation_matrix(world.service.customer)
    ticket = make_current_ticket(world.service, world.contact)
    agent = make_user(role="agent")
    session.commit()
    client = login_as(world.contact)
    page = text(client.get(_page(ticket)))
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token

    switch_user(client, agent)
    response = client.post(f"{_page(ticket)}/escalation", data={"csrf_token": token.group(1)})

    assert response.status_code in (302, 400)  # sent to the desk (or the token is theirs)
    assert _level(session, ticket) == 0
