"""/customers and /services: staff manage them, a contact sees only their own."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from fieldops.accounts.models import User
from tests.api.conftest import API, World, assert_error
from tests.factories import make_sla_plan, make_user

Api = Callable[[User], Any]


def _service_body(world: World, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": "SVC-77001",
        "customer": world.customer_a.code,
        "type": "ip_transit",
        "name": "Transit 10G",
        "sla_plan": world.service_a.sla_plan.code,
        "site": {"address": "Rue de Rivoli 1, Paris", "city": "Paris", "lat": 48.86, "lon": 2.35},
        "circuit_ids": ["CID-P1"],
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not ...}


# --- customers ----------------------------------------------------------------------------


def test_staff_list_every_customer_paginated(api_as: Api, world: World) -> None:
    response = api_as(world.agent).get(f"{API}/customers?per_page=1")
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"items", "total", "page", "per_page"}
    assert body["total"] >= 2
    assert (body["page"], body["per_page"]) == (1, 1)
    assert len(body["items"]) == 1
    assert set(body["items"][0]) >= {"code", "name"}
    codes = {c["code"] for c in api_as(world.agent).get(f"{API}/customers").get_json()["items"]}
    assert {world.customer_a.code, world.customer_b.code} <= codes


def test_a_contact_sees_only_their_own_customer(api_as: Api, world: World) -> None:
    body = api_as(world.contact_a).get(f"{API}/customers").get_json()
    assert body["total"] == 1
    assert body["items"] == [{"code": world.customer_a.code, "name": world.customer_a.name}]


def test_a_contact_gets_404_for_another_customer(api_as: Api, world: World) -> None:
    api = api_as(world.contact_a)
    assert api.get(f"{API}/customers/{world.customer_a.code}").status_code == 200
    other = api.get(f"{API}/customers/{world.customer_b.code}")
    missing = api.get(f"{API}/customers/NOSUCH")
    assert_error(other, 404, "not_found")
    assert_error(missing, 404, "not_found")


def test_staff_create_a_customer(api_as: Api, world: World) -> None:
    response = api_as(world.agent).post(f"{API}/customers", json={"code": "zeta", "name": "Zeta"})
    assert response.status_code == 201
    assert response.get_json() == {"code": "ZETA", "name": "Zeta"}
    assert api_as(world.agent).get(f"{API}/customers/ZETA").status_code == 200


def test_a_duplicate_customer_code_is_a_conflict(api_as: Api, world: World) -> None:
    response = api_as(world.agent).post(
        f"{API}/customers", json={"code": world.customer_a.code, "name": "Again"}
    )
    assert_error(response, 409, "conflict", "code")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "No code"}, "code"),
        ({"code": "NONAME"}, "name"),
        ({"code": "has space", "name": "Bad"}, "code"),
        ({"code": "X", "name": "Too short"}, "code"),
        ({"code": "OK", "name": ""}, "name"),
        ({"code": "EXTRA", "name": "Extra", "vip": True}, "vip"),
    ],
)
def test_bad_customer_input_is_422_naming_the_field(
    api_as: Api, world: World, body: dict[str, Any], field: str
) -> None:
    response = api_as(world.agent).post(f"{API}/customers", json=body)
    assert_error(response, 422, "validation_error", field)


@pytest.mark.parametrize("role", ["customer", "dispatcher", "engineer"])
def test_only_the_desk_creates_customers(api_as: Api, world: World, role: str) -> None:
    user = world.contact_a if role == "customer" else make_user(role=role)
    response = api_as(user).post(f"{API}/customers", json={"code": "SNEAKY", "name": "Sneaky"})
    assert_error(response, 403, "forbidden")
    assert api_as(world.agent).get(f"{API}/customers/SNEAKY").status_code == 404


# --- services ------------------------------------------------------------------------------


def test_a_service_uses_the_contracts_json_names(api_as: Api, world: World) -> None:
    response = api_as(world.agent).get(f"{API}/services/{world.service_a.code}")
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) >= {"id", "customer", "type", "site", "circuit_ids", "sla_plan"}
    assert body["id"] == world.service_a.code
    assert body["customer"] == world.customer_a.code
    assert body["sla_plan"] == world.service_a.sla_plan.code
    assert body["circuit_ids"] == ["CID-1", "CID-2"]
    assert set(body["site"]) >= {"address", "lat", "lon"}
    assert body["site"]["lat"] == pytest.approx(52.23)


def test_staff_list_services_and_filter_by_customer(api_as: Api, world: World) -> None:
    api = api_as(world.agent)
    body = api.get(f"{API}/services").get_json()
    assert set(body) == {"items", "total", "page", "per_page"}
    assert {world.service_a.code, world.service_b.code} <= {s["id"] for s in body["items"]}
    only_b = api.get(f"{API}/services?customer={world.customer_b.code.lower()}").get_json()
    assert [s["id"] for s in only_b["items"]] == [world.service_b.code]
    assert only_b["total"] == 1


def test_a_contact_lists_only_their_own_services(api_as: Api, world: World) -> None:
    api = api_as(world.contact_a)
    body = api.get(f"{API}/services").get_json()
    assert [s["id"] for s in body["items"]] == [world.service_a.code]
    # Asking for another customer's services by filter shows nothing, not their list.
    other = api.get(f"{API}/services?customer={world.customer_b.code}").get_json()
    assert other["items"] == []
    assert other["total"] == 0


def test_a_contact_gets_404_for_a_foreign_service(api_as: Api, world: World) -> None:
    api = api_as(world.contact_a)
    assert api.get(f"{API}/services/{world.service_a.code}").status_code == 200
    foreign = assert_error(api.get(f"{API}/services/{world.service_b.code}"), 404, "not_found")
    unknown = assert_error(api.get(f"{API}/services/SVC-99999999"), 404, "not_found")
    # The same answer as for a service that does not exist: nothing leaks.
    assert foreign["message"].replace(world.service_b.code, "X") == unknown["message"].replace(
        "SVC-99999999", "X"
    )


def test_staff_create_a_service_with_its_site(api_as: Api, world: World) -> None:
    api = api_as(world.agent)
    response = api.post(f"{API}/services", json=_service_body(world))
    assert response.status_code == 201
    body = response.get_json()
    assert body["id"] == "SVC-77001"
    assert body["customer"] == world.customer_a.code
    assert body["site"]["address"] == "Rue de Rivoli 1, Paris"
    assert body["circuit_ids"] == ["CID-P1"]
    # The new service is the customer's: their contact sees it.
    mine = api_as(world.contact_a).get(f"{API}/services").get_json()
    assert "SVC-77001" in {s["id"] for s in mine["items"]}


def test_a_service_can_name_its_customer_in_any_case(api_as: Api, world: World) -> None:
    body = _service_body(world, customer=world.customer_a.code.lower())
    response = api_as(world.agent).post(f"{API}/services", json=body)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["customer"] == world.customer_a.code


def test_a_duplicate_service_id_is_a_conflict(api_as: Api, world: World) -> None:
    body = _service_body(world, id=world.service_b.code)
    assert_error(api_as(world.agent).post(f"{API}/services", json=body), 409, "conflict", "id")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"id": ...}, "id"),
        ({"customer": ...}, "customer"),
        ({"type": ...}, "type"),
        ({"site": ...}, "site"),
        ({"sla_plan": ...}, "sla_plan"),
        ({"id": "10023"}, "id"),
        ({"id": "SVC-ABCDE"}, "id"),
        ({"customer": "NOSUCH"}, "customer"),
        ({"sla_plan": "NOSUCH"}, "sla_plan"),
        ({"site": {"address": "x", "lat": 91, "lon": 0}}, "site.lat"),
        ({"site": {"address": "x", "lat": 0, "lon": 181}}, "site.lon"),
        ({"site": {"lat": 0, "lon": 0}}, "site.address"),
        ({"circuit_ids": "CID-1"}, "circuit_ids"),
        ({"owner": "me"}, "owner"),
        ({"name": "Transit\x0010G"}, "name"),
        ({"site": {"address": "Rue\x00", "lat": 0, "lon": 0}}, "site.address"),
    ],
)
def test_bad_service_input_is_422_naming_the_field(
    api_as: Api, world: World, overrides: dict[str, Any], field: str
) -> None:
    response = api_as(world.agent).post(f"{API}/services", json=_service_body(world, **overrides))
    assert_error(response, 422, "validation_error", field)
    assert api_as(world.agent).get(f"{API}/services/SVC-77001").status_code == 404


def test_a_contact_cannot_create_services(api_as: Api, world: World) -> None:
    response = api_as(world.contact_a).post(f"{API}/services", json=_service_body(world))
    assert_error(response, 403, "forbidden")
    assert api_as(world.agent).get(f"{API}/services/SVC-77001").status_code == 404


@pytest.mark.parametrize("resource", ["customers", "services", "sla-plans"])
@pytest.mark.parametrize(
    ("query", "field"),
    [("per_page=101", "per_page"), ("page=0", "page"), ("page=100000000000000000000", "page")],
)
def test_lists_refuse_pages_out_of_range(
    api_as: Api, world: World, resource: str, query: str, field: str
) -> None:
    response = api_as(world.agent).get(f"{API}/{resource}?{query}")
    assert_error(response, 422, "validation_error", field)


def test_a_second_plan_can_be_named_by_code(api_as: Api, world: World) -> None:
    plan = make_sla_plan(code="GOLD")
    response = api_as(world.agent).post(
        f"{API}/services", json=_service_body(world, sla_plan="GOLD")
    )
    assert response.status_code == 201
    assert response.get_json()["sla_plan"] == plan.code
