"""Working a ticket through the API: transitions, confirmation, the work log, triage, lists."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from fieldops.accounts.models import User
from fieldops.clock import utcnow
from fieldops.tickets.models import Ticket, TicketEvent
from tests.api.conftest import API, Opener, World, assert_error
from tests.factories import DEFAULT_NOW, make_service, make_ticket, make_user

Api = Callable[[User], Any]


@pytest.fixture
def ticket(world: World, open_via_api: Opener) -> dict[str, Any]:
    """A new P1 ticket of customer A, opened by their contact."""
    return open_via_api(world.contact_a, world.service_a)


def _move(api: Any, number: str, to: str, **extra: Any) -> Any:
    return api.post(f"{API}/tickets/{number}/transitions", json={"to": to, **extra})


def _status(api: Any, number: str) -> str:
    return str(api.get(f"{API}/tickets/{number}").get_json()["status"])


def _event_count(session: Any) -> int:
    return session.scalar(select(func.count(TicketEvent.id))) or 0


def _resolved(api_as: Api, world: World, number: str) -> None:
    desk = api_as(world.agent)
    assert _move(desk, number, "in_progress").status_code == 200
    assert _move(desk, number, "resolved", note="Replaced the optic.").status_code == 200


# --- transitions ---------------------------------------------------------------------------


def test_an_allowed_move_is_200_with_the_updated_ticket(
    api_as: Api, world: World, ticket: dict[str, Any]
) -> None:
    response = _move(api_as(world.agent), ticket["id"], "acknowledged", note="On it.")
    assert response.status_code == 200
    body = response.get_json()
    assert body["id"] == ticket["id"]
    assert body["status"] == "acknowledged"
    assert _status(api_as(world.contact_a), ticket["id"]) == "acknowledged"
    events = api_as(world.contact_a).get(f"{API}/tickets/{ticket['id']}/events").get_json()
    change = events["items"][-1]
    assert change["kind"] == "status_change"
    assert change["body"] == "On it."
    assert change["public"] is True


def test_the_whole_happy_path_through_the_api(
    api_as: Api, world: World, ticket: dict[str, Any]
) -> None:
    desk, customer = api_as(world.agent), api_as(world.contact_a)
    number = ticket["id"]
    for to in ("acknowledged", "in_progress", "resolved"):
        assert _move(desk, number, to).get_json()["status"] == to
    confirmed = customer.post(f"{API}/tickets/{number}/confirmation", json={"accept": True})
    assert confirmed.status_code == 200
    assert confirmed.get_json()["status"] == "closed"


@pytest.mark.parametrize(
    ("setup", "to"),
    [
        ((), "closed"),
        ((), "new"),
        (("in_progress",), "acknowledged"),
        (("in_progress", "resolved"), "pending_customer"),
        (("in_progress", "resolved"), "cancelled"),
    ],
)
def test_an_illegal_move_is_409_and_changes_nothing(
    api_as: Api,
    world: World,
    ticket: dict[str, Any],
    session: Any,
    setup: tuple[str, ...],
    to: str,
) -> None:
    desk = api_as(world.agent)
    for step in setup:
        assert _move(desk, ticket["id"], step).status_code == 200
    before = desk.get(f"{API}/tickets/{ticket['id']}").get_json()
    events = _event_count(session)
    response = _move(desk, ticket["id"], to, reason="waiting_customer_info")
    error = assert_error(response, 409, "conflict", "to")
    assert to in error["message"]
    after = desk.get(f"{API}/tickets/{ticket['id']}").get_json()
    assert after == before
    assert _event_count(session) == events


def test_nothing_moves_a_cancelled_ticket(
    api_as: Api, world: World, ticket: dict[str, Any]
) -> None:
    desk = api_as(world.agent)
    assert _move(desk, ticket["id"], "cancelled", reason="Duplicate of another.").status_code == 200
    for to in ("new", "in_progress", "resolved", "closed"):
        assert_error(_move(desk, ticket["id"], to, reason="x"), 409, "conflict")
    assert _status(desk, ticket["id"]) == "cancelled"


@pytest.mark.parametrize(
    ("to", "reason"),
    [
        ("pending_customer", ...),
        ("pending_customer", ""),
        ("pending_customer", None),
        ("pending_third_party", "the carrier is slow"),
        ("cancelled", ...),
        ("cancelled", "   "),
    ],
)
def test_a_missing_or_bad_reason_is_422_naming_reason(
    api_as: Api, world: World, ticket: dict[str, Any], to: str, reason: Any
) -> None:
    desk = api_as(world.agent)
    extra = {} if reason is ... else {"reason": reason}
    assert_error(_move(desk, ticket["id"], to, **extra), 422, "validation_error", "reason")
    assert _status(desk, ticket["id"]) == "new"


@pytest.mark.parametrize(("body", "field"), [({}, "to"), ({"to": "done"}, "to")])
def test_a_malformed_transition_is_422(
    api_as: Api, world: World, ticket: dict[str, Any], body: dict[str, Any], field: str
) -> None:
    response = api_as(world.agent).post(f"{API}/tickets/{ticket['id']}/transitions", json=body)
    assert_error(response, 422, "validation_error", field)


@pytest.mark.parametrize("to", ["acknowledged", "in_progress", "resolved", "pending_customer"])
def test_a_customer_cannot_make_desk_moves(
    api_as: Api, world: World, ticket: dict[str, Any], to: str
) -> None:
    customer = api_as(world.contact_a)
    response = _move(customer, ticket["id"], to, reason="waiting_customer_info")
    assert_error(response, 403, "forbidden")
    assert _status(customer, ticket["id"]) == "new"


def test_a_customer_withdraws_a_new_ticket_with_a_reason(
    api_as: Api, world: World, ticket: dict[str, Any]
) -> None:
    customer = api_as(world.contact_a)
    assert_error(_move(customer, ticket["id"], "cancelled"), 422, "validation_error", "reason")
    response = _move(customer, ticket["id"], "cancelled", reason="It came back by itself.")
    assert response.status_code == 200
    assert response.get_json()["status"] == "cancelled"


def test_the_desk_may_not_close_on_the_customers_behalf(
    api_as: Api, world: World, ticket: dict[str, Any]
) -> None:
    _resolved(api_as, world, ticket["id"])
    assert_error(_move(api_as(world.agent), ticket["id"], "closed"), 403, "forbidden")


def test_a_stop_clock_shows_in_the_tickets_sla(
    api_as: Api, world: World, ticket: dict[str, Any]
) -> None:
    desk = api_as(world.agent)
    paused = _move(desk, ticket["id"], "pending_third_party", reason="third_party_fault")
    assert paused.status_code == 200
    sla = paused.get_json()["sla"]
    [pause] = sla["pauses"]
    assert pause["reason"] == "third_party_fault"
    assert pause["ended_at"] is None
    assert datetime.fromisoformat(pause["started_at"]).utcoffset() is not None
    resumed = _move(desk, ticket["id"], "in_progress").get_json()["sla"]
    [pause] = resumed["pauses"]
    assert pause["ended_at"] is not None
    assert pause["seconds"] >= 0
    assert resumed["paused_seconds"] == pause["seconds"]


# --- confirmation --------------------------------------------------------------------------


def test_the_customer_accepts_the_fix_and_the_ticket_closes(
    api_as: Api, world: World, ticket: dict[str, Any]
) -> None:
    _resolved(api_as, world, ticket["id"])
    customer = api_as(world.contact_a)
    response = customer.post(
        f"{API}/tickets/{ticket['id']}/confirmation", json={"accept": True, "comment": "Thanks!"}
    )
    assert response.status_code == 200
    assert response.get_json()["status"] == "closed"
    assert response.get_json()["closed_at"] is not None


def test_the_customer_rejects_the_fix_and_the_ticket_reopens(
    api_as: Api, world: World, ticket: dict[str, Any]
) -> None:
    _resolved(api_as, world, ticket["id"])
    customer = api_as(world.contact_a)
    response = customer.post(
        f"{API}/tickets/{ticket['id']}/confirmation",
        json={"accept": False, "comment": "Still 30% packet loss."},
    )
    assert response.status_code == 200
    assert response.get_json()["status"] == "in_progress"
    events = customer.get(f"{API}/tickets/{ticket['id']}/events").get_json()["items"]
    assert events[-1]["body"] == "Still 30% packet loss."


def test_rejecting_without_saying_why_is_422_naming_the_comment(
    api_as: Api, world: World, ticket: dict[str, Any]
) -> None:
    _resolved(api_as, world, ticket["id"])
    customer = api_as(world.contact_a)
    for body in ({"accept": False}, {"accept": False, "comment": "  "}):
        response = customer.post(f"{API}/tickets/{ticket['id']}/confirmation", json=body)
        assert_error(response, 422, "validation_error", "comment")
    assert _status(customer, ticket["id"]) == "resolved"


def test_a_confirmation_needs_accept(api_as: Api, world: World, ticket: dict[str, Any]) -> None:
    _resolved(api_as, world, ticket["id"])
    response = api_as(world.contact_a).post(
        f"{API}/tickets/{ticket['id']}/confirmation", json={"comment": "ok"}
    )
    assert_error(response, 422, "validation_error", "accept")


@pytest.mark.parametrize("accept", [True, False])
def test_confirming_a_ticket_that_is_not_resolved_is_409(
    api_as: Api, world: World, ticket: dict[str, Any], accept: bool
) -> None:
    customer = api_as(world.contact_a)
    response = customer.post(
        f"{API}/tickets/{ticket['id']}/confirmation", json={"accept": accept, "comment": "?"}
    )
    assert_error(response, 409, "conflict")
    assert _status(customer, ticket["id"]) == "new"


def test_the_desk_cannot_confirm_for_the_customer(
    api_as: Api, world: World, ticket: dict[str, Any]
) -> None:
    _resolved(api_as, world, ticket["id"])
    response = api_as(world.agent).post(
        f"{API}/tickets/{ticket['id']}/confirmation", json={"accept": True}
    )
    assert_error(response, 403, "forbidden")
    assert _status(api_as(world.agent), ticket["id"]) == "resolved"


# --- the work log --------------------------------------------------------------------------


def test_customers_see_public_events_only(
    api_as: Api, world: World, ticket: dict[str, Any]
) -> None:
    desk = api_as(world.agent)
    internal = {
        "kind": "comment",
        "body": "Customer's router looks misconfigured.",
        "public": False,
    }
    public = {"kind": "phone_call", "body": "Called the customer, all good.", "public": True}
    assert desk.post(f"{API}/tickets/{ticket['id']}/events", json=internal).status_code == 201
    assert desk.post(f"{API}/tickets/{ticket['id']}/events", json=public).status_code == 201
    assert desk.patch(f"{API}/tickets/{ticket['id']}", json={"tier": "L2"}).status_code == 200

    staff_view = desk.get(f"{API}/tickets/{ticket['id']}/events").get_json()
    customer_view = api_as(world.contact_a).get(f"{API}/tickets/{ticket['id']}/events").get_json()
    staff_bodies = [e["body"] for e in staff_view["items"]]
    customer_bodies = [e["body"] for e in customer_view["items"]]
    assert internal["body"] in staff_bodies
    assert internal["body"] not in customer_bodies
    assert public["body"] in customer_bodies
    assert all(e["public"] for e in customer_view["items"])
    assert "tier_change" in {e["kind"] for e in staff_view["items"]}
    assert "tier_change" not in {e["kind"] for e in customer_view["items"]}
    assert customer_view["total"] == len(customer_view["items"]) < staff_view["total"]


def test_events_come_oldest_first_with_the_contract_names(
    api_as: Api, world: World, ticket: dict[str, Any]
) -> None:
    customer = api_as(world.contact_a)
    posted = customer.post(
        f"{API}/tickets/{ticket['id']}/events",
        json={"kind": "comment", "body": "The LED is amber.", "public": False},
    )
    assert posted.status_code == 201
    event = posted.get_json()
    assert set(event) >= {"id", "kind", "body", "public", "actor", "created_at"}
    assert event["public"] is True  # a customer's comment is always public
    assert event["actor"] == world.contact_a.name
    assert datetime.fromisoformat(event["created_at"]).utcoffset() is not None
    items = customer.get(f"{API}/tickets/{ticket['id']}/events").get_json()["items"]
    assert [e["kind"] for e in items] == ["created", "comment"]
    assert items[-1]["id"] == event["id"]


def test_the_work_log_is_paginated_in_the_contract_shape(
    api_as: Api, world: World, ticket: dict[str, Any]
) -> None:
    desk = api_as(world.agent)
    url = f"{API}/tickets/{ticket['id']}/events"
    for n in range(3):
        desk.post(url, json={"kind": "comment", "body": f"note {n}", "public": n % 2 == 0})
    everything = desk.get(url).get_json()
    assert set(everything) == {"items", "total", "page", "per_page"}
    assert (everything["total"], everything["page"], everything["per_page"]) == (4, 1, 100)
    page_two = desk.get(f"{url}?per_page=3&page=2").get_json()
    assert [e["body"] for e in page_two["items"]] == ["note 2"]
    assert page_two["total"] == 4
    # The customer's total counts only what they may see.
    customer = api_as(world.contact_a).get(f"{url}?per_page=1").get_json()
    assert customer["total"] == 3
    assert len(customer["items"]) == 1
    assert_error(desk.get(f"{url}?per_page=101"), 422, "validation_error", "per_page")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"body": "no kind"}, "kind"),
        ({"kind": "comment"}, "body"),
        ({"kind": "comment", "body": ""}, "body"),
        ({"kind": "comment", "body": "   "}, "body"),
        ({"kind": "comment", "body": "x" * 10_001}, "body"),
        ({"kind": "status_change", "body": "forged"}, "kind"),
        ({"kind": "comment", "body": "x", "public": "maybe"}, "public"),
        ({"kind": "comment", "body": "x", "actor": "someone"}, "actor"),
        ({"kind": "comment", "body": "nul \x00 byte"}, "body"),
    ],
)
def test_a_bad_event_is_422_naming_the_field(
    api_as: Api, world: World, ticket: dict[str, Any], body: dict[str, Any], field: str
) -> None:
    response = api_as(world.agent).post(f"{API}/tickets/{ticket['id']}/events", json=body)
    assert_error(response, 422, "validation_error", field)


def test_a_customer_may_only_comment(api_as: Api, world: World, ticket: dict[str, Any]) -> None:
    response = api_as(world.contact_a).post(
        f"{API}/tickets/{ticket['id']}/events",
        json={"kind": "phone_call", "body": "I called you", "public": True},
    )
    assert_error(response, 422, "validation_error", "kind")


def test_a_closed_tickets_log_is_closed(api_as: Api, world: World, ticket: dict[str, Any]) -> None:
    _resolved(api_as, world, ticket["id"])
    customer = api_as(world.contact_a)
    customer.post(f"{API}/tickets/{ticket['id']}/confirmation", json={"accept": True})
    response = customer.post(
        f"{API}/tickets/{ticket['id']}/events", json={"kind": "comment", "body": "One more thing"}
    )
    assert_error(response, 409, "conflict")


def test_the_customers_reply_takes_a_waiting_ticket_back_to_work(
    api_as: Api, world: World, ticket: dict[str, Any]
) -> None:
    desk, customer = api_as(world.agent), api_as(world.contact_a)
    _move(desk, ticket["id"], "pending_customer", reason="waiting_customer_info")
    response = customer.post(
        f"{API}/tickets/{ticket['id']}/events", json={"kind": "comment", "body": "Serial: X1"}
    )
    assert response.status_code == 201
    assert _status(customer, ticket["id"]) == "in_progress"


# --- triage (PATCH) ------------------------------------------------------------------------


def test_reclassifying_recomputes_the_priority(
    api_as: Api, world: World, ticket: dict[str, Any]
) -> None:
    response = api_as(world.agent).patch(
        f"{API}/tickets/{ticket['id']}",
        json={"impact": "not_affecting", "urgency": "low", "category": "software"},
    )
    assert response.status_code == 200
    body = response.get_json()
    assert (body["impact"], body["urgency"], body["category"], body["priority"]) == (
        "not_affecting",
        "low",
        "software",
        "P4",
    )
    created = datetime.fromisoformat(body["created_at"])
    assert datetime.fromisoformat(body["sla"]["resolution_due_at"]) == created + timedelta(hours=72)


def test_a_priority_override_needs_a_reason_and_is_logged(
    api_as: Api, world: World, ticket: dict[str, Any]
) -> None:
    desk = api_as(world.agent)
    url = f"{API}/tickets/{ticket['id']}"
    assert_error(
        desk.patch(url, json={"priority": "P3"}), 422, "validation_error", "priority_reason"
    )
    assert desk.get(url).get_json()["priority"] == "P1"
    response = desk.patch(url, json={"priority": "P3", "priority_reason": "Backup link is up."})
    assert response.status_code == 200
    assert response.get_json()["priority"] == "P3"
    events = desk.get(f"{url}/events").get_json()["items"]
    assert any(e["kind"] == "priority_change" and "Backup link is up." in e["body"] for e in events)


def test_a_hand_over_assignment_and_eta(api_as: Api, world: World, ticket: dict[str, Any]) -> None:
    desk = api_as(world.agent)
    l2 = make_user(role="agent", tier="L2", name="Lena Level-Two")
    eta = (utcnow() + timedelta(hours=3)).replace(microsecond=0)
    response = desk.patch(
        f"{API}/tickets/{ticket['id']}",
        json={
            "tier": "L2",
            "handover_note": "BGP flaps; needs L2.",
            "assignee": l2.email,
            "eta": eta.isoformat(),
        },
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["tier"] == "L2"
    assert body["assignee"] == "Lena Level-Two"
    assert datetime.fromisoformat(body["eta"]) == eta
    kinds = [
        e["kind"] for e in desk.get(f"{API}/tickets/{ticket['id']}/events").get_json()["items"]
    ]
    assert {"tier_change", "assignment", "eta"} <= set(kinds)
    # The customer is told the ETA but not who on the desk has the ticket.
    seen = api_as(world.contact_a).get(f"{API}/tickets/{ticket['id']}").get_json()
    assert datetime.fromisoformat(seen["eta"]) == eta
    assert seen.get("assignee") is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"assignee": "alice@a.example"}, "assignee"),
        ({"assignee": "nobody@example.test"}, "assignee"),
        ({"assignee": "99999999999999999999999"}, "assignee"),
        ({"assignee": "\u00b2"}, "assignee"),
        ({"eta": "2020-01-01T00:00:00+00:00"}, "eta"),
        ({"eta": "2030-01-01T00:00:00"}, "eta"),
        ({"eta": "9999-12-31T23:59:59-01:00"}, "eta"),
        ({"tier": "L4"}, "tier"),
        ({"priority": "P0", "priority_reason": "x"}, "priority"),
        ({"impact": "bad"}, "impact"),
        ({"status": "closed"}, "status"),
        ({"summary": "rewrite history"}, "summary"),
    ],
)
def test_bad_triage_is_422_naming_the_field_and_changes_nothing(
    api_as: Api, world: World, ticket: dict[str, Any], changes: dict[str, Any], field: str
) -> None:
    desk = api_as(world.agent)
    url = f"{API}/tickets/{ticket['id']}"
    before = desk.get(url).get_json()
    assert_error(desk.patch(url, json=changes), 422, "validation_error", field)
    after = desk.get(url).get_json()
    before.pop("sla")
    after.pop("sla")
    assert after == before


def test_a_customer_cannot_triage_their_ticket(
    api_as: Api, world: World, ticket: dict[str, Any]
) -> None:
    customer = api_as(world.contact_a)
    response = customer.patch(
        f"{API}/tickets/{ticket['id']}", json={"priority": "P1", "priority_reason": "Urgent!"}
    )
    assert_error(response, 403, "forbidden")


# --- lists ---------------------------------------------------------------------------------


@pytest.fixture
def board(world: World, session: Any) -> dict[str, Ticket]:
    """Tickets of two customers at known times, priorities and states (2026-11-18 and on)."""
    extra = make_service(customer=world.customer_a)
    tickets = {
        "a_p1_old": make_ticket(world.service_a, world.contact_a, now=DEFAULT_NOW),
        "a_p4": make_ticket(
            world.service_a,
            world.contact_a,
            now=DEFAULT_NOW + timedelta(hours=1),
            impact="not_affecting",
            summary="Request: reverse DNS entry",
        ),
        "a_extra_p2": make_ticket(
            extra, world.contact_a, now=DEFAULT_NOW + timedelta(hours=2), impact="degraded"
        ),
        "b_p1": make_ticket(world.service_b, world.contact_b, now=DEFAULT_NOW + timedelta(hours=3)),
    }
    from fieldops.tickets.services import change_status, update_ticket

    change_status(
        tickets["a_p4"], actor=world.agent, to="in_progress", now=DEFAULT_NOW + timedelta(hours=1)
    )
    update_ticket(
        tickets["a_p4"],
        actor=world.agent,
        changes={"assignee": world.agent.email},
        now=DEFAULT_NOW + timedelta(hours=1),
    )
    session.commit()
    return tickets


def _ids(response: Any) -> list[str]:
    assert response.status_code == 200, response.get_json()
    return [t["id"] for t in response.get_json()["items"]]


def test_the_list_is_paginated_in_the_contract_shape(
    api_as: Api, world: World, board: dict[str, Ticket]
) -> None:
    desk = api_as(world.agent)
    first = desk.get(f"{API}/tickets?per_page=3").get_json()
    assert set(first) == {"items", "total", "page", "per_page"}
    assert (first["total"], first["page"], first["per_page"], len(first["items"])) == (4, 1, 3, 3)
    second = desk.get(f"{API}/tickets?per_page=3&page=2").get_json()
    assert (second["page"], len(second["items"])) == (2, 1)
    seen = [t["id"] for t in first["items"] + second["items"]]
    assert sorted(seen) == sorted(t.number for t in board.values())
    beyond = desk.get(f"{API}/tickets?per_page=3&page=9").get_json()
    assert (beyond["items"], beyond["total"]) == ([], 4)
    assert desk.get(f"{API}/tickets").get_json()["per_page"] == 20
    assert desk.get(f"{API}/tickets?per_page=100").status_code == 200


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("per_page=101", "per_page"),
        ("per_page=0", "per_page"),
        ("page=0", "page"),
        ("page=x", "page"),
        ("status=open", "status"),
        ("status=new,bogus", "status"),
        ("priority=P5", "priority"),
        ("breached=perhaps", "breached"),
        ("sort=summary", "sort"),
        ("tier=L9", "tier"),
        ("page=100000000000000000000", "page"),
        ("q=%00", "q"),
        ("customer=A%00B", "customer"),
    ],
)
def test_bad_list_queries_are_422_naming_the_parameter(
    api_as: Api, world: World, query: str, field: str
) -> None:
    response = api_as(world.agent).get(f"{API}/tickets?{query}")
    assert_error(response, 422, "validation_error", field)


def test_filters_by_status_and_priority(
    api_as: Api, world: World, board: dict[str, Ticket]
) -> None:
    desk = api_as(world.agent)
    assert _ids(desk.get(f"{API}/tickets?status=in_progress")) == [board["a_p4"].number]
    new = set(_ids(desk.get(f"{API}/tickets?status=new")))
    assert new == {board[k].number for k in ("a_p1_old", "a_extra_p2", "b_p1")}
    both = set(_ids(desk.get(f"{API}/tickets?status=new,in_progress")))
    assert len(both) == 4
    p1 = set(_ids(desk.get(f"{API}/tickets?priority=P1")))
    assert p1 == {board["a_p1_old"].number, board["b_p1"].number}
    p2_p4 = set(_ids(desk.get(f"{API}/tickets?priority=P2,P4")))
    assert p2_p4 == {board["a_extra_p2"].number, board["a_p4"].number}


def test_filters_by_customer_service_and_assignee(
    api_as: Api, world: World, board: dict[str, Ticket]
) -> None:
    desk = api_as(world.agent)
    b_only = _ids(desk.get(f"{API}/tickets?customer={world.customer_b.code}"))
    assert b_only == [board["b_p1"].number]
    service = set(_ids(desk.get(f"{API}/tickets?service={world.service_a.code}")))
    assert service == {board["a_p1_old"].number, board["a_p4"].number}
    mine = _ids(desk.get(f"{API}/tickets?assignee={world.agent.email}"))
    assert mine == [board["a_p4"].number]
    assert _ids(desk.get(f"{API}/tickets?assignee={world.agent.id}")) == mine
    nobody = set(_ids(desk.get(f"{API}/tickets?assignee=none")))
    assert board["a_p4"].number not in nobody
    assert len(nobody) == 3
    assert _ids(desk.get(f"{API}/tickets?customer=NOSUCH")) == []
    for unknown in ("99999999999999999999999", "\u00b2", "nobody@example.test"):
        assert _ids(desk.get(f"{API}/tickets", query_string={"assignee": unknown})) == []


def test_free_text_search_matches_summary_and_ticket_id(
    api_as: Api, world: World, board: dict[str, Ticket]
) -> None:
    desk = api_as(world.agent)
    assert _ids(desk.get(f"{API}/tickets?q=reverse dns")) == [board["a_p4"].number]
    assert _ids(desk.get(f"{API}/tickets?q={board['b_p1'].number.lower()}")) == [
        board["b_p1"].number
    ]
    assert _ids(desk.get(f"{API}/tickets?q=no-such-words")) == []


@pytest.mark.parametrize("wildcard", ["%", "_", "Request%DNS", "reverse_dns"])
def test_search_takes_percent_and_underscore_literally(
    api_as: Api, world: World, board: dict[str, Ticket], wildcard: str
) -> None:
    desk = api_as(world.agent)
    assert _ids(desk.get(f"{API}/tickets", query_string={"q": wildcard})) == []
    literal = make_ticket(
        world.service_a, world.contact_a, now=DEFAULT_NOW, summary="Loss at 50% on link_b"
    )
    found = _ids(desk.get(f"{API}/tickets", query_string={"q": "50% on link_b"}))
    assert found == [literal.number]


def test_breached_filter_separates_late_tickets(
    api_as: Api, world: World, board: dict[str, Ticket], open_via_api: Opener
) -> None:
    """The board's tickets were opened days ago and never answered: all are breached."""
    fresh = open_via_api(world.contact_a, world.service_a)
    desk = api_as(world.agent)
    breached = set(_ids(desk.get(f"{API}/tickets?breached=true")))
    assert breached == {t.number for t in board.values()}
    assert _ids(desk.get(f"{API}/tickets?breached=false")) == [fresh["id"]]
    item = desk.get(f"{API}/tickets/{board['b_p1'].number}").get_json()
    assert item["sla"]["breached"] is True
    assert fresh["sla"]["breached"] is False


