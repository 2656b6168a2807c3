"""POST /tickets with Idempotency-Key: a retry gives the same ticket, never a second one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select

from fieldops.accounts.models import User
from fieldops.tickets.models import Ticket
from tests.api.conftest import API, World, assert_error, ticket_body
from tests.factories import make_contact

Api = Callable[[User], Any]


def _tickets(session: Any) -> int:
    return session.scalar(select(func.count(Ticket.id))) or 0


def _post(api: Any, body: dict[str, Any], key: str | None) -> Any:
    headers = {"Idempotency-Key": key} if key is not None else {}
    return api.post(f"{API}/tickets", json=body, headers=headers)


def test_the_same_key_and_body_give_the_same_ticket_once(
    api_as: Api, world: World, session: Any
) -> None:
    api = api_as(world.contact_a)
    body = ticket_body(world.service_a)
    first = _post(api, body, "retry-1")
    second = _post(api, body, "retry-1")
    assert first.status_code == second.status_code == 201
    assert second.get_json() == first.get_json()
    assert second.get_json()["id"] == first.get_json()["id"]
    assert _tickets(session) == 1
    # The replayed response says so, and the ticket's log shows one creation.
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert second.headers["Location"] == first.headers["Location"]
    events = api.get(f"{API}/tickets/{first.get_json()['id']}/events").get_json()["items"]
    assert [e["kind"] for e in events] == ["created"]


def test_key_order_in_the_body_does_not_matter(api_as: Api, world: World, session: Any) -> None:
    api = api_as(world.contact_a)
    body = ticket_body(world.service_a)
    reordered = dict(reversed(list(body.items())))
    first = _post(api, body, "order")
    second = _post(api, reordered, "order")
    assert second.get_json()["id"] == first.get_json()["id"]
    assert _tickets(session) == 1


def test_the_same_key_with_another_body_is_422_and_makes_nothing(
    api_as: Api, world: World, session: Any
) -> None:
    api = api_as(world.contact_a)
    first = _post(api, ticket_body(world.service_a), "reused")
    assert first.status_code == 201
    other = ticket_body(world.service_a, summary="Something else entirely")
    error = assert_error(_post(api, other, "reused"), 422, "validation_error", "Idempotency-Key")
    assert "different" in error["errors"]["Idempotency-Key"][0]
    assert _tickets(session) == 1


def test_different_keys_make_two_tickets(api_as: Api, world: World, session: Any) -> None:
    api = api_as(world.contact_a)
    body = ticket_body(world.service_a)
    first = _post(api, body, "key-a").get_json()["id"]
    second = _post(api, body, "key-b").get_json()["id"]
    assert first != second
    assert _tickets(session) == 2


def test_without_a_key_every_post_makes_a_ticket(api_as: Api, world: World, session: Any) -> None:
    api = api_as(world.contact_a)
    body = ticket_body(world.service_a)
    assert _post(api, body, None).get_json()["id"] != _post(api, body, None).get_json()["id"]
    assert _tickets(session) == 2


def test_keys_belong_to_the_caller(api_as: Api, world: World, session: Any) -> None:
    """Two contacts who happen to pick the same key each get their own ticket."""
    colleague = make_contact(world.customer_a)
    body = ticket_body(world.service_a)
    mine = _post(api_as(world.contact_a), body, "shared-key")
    theirs = _post(api_as(colleague), body, "shared-key")
    assert mine.status_code == theirs.status_code == 201
    assert mine.get_json()["id"] != theirs.get_json()["id"]
    assert _tickets(session) == 2


def test_another_customers_key_never_replays_their_ticket(
    api_as: Api, world: World, session: Any
) -> None:
    a = _post(api_as(world.contact_a), ticket_body(world.service_a), "same")
    b = _post(api_as(world.contact_b), ticket_body(world.service_b), "same")
    assert b.status_code == 201
    assert b.get_json()["service_id"] == world.service_b.code
    assert b.get_json()["id"] != a.get_json()["id"]


def test_a_refused_request_does_not_use_up_its_key(api_as: Api, world: World, session: Any) -> None:
    api = api_as(world.contact_a)
    bad = ticket_body(world.service_a, circuit_id="NOT-OURS")
    assert _post(api, bad, "fix-and-retry").status_code == 422
    good = ticket_body(world.service_a)
    assert _post(api, good, "fix-and-retry").status_code == 201
    assert _tickets(session) == 1


def test_an_invalid_key_is_422(api_as: Api, world: World, session: Any) -> None:
    api = api_as(world.contact_a)
    for key in ("", "k" * 256):
        response = _post(api, ticket_body(world.service_a), key)
        assert_error(response, 422, "validation_error", "Idempotency-Key")
    assert _tickets(session) == 0
