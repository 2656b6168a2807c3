"""The desk's RFO pages: the request on the customer's behalf, the editor's round trip (draft,
review, the four-eyes refusal, publication, read-only), refusals that keep the text, the
worklist's overdue flag, the PDF, the ticket page's RFO panel, and who may not see them."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from fieldops.accounts.models import User
from fieldops.clock import utcnow
from fieldops.documents.models import Rfo
from fieldops.problems.services import record_problem
from fieldops.tickets.services import change_status
from tests.backoffice.conftest import Desk
from tests.documents.pdf_text import flat, pdf_text
from tests.factories import PRIORITY_INPUT, make_current_ticket, make_user
from tests.web.pages import post_form, switch_user, text

SECTIONS = {
    "summary": "A power supply failed in the Krakow PoP router.",
    "impact": "IP transit down for 2 h 10 min at one site.",
    "root_cause": "A failing PSU fan overheated the unit.",
    "resolution": "The PSU was replaced on site; traffic restored.",
    "preventive_actions": "Fan telemetry alarms added fleet-wide.",
}


@pytest.fixture
def resolved(desk: Desk, session: Any) -> Desk:
    """The desk's P1 ticket, resolved: an RFO may be asked for."""
    change_status(desk.ticket, actor=desk.agent, to="resolved", note="PSU replaced.", now=utcnow())
    session.commit()
    return desk


def _editor(desk: Desk) -> str:
    return f"{desk.page}/rfo"


def _rfo(session: Any, desk: Desk) -> Rfo:
    session.expire_all()
    found: Rfo = session.scalars(select(Rfo).where(Rfo.ticket_id == desk.ticket.id)).one()
    return found


def _request(client: FlaskClient, desk: Desk) -> Any:
    return post_form(client, desk.page, f"{desk.page}/rfo/request", {})


def _edit(client: FlaskClient, desk: Desk, status: str, **sections: str) -> Any:
    data = {"problem_id": "", **sections, "status": status}
    return post_form(client, _editor(desk), _editor(desk), data)


def test_the_desk_requests_an_rfo_for_the_customer_and_lands_in_the_editor(
    agent_client: FlaskClient, resolved: Desk, session: Any
) -> None:
    page = text(agent_client.get(resolved.page))
    assert 'data-testid="rfo-request"' in page

    response = _request(agent_client, resolved)

    assert response.status_code == 302
    assert response.headers["Location"].endswith(_editor(resolved))
    editor = agent_client.get(_editor(resolved))
    html = text(editor)
    assert editor.status_code == 200
    assert "RFO requested on the customer&#39;s behalf" in html
    assert 'data-testid="status">Requested<' in html
    assert _rfo(session, resolved).requested_by_id == resolved.agent.id
    # The timeline is the public work log, read-only: the resolution note is on it.
    timeline = re.search(r'data-testid="rfo-timeline".*?</ol>', html, re.S)
    assert timeline
    assert "PSU replaced." in timeline.group(0)
    assert "Reason For Outage report requested." in timeline.group(0)


def test_round_trip_draft_review_refused_self_publish_then_a_manager_publishes(
    agent_client: FlaskClient, resolved: Desk, session: Any
) -> None:
    assert _request(agent_client, resolved).status_code == 302

    draft = _edit(agent_client, resolved, "draft", summary=SECTIONS["summary"])
    assert draft.status_code == 302
    html = text(agent_client.get(_editor(resolved)))
    assert "Draft saved." in html
    assert 'data-testid="status">Draft<' in html
    assert SECTIONS["summary"] in html

    review = _edit(agent_client, resolved, "in_review", **SECTIONS)
    assert review.status_code == 302
    html = text(agent_client.get(_editor(resolved)))
    assert 'data-testid="status">In review<' in html
    assert 'data-testid="rfo-publish"' in html
    assert 'data-testid="rfo-back-to-draft"' in html
    assert 'data-testid="rfo-review"' not in html

    edited = {**SECTIONS, "summary": "A PSU failed in the Krakow PoP router (edited)."}
    refused = _edit(agent_client, resolved, "published", **edited)
    html = text(refused)
    assert refused.status_code == 409
    assert "Refused (409)" in html
    assert "someone other than who last wrote it" in html
    assert "You wrote or sent this version to review." in html  # next to the buttons
    assert "(edited)" in html  # what was typed is kept
    assert _rfo(session, resolved).status == "in_review"
    assert _rfo(session, resolved).summary == SECTIONS["summary"]

    manager = make_user(role="manager", name="Max Manager")
    session.commit()
    client = switch_user(agent_client, manager)
    # A reviewer who rewrites the text answers for it: someone else must publish that.
    rewritten = _edit(client, resolved, "published", **edited)
    assert rewritten.status_code == 409
    assert "(edited)" in text(rewritten)
    published = _edit(client, resolved, "published", **SECTIONS)
    assert published.status_code == 302
    html = text(client.get(_editor(resolved)))
    assert "Published: the customer can now download the RFO." in html
    assert 'data-testid="status">Published<' in html
    assert 'data-testid="rfo-form"' not in html  # read-only
    assert 'data-testid="rfo-sections"' in html
    assert SECTIONS["summary"] in html
    rfo = _rfo(session, resolved)
    assert (rfo.status, rfo.published_by_id) == ("published", manager.id)

    again = _edit(client, resolved, "draft", **SECTIONS)
    assert again.status_code == 409
    assert "can no longer change" in text(again)
    assert _rfo(session, resolved).status == "published"


