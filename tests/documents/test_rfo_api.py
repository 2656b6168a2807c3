"""/tickets/{id}/rfo and /rfos: a customer asks for the RFO of a resolved P1/P2 incident; the
desk drafts, reviews (a second person) and publishes it; only then does the customer see it
and its PDF; late ones are flagged by the sweep. And every refusal on the way."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from fieldops.accounts.models import User
from fieldops.db import db
from fieldops.documents.tasks import run_rfo_sweep
from fieldops.outbox import OutboxMessage
from fieldops.tickets.services import add_event, change_status
from tests.api.conftest import API, assert_error
from tests.documents.pdf_text import flat, page_sizes, pdf_text
from tests.factories import (
    CALENDAR_BUSINESS,
    DEFAULT_NOW,
    PRIORITY_INPUT,
    make_contact,
    make_service,
    make_sla_plan,
    make_ticket,
    make_user,
)

Api = Callable[[User], Any]
# Friday 20 Nov 2026, 13:00 Warsaw: the ticket was resolved on Wednesday.
ASKED = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
# The close of the 5th working day after Friday: Mon..Fri 27 Nov, 17:00 CET.
DUE = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)
SECTIONS = {
    "summary": "A power supply failed in the Warsaw PoP router.",
    "impact": "IP transit down for 2 h 10 min at one site.",
    "root_cause": "A failing PSU fan overheated the unit.",
    "resolution": "The PSU was replaced on site; traffic restored.",
    "preventive_actions": "Fan telemetry alarms added fleet-wide.",
}


class Desk:
    def __init__(self, session: Any, priority: str = "P1", resolved: bool = True) -> None:
        plan = make_sla_plan(calendar=CALENDAR_BUSINESS)
        self.service = make_service(plan=plan)
        self.contact = make_contact(self.service.customer, name="Alice Contact")
        self.other_contact = make_contact(make_service().customer)
        self.agent = make_user(role="agent", name="Agnes Agent")
        self.reviewer = make_user(role="manager", name="Max Manager")
        self.dispatcher = make_user(role="dispatcher")
        ticket = make_ticket(self.service, self.contact, **PRIORITY_INPUT[priority])
        add_event(
            ticket,
            actor=self.agent,
            kind="comment",
            body="Engineer dispatched with a PSU.",
            public=True,
            now=DEFAULT_NOW + timedelta(minutes=20),
        )
        add_event(
            ticket,
            actor=self.agent,
            kind="comment",
            body="Internal: vendor case 4411.",
            public=False,
            now=DEFAULT_NOW + timedelta(minutes=25),
        )
        if resolved:
            change_status(
                ticket,
                actor=self.agent,
                to="resolved",
                now=DEFAULT_NOW + timedelta(hours=2),
                note="PSU replaced.",
            )
        self.ticket = ticket.number
        session.commit()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[datetime], None]:
    def _set(at: datetime) -> None:
        monkeypatch.setattr("fieldops.api.rfos.utcnow", lambda: at)

    _set(ASKED)
    return _set


@pytest.fixture
def desk(session: Any, clock: Any) -> Desk:
    return Desk(session)


def _rfo(api: Any, ticket: str) -> dict[str, Any]:
    response = api.get(f"{API}/tickets/{ticket}/rfo")
    assert response.status_code == 200, response.get_data(as_text=True)
    return dict(response.get_json())


def _patch(api: Any, ticket: str, **body: Any) -> Any:
    return api.patch(f"{API}/tickets/{ticket}/rfo", json=body)


def _published(api_as: Api, desk: Desk) -> None:
    assert api_as(desk.contact).post(f"{API}/tickets/{desk.ticket}/rfo").status_code == 201
    assert (
        _patch(api_as(desk.agent), desk.ticket, status="in_review", **SECTIONS).status_code == 200
    )
    assert _patch(api_as(desk.reviewer), desk.ticket, status="published").status_code == 200


def test_a_customer_asks_for_an_rfo_due_in_five_working_days(api_as: Api, desk: Desk) -> None:
    response = api_as(desk.contact).post(f"{API}/tickets/{desk.ticket}/rfo")
    assert response.status_code == 201, response.get_data(as_text=True)
    rfo = response.get_json()
    assert rfo["status"] == "requested"
    assert datetime.fromisoformat(rfo["requested_at"]) == ASKED
    assert datetime.fromisoformat(rfo["due_at"]) == DUE
    assert rfo["overdue"] is False
    # The customer sees that it is coming, not what is being written.
    assert rfo["summary"] is None
    assert rfo["timeline"] == []
    events = api_as(desk.contact).get(f"{API}/tickets/{desk.ticket}/events").get_json()["items"]
    assert any(e["kind"] == "rfo" and "requested" in e["body"] for e in events)


@pytest.mark.parametrize(("priority", "resolved"), [("P3", True), ("P1", False)])
def test_only_a_resolved_p1_or_p2_gets_one(
    api_as: Api, session: Any, clock: Any, priority: str, resolved: bool
) -> None:
    desk = Desk(session, priority=priority, resolved=resolved)
    response = api_as(desk.contact).post(f"{API}/tickets/{desk.ticket}/rfo")
    body = assert_error(response, 409, "conflict")
    assert ("P1 and P2" if priority == "P3" else "resolved") in body["message"]
    assert api_as(desk.agent).get(f"{API}/tickets/{desk.ticket}/rfo").status_code == 404


def test_asking_twice_is_a_conflict_and_strangers_see_nothing(api_as: Api, desk: Desk) -> None:
    assert api_as(desk.contact).post(f"{API}/tickets/{desk.ticket}/rfo").status_code == 201
    assert_error(api_as(desk.agent).post(f"{API}/tickets/{desk.ticket}/rfo"), 409, "conflict")
    for stranger in (desk.other_contact, desk.dispatcher):
        api = api_as(stranger)
        assert_error(api.get(f"{API}/tickets/{desk.ticket}/rfo"), 404, "not_found")
        assert_error(api.post(f"{API}/tickets/{desk.ticket}/rfo"), 404, "not_found")
        assert_error(api.get(f"{API}/tickets/{desk.ticket}/rfo.pdf"), 404, "not_found")
    assert_error(api_as(desk.contact).get(f"{API}/rfos"), 404, "not_found")


def test_the_desk_drafts_reviews_and_a_second_person_publishes(api_as: Api, desk: Desk) -> None:
    contact, agent, reviewer = api_as(desk.contact), api_as(desk.agent), api_as(desk.reviewer)
    assert contact.post(f"{API}/tickets/{desk.ticket}/rfo").status_code == 201
    # The first edit makes it a draft.
    response = _patch(agent, desk.ticket, summary=SECTIONS["summary"])
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["status"] == "draft"
    # Review needs every section: the refusal names the empty ones and changes nothing.
    body = assert_error(
        _patch(agent, desk.ticket, status="in_review", impact="Down."),
        422,
        "validation_error",
        "root_cause",
        "resolution",
        "preventive_actions",
    )
    assert "impact" not in body["errors"]
    assert _rfo(agent, desk.ticket)["impact"] == ""
    # Skipping review is not a move.
    assert_error(_patch(agent, desk.ticket, status="published", **SECTIONS), 409, "conflict")
    assert _patch(agent, desk.ticket, status="in_review", **SECTIONS).status_code == 200
    # Whoever sent it to review does not publish it.
    assert_error(_patch(agent, desk.ticket, status="published"), 409, "conflict", "status")
    assert _rfo(contact, desk.ticket)["summary"] is None
    # A reviewer who rewrites a section answers for it: someone else publishes that.
    rewrite = _patch(reviewer, desk.ticket, impact="Down for 2 h 10 min.", status="published")
    assert_error(rewrite, 409, "conflict", "status")
    assert _patch(reviewer, desk.ticket, impact="Down for 2 h 10 min.").status_code == 200
    assert_error(_patch(reviewer, desk.ticket, status="published"), 409, "conflict")
    # Sent back, fixed, reviewed again, published by the reviewer.
    assert _patch(reviewer, desk.ticket, status="draft").get_json()["status"] == "draft"
    back = _patch(agent, desk.ticket, status="in_review", impact=SECTIONS["impact"])
    assert back.status_code == 200
    published = _patch(reviewer, desk.ticket, status="published")
    assert published.status_code == 200, published.get_data(as_text=True)
    rfo = _rfo(contact, desk.ticket)
    assert rfo["status"] == "published"
    [notice] = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.template == "rfo_published")
    ).all()
    assert notice.to_addresses == [desk.contact.email]
    assert desk.ticket in notice.subject
    assert "Reason For Outage report" in notice.body_text
    assert {name: rfo[name] for name in SECTIONS} == SECTIONS
    bodies = [entry["body"] for entry in rfo["timeline"]]
    assert "Engineer dispatched with a PSU." in bodies
    assert "Internal: vendor case 4411." not in bodies  # the timeline is the public log
    # Published is final; customers never write.
    assert_error(_patch(reviewer, desk.ticket, summary="Changed."), 409, "conflict")
    response = _patch(contact, desk.ticket, summary="Mine now.")
    assert_error(response, 403, "forbidden")


def test_bad_patches_are_422_naming_the_field(api_as: Api, desk: Desk) -> None:
    agent = api_as(desk.agent)
    assert api_as(desk.contact).post(f"{API}/tickets/{desk.ticket}/rfo").status_code == 201
    assert_error(_patch(agent, desk.ticket, status="done"), 422, "validation_error", "status")
    assert_error(
        _patch(agent, desk.ticket, summary="x" * 20_001), 422, "validation_error", "summary"
    )
    assert_error(
        _patch(agent, desk.ticket, problem_id="PRB-2026-999999"),
        422,
        "validation_error",
        "problem_id",
    )
    assert _rfo(agent, desk.ticket)["status"] == "requested"


def test_the_published_timeline_stays_as_the_customer_got_it(
    api_as: Api, desk: Desk, session: Any
) -> None:
    _published(api_as, desk)
    before = _rfo(api_as(desk.contact), desk.ticket)["timeline"]
    comment = {"kind": "comment", "body": "Thanks for the report.", "public": True}
    posted = api_as(desk.contact).post(f"{API}/tickets/{desk.ticket}/events", json=comment)
    assert posted.status_code == 201, posted.get_data(as_text=True)
    assert _rfo(api_as(desk.contact), desk.ticket)["timeline"] == before


def test_the_rfo_pdf_is_the_customers_only_once_published(api_as: Api, desk: Desk) -> None:
    contact, agent = api_as(desk.contact), api_as(desk.agent)
    assert contact.post(f"{API}/tickets/{desk.ticket}/rfo").status_code == 201
    assert _patch(agent, desk.ticket, status="in_review", **SECTIONS).status_code == 200
    assert_error(contact.get(f"{API}/tickets/{desk.ticket}/rfo.pdf"), 404, "not_found")
    draft = agent.get(f"{API}/tickets/{desk.ticket}/rfo.pdf")
    assert draft.status_code == 200
    assert draft.mimetype == "application/pdf"
    assert "DRAFT" in pdf_text(draft.data)

    assert _patch(api_as(desk.reviewer), desk.ticket, status="published").status_code == 200
    response = contact.get(f"{API}/tickets/{desk.ticket}/rfo.pdf?paper=letter")
    assert response.status_code == 200, response.get_data(as_text=True)
    text = flat(pdf_text(response.data))
    assert desk.ticket in text
    assert "DRAFT" not in text
    for section in SECTIONS.values():
        assert section in text
    assert "Engineer dispatched with a PSU." in text
    assert "vendor case 4411" not in text
    assert set(page_sizes(response.data)) == {(612, 792)}
    assert_error(
        contact.get(f"{API}/tickets/{desk.ticket}/rfo.pdf?paper=a5"),
        422,
        "validation_error",
        "paper",
    )


def test_the_sweep_flags_late_rfos_once(api_as: Api, desk: Desk, clock: Any) -> None:
    agent = api_as(desk.agent)
    assert api_as(desk.contact).post(f"{API}/tickets/{desk.ticket}/rfo").status_code == 201
    assert run_rfo_sweep(DUE - timedelta(minutes=1)) == 0
    assert run_rfo_sweep(DUE) == 1
    assert run_rfo_sweep(DUE + timedelta(hours=1)) == 0
    assert run_rfo_sweep(DUE - timedelta(minutes=1)) == 0  # an earlier instant changes nothing
    clock(DUE + timedelta(minutes=5))
    assert _rfo(agent, desk.ticket)["overdue"] is True
    late = agent.get(f"{API}/rfos?overdue=true").get_json()
    assert [item["ticket_id"] for item in late["items"]] == [desk.ticket]
    assert agent.get(f"{API}/rfos?overdue=false").get_json()["total"] == 0
    events = agent.get(f"{API}/tickets/{desk.ticket}/events").get_json()["items"]
    assert sum("RFO overdue" in e["body"] for e in events) == 1
    customer_events = api_as(desk.contact).get(f"{API}/tickets/{desk.ticket}/events").get_json()
    assert not any("overdue" in e["body"] for e in customer_events["items"])


def test_citing_a_problem_links_the_incident(api_as: Api, desk: Desk) -> None:
    agent = api_as(desk.agent)
    problem = agent.post(
        f"{API}/problems",
        json={"title": "PSU fans fail early", "kind": "proactive", "root_cause": "Fan batch 7."},
    ).get_json()
    assert api_as(desk.contact).post(f"{API}/tickets/{desk.ticket}/rfo").status_code == 201
    response = _patch(agent, desk.ticket, problem_id=problem["id"])
    assert response.get_json()["problem_id"] == problem["id"]
    linked = agent.get(f"{API}/problems/{problem['id']}").get_json()["incidents"]
    assert [i["ticket_id"] for i in linked] == [desk.ticket]
