"""/jobs/{id}/candidates and /jobs/{id}/assignment: who can take a job and why (skills,
shifts less absences, capacity, travel, parts in the van), and assigning it, with its parts
reserved from the van or the nearest depot, or backordered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from fieldops.engineers.models import Engineer
from fieldops.engineers.services import add_absence
from tests.api.conftest import API, assert_error
from tests.api.test_jobs_api import (
    NEAR,
    NOW,
    Api,
    World,
    assign,
    build_world,
    create_job,
    pin_clock,
    snapshot,
    stock_line,
)
from tests.factories import make_engineer


@dataclass
class Crowd:
    """Engineers beside the site whom something rules out."""

    unskilled: Engineer  # power only
    absent: Engineer  # away from an hour ago until tomorrow
    weekender: Engineer  # works Saturdays and Sundays
    full: Engineer  # room for one job a day, and given one


@pytest.fixture
def world(session: Any, monkeypatch: pytest.MonkeyPatch) -> World:
    pin_clock(monkeypatch)
    return build_world(session)


@pytest.fixture
def crowd(session: Any, world: World, api_as: Api) -> Crowd:
    weekend = [["08:00", "16:00"]]
    built = Crowd(
        unskilled=make_engineer(name="Uma Unskilled", skills=["power"], **NEAR),
        absent=make_engineer(name="Abe Absent", **NEAR),
        weekender=make_engineer(
            name="Wendy Weekend", shifts={"sat": weekend, "sun": weekend}, **NEAR
        ),
        full=make_engineer(name="Fay Full", daily_capacity=1, **NEAR),
    )
    add_absence(
        built.absent.id, starts_at=NOW - timedelta(hours=1), ends_at=NOW + timedelta(days=1)
    )
    api = api_as(world.dispatcher)  # commits the crowd
    assign(api, create_job(api, world.ticket, parts=[])["id"], built.full)
    return built


def _candidates(api: Any, number: str, query: str = "") -> dict[str, Any]:
    response = api.get(f"{API}/jobs/{number}/candidates{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return dict(response.get_json())


# --- candidates ---------------------------------------------------------------------------


def test_candidates_are_ranked_with_their_reasons(api_as: Api, world: World, crowd: Crowd) -> None:
    api = api_as(world.dispatcher)
    number = create_job(api, world.ticket)["id"]  # router, one PSU-750
    body = _candidates(api, number)
    assert set(body) == {"job", "candidates"}  # no exclusions unless asked
    assert body["job"] == number
    ranked = body["candidates"]
    # The van already holding the PSU wins over the same trip without it; Lodz comes last.
    assert [c["engineer_id"] for c in ranked] == [world.carrier.id, world.near.id, world.far.id]
    carrier, near, far = ranked
    assert set(carrier) == {
        "engineer_id",
        "name",
        "score",
        "score_parts",
        "travel_min",
        "distance_km",
        "slack_min",
        "eta",
        "reasons",
        "reason",
    }
    assert carrier["name"] == "Carl Carrier"
    assert set(carrier["score_parts"]) == {"travel", "slack", "load", "parts"}
    assert carrier["score_parts"]["parts"] == 25.0
    assert near["score_parts"]["parts"] == 0.0
    assert carrier["score"] == pytest.approx(sum(carrier["score_parts"].values()), abs=0.02)
    assert carrier["score"] == pytest.approx(near["score"] + 25.0, abs=0.02)
    assert "carries PSU-750" in carrier["reasons"]
    assert "parts to pick up at a depot" in near["reasons"]
    assert carrier["reason"] == "; ".join(carrier["reasons"])
    # Nearer ranks higher: 1.5 km against about 120 km, and the travel shows it.
    assert near["distance_km"] == pytest.approx(1.7, abs=0.5)
    assert far["distance_km"] == pytest.approx(120, abs=10)
    assert near["travel_min"] < 5 < 120 < far["travel_min"]
    assert far["score_parts"]["travel"] < near["score_parts"]["travel"]
    assert far["eta"].endswith("+00:00")
    assert 0 < far["slack_min"] < near["slack_min"] <= 240


def test_explain_lists_who_is_excluded_and_why(api_as: Api, world: World, crowd: Crowd) -> None:
    api = api_as(world.dispatcher)
    number = create_job(api, world.ticket)["id"]
    body = _candidates(api, number, "?explain=1")
    excluded = {e["engineer_id"]: e for e in body["excluded"]}
    assert set(excluded) == {
        crowd.unskilled.id,
        crowd.absent.id,
        crowd.weekender.id,
        crowd.full.id,
    }
    assert excluded[crowd.unskilled.id] == {
        "engineer_id": crowd.unskilled.id,
        "name": "Uma Unskilled",
        "reasons": ["lacks skills: router"],
    }
    assert excluded[crowd.absent.id]["reasons"] == ["not on shift before the arrive-by time"]
    assert excluded[crowd.weekender.id]["reasons"] == ["not on shift before the arrive-by time"]
    assert excluded[crowd.full.id]["reasons"] == ["no capacity left: 1 of 1 jobs that day"]
    assert len(body["candidates"]) == 3
    assert "excluded" not in _candidates(api, number, "?explain=0")


def test_the_candidate_list_is_limited(api_as: Api, world: World) -> None:
    api = api_as(world.agent)  # staff may read the ranking
    number = create_job(api, world.ticket)["id"]
    assert [c["engineer_id"] for c in _candidates(api, number, "?limit=1")["candidates"]] == [
        world.carrier.id
    ]
    for query in ("?limit=0", "?limit=101", "?limit=x", "?explain=perhaps"):
        field = "explain" if "explain" in query else "limit"
        response = api.get(f"{API}/jobs/{number}/candidates{query}")
        assert_error(response, 422, "validation_error", field)


# --- assignment ---------------------------------------------------------------------------


def test_assigning_reserves_from_the_engineers_van(api_as: Api, world: World) -> None:
    api = api_as(world.dispatcher)
    number = create_job(api, world.ticket)["id"]
    job = assign(api, number, world.carrier)
    assert (job["status"], job["engineer_id"], job["engineer_name"]) == (
        "assigned",
        world.carrier.id,
        "Carl Carrier",
    )
    [reservation] = job["reservations"]
    assert (reservation["location"], reservation["status"], reservation["job_id"]) == (
        "VAN-CAR",
        "held",
        number,
    )
    assert reservation["serials"] == world.van_serials
    assert reservation["emergency"] is True  # a P1 job may use reserve-floor stock
    assert stock_line(api, "PSU-750", "VAN-CAR") == (1, 1, 0)
    assert stock_line(api, "PSU-750", "DEP-WAW") == (2, 0, 0)
    assert api.get(f"{API}/jobs/{number}").get_json() == job
    agent = api_as(world.agent)
    events = agent.get(f"{API}/tickets/{world.ticket}/events?per_page=100").get_json()["items"]
    assert any(e["kind"] == "assignment" and "Carl Carrier" in e["body"] for e in events)
    assert any(e["kind"] == "parts" and "from VAN-CAR" in e["body"] for e in events)


def test_without_van_stock_the_nearest_depot_gives_the_part(api_as: Api, world: World) -> None:
    api = api_as(world.dispatcher)
    number = create_job(api, world.ticket)["id"]
    job = assign(api, number, world.near)
    assert job["status"] == "assigned"
    assert [(r["location"], r["status"]) for r in job["reservations"]] == [("DEP-WAW", "held")]
    assert job["reservations"][0]["serials"][0] in world.waw_serials
    assert stock_line(api, "PSU-750", "DEP-WAW") == (2, 1, 0)
    assert stock_line(api, "PSU-750", "DEP-KRK") == (2, 0, 0)
    assert stock_line(api, "PSU-750", "VAN-CAR") == (1, 0, 0)


def test_a_part_in_stock_nowhere_leaves_the_job_awaiting_parts(api_as: Api, world: World) -> None:
    api = api_as(world.dispatcher)
    number = create_job(api, world.ticket, parts=[{"sku": "FAN-92"}, {"sku": "PSU-750"}])["id"]
    job = assign(api, number, world.near)
    assert (job["status"], job["engineer_id"]) == ("awaiting_parts", world.near.id)
    assert [(r["sku"], r["location"]) for r in job["reservations"]] == [("PSU-750", "DEP-WAW")]
    backorders = api.get(f"{API}/stock/backorders").get_json()["items"]
    assert [(b["sku"], b["quantity"], b["job_id"]) for b in backorders] == [("FAN-92", 1, number)]
    listed = api.get(f"{API}/jobs?status=awaiting_parts").get_json()["items"]
    assert [j["id"] for j in listed] == [number]
    # An awaiting-parts job can still be given to someone else.
    again = assign(api, number, world.carrier)
    assert again["status"] == "awaiting_parts"
    assert stock_line(api, "PSU-750", "DEP-WAW") == (2, 0, 0)
    assert stock_line(api, "PSU-750", "VAN-CAR") == (1, 1, 0)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"engineer_id": 999_999}, "engineer_id"),
        ({"engineer_id": "7"}, "engineer_id"),
        ({"engineer_id": 1.5}, "engineer_id"),
        ({"engineer_id": 0}, "engineer_id"),
        ({"engineer_id": 2**31}, "engineer_id"),
        ({"engineer_id": None}, "engineer_id"),
        ({}, "engineer_id"),
    ],
)
def test_a_bad_engineer_is_422_and_changes_nothing(
    api_as: Api, world: World, body: dict[str, Any], field: str
) -> None:
    api = api_as(world.dispatcher)
    number = create_job(api, world.ticket)["id"]
    before = snapshot(api_as, world)
    response = api.post(f"{API}/jobs/{number}/assignment", json=body)
    assert_error(response, 422, "validation_error", field)
    assert snapshot(api_as, world) == before


def test_engineers_who_cannot_take_the_job_are_refused(
    api_as: Api, world: World, crowd: Crowd
) -> None:
    api = api_as(world.dispatcher)
    number = create_job(api, world.ticket)["id"]
    before = snapshot(api_as, world)
    for engineer, status, words in (
        (crowd.unskilled, 422, "lacks skills: router"),
        (crowd.full, 409, "no capacity left"),
        (crowd.absent, 409, "not on shift"),
        (crowd.weekender, 409, "not on shift"),
    ):
        response = api.post(f"{API}/jobs/{number}/assignment", json={"engineer_id": engineer.id})
        code = "validation_error" if status == 422 else "conflict"
        error = assert_error(response, status, code, "engineer_id")
        assert words in error["message"]
        assert engineer.name in error["message"]
    assert snapshot(api_as, world) == before
