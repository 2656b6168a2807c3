"""The desk ticket page: the whole log, and every action with its happy path and a refusal."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask.testing import FlaskClient
from sqlalchemy import func, select

from fieldops.clock import utcnow
from fieldops.tickets import services
from fieldops.tickets.models import Ticket, TicketEvent
from tests.backoffice.conftest import Desk
from tests.web.pages import post_form, text


def _act(client: FlaskClient, desk: Desk, action: str, data: dict[str, Any]) -> Any:
    return post_form(client, desk.page, f"{desk.page}/{action}", data)


def _fresh(session: Any, desk: Desk) -> Ticket:
    session.expire_all()
    return session.get(Ticket, desk.ticket.id)


def _event_count(session: Any, desk: Desk) -> int:
    query = select(func.count()).where(TicketEvent.ticket_id == desk.ticket.id)
    return int(session.scalar(query))


def _refused(response: Any, status: int) -> str:
    html = text(response)
    assert response.status_code == status
    assert f"Refused ({status})" in html
    return html


def test_log_shows_internal_and_public_entries_distinguished(
    agent_client: FlaskClient, desk: Desk, session: Any
) -> None:
    now = utcnow()
    services.add_event(
        desk.ticket, actor=desk.agent, kind="comment", body="Checked the BGP", public=False, now=now
    )
    services.add_event(
        desk.ticket, actor=desk.agent, kind="comment", body="Engineer booked", public=True, now=now
    )
    session.commit()

    html = text(agent_client.get(desk.page))

    internal = re.search(r'<li class="event event-internal".*?</li>', html, re.S)
    public = re.findall(r'<li class="event event-public".*?</li>', html, re.S)
    assert internal
    assert "Checked the BGP" in internal.group(0)
    assert "Internal" in internal.group(0)
    assert any("Engineer booked" in entry and "Public" in entry for entry in public)
    assert 'data-testid="sla"' in html


def test_only_the_desks_allowed_moves_are_offered(agent_client: FlaskClient, desk: Desk) -> None:
    html = text(agent_client.get(desk.page))

    offered = set(re.findall(r'data-testid="move-([a-z_]+)"', html))

    assert offered == {
        "acknowledged",
        "in_progress",
        "pending_customer",
        "pending_third_party",
        "resolved",
        "cancelled",
    }
    for reason in ("waiting_customer_info", "third_party_fault"):
        assert f'<option value="{reason}"' in html


def test_agent_moves_a_ticket_through_to_resolved(
    agent_client: FlaskClient, desk: Desk, session: Any
) -> None:
    for target in ("acknowledged", "in_progress", "resolved"):
        response = _act(agent_client, desk, "status", {"to": target, "note": f"now {target}"})
        assert response.status_code == 302, text(response)

    html = text(agent_client.get(desk.page))
    assert _fresh(session, desk).status == "resolved"
    assert "In progress → Resolved" in html
    assert 'data-testid="status">Resolved<' in html


def test_illegal_transition_is_409_and_changes_nothing(
    agent_client: FlaskClient, desk: Desk, session: Any
) -> None:
    events = _event_count(session, desk)

    response = _act(agent_client, desk, "status", {"to": "closed", "note": "kept note"})

    html = _refused(response, 409)
    assert "cannot move from new to closed" in html
    assert "kept note" in html
    assert _fresh(session, desk).status == "new"
    assert _event_count(session, desk) == events


def test_waiting_on_the_customer_needs_a_stop_clock_reason(
    agent_client: FlaskClient, desk: Desk, session: Any
) -> None:
    refused = _act(agent_client, desk, "status", {"to": "pending_customer"})
    paused = _act(
        agent_client,
        desk,
        "status",
        {"to": "pending_customer", "stop_reason": "waiting_customer_info"},
    )

    assert "needs a reason code" in _refused(refused, 422)
    assert paused.status_code == 302
    assert _fresh(session, desk).status == "pending_customer"
    assert re.search(
        r'data-testid="sla-clock"><span class="badge warn">paused',
        text(agent_client.get(desk.page)),
    )


def test_cancel_needs_a_written_reason(agent_client: FlaskClient, desk: Desk, session: Any) -> None:
    refused = _act(agent_client, desk, "status", {"to": "cancelled"})
    done = _act(agent_client, desk, "status", {"to": "cancelled", "reason": "Out of scope"})

    assert "needs a reason" in _refused(refused, 422)
    assert done.status_code == 302
    assert _fresh(session, desk).status == "cancelled"


def test_assign_to_me_and_to_a_colleague(
    agent_client: FlaskClient, desk: Desk, session: Any
) -> None:
    to_me = _act(agent_client, desk, "assignment", {"assignee": "me"})
    assert _fresh(session, desk).assignee_id == desk.agent.id
    to_bob = _act(agent_client, desk, "assignment", {"assignee": str(desk.colleague.id)})

    assert to_me.status_code == to_bob.status_code == 302
    assert _fresh(session, desk).assignee_id == desk.colleague.id
    html = text(agent_client.get(desk.page))
    assert 'data-testid="assignee">Bob Second<' in html
    assert "Assigned to Bob Second." in html


def test_assigning_someone_who_is_not_an_agent_is_refused(
    agent_client: FlaskClient, desk: Desk, session: Any
) -> None:
    response = _act(agent_client, desk, "assignment", {"assignee": str(desk.contact.id)})

    assert "No helpdesk agent" in _refused(response, 422)
    assert _fresh(session, desk).assignee_id is None


def test_tier_hand_over_with_note(agent_client: FlaskClient, desk: Desk, session: Any) -> None:
    response = _act(
        agent_client, desk, "tier", {"tier": "L2", "handover_note": "Needs routing expertise."}
    )

    assert response.status_code == 302
    assert _fresh(session, desk).tier == "L2"
    assert "Handed over L1 -&gt; L2. Needs routing expertise." in text(agent_client.get(desk.page))


def test_unknown_tier_is_refused(agent_client: FlaskClient, desk: Desk, session: Any) -> None:
    response = _act(agent_client, desk, "tier", {"tier": "L9"})

    assert re.search(r'data-testid="error-tier">Must be one of', _refused(response, 422))
    assert _fresh(session, desk).tier == "L1"


def test_priority_override_with_reason_is_logged(
    agent_client: FlaskClient, desk: Desk, session: Any
) -> None:
    response = _act(
        agent_client,
        desk,
        "priority",
        {"priority": "P2", "priority_reason": "Backup link carries the traffic."},
    )

    assert response.status_code == 302
    ticket = _fresh(session, desk)
    assert (ticket.priority, ticket.priority_overridden) == ("P2", True)
    assert "P1 -&gt; P2: Backup link carries the traffic." in text(agent_client.get(desk.page))


def test_priority_override_without_reason_is_refused_and_changes_nothing(
    agent_client: FlaskClient, desk: Desk, session: Any
) -> None:
    events = _event_count(session, desk)

    response = _act(agent_client, desk, "priority", {"priority": "P3", "priority_reason": " "})

    html = _refused(response, 422)
    assert re.search(r'data-testid="error-priority_reason">Overriding the priority needs', html)
    assert re.search(r'<details open data-testid="priority-box">', html)
    assert _fresh(session, desk).priority == "P1"
    assert _event_count(session, desk) == events


def test_classification_changes_category_and_priority_from_the_matrix(
    agent_client: FlaskClient, desk: Desk, session: Any
) -> None:
    response = _act(
        agent_client,
        desk,
        "classification",
        {"category": "hardware", "impact": "degraded", "urgency": "low"},
    )

    assert response.status_code == 302
    ticket = _fresh(session, desk)
    assert (ticket.category, ticket.impact, ticket.urgency) == ("hardware", "degraded", "low")
    assert ticket.priority == "P3"


def test_classification_of_a_closed_ticket_is_refused(
    agent_client: FlaskClient, desk: Desk, session: Any
) -> None:
    services.change_status(desk.ticket, actor=desk.agent, to="cancelled", reason="x", now=utcnow())
    session.commit()

    response = _act(agent_client, desk, "classification", {"category": "hardware"})

    assert "cannot change" in _refused(response, 409)
    assert _fresh(session, desk).category is None


def test_eta_is_read_in_the_browser_zone_and_shown_with_offset(
    agent_client: FlaskClient, desk: Desk, session: Any
) -> None:
    eta = (datetime.now(UTC) + timedelta(hours=5)).replace(second=0, microsecond=0)
    local = eta.astimezone(ZoneInfo("Europe/Warsaw")).strftime("%Y-%m-%dT%H:%M")

    response = _act(agent_client, desk, "eta", {"eta": local, "tz": "Europe/Warsaw"})

    assert response.status_code == 302
    assert _fresh(session, desk).eta == eta
    html = text(agent_client.get(desk.page))
    assert re.search(r'data-testid="eta">\w{3} \d{2} \w{3} \d{4} \d{2}:\d{2} UTC\+00:00<', html)


def test_eta_in_the_past_is_refused(agent_client: FlaskClient, desk: Desk, session: Any) -> None:
    response = _act(agent_client, desk, "eta", {"eta": "2020-01-01T10:00", "tz": "UTC"})

    assert re.search(r'data-testid="error-eta">Must be in the future', _refused(response, 422))
    assert _fresh(session, desk).eta is None


def test_internal_note_public_reply_and_phone_call(
    agent_client: FlaskClient, desk: Desk, session: Any
) -> None:
    for entry, body in (("note", "Internal idea"), ("reply", "Hello customer"), ("call", "Rang")):
        response = _act(agent_client, desk, "events", {"entry": entry, "body": body})
        assert response.status_code == 302

    logged = {
        e.body: (e.kind, e.public)
        for e in session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == desk.ticket.id))
    }
    assert logged["Internal idea"] == ("comment", False)
    assert logged["Hello customer"] == ("comment", True)
    assert logged["Rang"] == ("phone_call", False)


def test_empty_log_entry_is_refused(agent_client: FlaskClient, desk: Desk, session: Any) -> None:
    events = _event_count(session, desk)

    response = _act(agent_client, desk, "events", {"entry": "note", "body": ""})

    assert re.search(r'data-testid="error-body">Must not be empty', _refused(response, 422))
    assert _event_count(session, desk) == events


def test_log_entry_on_a_cancelled_ticket_is_409(
    agent_client: FlaskClient, desk: Desk, session: Any
) -> None:
    services.change_status(desk.ticket, actor=desk.agent, to="cancelled", reason="x", now=utcnow())
    session.commit()
    # The cancelled page has no log form any more: a stale tab still posts one.
    page = text(agent_client.get(desk.page))
    assert 'data-testid="log-form"' not in page

    response = _act(agent_client, desk, "events", {"entry": "reply", "body": "Late reply"})

    assert "log is closed" in _refused(response, 409)


def test_action_on_a_ticket_that_does_not_exist_is_404(
    agent_client: FlaskClient, desk: Desk
) -> None:
    response = post_form(
        agent_client, desk.page, "/desk/tickets/TT-1999-000001/status", {"to": "acknowledged"}
    )

    assert response.status_code == 404


def test_action_without_csrf_token_is_refused(
    agent_client: FlaskClient, desk: Desk, session: Any
) -> None:
    response = agent_client.post(f"{desk.page}/status", data={"to": "acknowledged"})

    assert response.status_code == 400
    assert _fresh(session, desk).status == "new"
