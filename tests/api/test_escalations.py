"""POST /tickets/{id}/escalations: a customer's request raises the ticket one level, logged
publicly, and that level's contacts are told; refusals use the contract's error shape."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from fieldops.accounts.models import User
from fieldops.outbox import OutboxMessage
from fieldops.tickets.models import TicketEscalation
from tests.api.conftest import API, Opener, World, assert_error
from tests.factories import ESCALATION_LEVELS, make_matrix

Api = Callable[[User], Any]


@pytest.fixture
def ticket(world: World, open_via_api: Opener) -> dict[str, Any]:
    """A P1 of customer A under the default three-level matrix."""
    make_matrix()
    return open_via_api(world.contact_a, world.service_a)


def _escalate(api: Any, number: str, **body: Any) -> Any:
    return api.post(f"{API}/tickets/{number}/escalations", json=body)


def _escalation_mail(session: Any) -> list[list[str]]:
    rows = session.scalars(
        select(OutboxMessage.to_addresses)
        .where(OutboxMessage.template == "escalated")
        .order_by(OutboxMessage.id)
    )
    return [list(to) for to in rows]


def _rows(session: Any) -> int:
    return session.scalar(select(func.count()).select_from(TicketEscalation)) or 0


def test_a_customers_request_raises_one_level_logged_publicly_and_told_to_that_level(
    api_as: Api, world: World, ticket: dict[str, Any], session: Any
) -> None:
    customer = api_as(world.contact_a)

    response = _escalate(customer, ticket["id"], note="Our shop is offline.")

    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert (body["level"], body["reason"]) == (1, "customer_request")
    assert body["created_at"].endswith("+00:00")
    shown = customer.get(f"{API}/tickets/{ticket['id']}").get_json()
    assert shown["escalation_level"] == 1
    log = customer.get(f"{API}/tickets/{ticket['id']}/events").get_json()["items"]
    escalation = log[-1]
    assert (escalation["kind"], escalation["public"]) == ("escalation", True)
    assert "level 1 (Duty engineer)" in escalation["body"]
    assert "Our shop is offline." in escalation["body"]
    assert _escalation_mail(session) == [["duty@noc.example"]]


def test_asking_again_raises_one_more_level_until_the_top_is_a_409(
    api_as: Api, world: World, ticket: dict[str, Any], session: Any
) -> None:
    customer = api_as(world.contact_a)

    levels = [_escalate(customer, ticket["id"]).get_json()["level"] for _ in range(3)]
    refused = _escalate(customer, ticket["id"])

    assert levels == [1, 2, 3]
    assert_error(refused, 409, "conflict", "escalation_level")
    assert "highest escalation level" in refused.get_json()["message"]
    assert customer.get(f"{API}/tickets/{ticket['id']}").get_json()["escalation_level"] == 3
    assert _escalation_mail(session) == [spec["contacts"] for spec in ESCALATION_LEVELS]
    assert _rows(session) == 3


def test_a_closed_ticket_cannot_be_escalated(
    api_as: Api, world: World, ticket: dict[str, Any], session: Any
) -> None:
    desk, customer = api_as(world.agent), api_as(world.contact_a)
    for to in ("in_progress", "resolved"):
        desk.post(f"{API}/tickets/{ticket['id']}/transitions", json={"to": to})
    customer.post(f"{API}/tickets/{ticket['id']}/confirmation", json={"accept": True})

    refused = _escalate(customer, ticket["id"])

    assert_error(refused, 409, "conflict")
    assert "closed" in refused.get_json()["message"]
    assert _rows(session) == 0


def test_another_customers_ticket_is_not_found_and_unchanged(
    api_as: Api, world: World, ticket: dict[str, Any], session: Any
) -> None:
    refused = _escalate(api_as(world.contact_b), ticket["id"])

    assert_error(refused, 404, "not_found")
    assert _rows(session) == 0
    assert _escalation_mail(session) == []


def test_a_customer_with_no_matrix_gets_a_409_that_says_why(
    api_as: Api, world: World, open_via_api: Opener, session: Any
) -> None:
    ticket = open_via_api(world.contact_a, world.service_a)  # no matrix defined at all

    refused = _escalate(api_as(world.contact_a), ticket["id"])

    body = assert_error(refused, 409, "conflict", "escalation_level")
    assert "No escalation matrix" in body["message"]
    assert _rows(session) == 0


def test_an_over_long_note_is_a_422_naming_the_note(
    api_as: Api, world: World, ticket: dict[str, Any], session: Any
) -> None:
    refused = _escalate(api_as(world.contact_a), ticket["id"], note="x" * 2001)

    assert_error(refused, 422, "validation_error", "note")
    assert _rows(session) == 0


def test_an_unknown_ticket_is_404_and_no_token_is_401(
    api_as: Api, world: World, client: Any
) -> None:
    assert_error(_escalate(api_as(world.contact_a), "TT-2026-999999"), 404, "not_found")
    response = client.post(f"{API}/tickets/TT-2026-000001/escalations", json={})
    assert_error(response, 401, "unauthorized")


def test_the_escalation_request_is_in_the_openapi_document(client: Any) -> None:
    paths = client.get(f"{API}/openapi.json").get_json()["paths"]
    operation = paths["/api/v1/tickets/{ticket_id}/escalations"]["post"]
    assert "201" in operation["responses"]
