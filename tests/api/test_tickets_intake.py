"""POST /tickets: every required field, every malformed value, nothing half-saved, and the
ticket JSON the contract promises."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from ipaddress import ip_address
from typing import Any

import pytest
from sqlalchemy import func, select

from fieldops.accounts.models import User
from fieldops.clock import utcnow
from fieldops.tickets.models import Ticket, TicketEvent
from tests.api.conftest import API, Opener, World, assert_error, ticket_body
from tests.factories import make_contact, make_user

Api = Callable[[User], Any]

TICKET_FIELDS = {
    "id",
    "service_id",
    "fault_started_at",
    "summary",
    "description",
    "impact",
    "urgency",
    "category",
    "priority",
    "status",
    "channel",
    "circuit_id",
    "fault_pattern",
    "ip_address",
    "logs",
    "tier",
    "escalation_level",
    "eta",
    "created_at",
    "sla",
}
SLA_FIELDS = {"response_due_at", "resolution_due_at", "paused_seconds", "at_risk", "breached"}


def _count(session: Any) -> tuple[int, int]:
    return (
        session.scalar(select(func.count(Ticket.id))) or 0,
        session.scalar(select(func.count(TicketEvent.id))) or 0,
    )


def _refused(
    api: Any, session: Any, body: dict[str, Any], field: str, status: int = 422
) -> dict[str, Any]:
    """POST the body, expect a refusal naming the field, and check nothing was saved."""
    before = _count(session)
    response = api.post(f"{API}/tickets", json=body)
    code = {422: "validation_error", 404: "not_found", 403: "forbidden"}[status]
    error = assert_error(response, status, code, field)
    assert field in error["message"] or error["errors"][field]
    assert _count(session) == before, "a refused ticket left rows behind"
    return error


def _is_instant_with_offset(value: str) -> bool:
    parsed = datetime.fromisoformat(value)
    return parsed.utcoffset() is not None


# --- the happy path and the JSON shape ---------------------------------------------------


def test_a_contact_opens_a_ticket_and_gets_every_contract_field(
    api_as: Api, world: World, session: Any
) -> None:
    body = ticket_body(
        world.service_a,
        urgency="medium",
        category="network",
        circuit_id="CID-2",
        fault_pattern="intermittent",
        ip_address="192.0.2.17",
        logs="ping 192.0.2.1: 40% loss",
    )
    response = api_as(world.contact_a).post(f"{API}/tickets", json=body)
    assert response.status_code == 201
    ticket = response.get_json()
    assert set(ticket) >= TICKET_FIELDS
    assert set(ticket["sla"]) >= SLA_FIELDS
    assert ticket["id"].startswith(f"TT-{utcnow().year}-")
    assert response.headers["Location"].endswith(f"/api/v1/tickets/{ticket['id']}")
    assert ticket["service_id"] == world.service_a.code
    assert ticket["summary"] == body["summary"]
    assert ticket["description"] == body["description"]
    assert (ticket["impact"], ticket["urgency"], ticket["priority"]) == (
        "service_affecting",
        "medium",
        "P1",
    )
    assert ticket["category"] == "network"
    assert ticket["status"] == "new"
    assert ticket["channel"] == "api"
    assert ticket["circuit_id"] == "CID-2"
    assert ticket["fault_pattern"] == "intermittent"
    assert ticket["ip_address"] == "192.0.2.17"
    assert ticket["logs"] == body["logs"]
    assert ticket["tier"] == "L1"
    assert ticket["escalation_level"] == 0
    assert ticket["eta"] is None
    assert datetime.fromisoformat(ticket["fault_started_at"]) == datetime.fromisoformat(
        body["fault_started_at"]
    )
    for instant in (ticket["fault_started_at"], ticket["created_at"]):
        assert _is_instant_with_offset(instant)
    sla = ticket["sla"]
    assert _is_instant_with_offset(sla["response_due_at"])
    assert _is_instant_with_offset(sla["resolution_due_at"])
    created = datetime.fromisoformat(ticket["created_at"])
    assert datetime.fromisoformat(sla["response_due_at"]) == created + timedelta(minutes=15)
    assert datetime.fromisoformat(sla["resolution_due_at"]) == created + timedelta(hours=4)
    assert sla["paused_seconds"] == 0
    assert sla["at_risk"] is False
    assert sla["breached"] is False
    assert sla["pauses"] == []
    # The ticket is there for the reporter to follow.
    again = api_as(world.contact_a).get(f"{API}/tickets/{ticket['id']}")
    assert again.status_code == 200
    assert again.get_json()["id"] == ticket["id"]


def test_only_required_fields_are_enough(api_as: Api, world: World) -> None:
    body = {
        "service_id": world.service_a.code,
        "fault_started_at": (utcnow() - timedelta(hours=1)).isoformat(),
        "summary": "No dial tone",
        "impact": "not_affecting",
    }
    response = api_as(world.contact_a).post(f"{API}/tickets", json=body)
    assert response.status_code == 201
    ticket = response.get_json()
    assert (ticket["urgency"], ticket["priority"]) == ("low", "P4")
    for optional in ("category", "circuit_id", "fault_pattern", "ip_address", "logs"):
        assert ticket[optional] is None
    assert ticket["description"] == ""


def test_the_service_id_is_matched_without_regard_to_case(api_as: Api, world: World) -> None:
    body = ticket_body(world.service_a.code.lower())
    response = api_as(world.contact_a).post(f"{API}/tickets", json=body)
    assert response.status_code == 201
    assert response.get_json()["service_id"] == world.service_a.code


def test_a_fault_start_in_any_offset_is_stored_as_the_same_instant(
    api_as: Api, world: World
) -> None:
    start = (utcnow() - timedelta(hours=2)).replace(microsecond=0)
    local = start.astimezone(datetime.fromisoformat("2026-01-01T00:00:00+05:30").tzinfo)
    body = ticket_body(world.service_a, fault_started_at=local.isoformat())
    ticket = api_as(world.contact_a).post(f"{API}/tickets", json=body).get_json()
    assert datetime.fromisoformat(ticket["fault_started_at"]) == start
    zulu = ticket_body(world.service_a, fault_started_at=start.strftime("%Y-%m-%dT%H:%M:%SZ"))
    assert api_as(world.contact_a).post(f"{API}/tickets", json=zulu).status_code == 201


@pytest.mark.parametrize(
    "address",
    [
        "192.0.2.1",
        "2001:db8::1",
        "::1",
        "10.0.0.255",
        "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255",
    ],
)
def test_ipv4_and_ipv6_addresses_are_accepted(api_as: Api, world: World, address: str) -> None:
    body = ticket_body(world.service_a, ip_address=address)
    response = api_as(world.contact_a).post(f"{API}/tickets", json=body)
    assert response.status_code == 201
    # Stored in canonical form: the same address, however it was written.
    assert ip_address(response.get_json()["ip_address"]) == ip_address(address)


def test_a_desk_agent_records_a_phone_call_for_a_contact(api_as: Api, world: World) -> None:
    body = ticket_body(world.service_b, channel="phone", requester=world.contact_b.email)
    response = api_as(world.agent).post(f"{API}/tickets", json=body)
    assert response.status_code == 201
    assert response.get_json()["channel"] == "phone"


def test_a_contact_cannot_claim_a_ticket_came_by_phone(api_as: Api, world: World) -> None:
    body = ticket_body(world.service_a, channel="phone")
    response = api_as(world.contact_a).post(f"{API}/tickets", json=body)
    assert response.status_code == 201
    assert response.get_json()["channel"] == "api"


def test_the_acknowledgement_event_carries_the_ticket_id(
    api_as: Api, world: World, open_via_api: Opener
) -> None:
    ticket = open_via_api(world.contact_a, world.service_a)
    events = api_as(world.contact_a).get(f"{API}/tickets/{ticket['id']}/events").get_json()
    assert events["items"][0]["kind"] == "created"
    assert ticket["id"] in events["items"][0]["body"]


# --- required fields -----------------------------------------------------------------------


@pytest.mark.parametrize("field", ["service_id", "fault_started_at", "summary", "impact"])
def test_every_required_field_missing_is_422_naming_it(
    api_as: Api, world: World, session: Any, field: str
) -> None:
    _refused(api_as(world.contact_a), session, ticket_body(world.service_a, **{field: ...}), field)


@pytest.mark.parametrize("field", ["service_id", "fault_started_at", "summary", "impact"])
def test_every_required_field_null_is_422_naming_it(
    api_as: Api, world: World, session: Any, field: str
) -> None:
    _refused(api_as(world.contact_a), session, ticket_body(world.service_a, **{field: None}), field)


def test_all_missing_fields_are_named_at_once(api_as: Api, world: World) -> None:
    response = api_as(world.contact_a).post(f"{API}/tickets", json={})
    error = assert_error(response, 422, "validation_error")
    assert set(error["errors"]) == {"service_id", "fault_started_at", "summary", "impact"}
    for field in error["errors"]:
        assert field in error["message"]


# --- malformed values ----------------------------------------------------------------------

MALFORMED: list[tuple[str, str, Any]] = [
    ("impact unknown", "impact", "catastrophic"),
    ("impact wrong case", "impact", "Service_Affecting"),
    ("impact not a string", "impact", 1),
    ("urgency unknown", "urgency", "asap"),
    ("urgency empty", "urgency", ""),
    ("category unknown", "category", "plumbing"),
    ("category spelt with a space", "category", "configuration change"),
    ("fault_pattern unknown", "fault_pattern", "sometimes"),
    ("fault start not a date", "fault_started_at", "yesterday"),
    ("fault start not ISO", "fault_started_at", "18/11/2026 10:00"),
    ("fault start naive", "fault_started_at", "2026-11-18T10:00:00"),
    ("fault start a date only", "fault_started_at", "2026-11-18"),
    ("fault start a number", "fault_started_at", 1763459999),
    ("fault start before year 1 in UTC", "fault_started_at", "0001-01-01T00:00:00+01:00"),
    ("fault start after year 9999 in UTC", "fault_started_at", "9999-12-31T23:59:59-01:00"),
    ("summary empty", "summary", ""),
    ("summary blank", "summary", "     "),
    ("summary too short", "summary", "ab"),
    ("summary too long", "summary", "x" * 201),
    ("summary not a string", "summary", ["Link", "down"]),
    ("summary with a NUL character", "summary", "Link\x00down"),
    ("description with a NUL character", "description", "a\x00b"),
    ("logs with a NUL character", "logs", "\x00"),
    ("description too long", "description", "x" * 10_001),
    ("logs too long", "logs", "x" * 200_001),
    ("ip not an address", "ip_address", "not-an-ip"),
    ("ip octet out of range", "ip_address", "192.0.2.256"),
    ("ip with a netmask", "ip_address", "192.0.2.0/24"),
    ("ip with a port", "ip_address", "192.0.2.1:80"),
    ("ipv6 malformed", "ip_address", "2001:db8:::1"),
    ("ipv6 with a zone", "ip_address", "fe80::1%eth0"),
    ("ipv6 with a long zone", "ip_address", "fe80::1%" + "x" * 60),
    ("circuit id too long", "circuit_id", "C" * 81),
    ("service id empty", "service_id", ""),
    ("channel unknown", "channel", "pigeon"),
    ("requester not an e-mail", "requester", "bob"),
    ("an unknown field", "severity", "high"),
    ("a field only the desk sets", "priority", "P1"),
    ("another field only the desk sets", "tier", "L3"),
]


@pytest.mark.parametrize(
    ("field", "value"),
    [(f, v) for _, f, v in MALFORMED],
    ids=[name for name, _, _ in MALFORMED],
)
def test_malformed_input_is_422_naming_the_field_and_saves_nothing(
    api_as: Api, world: World, session: Any, field: str, value: Any
) -> None:
    _refused(
        api_as(world.contact_a), session, ticket_body(world.service_a, **{field: value}), field
    )


def test_a_fault_starting_in_the_future_is_refused(api_as: Api, world: World, session: Any) -> None:
    future = (utcnow() + timedelta(hours=1)).isoformat()
    _refused(
        api_as(world.contact_a),
        session,
        ticket_body(world.service_a, fault_started_at=future),
        "fault_started_at",
    )


def test_a_summary_at_the_limit_is_accepted(api_as: Api, world: World) -> None:
    body = ticket_body(world.service_a, summary="x" * 200, description="d" * 10_000)
    assert api_as(world.contact_a).post(f"{API}/tickets", json=body).status_code == 201


def test_a_circuit_not_on_the_service_is_refused(api_as: Api, world: World, session: Any) -> None:
    error = _refused(
        api_as(world.contact_a),
        session,
        ticket_body(world.service_a, circuit_id="CID-OF-SOMEONE-ELSE"),
        "circuit_id",
    )
    assert world.service_a.code in error["errors"]["circuit_id"][0]


def test_an_unknown_service_is_422_naming_service_id(
    api_as: Api, world: World, session: Any
) -> None:
    _refused(api_as(world.contact_a), session, ticket_body("SVC-99999999"), "service_id")


def test_a_foreign_service_is_refused_exactly_like_an_unknown_one(
    api_as: Api, world: World, session: Any
) -> None:
    api = api_as(world.contact_a)
    foreign = _refused(api, session, ticket_body(world.service_b), "service_id")
    unknown = _refused(api, session, ticket_body("SVC-99999999"), "service_id")
    assert foreign["code"] == unknown["code"]
    assert foreign["message"].replace(world.service_b.code, "X") == unknown["message"].replace(
        "SVC-99999999", "X"
    )
    assert foreign["errors"]["service_id"][0].replace(world.service_b.code, "X") == unknown[
        "errors"
    ]["service_id"][0].replace("SVC-99999999", "X")


def test_a_body_that_is_not_an_object_is_refused(api_as: Api, world: World) -> None:
    response = api_as(world.contact_a).post(f"{API}/tickets", json=["not", "an", "object"])
    assert_error(response, 422, "validation_error")


def test_a_body_that_is_not_json_is_refused_in_the_error_shape(api_as: Api, world: World) -> None:
    response = api_as(world.contact_a).post(
        f"{API}/tickets", data="{not json", headers={"Content-Type": "application/json"}
    )
    assert_error(response, 400, "bad_request")


# --- who may open what -------------------------------------------------------------------


def test_a_technical_only_contact_cannot_open_a_billing_ticket(
    api_as: Api, world: World, session: Any
) -> None:
    technical = make_contact(world.customer_a, can_technical=True, can_billing=False)
    _refused(
        api_as(technical),
        session,
        ticket_body(world.service_a, category="billing"),
        "category",
        status=403,
    )


def test_a_billing_only_contact_cannot_open_a_technical_ticket(
    api_as: Api, world: World, session: Any
) -> None:
    billing = make_contact(world.customer_a, can_technical=False, can_billing=True)
    api = api_as(billing)
    _refused(api, session, ticket_body(world.service_a), "category", status=403)
    _refused(
        api, session, ticket_body(world.service_a, category="hardware"), "category", status=403
    )
    response = api.post(f"{API}/tickets", json=ticket_body(world.service_a, category="billing"))
    assert response.status_code == 201


def test_field_staff_cannot_open_tickets(api_as: Api, world: World, session: Any) -> None:
    engineer = make_user(role="engineer")
    before = _count(session)
    response = api_as(engineer).post(f"{API}/tickets", json=ticket_body(world.service_a))
    assert_error(response, 403, "forbidden")
    assert _count(session) == before


def test_a_body_over_the_upload_limit_is_413_in_the_error_shape(
    api_as: Api, world: World, session: Any
) -> None:
    before = _count(session)
    body = ticket_body(world.service_a, logs="x" * (3 * 1024 * 1024))
    response = api_as(world.contact_a).post(f"{API}/tickets", json=body)
    assert_error(response, 413, "payload_too_large")
    assert _count(session) == before
