"""/jobs: creating a job from a hardware ticket (and every refusal), reading and listing
jobs, who may do what, reassigning, cancelling and auto-assigning.

The world (`build_world`) is shared with the candidate and field tests. The API's clock is
pinned to NOW, a Wednesday 10:00 UTC (11:00 in Warsaw), so the default Mon-Fri 08:00-16:00
shifts are on and a P1 job's arrive-by (a 240-minute on-site target on a 24x7 plan) is 14:00.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest

from fieldops.accounts.models import User
from fieldops.customers.models import Service
from fieldops.engineers.models import Engineer
from fieldops.inventory.models import PartType, StockLocation
from tests.api.conftest import API, assert_error
from tests.factories import (
    DEFAULT_NOW,
    make_contact,
    make_depot,
    make_engineer,
    make_part_type,
    make_service,
    make_ticket,
    make_user,
    make_van,
    stock_up,
)

Api = Callable[[User], Any]

NOW = DEFAULT_NOW
SITE = {"lat": 52.23, "lon": 21.0}  # make_service's site, in Warsaw
NEAR = {"home_lat": 52.24, "home_lon": 21.02}  # about 1.5 km from the site
LODZ = {"home_lat": 51.76, "home_lon": 19.46}  # about 120 km: still there by 14:00


@dataclass
class World:
    dispatcher: User
    agent: User
    customer: User  # a contact of the service's customer
    keeper: User
    manager: User  # sees everything: the observer of what a refusal must not change
    tech: User  # near's login
    other_tech: User  # far's login
    service: Service
    ticket: str  # an open hardware-fault ticket (P1)
    near: Engineer  # in Warsaw, empty van VAN-NEAR
    carrier: Engineer  # beside near, one PSU-750 in van VAN-CAR
    far: Engineer  # in Lodz, empty van VAN-FAR
    psu: PartType  # serialised, 2 in Warsaw, 2 in Krakow, 1 in VAN-CAR
    fan: PartType  # in stock nowhere
    waw: StockLocation
    krk: StockLocation
    waw_serials: list[str]
    van_serials: list[str]


def build_world(session: Any) -> World:
    service = make_service()
    tech = make_user(role="engineer")
    other_tech = make_user(role="engineer")
    near = make_engineer(name="Nina Near", user_id=tech.id, **NEAR)
    carrier = make_engineer(name="Carl Carrier", **NEAR)
    far = make_engineer(name="Fred Far", user_id=other_tech.id, **LODZ)
    make_van(near, code="VAN-NEAR")
    car_van = make_van(carrier, code="VAN-CAR")
    make_van(far, code="VAN-FAR")
    psu = make_part_type(sku="PSU-750", name="750 W PSU")
    fan = make_part_type(sku="FAN-92", name="92 mm fan")
    waw = make_depot(code="DEP-WAW", lat=52.23, lon=21.01)
    krk = make_depot(code="DEP-KRK", lat=50.06, lon=19.94)
    waw_serials = stock_up(psu, waw, 2, prefix="W")
    stock_up(psu, krk, 2, prefix="K")
    van_serials = stock_up(psu, car_van, 1, prefix="V")
    ticket = make_ticket(service, category="hardware", now=NOW)
    built = World(
        dispatcher=make_user(role="dispatcher"),
        agent=make_user(role="agent"),
        customer=make_contact(service.customer),
        keeper=make_user(role="stock_manager"),
        manager=make_user(role="manager"),
        tech=tech,
        other_tech=other_tech,
        service=service,
        ticket=ticket.number,
        near=near,
        carrier=carrier,
        far=far,
        psu=psu,
        fan=fan,
        waw=waw,
        krk=krk,
        waw_serials=waw_serials,
        van_serials=van_serials,
    )
    session.commit()
    return built


def pin_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("fieldops.api.jobs.utcnow", lambda: NOW)


@pytest.fixture
def world(session: Any, monkeypatch: pytest.MonkeyPatch) -> World:
    pin_clock(monkeypatch)
    return build_world(session)


def job_body(ticket: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "ticket_id": ticket,
        "required_skills": ["router"],
        "parts": [{"sku": "PSU-750", "quantity": 1}],
        "duration_min": 90,
    }
    body.update(overrides)
    return body


def create_job(api: Any, ticket: str, **overrides: Any) -> dict[str, Any]:
    response = api.post(f"{API}/jobs", json=job_body(ticket, **overrides))
    assert response.status_code == 201, response.get_data(as_text=True)
    return dict(response.get_json())


def assign(api: Any, number: str, engineer: Engineer) -> dict[str, Any]:
    response = api.post(f"{API}/jobs/{number}/assignment", json={"engineer_id": engineer.id})
    assert response.status_code == 200, response.get_data(as_text=True)
    return dict(response.get_json())


def stock_line(api: Any, sku: str, location: str) -> tuple[int, int, int]:
    """(on hand, reserved, faulty) of one stock line; zeros when there is none."""
    items = api.get(f"{API}/stock?sku={sku}&location={location}").get_json()["items"]
    return (items[0]["on_hand"], items[0]["reserved"], items[0]["faulty"]) if items else (0, 0, 0)


def snapshot(api_as: Api, world: World, ticket: str | None = None) -> tuple[Any, ...]:
    """Jobs, stock, reservations, ledger, backorders and the ticket's log (the world's
    ticket unless another is named), as the manager sees them: what a refusal must leave as
    it was."""
    observer = api_as(world.manager)
    ticket = ticket or world.ticket
    seen = []
    for path in (
        "jobs?per_page=100",
        "stock?per_page=100",
        "reservations?per_page=100",
        "stock/movements?per_page=100",
        "stock/backorders?status=all",
        f"tickets/{ticket}/events?per_page=100",  # (the ticket's own JSON runs on the wall clock)
    ):
        response = observer.get(f"{API}/{path}")
        assert response.status_code == 200, (path, response.get_json())
        seen.append(response.get_json())
    return tuple(seen)


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


# --- creating a job -----------------------------------------------------------------------


def test_an_agent_creates_a_job_from_a_hardware_ticket(api_as: Api, world: World) -> None:
    api = api_as(world.agent)
    job = create_job(
        api,
        world.ticket.lower(),
        required_skills=["Router", "optical", "router"],
        parts=[{"sku": "psu-750", "quantity": 2}, {"sku": "FAN-92"}],
        notes="Rack 4, top shelf.",
        review_required=True,
    )
    assert job["id"].startswith(f"WO-{NOW.year}-")
    assert (job["ticket_id"], job["status"], job["priority"]) == (world.ticket, "unassigned", "P1")
    assert _at(job["arrive_by"]) == NOW + timedelta(minutes=240)
    assert job["arrive_by"].endswith("+00:00")
    assert (job["engineer_id"], job["engineer_name"]) == (None, None)
    assert job["required_skills"] == ["optical", "router"]
    assert job["parts"] == [{"sku": "FAN-92", "quantity": 1}, {"sku": "PSU-750", "quantity": 2}]
    assert job["duration_min"] == 90
    assert job["site"] == {
        "name": "ul. Prosta 1, Warsaw",
        "address": "ul. Prosta 1, Warsaw",
        "lat": 52.23,
        "lon": 21.0,
        "access_notes": "",
    }
    assert (job["review_required"], job["notes"], job["reservations"]) == (
        True,
        "Rack 4, top shelf.",
        [],
    )
    assert (job["failure_reason"], job["signed_off_by"], job["follow_up_of"]) == ("", "", None)
    assert job["access_hours"] is None
    assert api.get(f"{API}/jobs/{job['id'].lower()}").get_json() == job
    # The ticket's work log records the request, and the customer is told.
    events = api.get(f"{API}/tickets/{world.ticket}/events?per_page=100").get_json()["items"]
    mine = [e for e in events if job["id"] in e["body"] or "engineer visit" in e["body"]]
    assert {e["kind"] for e in mine} == {"dispatch"}
    assert any(e["public"] for e in mine)
    assert any(not e["public"] and "field visit requested" in e["body"] for e in mine)


def test_access_hours_are_kept_and_checked(api_as: Api, world: World) -> None:
    api = api_as(world.dispatcher)
    hours = {
        "timezone": "Europe/Warsaw",
        "hours": {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
        "holidays": [],
    }
    job = create_job(api, world.ticket, access_hours=hours)
    assert job["access_hours"]["timezone"] == "Europe/Warsaw"
    before = snapshot(api_as, world)
    bad = api.post(
        f"{API}/jobs", json=job_body(world.ticket, access_hours={"timezone": "Mars/Olympus"})
    )
    assert_error(bad, 422, "validation_error", "access_hours")
    assert snapshot(api_as, world) == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"ticket_id": "TT-2026-999999"}, "ticket_id"),
        ({"parts": [{"sku": "NOPE-1"}]}, "parts.0.sku"),
        ({"parts": [{"sku": "PSU-750"}, {"sku": "psu-750"}]}, "parts.1.sku"),
        ({"parts": [{"sku": "PSU-750", "quantity": 0}]}, "parts.0.quantity"),
        ({"parts": [{"quantity": 1}]}, "parts.0.sku"),
        ({"parts": [{"sku": "PSU-750"}] * 51}, "parts"),
        ({"required_skills": ["fibre splicing"]}, "required_skills"),
        ({"required_skills": [7]}, "required_skills.0"),
        ({"required_skills": ["router"] * 31}, "required_skills"),
        ({"duration_min": 0}, "duration_min"),
        ({"duration_min": 1441}, "duration_min"),
        ({"duration_min": "90"}, "duration_min"),
        ({"duration_min": ...}, "duration_min"),
        ({"ticket_id": ...}, "ticket_id"),
        ({"notes": "x" * 5001}, "notes"),
        ({"review_required": "maybe"}, "review_required"),
    ],
)
def test_bad_job_input_is_422_naming_the_field_and_saves_nothing(
    api_as: Api, world: World, overrides: dict[str, Any], field: str
) -> None:
    api = api_as(world.agent)
    before = snapshot(api_as, world)
    body = {k: v for k, v in job_body(world.ticket, **overrides).items() if v is not ...}
    assert_error(api.post(f"{API}/jobs", json=body), 422, "validation_error", field)
    assert snapshot(api_as, world) == before


def test_a_ticket_that_is_not_a_hardware_fault_is_422(api_as: Api, world: World) -> None:
    network = make_ticket(world.service, category="network", now=NOW).number
    api = api_as(world.agent)
    before = snapshot(api_as, world, network)
    error = assert_error(
        api.post(f"{API}/jobs", json=job_body(network)), 422, "validation_error", "ticket_id"
    )
    assert "not a hardware fault" in error["message"]
    assert snapshot(api_as, world, network) == before


def test_a_closed_ticket_is_409(api_as: Api, world: World) -> None:
    api = api_as(world.agent)
    moved = api.post(
        f"{API}/tickets/{world.ticket}/transitions",
        json={"to": "cancelled", "reason": "Raised in error.", "note": "Duplicate."},
    )
    assert moved.status_code == 200, moved.get_json()
    before = snapshot(api_as, world)
    assert_error(api.post(f"{API}/jobs", json=job_body(world.ticket)), 409, "conflict", "ticket_id")
    assert snapshot(api_as, world) == before


# --- reading ------------------------------------------------------------------------------


def test_jobs_are_listed_by_arrive_by_and_filtered(api_as: Api, world: World) -> None:
    # A P4 ticket (not affecting) has a much later on-site target than the P1 one.
    later = make_ticket(world.service, category="hardware", impact="not_affecting", now=NOW)
    api = api_as(world.dispatcher)
    slow = create_job(api, later.number)
    urgent = create_job(api, world.ticket)
    second = create_job(api, world.ticket, parts=[])
    assign(api, second["id"], world.near)
    listing = api.get(f"{API}/jobs").get_json()
    assert set(listing) == {"items", "total", "page", "per_page"}
    assert listing["total"] == 3
    assert [j["id"] for j in listing["items"]][-1] == slow["id"]
    assert {j["id"] for j in listing["items"][:2]} == {urgent["id"], second["id"]}
    assert all("reservations" not in item for item in listing["items"])

    def ids(query: str) -> list[str]:
        return [j["id"] for j in api.get(f"{API}/jobs?{query}").get_json()["items"]]

    assert ids("status=assigned") == [second["id"]]
    assert set(ids("status=unassigned")) == {urgent["id"], slow["id"]}
    assert ids(f"engineer_id={world.near.id}") == [second["id"]]
    assert ids(f"ticket_id={later.number.lower()}") == [slow["id"]]
    assert ids("per_page=1&page=3") == [slow["id"]]
    assert_error(api.get(f"{API}/jobs?status=lost"), 422, "validation_error", "status")
    assert_error(api.get(f"{API}/jobs?engineer_id=x"), 422, "validation_error", "engineer_id")
    assert_error(api.get(f"{API}/jobs?per_page=101"), 422, "validation_error", "per_page")


def test_an_unknown_job_is_404_everywhere(api_as: Api, world: World) -> None:
    api = api_as(world.dispatcher)
    before = snapshot(api_as, world)
    missing = "WO-2026-999999"
    assert_error(api.get(f"{API}/jobs/{missing}"), 404, "not_found")
    assert_error(api.get(f"{API}/jobs/{missing}/candidates"), 404, "not_found")
    for path, body in (
        ("assignment", {"engineer_id": world.near.id}),
        ("status", {"status": "en_route"}),
        ("cancellation", {"reason": "No longer needed."}),
    ):
        assert_error(api.post(f"{API}/jobs/{missing}/{path}", json=body), 404, "not_found")
    assert snapshot(api_as, world) == before


# --- who may do what ----------------------------------------------------------------------


def test_customers_get_404_on_every_job_path(api_as: Api, world: World) -> None:
    staff = api_as(world.dispatcher)
    job = create_job(staff, world.ticket)
    before = snapshot(api_as, world)
    customer = api_as(world.customer)
    number = job["id"]
    for path in ("jobs", f"jobs/{number}", f"jobs/{number}/candidates", "jobs/WO-1"):
        assert_error(customer.get(f"{API}/{path}"), 404, "not_found")
    for path, body in (
        ("jobs", job_body(world.ticket)),
        ("jobs", {}),
        ("jobs/auto-assignment", {}),
        (f"jobs/{number}/assignment", {"engineer_id": world.near.id}),
        (f"jobs/{number}/assignment", {"engineer_id": "bad"}),
        (f"jobs/{number}/status", {"status": "en_route"}),
        (f"jobs/{number}/cancellation", {"reason": "x"}),
    ):
        assert_error(customer.post(f"{API}/{path}", json=body), 404, "not_found")
    assert snapshot(api_as, world) == before


def test_only_dispatchers_assign_and_cancel(api_as: Api, world: World) -> None:
    staff = api_as(world.dispatcher)
    job = create_job(staff, world.ticket)
    number = job["id"]
    before = snapshot(api_as, world)
    for user in (world.agent, world.tech, world.keeper):
        api = api_as(user)
        assert api.get(f"{API}/jobs/{number}").status_code == 200  # staff read jobs
        for path, body in (
            ("assignment", {"engineer_id": world.near.id}),
            ("assignment", {"engineer_id": "not even valid"}),  # 403 before the input is read
            ("cancellation", {"reason": "Not needed."}),
        ):
            assert_error(api.post(f"{API}/jobs/{number}/{path}", json=body), 403, "forbidden")
        assert_error(api.post(f"{API}/jobs/auto-assignment", json={}), 403, "forbidden")
    for user in (world.tech, world.keeper):  # agents and dispatchers create jobs; not these
        assert_error(
            api_as(user).post(f"{API}/jobs", json=job_body(world.ticket)), 403, "forbidden"
        )
    assert snapshot(api_as, world) == before


def test_requests_without_a_token_are_401(client: Any, world: World) -> None:
    assert client.get(f"{API}/jobs").status_code == 401
    assert client.post(f"{API}/jobs", json={}).status_code == 401


# --- reassigning and cancelling -----------------------------------------------------------


def test_reassigning_releases_and_reserves_again(api_as: Api, world: World) -> None:
    api = api_as(world.dispatcher)
    number = create_job(api, world.ticket)["id"]
    first = assign(api, number, world.near)
    assert [(r["location"], r["status"]) for r in first["reservations"]] == [("DEP-WAW", "held")]
    assert stock_line(api, "PSU-750", "DEP-WAW") == (2, 1, 0)
    second = assign(api, number, world.carrier)
    assert (second["engineer_id"], second["status"]) == (world.carrier.id, "assigned")
    assert sorted((r["location"], r["status"]) for r in second["reservations"]) == [
        ("DEP-WAW", "released"),
        ("VAN-CAR", "held"),
    ]
    assert stock_line(api, "PSU-750", "DEP-WAW") == (2, 0, 0)
    assert stock_line(api, "PSU-750", "VAN-CAR") == (1, 1, 0)
    agent = api_as(world.agent)  # dispatchers do not read tickets; the desk does
    events = agent.get(f"{API}/tickets/{world.ticket}/events?per_page=100").get_json()["items"]
    assert any(
        e["kind"] == "assignment" and "reassigned to Carl Carrier" in e["body"] for e in events
    )


def test_cancelling_releases_the_parts(api_as: Api, world: World) -> None:
    api = api_as(world.dispatcher)
    number = create_job(api, world.ticket)["id"]
    assign(api, number, world.carrier)
    assert stock_line(api, "PSU-750", "VAN-CAR") == (1, 1, 0)
    before = snapshot(api_as, world)
    no_reason = api.post(f"{API}/jobs/{number}/cancellation", json={"reason": ""})
    assert_error(no_reason, 422, "validation_error", "reason")
    blank = api.post(f"{API}/jobs/{number}/cancellation", json={"reason": "   "})
    assert_error(blank, 422, "validation_error", "reason")
    assert snapshot(api_as, world) == before
    response = api.post(f"{API}/jobs/{number}/cancellation", json={"reason": "Fixed remotely."})
    assert response.status_code == 200, response.get_json()
    job = response.get_json()
    assert job["status"] == "cancelled"
    assert [r["status"] for r in job["reservations"]] == ["released"]
    assert stock_line(api, "PSU-750", "VAN-CAR") == (1, 0, 0)
    again = api.post(f"{API}/jobs/{number}/cancellation", json={"reason": "Twice."})
    assert_error(again, 409, "conflict", "status")
    assign_again = api.post(f"{API}/jobs/{number}/assignment", json={"engineer_id": world.near.id})
    assert_error(assign_again, 409, "conflict", "status")


# --- auto-assignment ----------------------------------------------------------------------


def test_auto_assign_respects_capacity_and_skills(api_as: Api, world: World) -> None:
    # Only two engineers have the "power" skill, each with room for one job that day.
    solo = make_engineer(name="Pia Power", skills=["power"], daily_capacity=1, **NEAR)
    duo = make_engineer(name="Pete Power", skills=["power", "router"], daily_capacity=1, **LODZ)
    api = api_as(world.dispatcher)
    numbers = [
        create_job(api, world.ticket, required_skills=["power"], parts=[])["id"] for _ in range(3)
    ]
    response = api.post(f"{API}/jobs/auto-assignment", json={"jobs": numbers})
    assert response.status_code == 200, response.get_json()
    result = response.get_json()
    placed = {item["job"]: item["engineer_id"] for item in result["assigned"]}
    assert len(placed) == 2
    assert sorted(placed.values()) == sorted([solo.id, duo.id])  # one each: capacity 1
    assert all(item["status"] == "assigned" for item in result["assigned"])
    assert len(result["unplaced"]) == 1
    assert result["unplaced"][0]["job"] in numbers
    assert "skills" in result["unplaced"][0]["reason"]
    for number, engineer_id in placed.items():
        assert api.get(f"{API}/jobs/{number}").get_json()["engineer_id"] == engineer_id
    # Nobody lacking "power" was given one.
    assert {world.near.id, world.carrier.id, world.far.id}.isdisjoint(placed.values())


def test_auto_assign_takes_every_unassigned_job_and_names_the_rest(
    api_as: Api, world: World
) -> None:
    api = api_as(world.dispatcher)
    first = create_job(api, world.ticket)["id"]
    second = create_job(api, world.ticket, parts=[])["id"]
    done = create_job(api, world.ticket, parts=[])["id"]
    assign(api, done, world.far)
    result = api.post(f"{API}/jobs/auto-assignment", json={}).get_json()
    assert {item["job"] for item in result["assigned"]} == {first, second}
    assert result["unplaced"] == []
    # The PSU job went to the engineer carrying one (the van bonus), its part from the van.
    by_job = {item["job"]: item for item in result["assigned"]}
    assert by_job[first]["engineer_id"] == world.carrier.id
    job = api.get(f"{API}/jobs/{first}").get_json()
    assert [r["location"] for r in job["reservations"]] == ["VAN-CAR"]
    # Naming jobs that are not unassigned (or do not exist) says so instead of ignoring them.
    named = api.post(f"{API}/jobs/auto-assignment", json={"jobs": [done, "wo-2026-999999"]})
    assert named.get_json() == {
        "assigned": [],
        "unplaced": [
            {"job": done, "reason": "not an unassigned job"},
            {"job": "WO-2026-999999", "reason": "not an unassigned job"},
        ],
    }
    for body, field in (
        ({"jobs": []}, "jobs"),
        ({"jobs": "WO-1"}, "jobs"),
        ({"jobs": [1]}, "jobs.0"),
        ({"jobs": ["W"] * 501}, "jobs"),
    ):
        bad = api.post(f"{API}/jobs/auto-assignment", json=body)
        assert_error(bad, 422, "validation_error", field)
