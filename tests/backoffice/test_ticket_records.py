"""The desk ticket page records: ETA with its reason and history, a missed ETA, the SLA history
with who stopped the clock, and escalating a ticket."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from fieldops.accounts.models import User
from fieldops.clock import utcnow
from fieldops.tickets import services
from fieldops.tickets.models import Ticket, TicketEscalation, TicketEta
from fieldops.tickets.services.sweep import mark_missed_etas
from tests.backoffice.conftest import Desk
from tests.web.pages import post_form, switch_user, text
from tests.web.worlds import escalation_matrix


def _act(client: FlaskClient, desk: Desk, action: str, data: dict[str, Any]) -> Any:
    return post_form(client, desk.page, f"{desk.page}/{action}", data)


def _fresh(session: Any, desk: Desk) -> Ticket:
    session.expire_all()
    return session.get(Ticket, desk.ticket.id)


def _etas(session: Any, desk: Desk) -> list[TicketEta]:
    session.expire_all()
    query = select(TicketEta).where(TicketEta.ticket_id == desk.ticket.id).order_by(TicketEta.id)
    return list(session.scalars(query))


def _local(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")


def _future(hours: int) -> datetime:
    return (utcnow() + timedelta(hours=hours)).replace(second=0, microsecond=0)


def _section(html: str, testid: str) -> str:
    found = re.search(rf'<section class="[^"]*" data-testid="{testid}">.*?</section>', html, re.S)
    assert found, f"no {testid} section"
    return found.group(0)


# --- ETA -----------------------------------------------------------------------------------


def test_eta_with_a_reason_is_recorded_and_shown_in_the_history(
    agent_client: FlaskClient, desk: Desk, session: Any
) -> None:
    first, second = _future(3), _future(5)

    given = _act(
        agent_client, desk, "eta", {"eta": _local(first), "tz": "UTC", "eta_reason": "Van sent."}
    )
    moved = _act(
        agent_client,
        desk,
        "eta",
        {"eta": _local(second), "tz": "UTC", "eta_reason": "Spare part arrives at noon."},
    )

    assert given.status_code == moved.status_code == 302
    records = _etas(session, desk)
    assert [(r.previous_eta, r.eta, r.reason) for r in records] == [
        (None, first, "Van sent."),
        (first, second, "Spare part arrives at noon."),
    ]
    assert {r.changed_by_id for r in records} == {desk.agent.id}
    history = _section(text(agent_client.get(desk.page)), "eta-history")
    newest = re.search(r'<li data-testid="eta-change">.*?</li>', history, re.S)
    assert newest
    assert "ETA moved" in newest.group(0)
    assert "Spare part arrives at noon." in newest.group(0)
    assert "Alice Agent" in newest.group(0)
    assert "Customer told" in newest.group(0)  # the contact is the requester
    assert "Van sent." in history


def test_same_eta_again_changes_nothing(
    agent_client: FlaskClient, desk: Desk, session: Any
) -> None:
    eta = _future(3)
    _act(agent_client, desk, "eta", {"eta": _local(eta), "tz": "UTC"})

    again = _act(agent_client, desk, "eta", {"eta": _local(eta), "tz": "UTC", "eta_reason": "x"})

    assert again.status_code == 302
    assert "ETA unchanged." in text(agent_client.get(desk.page))
    assert len(_etas(session, desk)) == 1


def test_over_long_eta_reason_is_refused_next_to_the_field(
    agent_client: FlaskClient, desk: Desk, session: Any
) -> None:
    response = _act(
        agent_client,
        desk,
        "eta",
        {"eta": _local(_future(3)), "tz": "UTC", "eta_reason": "x" * 1001},
    )

    assert response.status_code == 422
    assert 'data-testid="error-eta_reason"' in text(response)
    assert _etas(session, desk) == []


def test_a_missed_eta_is_an_alert_with_the_eta_form_open(
    agent_client: FlaskClient, desk: Desk, session: Any
) -> None:
    ticket = desk.ticket
    services.set_eta(
        ticket,
        actor=desk.agent,
        eta=ticket.created_at + timedelta(minutes=1),
        reason="",
        now=ticket.created_at,
    )
    mark_missed_etas(ticket.created_at + timedelta(minutes=2))
    session.commit()

    html = text(agent_client.get(desk.page))

    assert re.search(r'data-testid="eta-missed"><strong>ETA missed — set a new ETA.', html)
    assert '<details id="eta-box" open data-testid="eta-box">' in html
    assert 'data-testid="eta-passed"' in html

    new = _act(agent_client, desk, "eta", {"eta": _local(_future(2)), "tz": "UTC"})

    assert new.status_code == 302
    assert 'data-testid="eta-missed"' not in text(agent_client.get(desk.page))


# --- SLA history ---------------------------------------------------------------------------


def test_sla_history_names_who_stopped_and_restarted_the_clock(
    login_as: Callable[[User], FlaskClient], desk: Desk, session: Any
) -> None:
    client = login_as(desk.agent)
    _act(client, desk, "status", {"to": "in_progress"})
    _act(client, desk, "status", {"to": "pending_third_party", "stop_reason": "third_party_fault"})
    switch_user(client, desk.colleague)
    _act(client, desk, "status", {"to": "in_progress"})
    _act(client, desk, "status", {"to": "pending_customer", "stop_reason": "site_access_refused"})

    history = _section(text(client.get(desk.page)), "sla-history")

    stops = re.findall(r'<li data-testid="clock-stop".*?</li>', history, re.S)
    assert len(stops) == 2
    assert "Fault with a carrier or vendor" in stops[0]
    assert 'data-testid="stopped-by">by Alice Agent' in stops[0]
    assert 'data-testid="restarted-by">by Bob Second' in stops[0]
    assert "Site access refused" in stops[1]
    assert 'data-testid="stopped-by">by Bob Second' in stops[1]
    assert 'data-testid="still-stopped"' in stops[1]


def test_stop_clock_reasons_are_offered_in_words(agent_client: FlaskClient, desk: Desk) -> None:
    html = text(agent_client.get(desk.page))

    assert (
        '<option value="waiting_customer_info" >Waiting for information from the customer' in html
    )
    assert '<option value="observation_after_restore" >Observation after restoration' in html


# --- escalation ----------------------------------------------------------------------------


def test_agent_escalates_one_level_at_a_time(
    agent_client: FlaskClient, desk: Desk, session: Any
) -> None:
    escalation_matrix(desk.service.customer)
    session.commit()
    assert "Raises the ticket to level 1 (Duty engineer)" in text(agent_client.get(desk.page))

    response = _act(agent_client, desk, "escalation", {"note": "Customer's CEO called."})

    assert response.status_code == 302
    assert _fresh(session, desk).escalation_level == 1
    records = session.scalars(
        select(TicketEscalation).where(TicketEscalation.ticket_id == desk.ticket.id)
    ).all()
    assert [(r.level, r.actor_id) for r in records] == [(1, desk.agent.id)]
    html = text(agent_client.get(desk.page))
    assert "Escalated to level 1; its contacts are told." in html
    assert 'data-testid="escalation-level">level 1 · Duty engineer' in html
    assert "Customer&#39;s CEO called." in html


def test_escalating_past_the_top_level_is_refused(
    agent_client: FlaskClient, desk: Desk, session: Any
) -> None:
    escalation_matrix(desk.service.customer, names=("Duty engineer",))
    services.request_escalation(desk.ticket, actor=desk.agent, note="", now=utcnow())
    session.commit()
    page = text(agent_client.get(desk.page))

    response = _act(agent_client, desk, "escalation", {})

    assert 'data-testid="escalation-top">Already at the highest level' in page
    assert response.status_code == 409
    assert "Refused (409)" in text(response)
    assert "highest escalation level (1)" in text(response)
    assert _fresh(session, desk).escalation_level == 1


def test_without_a_matrix_there_is_nothing_to_escalate_to(
    agent_client: FlaskClient, desk: Desk, session: Any
) -> None:
    html = text(agent_client.get(desk.page))
    response = _act(agent_client, desk, "escalation", {})

    assert 'data-testid="escalation-top">No escalation matrix applies' in html
    assert response.status_code == 409
    assert _fresh(session, desk).escalation_level == 0


def test_a_customer_cannot_use_the_desk_escalation(
    login_as: Callable[[User], FlaskClient], desk: Desk, session: Any
) -> None:
    escalation_matrix(desk.service.customer)
    session.commit()
    client = login_as(desk.contact)
    portal = text(client.get(f"/portal/tickets/{desk.ticket.number}"))
    token = re.search(r'name="csrf_token" value="([^"]+)"', portal)
    assert token

    response = client.post(f"{desk.page}/escalation", data={"csrf_token": token.group(1)})

    assert response.status_code == 404
    assert _fresh(session, desk).escalation_level == 0
