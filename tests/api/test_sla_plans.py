"""/sla-plans: plans with their calendars and targets; staff read, managers create."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from fieldops.accounts.models import User
from tests.api.conftest import API, World, assert_error, ticket_body
from tests.factories import CALENDAR_BUSINESS, TARGETS_24X7, make_user

Api = Callable[[User], Any]


def _plan(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "code": "BH-WAW",
        "name": "Business hours, Warsaw",
        "calendar": copy.deepcopy(CALENDAR_BUSINESS),
        "targets": copy.deepcopy(TARGETS_24X7),
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not ...}


def test_staff_list_plans_with_calendar_and_targets(api_as: Api, world: World) -> None:
    for user in (world.agent, make_user(role="dispatcher")):
        response = api_as(user).get(f"{API}/sla-plans")
        assert response.status_code == 200
        items = response.get_json()["items"]
        plan = next(p for p in items if p["code"] == world.service_a.sla_plan.code)
        assert set(plan) >= {"code", "name", "calendar", "targets"}
        assert set(plan["calendar"]) == {"timezone", "hours", "holidays"}
        assert set(plan["targets"]) == {"P1", "P2", "P3", "P4"}
        assert set(plan["targets"]["P1"]) == {"response_min", "resolution_min", "onsite_min"}


def test_the_plan_list_is_paginated_in_the_contract_shape(api_as: Api, world: World) -> None:
    api = api_as(world.agent)
    body = api.get(f"{API}/sla-plans?per_page=1").get_json()
    assert set(body) == {"items", "total", "page", "per_page"}
    assert (body["page"], body["per_page"], len(body["items"])) == (1, 1, 1)
    assert body["total"] >= 2
    second = api.get(f"{API}/sla-plans?per_page=1&page=2").get_json()
    assert second["items"][0]["code"] != body["items"][0]["code"]
    assert_error(api.get(f"{API}/sla-plans?per_page=101"), 422, "validation_error", "per_page")


def test_a_contact_may_not_see_sla_plans(api_as: Api, world: World) -> None:
    assert_error(api_as(world.contact_a).get(f"{API}/sla-plans"), 404, "not_found")


def test_a_manager_creates_a_plan_and_it_is_listed(api_as: Api, world: World) -> None:
    api = api_as(world.manager)
    response = api.post(f"{API}/sla-plans", json=_plan())
    assert response.status_code == 201
    body = response.get_json()
    assert body["code"] == "BH-WAW"
    assert body["calendar"] == CALENDAR_BUSINESS
    assert body["targets"] == TARGETS_24X7
    listed = api.get(f"{API}/sla-plans").get_json()["items"]
    assert "BH-WAW" in {p["code"] for p in listed}


def test_a_plan_with_its_own_priority_matrix(api_as: Api, world: World) -> None:
    matrix = {
        "matrix": {
            "service_affecting": {"high": "P1", "medium": "P1", "low": "P1"},
            "degraded": {"high": "P1", "medium": "P1", "low": "P1"},
            "not_affecting": {"high": "P1", "medium": "P1", "low": "P1"},
        }
    }
    response = api_as(world.manager).post(f"{API}/sla-plans", json=_plan(priority_matrix=matrix))
    assert response.status_code == 201
    assert response.get_json()["priority_matrix"] == matrix


def test_tickets_on_a_plan_made_through_the_api_run_on_its_calendar(
    api_as: Api, world: World
) -> None:
    """End to end: plan -> service -> ticket, and the clock uses the plan's calendar."""
    manager = api_as(world.manager)
    assert manager.post(f"{API}/sla-plans", json=_plan()).status_code == 201
    service = {
        "id": "SVC-55001",
        "customer": world.customer_a.code,
        "type": "l2vpn",
        "sla_plan": "BH-WAW",
        "site": {"address": "ul. Prosta 1", "lat": 52.23, "lon": 21.0},
    }
    assert api_as(world.agent).post(f"{API}/services", json=service).status_code == 201
    created = api_as(world.contact_a).post(f"{API}/tickets", json=ticket_body("SVC-55001"))
    assert created.status_code == 201
    sla = created.get_json()["sla"]
    due = datetime.fromisoformat(sla["response_due_at"])
    local = due.astimezone(ZoneInfo("Europe/Warsaw"))
    assert local.weekday() < 5  # never due on a weekend on a business-hours plan
    assert (8, 0) <= (local.hour, local.minute) <= (17, 0)


@pytest.mark.parametrize("role", ["agent", "dispatcher"])
def test_only_managers_and_admins_create_plans(api_as: Api, world: World, role: str) -> None:
    user = world.agent if role == "agent" else make_user(role=role)
    assert_error(api_as(user).post(f"{API}/sla-plans", json=_plan()), 403, "forbidden")
    admin = make_user(role="admin")
    assert api_as(admin).post(f"{API}/sla-plans", json=_plan()).status_code == 201


def test_a_contact_cannot_create_plans_and_is_not_told_they_exist(
    api_as: Api, world: World
) -> None:
    assert_error(api_as(world.contact_a).post(f"{API}/sla-plans", json=_plan()), 404, "not_found")


def test_a_duplicate_plan_code_is_a_conflict(api_as: Api, world: World) -> None:
    response = api_as(world.manager).post(
        f"{API}/sla-plans", json=_plan(code=world.service_a.sla_plan.code)
    )
    assert_error(response, 409, "conflict", "code")


BAD_PLANS: list[tuple[str, dict[str, Any], str]] = [
    ("no code", {"code": ...}, "code"),
    ("no name", {"name": ...}, "name"),
    ("no calendar", {"calendar": ...}, "calendar"),
    ("no targets", {"targets": ...}, "targets"),
    (
        "unknown zone",
        {"calendar": {**CALENDAR_BUSINESS, "timezone": "Europe/Atlantis"}},
        "calendar",
    ),
    ("bad span", {"calendar": {**CALENDAR_BUSINESS, "hours": {"mon": [["9", "5"]]}}}, "calendar"),
    ("a typo for holidays", {"calendar": {**CALENDAR_BUSINESS, "holiday": []}}, "calendar"),
    ("never open", {"calendar": {**CALENDAR_BUSINESS, "hours": {}}}, "calendar"),
    ("targets incomplete", {"targets": {"P1": TARGETS_24X7["P1"]}}, "targets"),
    (
        "target of zero minutes",
        {"targets": {**TARGETS_24X7, "P2": {**TARGETS_24X7["P2"], "resolution_min": 0}}},
        "targets",
    ),
    (
        "a target no clock can reach",
        {"targets": {**TARGETS_24X7, "P4": {**TARGETS_24X7["P4"], "resolution_min": 10**30}}},
        "targets",
    ),
    ("matrix incomplete", {"priority_matrix": {"matrix": {}}}, "priority_matrix"),
    ("an unknown field", {"colour": "gold"}, "colour"),
]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [(o, f) for _, o, f in BAD_PLANS],
    ids=[name for name, _, _ in BAD_PLANS],
)
def test_a_bad_plan_is_422_naming_the_field_and_nothing_is_saved(
    api_as: Api, world: World, overrides: dict[str, Any], field: str
) -> None:
    api = api_as(world.manager)
    response = api.post(f"{API}/sla-plans", json=_plan(**overrides))
    assert_error(response, 422, "validation_error", field)
    listed = api.get(f"{API}/sla-plans").get_json()["items"]
    assert "BH-WAW" not in {p["code"] for p in listed}
