"""/escalation-matrices: staff read the matrices; support managers and admins define them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fieldops.accounts.models import User
from tests.api.conftest import API, World, assert_error
from tests.factories import make_user

Api = Callable[[User], Any]
URL = f"{API}/escalation-matrices"

LEVELS = [
    {
        "name": "Duty engineer",
        "contacts": ["duty@ops.example"],
        "thresholds_min": {"P1": 30, "P2": 120},
    },
    {
        "name": "Shift lead",
        "contacts": ["lead@ops.example"],
        "thresholds_min": {"P1": 60, "P2": 240},
    },
]


def test_a_manager_defines_a_customer_matrix_and_staff_read_it(world: World, api_as: Api) -> None:
    body = {"code": "A-GOLD", "name": "Gold", "customer": world.customer_a.code, "levels": LEVELS}
    created = api_as(world.manager).post(URL, json=body)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["customer"] == world.customer_a.code
    assert [lvl["level"] for lvl in created.get_json()["levels"]] == [1, 2]

    listed = api_as(world.agent).get(URL).get_json()
    assert [m["code"] for m in listed["items"]] == ["A-GOLD"]
    assert listed["items"][0]["levels"][1]["thresholds_min"] == {"P1": 60, "P2": 240}


def test_posting_the_same_code_replaces_its_levels(world: World, api_as: Api) -> None:
    manager = api_as(world.manager)
    manager.post(URL, json={"code": "DEF", "name": "Default", "levels": LEVELS})
    again = manager.post(URL, json={"code": "DEF", "name": "Default", "levels": LEVELS[:1]})
    assert again.status_code == 201
    assert len(manager.get(URL).get_json()["items"][0]["levels"]) == 1


def test_bad_levels_are_422_naming_the_field(world: World, api_as: Api) -> None:
    falling = [LEVELS[0], {**LEVELS[1], "thresholds_min": {"P1": 10}}]
    response = api_as(world.manager).post(
        URL, json={"code": "BAD", "name": "Bad", "levels": falling}
    )
    body = assert_error(response, 422, "validation_error")
    assert "levels.2.thresholds_min.P1" in body["errors"]
    bad_mail = api_as(world.manager).post(
        URL,
        json={
            "code": "BAD",
            "name": "Bad",
            "levels": [{**LEVELS[0], "contacts": ["not-an-address"]}],
        },
    )
    assert_error(bad_mail, 422, "validation_error")
    assert api_as(world.manager).get(URL).get_json()["total"] == 0


def test_a_second_default_matrix_is_a_conflict(world: World, api_as: Api) -> None:
    manager = api_as(world.manager)
    manager.post(URL, json={"code": "ONE", "name": "One", "levels": LEVELS})
    assert_error(
        manager.post(URL, json={"code": "TWO", "name": "Two", "levels": LEVELS}), 409, "conflict"
    )


def test_agents_may_not_define_and_customers_cannot_see(world: World, api_as: Api) -> None:
    refused = api_as(world.agent).post(URL, json={"code": "X", "name": "X", "levels": LEVELS})
    assert_error(refused, 403, "forbidden")
    assert_error(api_as(world.contact_a).get(URL), 404, "not_found")
    dispatcher = make_user(role="dispatcher")
    assert api_as(dispatcher).get(URL).status_code == 200
