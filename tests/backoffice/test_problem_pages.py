"""The desk's problem pages: record one (from an incident or as a risk), edit it and move its
status, link and unlink incidents there and from the ticket page; every refusal keeps what
was typed and says why."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from fieldops.clock import utcnow
from fieldops.problems.models import Problem
from fieldops.problems.services import record_problem, update_problem
from fieldops.tickets.models import Ticket
from tests.backoffice.conftest import Desk
from tests.factories import make_current_ticket, make_user
from tests.web.pages import post_form, switch_user, text

NEW = "/desk/problems/new"


def _problem(session: Any, number: str) -> Problem:
    session.expire_all()
    found: Problem = session.scalars(select(Problem).where(Problem.number == number)).one()
    return found


def _created(response: Any) -> str:
    assert response.status_code == 302, text(response)
    found = re.search(r"/desk/problems/(PRB-\d{4}-\d{6})$", response.headers["Location"])
    assert found, response.headers["Location"]
    return found.group(1)


def _reactive(desk: Desk, session: Any, *tickets: Ticket) -> str:
    problem = record_problem(
        actor=desk.agent,
        title="Optics overheat in rack 4",
        kind="reactive",
        now=utcnow(),
        ticket_ids=[t.number for t in (tickets or (desk.ticket,))],
    )
    session.commit()
    return problem.number


def _incidents(html: str) -> list[str]:
    return re.findall(r'data-testid="problem-incident" data-ticket="([^"]+)"', html)


def test_a_proactive_problem_needs_no_incident(
    agent_client: FlaskClient, desk: Desk, session: Any
) -> None:
    response = post_form(
        agent_client,
        NEW,
        NEW,
        {"title": "PSU batch 42 may fail early", "kind": "proactive", "workaround": "Spares."},
    )

    number = _created(response)
    html = text(agent_client.get(f"/desk/problems/{number}"))
    assert f"Problem {number} recorded." in html
    assert "PSU batch 42 may fail early" in html
    assert 'data-testid="problem-status">Investigating<' in html
    assert 'data-testid="no-incidents"' in html
    assert _problem(session, number).workaround == "Spares."


def test_a_reactive_problem_without_incidents_is_refused_keeping_the_input(
    agent_client: FlaskClient, desk: Desk, session: Any
) -> None:
    typed = {"title": "Fibre cuts on the Krakow ring", "kind": "reactive", "description": "Why?"}

    response = post_form(agent_client, NEW, NEW, typed)

    html = text(response)
    assert response.status_code == 422
    assert "Refused (422): A reactive problem links the incidents" in html
    assert 'data-testid="error-ticket_ids"' in html
    assert 'value="Fibre cuts on the Krakow ring"' in html
    assert ">Why?</textarea>" in html
    assert 'value="reactive" data-testid="kind-reactive" checked' in html
    assert session.scalar(select(Problem.id)) is None


def test_missing_title_and_kind_and_an_unknown_ticket_are_named(
    agent_client: FlaskClient, desk: Desk
) -> None:
    empty = post_form(agent_client, NEW, NEW, {"title": "  "})
    unknown = post_form(
        agent_client,
        NEW,
        NEW,
        {"title": "Ring", "kind": "reactive", "ticket_ids": "TT-1999-000001"},
    )

    assert empty.status_code == 422
    assert 'data-testid="error-title"' in text(empty)
    assert 'data-testid="error-kind"' in text(empty)
    assert unknown.status_code == 422
    assert "No ticket TT-1999-000001." in text(unknown)
    assert 'value="TT-1999-000001"' in text(unknown)


def test_new_problem_from_an_incident_links_it(
    agent_client: FlaskClient, desk: Desk, session: Any
) -> None:
    other = make_current_ticket(desk.service, desk.contact, summary="Flap in Krakow again")
    session.commit()
    ticket_page = text(agent_client.get(desk.page))
    assert f'href="/desk/problems/new?ticket={desk.ticket.number}"' in ticket_page

    form = text(agent_client.get(f"{NEW}?ticket={desk.ticket.number}"))
    assert f'value="{desk.ticket.number}"' in form
    assert 'value="reactive" data-testid="kind-reactive" checked' in form
    response = post_form(
        agent_client,
        f"{NEW}?ticket={desk.ticket.number}",
        NEW,
        {
            "title": "Optics overheat",
            "kind": "reactive",
            "ticket_ids": f"{desk.ticket.number.lower()}, {other.number}",
        },
    )

    number = _created(response)
    html = text(agent_client.get(f"/desk/problems/{number}"))
    assert _incidents(html) == sorted([desk.ticket.number, other.number])
    panel = text(agent_client.get(desk.page))
    assert f'data-testid="ticket-problem" data-problem="{number}"' in panel
    assert "Optics overheat" in panel


def test_known_error_needs_a_root_cause_and_workaround(
    agent_client: FlaskClient, desk: Desk, session: Any
) -> None:
    number = _reactive(desk, session)
    page = f"/desk/problems/{number}"
    typed = {"title": "Optics overheat (renamed)", "status": "known_error", "workaround": "Fan"}

    refused = post_form(agent_client, page, page, typed)

    html = text(refused)
    assert refused.status_code == 422
    assert "needs root cause" in html
    assert 'data-testid="error-root_cause"' in html
    assert 'data-testid="error-workaround"' not in html  # given in the same change
    assert 'value="Optics overheat (renamed)"' in html
    assert '<option value="known_error" selected' in html
    assert _problem(session, number).status == "investigating"

    saved = post_form(agent_client, page, page, {**typed, "root_cause": "Blocked airflow."})

    assert saved.status_code == 302
    html = text(agent_client.get(page))
    assert "status known error" in html
    assert 'data-testid="problem-status">Known error<' in html
    problem = _problem(session, number)
    assert (problem.title, problem.root_cause) == ("Optics overheat (renamed)", "Blocked airflow.")


def test_an_illegal_move_is_409_and_a_closed_problem_is_read_only(
    agent_client: FlaskClient, desk: Desk, session: Any
) -> None:
    number = _reactive(desk, session)
    page = f"/desk/problems/{number}"

    illegal = post_form(agent_client, page, page, {"title": "Optics", "status": "closed"})
    assert illegal.status_code == 409
    assert "cannot go from investigating to closed" in text(illegal)

    update_problem(
        actor=desk.agent,
        number=number,
        changes={"status": "resolved", "root_cause": "Airflow", "permanent_fix": "New fans"},
        now=utcnow(),
    )
    update_problem(actor=desk.agent, number=number, changes={"status": "closed"}, now=utcnow())
    session.commit()
    html = text(agent_client.get(page))
    assert 'data-testid="problem-form"' not in html
    assert 'data-testid="link-form"' not in html
    assert "unlink-" not in html
    assert "New fans" in html


def test_link_and_unlink_incidents_on_the_problem_page(
    agent_client: FlaskClient, desk: Desk, session: Any
) -> None:
    number = _reactive(desk, session)
    other = make_current_ticket(desk.service, desk.contact, summary="Second flap")
    session.commit()
    page = f"/desk/problems/{number}"

    linked = post_form(agent_client, page, f"{page}/link", {"ticket_id": other.number})
    assert linked.status_code == 302
    assert _incidents(text(agent_client.get(page))) == [desk.ticket.number, other.number]

    twice = post_form(agent_client, page, f"{page}/link", {"ticket_id": other.number})
    assert twice.status_code == 409
    assert "already linked" in text(twice)
    assert f'value="{other.number}" data-testid="link-ticket"' in text(twice)

    unknown = post_form(agent_client, page, f"{page}/link", {"ticket_id": "TT-1999-000009"})
    assert unknown.status_code == 422
    assert "No ticket TT-1999-000009." in text(unknown)

    unlinked = post_form(agent_client, page, f"{page}/unlink", {"ticket_id": other.number})
    assert unlinked.status_code == 302
    assert _incidents(text(agent_client.get(page))) == [desk.ticket.number]

    last = post_form(agent_client, page, f"{page}/unlink", {"ticket_id": desk.ticket.number})
    assert last.status_code == 409
    assert "keeps at least one incident" in text(last)
    assert _incidents(text(last)) == [desk.ticket.number]


def test_link_from_the_ticket_page_by_number(
    agent_client: FlaskClient, desk: Desk, session: Any
) -> None:
    other = make_current_ticket(desk.service, desk.contact)
    session.commit()
    number = _reactive(desk, session, other)
    action = f"{desk.page}/problems"

    linked = post_form(agent_client, desk.page, action, {"problem": number.lower()})

    assert linked.status_code == 302
    assert linked.headers["Location"].endswith(f"{desk.page}#problems")
    html = text(agent_client.get(desk.page))
    assert f'data-testid="ticket-problem" data-problem="{number}"' in html
    assert 'data-testid="no-problems"' not in html

    unknown = post_form(agent_client, desk.page, action, {"problem": "PRB-1999-000001"})
    html = text(unknown)
    assert unknown.status_code == 422
    assert 'data-testid="error-problem"' in html
    assert "No problem PRB-1999-000001." in html
    assert 'value="PRB-1999-000001"' in html

    twice = post_form(agent_client, desk.page, action, {"problem": number})
    assert twice.status_code == 409
    assert "already linked" in text(twice)


def test_the_list_filters_by_status_and_kind(
    agent_client: FlaskClient, desk: Desk, session: Any
) -> None:
    reactive = _reactive(desk, session)
    risk = record_problem(actor=desk.agent, title="Risk", kind="proactive", now=utcnow())
    session.commit()

    def listed(query: str) -> list[str]:
        html = text(agent_client.get(f"/desk/problems{query}"))
        return re.findall(r'data-testid="problem-row" data-problem="([^"]+)"', html)

    assert sorted(listed("")) == sorted([reactive, risk.number])
    assert listed("?kind=proactive") == [risk.number]
    assert listed("?kind=reactive&status=investigating") == [reactive]
    assert listed("?status=closed") == []
    bad = agent_client.get("/desk/problems?status=lost")
    assert bad.status_code == 422
    assert 'data-testid="error-summary"' in text(bad)


@pytest.mark.parametrize("path", ["/desk/problems/PRB-1999-000001", "/desk/problems/nope"])
def test_an_unknown_problem_is_404(agent_client: FlaskClient, path: str) -> None:
    assert agent_client.get(path).status_code == 404


def test_customers_and_engineers_cannot_reach_a_problem(
    login_as: Any, desk: Desk, session: Any
) -> None:
    number = _reactive(desk, session)
    page = f"/desk/problems/{number}"
    client = login_as(desk.contact)
    assert client.get(page).status_code == 404
    engineer = make_user(role="engineer")
    session.commit()
    assert switch_user(client, engineer).get(page).status_code == 403
