"""/problems: the desk records problems, reactive (from incidents) or proactive (a risk),
moves them to known error and resolved as the cause, workaround and fix are found, and links
incidents; refusals name what is missing, and no one outside the desk sees any of it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from fieldops.accounts.models import User
from tests.api.conftest import API, assert_error
from tests.factories import make_contact, make_service, make_ticket, make_user

Api = Callable[[User], Any]


class Desk:
    def __init__(self, session: Any) -> None:
        service = make_service()
        self.contact = make_contact(service.customer)
        self.agent = make_user(role="agent")
        self.dispatcher = make_user(role="dispatcher")
        self.first = make_ticket(service, self.contact).number
        self.second = make_ticket(service, self.contact).number
        session.commit()


@pytest.fixture
def desk(session: Any) -> Desk:
    return Desk(session)


def _create(api: Any, **body: Any) -> Any:
    return api.post(f"{API}/problems", json=body)


def test_a_reactive_problem_links_its_incidents_and_moves_on(api_as: Api, desk: Desk) -> None:
    agent = api_as(desk.agent)
    response = _create(
        agent, title="BGP flaps at WAW PoP", kind="reactive", ticket_ids=[desk.first, desk.second]
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    problem = response.get_json()
    assert problem["id"].startswith("PRB-2026-")
    assert problem["status"] == "investigating"
    assert [i["ticket_id"] for i in problem["incidents"]] == [desk.first, desk.second]
    number = problem["id"]

    # A known error needs its cause and a workaround; the refusal names both and keeps all.
    body = assert_error(
        agent.patch(f"{API}/problems/{number}", json={"status": "known_error"}),
        422,
        "validation_error",
        "root_cause",
        "workaround",
    )
    assert "known error" in body["message"]
    moved = agent.patch(
        f"{API}/problems/{number}",
        json={"status": "known_error", "root_cause": "Optic at -28 dBm", "workaround": "Reseat"},
    )
    assert moved.get_json()["status"] == "known_error"
    assert_error(
        agent.patch(f"{API}/problems/{number}", json={"status": "closed"}), 409, "conflict"
    )
    assert_error(
        agent.patch(f"{API}/problems/{number}", json={"status": "resolved"}),
        422,
        "validation_error",
        "permanent_fix",
    )
    done = agent.patch(
        f"{API}/problems/{number}", json={"status": "resolved", "permanent_fix": "New optics"}
    ).get_json()
    assert done["status"] == "resolved"
    assert done["resolved_at"]
    closed = agent.patch(f"{API}/problems/{number}", json={"status": "closed"}).get_json()
    assert closed["closed_at"]
    assert_error(agent.patch(f"{API}/problems/{number}", json={"title": "x"}), 409, "conflict")
    # The incidents' own logs tell the desk about the link.
    events = agent.get(f"{API}/tickets/{desk.first}/events").get_json()["items"]
    assert any(e["kind"] == "problem" and number in e["body"] and not e["public"] for e in events)


def test_a_reactive_problem_needs_an_incident_a_proactive_one_does_not(
    api_as: Api, desk: Desk
) -> None:
    agent = api_as(desk.agent)
    assert_error(
        _create(agent, title="Flaps", kind="reactive"), 422, "validation_error", "ticket_ids"
    )
    assert_error(
        _create(agent, title="Flaps", kind="reactive", ticket_ids=["TT-2026-999999"]),
        422,
        "validation_error",
        "ticket_ids",
    )
    assert_error(_create(agent, title="", kind="proactive"), 422, "validation_error", "title")
    assert_error(_create(agent, title="X", kind="vague"), 422, "validation_error", "kind")
    assert agent.get(f"{API}/problems").get_json()["total"] == 0
    risk = _create(agent, title="Fan batch 7 may fail early", kind="proactive")
    assert risk.status_code == 201
    assert risk.get_json()["incidents"] == []


def test_incidents_are_linked_and_unlinked(api_as: Api, desk: Desk) -> None:
    agent = api_as(desk.agent)
    number = _create(agent, title="Flaps", kind="reactive", ticket_ids=[desk.first]).get_json()[
        "id"
    ]
    linked = agent.post(f"{API}/problems/{number}/tickets", json={"ticket_id": desk.second})
    assert linked.status_code == 201
    assert_error(
        agent.post(f"{API}/problems/{number}/tickets", json={"ticket_id": desk.second}),
        409,
        "conflict",
    )
    assert agent.get(f"{API}/problems?ticket_id={desk.second}").get_json()["total"] == 1
    assert agent.delete(f"{API}/problems/{number}/tickets/{desk.second}").status_code == 200
    # The last incident of a reactive problem stays.
    assert_error(agent.delete(f"{API}/problems/{number}/tickets/{desk.first}"), 409, "conflict")
    assert_error(agent.delete(f"{API}/problems/{number}/tickets/{desk.second}"), 404, "not_found")


def test_no_one_outside_the_desk_sees_problems(api_as: Api, desk: Desk) -> None:
    agent = api_as(desk.agent)
    number = _create(agent, title="Flaps", kind="reactive", ticket_ids=[desk.first]).get_json()[
        "id"
    ]
    for outsider in (desk.contact, desk.dispatcher):
        api = api_as(outsider)
        assert_error(api.get(f"{API}/problems"), 404, "not_found")
        assert_error(api.get(f"{API}/problems/{number}"), 404, "not_found")
        assert_error(_create(api, title="Mine", kind="proactive"), 404, "not_found")
    assert_error(agent.get(f"{API}/problems/PRB-2026-999999"), 404, "not_found")
