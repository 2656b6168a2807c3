"""/route-plans and /engineers/{id}/route: planning a day (202, then the background task),
polling and listing plans, an engineer's route, who may do what, and every refusal.

The API's clock is pinned to NOW (Wednesday 18 November 2026, 06:00 UTC); the tests run the
planner's task themselves, as the worker would after the request's commit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask

from fieldops.accounts.models import User
from fieldops.dispatch.models import Job
from fieldops.engineers.models import Engineer
from fieldops.routing.tasks import run_route_plan
from tests.api.conftest import API, assert_error
from tests.factories import make_contact, make_service, make_user
from tests.routing.plans_world import DAY, NOW, crew, site_job

Api = Callable[[User], Any]


@dataclass
class World:
    dispatcher: User
    manager: User
    agent: User
    customer: User
    tech: User  # North's login
    other_tech: User  # South's login
    north: Engineer
    south: Engineer
    north_jobs: list[Job]
    south_job: Job
    fibre_job: Job  # nobody has the skill


@pytest.fixture
def world(session: Any, monkeypatch: pytest.MonkeyPatch) -> World:
    for module in ("fieldops.api.route_plans", "fieldops.api.jobs"):
        monkeypatch.setattr(f"{module}.utcnow", lambda: NOW)
    dispatcher = make_user(role="dispatcher")
    tech, other_tech = make_user(role="engineer"), make_user(role="engineer")
    north = crew("North", 52.30, 21.00)
    south = crew("South", 52.15, 21.02)
    north.user_id, south.user_id = tech.id, other_tech.id
    built = World(
        dispatcher=dispatcher,
        manager=make_user(role="manager"),
        agent=make_user(role="agent"),
        customer=make_contact(make_service().customer),
        tech=tech,
        other_tech=other_tech,
        north=north,
        south=south,
        north_jobs=[site_job(dispatcher, 52.31, 21.01), site_job(dispatcher, 52.29, 20.99)],
        south_job=site_job(dispatcher, 52.14, 21.03),
        fibre_job=site_job(dispatcher, 52.22, 21.00, skills=["fibre-splicing"]),
    )
    session.commit()
    return built


def _planned(api: Any, **body: Any) -> dict[str, Any]:
    """POST a plan for DAY (1 s), run the task, and GET it back."""
    response = api.post(f"{API}/route-plans", json={"date": DAY.isoformat(), **body})
    assert response.status_code == 202, response.get_data(as_text=True)
    run_route_plan(response.get_json()["id"], now=NOW)
    done = api.get(response.get_json()["links"]["self"])
    assert done.status_code == 200, done.get_data(as_text=True)
    return dict(done.get_json())


def _visits(plan: dict[str, Any]) -> dict[str, int]:
    return {
        stop["job_id"]: route["engineer_id"]
        for route in plan["routes"]
        for stop in route["stops"]
        if stop["kind"] == "visit"
    }


def test_a_dispatcher_plans_a_day_and_polls_it_until_done(api_as: Api, world: World) -> None:
    api = api_as(world.dispatcher)
    response = api.post(f"{API}/route-plans", json={"date": "2026-11-18", "time_limit_s": 1})
    assert response.status_code == 202, response.get_data(as_text=True)
    queued = response.get_json()
    assert (queued["date"], queued["status"], queued["progress_pct"]) == ("2026-11-18", "queued", 0)
    assert (queued["region"], queued["time_limit_s"], queued["routes"]) == (None, 1, [])
    assert queued["links"] == {"self": f"{API}/route-plans/{queued['id']}"}
    assert run_route_plan(queued["id"], now=NOW) == "done"
    plan = api.get(queued["links"]["self"]).get_json()
    assert (plan["status"], plan["progress_pct"], plan["served"]) == ("done", 100, 3)
    assert _visits(plan) == {
        world.north_jobs[0].number: world.north.id,
        world.north_jobs[1].number: world.north.id,
        world.south_job.number: world.south.id,
    }
    route = next(r for r in plan["routes"] if r["engineer_id"] == world.north.id)
    assert route["name"] == "North"
    assert route["travel_min"] > 0
    assert route["distance_km"] > 0
    assert route["start"] == {"lat": 52.30, "lon": 21.00} == route["end"]
    stop = route["stops"][0]
    assert set(stop) >= {
        "seq",
        "kind",
        "job_id",
        "depot",
        "arrive_at",
        "start_at",
        "depart_at",
        "slack_min",
        "late_min",
    }
    assert (stop["seq"], stop["kind"], stop["depot"]) == (1, "visit", None)
    assert stop["job_id"].startswith("WO-2026-")
    assert stop["start_at"].endswith("+00:00")
    start = datetime.fromisoformat(stop["start_at"])
    assert datetime.fromisoformat(route["leave_at"]) <= start
    assert datetime.fromisoformat(stop["depart_at"]) - start == timedelta(minutes=45)
    assert plan["dropped"] == [
        {
            "job_id": world.fibre_job.number,
            "priority": "P1",
            "place_name": plan["dropped"][0]["place_name"],
            "reason": plan["dropped"][0]["reason"],
        }
    ]
    assert "fibre-splicing" in plan["dropped"][0]["reason"]


def test_plans_are_listed_by_day_newest_first(api_as: Api, world: World) -> None:
    api = api_as(world.manager)
    first = _planned(api, time_limit_s=1)
    second = _planned(api, time_limit_s=1)
    listed = api.get(f"{API}/route-plans?date=2026-11-18").get_json()
    assert [item["id"] for item in listed["items"]] == [second["id"], first["id"]]
    assert [item["status"] for item in listed["items"]] == ["done", "superseded"]
    assert "routes" not in listed["items"][0]
    assert listed["total"] == 2
    assert api.get(f"{API}/route-plans?date=2026-11-19").get_json()["total"] == 0


def test_an_engineer_reads_their_own_route(api_as: Api, world: World) -> None:
    plan = _planned(api_as(world.dispatcher), time_limit_s=1)
    mine = api_as(world.tech).get(f"{API}/engineers/{world.north.id}/route?date=2026-11-18")
    assert mine.status_code == 200, mine.get_data(as_text=True)
    route = mine.get_json()
    assert (route["engineer_id"], route["plan_id"], route["date"]) == (
        world.north.id,
        plan["id"],
        "2026-11-18",
    )
    assert [s["job_id"] for s in route["stops"]] == [
        s["job_id"]
        for r in plan["routes"]
        if r["engineer_id"] == world.north.id
        for s in r["stops"]
    ]
    theirs = api_as(world.tech).get(f"{API}/engineers/{world.south.id}/route?date=2026-11-18")
    assert_error(theirs, 404, "not_found")
    seen = api_as(world.dispatcher).get(f"{API}/engineers/{world.south.id}/route?date=2026-11-18")
    assert seen.status_code == 200
    other_day = api_as(world.tech).get(f"{API}/engineers/{world.north.id}/route?date=2026-11-19")
    assert_error(other_day, 404, "not_found")


def test_assigning_a_job_moves_it_into_that_engineers_stored_route(
    api_as: Api, world: World
) -> None:
    api = api_as(world.dispatcher)
    plan = _planned(api, time_limit_s=1)
    moved = world.north_jobs[0].number
    assert _visits(plan)[moved] == world.north.id
    response = api.post(f"{API}/jobs/{moved}/assignment", json={"engineer_id": world.south.id})
    assert response.status_code == 200, response.get_data(as_text=True)
    after = api.get(f"{API}/route-plans/{plan['id']}").get_json()
    assert _visits(after)[moved] == world.south.id
    assert list(_visits(after).values()).count(world.north.id) == 1
    route = api_as(world.other_tech).get(f"{API}/engineers/{world.south.id}/route?date=2026-11-18")
    assert moved in [stop["job_id"] for stop in route.get_json()["stops"]]


@pytest.mark.parametrize("who", ["agent", "customer", "tech"])
def test_only_dispatch_roles_plan_or_read_plans(api_as: Api, world: World, who: str) -> None:
    api = api_as(getattr(world, who))
    refused = api.post(f"{API}/route-plans", json={"date": "2026-11-18"})
    assert_error(refused, 403, "forbidden")
    assert_error(api.get(f"{API}/route-plans"), 403, "forbidden")
    assert_error(api.get(f"{API}/route-plans/1"), 403, "forbidden")
    listed = api_as(world.manager).get(f"{API}/route-plans").get_json()
    assert listed["total"] == 0


def test_a_customer_never_reads_an_engineers_route(api_as: Api, world: World) -> None:
    response = api_as(world.customer).get(f"{API}/engineers/{world.north.id}/route?date=2026-11-18")
    assert_error(response, 404, "not_found")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"date": "2026-13-01"}, "date"),
        ({"date": "18.11.2026"}, "date"),
        ({}, "date"),
        ({"date": "2020-01-01"}, "date"),
        ({"date": "2026-11-18", "region": "DEP-NOWHERE"}, "region"),
        ({"date": "2026-11-18", "region": ""}, "region"),
        ({"date": "2026-11-18", "time_limit_s": 0}, "time_limit_s"),
        ({"date": "2026-11-18", "time_limit_s": 301}, "time_limit_s"),
        ({"date": "2026-11-18", "time_limit_s": "5"}, "time_limit_s"),
    ],
)
def test_bad_input_is_422_naming_the_field(
    api_as: Api, world: World, body: dict[str, Any], field: str
) -> None:
    api = api_as(world.dispatcher)
    assert_error(api.post(f"{API}/route-plans", json=body), 422, "validation_error", field)
    assert api.get(f"{API}/route-plans").get_json()["total"] == 0


def test_bad_query_dates_are_422(api_as: Api, world: World) -> None:
    api = api_as(world.dispatcher)
    assert_error(api.get(f"{API}/route-plans?date=tomorrow"), 422, "validation_error", "date")
    route = f"{API}/engineers/{world.north.id}/route"
    assert_error(api.get(route), 422, "validation_error", "date")
    assert_error(api.get(f"{route}?date=2026-02-30"), 422, "validation_error", "date")


def test_unknown_plans_and_routes_are_404(api_as: Api, world: World) -> None:
    api = api_as(world.dispatcher)
    assert_error(api.get(f"{API}/route-plans/424242"), 404, "not_found")
    assert_error(api.get(f"{API}/route-plans/99999999999"), 404, "not_found")
    assert_error(api.get(f"{API}/engineers/424242/route?date=2026-11-18"), 404, "not_found")
    assert_error(api.get(f"{API}/engineers/99999999999/route?date=2026-11-18"), 404, "not_found")
    # No plan yet for the day: North has no route.
    no_plan = api.get(f"{API}/engineers/{world.north.id}/route?date=2026-11-18")
    assert_error(no_plan, 404, "not_found")


def test_the_plan_is_handed_to_the_worker_only_after_commit(
    api_as: Api, world: World, app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fieldops.routing.services.plans import RUNNER_EXTENSION

    kicked: list[int] = []
    monkeypatch.setitem(app.config, "ROUTE_PLAN_KICK", True)
    monkeypatch.setitem(app.extensions, RUNNER_EXTENSION, kicked.append)
    api = api_as(world.dispatcher)
    refused = api.post(f"{API}/route-plans", json={"date": "2026-11-18", "region": "NOWHERE"})
    assert refused.status_code == 422
    assert kicked == []
    accepted = api.post(f"{API}/route-plans", json={"date": "2026-11-18"})
    assert accepted.status_code == 202
    assert kicked == [accepted.get_json()["id"]]


def test_the_openapi_document_describes_route_plans(api_as: Api, world: World) -> None:
    spec = api_as(world.dispatcher).get(f"{API}/openapi.json").get_json()
    paths = spec["paths"]
    assert {"get", "post"} <= set(paths[f"{API}/route-plans"])
    assert "202" in paths[f"{API}/route-plans"]["post"]["responses"]
    item = next(p for p in paths if p.startswith(f"{API}/route-plans/{{"))
    assert "get" in paths[item]
    route = next(p for p in paths if p.startswith(f"{API}/engineers/{{") and p.endswith("/route"))
    parameters = {p["name"] for p in paths[route]["get"]["parameters"] if p["in"] == "query"}
    assert "date" in parameters
    schemas = spec["components"]["schemas"]
    assert {"date", "region", "time_limit_s"} <= set(schemas["RoutePlanCreate"]["properties"])
    stop = schemas["Stop"]["properties"]
    assert {"seq", "kind", "job_id", "depot", "arrive_at", "slack_min", "late_min"} <= set(stop)