def test_a_reviewer_sends_it_back_to_draft(
    agent_client: FlaskClient, resolved: Desk, session: Any
) -> None:
    _request(agent_client, resolved)
    _edit(agent_client, resolved, "in_review", **SECTIONS)

    back = post_form(
        agent_client,
        _editor(resolved),
        _editor(resolved),
        {**SECTIONS, "problem_id": "", "current": "in_review", "status": "draft"},
    )

    assert back.status_code == 302
    assert "Sent back to draft." in text(agent_client.get(_editor(resolved)))
    assert _rfo(session, resolved).status == "draft"


def test_going_to_review_with_empty_sections_is_422_and_keeps_the_text(
    agent_client: FlaskClient, resolved: Desk, session: Any
) -> None:
    _request(agent_client, resolved)
    typed = {"summary": "Half written summary.", "impact": "Some impact.\nSecond line."}

    response = _edit(agent_client, resolved, "in_review", **typed)

    html = text(response)
    assert response.status_code == 422
    assert "Refused (422): Write every section first" in html
    for missing in ("root_cause", "resolution", "preventive_actions"):
        assert f'data-testid="error-{missing}"' in html
    assert 'data-testid="error-summary"' not in html
    assert "Half written summary." in html
    assert "Some impact.\nSecond line." in html
    rfo = _rfo(session, resolved)
    assert (rfo.status, rfo.summary) == ("requested", "")


def test_citing_a_problem_links_the_incident(
    agent_client: FlaskClient, resolved: Desk, session: Any
) -> None:
    problem = record_problem(
        actor=resolved.agent, title="PSU fans fail early", kind="proactive", now=utcnow()
    )
    session.commit()
    _request(agent_client, resolved)
    editor = text(agent_client.get(_editor(resolved)))
    assert f'<option value="{problem.number}"' in editor

    response = _edit(
        agent_client, resolved, "draft", summary="Cites it.", problem_id=problem.number
    )

    assert response.status_code == 302
    html = text(agent_client.get(_editor(resolved)))
    assert f'<option value="{problem.number}" selected' in html
    ticket_page = text(agent_client.get(resolved.page))
    assert f'data-problem="{problem.number}"' in ticket_page

    unknown = _edit(agent_client, resolved, "draft", summary="x", problem_id="PRB-1999-000001")
    assert unknown.status_code == 422
    assert 'data-testid="error-problem_id"' in text(unknown)


