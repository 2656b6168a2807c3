"""A contact of customer A never sees, nor learns of, anything of customer B: always 404."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from fieldops.accounts.models import User
from tests.api.conftest import API, Opener, World, assert_error, ticket_body

Api = Callable[[User], Any]


@pytest.fixture
def b_ticket(world: World, open_via_api: Opener) -> dict[str, Any]:
    return open_via_api(world.contact_b, world.service_b)


REQUESTS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("get", "", None),
    ("patch", "", {"tier": "L2"}),
    ("post", "/transitions", {"to": "cancelled", "reason": "Not mine but let's try."}),
    ("get", "/events", None),
    ("post", "/events", {"kind": "comment", "body": "Hello from A"}),
    ("post", "/confirmation", {"accept": True}),
    ("post", "/confirmation", {"accept": False, "comment": "Reopen it"}),
]


def _send(api: Any, method: str, url: str, body: dict[str, Any] | None) -> Any:
    if body is None:
        return getattr(api, method)(url)
    return getattr(api, method)(url, json=body)


@pytest.mark.parametrize(
    ("method", "suffix", "body"), REQUESTS, ids=[f"{m} {s or '/'}" for m, s, _ in REQUESTS]
)
def test_another_customers_ticket_is_404_exactly_like_a_missing_one(
    api_as: Api,
    world: World,
    b_ticket: dict[str, Any],
    method: str,
    suffix: str,
    body: dict[str, Any] | None,
) -> None:
    api = api_as(world.contact_a)
    foreign = assert_error(
        _send(api, method, f"{API}/tickets/{b_ticket['id']}{suffix}", body), 404, "not_found"
    )
    missing = assert_error(
        _send(api, method, f"{API}/tickets/TT-1999-000001{suffix}", body), 404, "not_found"
    )
    assert foreign["errors"] == missing["errors"]
    assert foreign["message"].replace(b_ticket["id"], "X") == missing["message"].replace(
        "TT-1999-000001", "X"
    )


def test_b_sees_that_nothing_happened_to_their_ticket(
    api_as: Api, world: World, b_ticket: dict[str, Any]
) -> None:
    intruder = api_as(world.contact_a)
    for method, suffix, body in REQUESTS:
        _send(intruder, method, f"{API}/tickets/{b_ticket['id']}{suffix}", body)
    owner = api_as(world.contact_b)
    after = owner.get(f"{API}/tickets/{b_ticket['id']}").get_json()
    assert after["status"] == "new"
    assert after["tier"] == "L1"
    events = owner.get(f"{API}/tickets/{b_ticket['id']}/events").get_json()["items"]
    assert [e["kind"] for e in events] == ["created"]


def test_another_customers_service_is_404(api_as: Api, world: World) -> None:
    api = api_as(world.contact_a)
    assert_error(api.get(f"{API}/services/{world.service_b.code}"), 404, "not_found")
    assert_error(api.get(f"{API}/customers/{world.customer_b.code}"), 404, "not_found")


def test_the_list_never_contains_another_customers_tickets(
    api_as: Api, world: World, b_ticket: dict[str, Any], open_via_api: Opener
) -> None:
    mine = open_via_api(world.contact_a, world.service_a)
    api = api_as(world.contact_a)
    queries = [
        "",
        f"?customer={world.customer_b.code}",
        f"?service={world.service_b.code}",
        f"?q={b_ticket['id']}",
        "?status=new",
        "?priority=P1",
        "?breached=false",
        "?per_page=100",
    ]
    for query in queries:
        body = api.get(f"{API}/tickets{query}").get_json()
        ids = {t["id"] for t in body["items"]}
        assert b_ticket["id"] not in ids, query
        assert body["total"] == len(ids), query  # the total does not count B's tickets either
        assert all(t["service_id"] == world.service_a.code for t in body["items"])
    assert mine["id"] in {t["id"] for t in api.get(f"{API}/tickets").get_json()["items"]}


def test_a_contact_of_a_cannot_open_a_ticket_on_bs_service(api_as: Api, world: World) -> None:
    response = api_as(world.contact_a).post(f"{API}/tickets", json=ticket_body(world.service_b))
    error = assert_error(response, 422, "validation_error", "service_id")
    assert world.customer_b.code not in error["message"]
    assert world.customer_b.name not in response.get_data(as_text=True)


def test_the_desk_sees_both_customers(
    api_as: Api, world: World, b_ticket: dict[str, Any], open_via_api: Opener
) -> None:
    mine = open_via_api(world.contact_a, world.service_a)
    ids = {t["id"] for t in api_as(world.agent).get(f"{API}/tickets").get_json()["items"]}
    assert {mine["id"], b_ticket["id"]} <= ids


@pytest.mark.parametrize(
    "path",
    ["/tickets/TT-2026-0%00", "/tickets/TT%00/events", "/customers/A%00B", "/services/SVC-1%00"],
)
def test_an_id_with_a_nul_character_is_simply_not_found(
    api_as: Api, world: World, path: str
) -> None:
    assert_error(api_as(world.agent).get(f"{API}{path}"), 404, "not_found")