def test_sorting(api_as: Api, world: World, board: dict[str, Ticket]) -> None:
    desk = api_as(world.agent)
    order = ["a_p1_old", "a_p4", "a_extra_p2", "b_p1"]
    numbers = [board[k].number for k in order]
    assert _ids(desk.get(f"{API}/tickets")) == numbers[::-1]  # newest first by default
    assert _ids(desk.get(f"{API}/tickets?sort=created_at")) == numbers
    assert _ids(desk.get(f"{API}/tickets?sort=-created_at")) == numbers[::-1]
    by_priority = desk.get(f"{API}/tickets?sort=priority").get_json()["items"]
    assert [t["priority"] for t in by_priority] == ["P1", "P1", "P2", "P4"]
    by_due = desk.get(f"{API}/tickets?sort=resolution_due_at").get_json()["items"]
    dues = [datetime.fromisoformat(t["sla"]["resolution_due_at"]) for t in by_due]
    assert dues == sorted(dues)


def test_list_items_have_the_ticket_shape(
    api_as: Api, world: World, board: dict[str, Ticket]
) -> None:
    item = api_as(world.agent).get(f"{API}/tickets?per_page=1").get_json()["items"][0]
    assert set(item) >= {"id", "service_id", "status", "priority", "impact", "created_at", "sla"}
    assert set(item["sla"]) >= {
        "response_due_at",
        "resolution_due_at",
        "paused_seconds",
        "at_risk",
        "breached",
    }


def test_staff_outside_the_desk_see_no_tickets(
    api_as: Api, world: World, board: dict[str, Ticket]
) -> None:
    engineer = make_user(role="engineer")
    body = api_as(engineer).get(f"{API}/tickets").get_json()
    assert (body["items"], body["total"]) == ([], 0)
    assert_error(api_as(engineer).get(f"{API}/tickets/{board['b_p1'].number}"), 404, "not_found")