def test_the_worklist_flags_an_overdue_rfo(
    agent_client: FlaskClient, resolved: Desk, session: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _request(agent_client, resolved)
    on_time = text(agent_client.get("/desk/rfos"))
    number = resolved.ticket.number
    row = re.search(rf'<tr data-testid="rfo-row" data-ticket="{number}".*?</tr>', on_time, re.S)
    assert row
    assert 'data-overdue="no"' in row.group(0)
    assert 'data-testid="rfo-left"' in row.group(0)
    assert f'href="/desk/tickets/{resolved.ticket.number}/rfo"' in row.group(0)
    assert 'data-testid="nav-rfos-overdue"' not in on_time

    later = utcnow() + timedelta(days=30)
    monkeypatch.setattr("fieldops.backoffice.rfos.utcnow", lambda: later)
    monkeypatch.setattr("fieldops.backoffice.tickets.utcnow", lambda: later)
    late = text(agent_client.get("/desk/rfos"))

    row = re.search(r'<tr data-testid="rfo-row".*?</tr>', late, re.S)
    assert row
    assert 'data-overdue="yes"' in row.group(0)
    assert ">Overdue</span>" in row.group(0)  # in words, not colour alone
    assert "1 overdue</span>" in late  # the nav badge
    assert resolved.ticket.number in text(agent_client.get("/desk/rfos?overdue=yes"))
    assert resolved.ticket.number not in text(agent_client.get("/desk/rfos?overdue=no"))
    assert resolved.ticket.number not in text(agent_client.get("/desk/rfos?status=published"))
    assert resolved.ticket.number in text(agent_client.get("/desk/rfos?status=requested"))
    assert 'data-testid="rfo-overdue"' in text(agent_client.get(_editor(resolved)))
    assert 'data-testid="rfo-overdue"' in text(agent_client.get(resolved.page))


def test_a_bad_worklist_filter_is_explained(agent_client: FlaskClient) -> None:
    response = agent_client.get("/desk/rfos?status=lost&overdue=maybe")

    assert response.status_code == 422
    assert 'data-testid="error-summary"' in text(response)
    assert "Must be yes or no." in text(response)


def test_the_rfo_pdf_is_a_pdf_of_that_ticket(
    agent_client: FlaskClient, resolved: Desk, session: Any
) -> None:
    _request(agent_client, resolved)
    _edit(agent_client, resolved, "draft", **SECTIONS)
    editor = text(agent_client.get(_editor(resolved)))
    assert f'href="/desk/tickets/{resolved.ticket.number}/rfo.pdf"' in editor

    response = agent_client.get(f"{_editor(resolved)}.pdf?paper=letter")

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert f"RFO-{resolved.ticket.number}.pdf" in response.headers["Content-Disposition"]
    printed = flat(pdf_text(response.get_data()))
    assert resolved.ticket.number in printed
    assert "Fan telemetry alarms added fleet-wide." in printed


def test_no_rfo_yet_means_no_editor_and_no_pdf(agent_client: FlaskClient, resolved: Desk) -> None:
    assert agent_client.get(_editor(resolved)).status_code == 404
    assert agent_client.get(f"{_editor(resolved)}.pdf").status_code == 404


def test_ticket_page_rfo_panel_follows_the_rfo(
    agent_client: FlaskClient, resolved: Desk, session: Any
) -> None:
    _request(agent_client, resolved)

    html = text(agent_client.get(resolved.page))

    panel = re.search(r'data-testid="rfo-panel".*?</section>', html, re.S)
    assert panel
    assert 'data-testid="rfo-request"' not in panel.group(0)
    assert ">Requested<" in panel.group(0)
    assert 'data-testid="rfo-due"' in panel.group(0)
    assert f'href="/desk/tickets/{resolved.ticket.number}/rfo"' in panel.group(0)

    twice = _request(agent_client, resolved)
    assert twice.status_code == 409
    assert "has already been requested" in text(twice)
    assert 'data-testid="rfo-error"' in text(twice)


def test_an_open_or_low_priority_ticket_offers_no_rfo(
    agent_client: FlaskClient, desk: Desk, session: Any
) -> None:
    assert 'data-testid="rfo-panel"' not in text(agent_client.get(desk.page))
    p3 = make_current_ticket(desk.service, desk.contact, **PRIORITY_INPUT["P3"])
    change_status(p3, actor=desk.agent, to="resolved", now=utcnow())
    session.commit()
    page = f"/desk/tickets/{p3.number}"
    assert 'data-testid="rfo-request"' not in text(agent_client.get(page))

    refused = post_form(agent_client, page, f"{page}/rfo/request", {})

    assert refused.status_code == 409
    assert "P1 and P2" in text(refused)


DESK_PAGES = ("/desk/rfos", "/desk/problems", "/desk/problems/new")


def _paths(desk: Desk) -> list[str]:
    return [*DESK_PAGES, _editor(desk), f"{_editor(desk)}.pdf"]


def test_customers_get_404_everywhere(
    login_as: Callable[[User], FlaskClient], resolved: Desk
) -> None:
    client = login_as(resolved.contact)
    for path in _paths(resolved):
        assert client.get(path).status_code == 404, path


@pytest.mark.parametrize("role", ["engineer", "dispatcher", "stock_manager"])
def test_other_staff_are_told_the_desk_is_not_theirs(
    login_as: Callable[[User], FlaskClient], resolved: Desk, session: Any, role: str
) -> None:
    client = login_as(make_user(role=role))
    for path in _paths(resolved):
        response = client.get(path)
        assert response.status_code == 403, path
        assert "The helpdesk desk is for agents" in text(response)


def test_anonymous_visitors_are_sent_to_log_in(client: FlaskClient, resolved: Desk) -> None:
    for path in _paths(resolved):
        response = client.get(path)
        assert response.status_code == 302, path
        assert "/login" in response.headers["Location"]


def test_the_nav_links_rfos_and_problems(agent_client: FlaskClient) -> None:
    html = text(agent_client.get("/desk/tickets"))

    assert re.search(r'href="/desk/rfos" data-testid="nav-rfos"', html)
    assert re.search(r'href="/desk/problems" data-testid="nav-problems"', html)
