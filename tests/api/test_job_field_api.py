"""/jobs/{id}/status: the engineer's reports from the field. On the way (the parts are picked
into the van), on site, completed (parts used and removed through the ledger, sign-off, the
ticket resolved unless review was asked for) or failed (with a follow-up job); and refusals:
the wrong status, someone else's job, a field a status does not take."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import API, assert_error
from tests.api.test_jobs_api import (
    Api,
    World,
    assign,
    build_world,
    create_job,
    pin_clock,
    snapshot,
    stock_line,
)


@pytest.fixture
def world(session: Any, monkeypatch: pytest.MonkeyPatch) -> World:
    pin_clock(monkeypatch)
    return build_world(session)


def _report(api: Any, number: str, **body: Any) -> dict[str, Any]:
    response = api.post(f"{API}/jobs/{number}/status", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    return dict(response.get_json())


def _assigned(api_as: Api, world: World, **job: Any) -> str:
    """A PSU job given to Nina Near (world.tech's engineer), its PSU held at DEP-WAW."""
    dispatcher = api_as(world.dispatcher)
    number = create_job(dispatcher, world.ticket, **job)["id"]
    assign(dispatcher, number, world.near)
    return number


def _movements(api: Any, **query: str) -> list[dict[str, Any]]:
    args = "&".join(f"{k}={v}" for k, v in query.items())
    return list(api.get(f"{API}/stock/movements?per_page=100&{args}").get_json()["items"])


def test_the_engineer_goes_on_site_and_completes_the_job(api_as: Api, world: World) -> None:
    number = _assigned(api_as, world)
    keeper = api_as(world.keeper)
    serial = (
        api_as(world.dispatcher)
        .get(f"{API}/jobs/{number}")
        .get_json()["reservations"][0]["serials"][0]
    )
    tech = api_as(world.tech)

    job = _report(tech, number, status="en_route", note="Leaving the depot.")
    assert job["status"] == "en_route"
    # Setting off picks the part: it leaves the depot for the van, still reserved.
    [reservation] = job["reservations"]
    assert (reservation["status"], reservation["location"]) == ("picked", "VAN-NEAR")
    assert stock_line(keeper, "PSU-750", "DEP-WAW") == (1, 0, 0)
    assert stock_line(keeper, "PSU-750", "VAN-NEAR") == (1, 1, 0)
    [pick] = _movements(keeper, kind="pick")
    assert (pick["from"], pick["to"], pick["serial"]) == ("DEP-WAW", "VAN-NEAR", serial)

    assert _report(tech, number, status="on_site")["status"] == "on_site"
    job = _report(
        tech,
        number,
        status="completed",
        signed_off_by="Jan Kowalski",
        parts_used=[{"sku": "psu-750", "serials": [serial]}],
        parts_removed=[{"sku": "PSU-750", "serials": ["OLD-PSU-1"]}],
        notes="Swapped the PSU; link up.",
    )
    assert (job["status"], job["signed_off_by"]) == ("completed", "Jan Kowalski")
    assert "Swapped the PSU; link up." in job["notes"]
    assert [r["status"] for r in job["reservations"]] == ["consumed"]
    # The new unit left stock through the ledger; the faulty one rides back in the van.
    [fitted] = _movements(keeper, serial=serial, kind="install")
    assert fitted["from"] == "VAN-NEAR"
    [removed] = _movements(keeper, kind="remove")
    assert (removed["to"], removed["serial"], removed["condition"]) == (
        "VAN-NEAR",
        "OLD-PSU-1",
        "faulty",
    )
    assert stock_line(keeper, "PSU-750", "VAN-NEAR") == (0, 0, 1)  # only the faulty one
    assert stock_line(keeper, "PSU-750", "DEP-WAW") == (1, 0, 0)
    # The ticket is resolved, its log holding the result.
    agent = api_as(world.agent)
    assert agent.get(f"{API}/tickets/{world.ticket}").get_json()["status"] == "resolved"
    events = agent.get(f"{API}/tickets/{world.ticket}/events?per_page=100").get_json()["items"]
    assert any("signed off by Jan Kowalski" in e["body"] for e in events)
    # Nothing more can be reported on a completed job.
    again = tech.post(f"{API}/jobs/{number}/status", json={"status": "on_site"})
    assert_error(again, 409, "conflict", "status")


def test_unused_reserved_parts_go_back_and_review_keeps_the_ticket_open(
    api_as: Api, world: World
) -> None:
    number = _assigned(api_as, world, review_required=True)
    dispatcher = api_as(world.dispatcher)  # a dispatcher records it for the engineer
    for status in ("en_route", "on_site"):
        _report(dispatcher, number, status=status)
    job = _report(dispatcher, number, status="completed", signed_off_by="Jan Kowalski")
    assert [r["status"] for r in job["reservations"]] == ["released"]
    assert stock_line(dispatcher, "PSU-750", "VAN-NEAR") == (1, 0, 0)
    agent = api_as(world.agent)
    ticket = agent.get(f"{API}/tickets/{world.ticket}").get_json()
    assert ticket["status"] == "new"
    events = agent.get(f"{API}/tickets/{world.ticket}/events?per_page=100").get_json()
    assert any("awaits an agent's review" in e["body"] for e in events["items"])


def test_a_failed_visit_opens_a_follow_up_job(api_as: Api, world: World) -> None:
    number = _assigned(api_as, world, required_skills=["router", "optical"])
    tech = api_as(world.tech)
    _report(tech, number, status="en_route")
    job = _report(tech, number, status="failed", reason="Site locked; no key holder.")
    assert (job["status"], job["failure_reason"]) == ("failed", "Site locked; no key holder.")
    assert [r["status"] for r in job["reservations"]] == ["released"]
    assert stock_line(tech, "PSU-750", "VAN-NEAR") == (1, 0, 0)  # picked, then put back
    jobs = tech.get(f"{API}/jobs?ticket_id={world.ticket}").get_json()["items"]
    [follow_up] = [j for j in jobs if j["follow_up_of"] == number]
    assert (follow_up["status"], follow_up["engineer_id"]) == ("unassigned", None)
    assert follow_up["required_skills"] == ["optical", "router"]
    assert follow_up["parts"] == job["parts"]
    assert follow_up["arrive_by"] == job["arrive_by"]
    assert follow_up["duration_min"] == job["duration_min"]
    ticket = api_as(world.agent).get(f"{API}/tickets/{world.ticket}").get_json()
    assert ticket["status"] == "new"


def test_reporting_from_the_wrong_status_is_409(api_as: Api, world: World) -> None:
    dispatcher = api_as(world.dispatcher)
    unassigned = create_job(dispatcher, world.ticket)["id"]
    number = _assigned(api_as, world)
    before = snapshot(api_as, world)
    completion = {"status": "completed", "signed_off_by": "Jan Kowalski"}
    for job, body in (
        (unassigned, completion),  # completing an unassigned job
        (unassigned, {"status": "en_route"}),
        (number, completion),  # assigned, not yet on site
        (number, {"status": "on_site"}),  # on site before setting off
    ):
        response = dispatcher.post(f"{API}/jobs/{job}/status", json=body)
        assert_error(response, 409, "conflict", "status")
    assert snapshot(api_as, world) == before


def test_only_the_jobs_engineer_or_a_dispatcher_reports(api_as: Api, world: World) -> None:
    number = _assigned(api_as, world)
    dispatcher = api_as(world.dispatcher)
    unassigned = create_job(dispatcher, world.ticket)["id"]
    before = snapshot(api_as, world)
    other = api_as(world.other_tech)  # Fred Far's login: not his job
    for job in (number, unassigned):
        for body in (
            {"status": "en_route"},
            {"status": "failed", "reason": "Not mine."},
            {"status": "completed", "signed_off_by": "Someone"},
        ):
            assert_error(other.post(f"{API}/jobs/{job}/status", json=body), 403, "forbidden")
    for user in (world.agent, world.keeper):  # not field roles at all
        response = api_as(user).post(f"{API}/jobs/{number}/status", json={"status": "en_route"})
        assert_error(response, 403, "forbidden")
    assert snapshot(api_as, world) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "status"),
        ({"status": "done"}, "status"),
        ({"status": "assigned"}, "status"),
        ({"status": "cancelled"}, "status"),
        ({"status": "en_route", "signed_off_by": "Jan"}, "signed_off_by"),
        ({"status": "on_site", "reason": "x"}, "reason"),
        ({"status": "completed"}, "signed_off_by"),
        ({"status": "completed", "signed_off_by": "  "}, "signed_off_by"),
        ({"status": "completed", "signed_off_by": "x" * 201}, "signed_off_by"),
        ({"status": "completed", "signed_off_by": "Jan", "reason": "x"}, "reason"),
        ({"status": "completed", "signed_off_by": "Jan", "parts_used": [{}]}, "parts_used.0.sku"),
        (
            {"status": "completed", "signed_off_by": "Jan", "parts_used": [{"sku": "A"}] * 51},
            "parts_used",
        ),
        (
            {
                "status": "completed",
                "signed_off_by": "J",
                "parts_removed": [{"sku": "A", "quantity": 0}],
            },
            "parts_removed.0.quantity",
        ),
        ({"status": "failed"}, "reason"),
        ({"status": "failed", "reason": ""}, "reason"),
        ({"status": "failed", "reason": "x", "notes": "y"}, "notes"),
        ({"status": "en_route", "note": "x" * 501}, "note"),
    ],
)
def test_bad_status_reports_are_422_naming_the_field(
    api_as: Api, world: World, body: dict[str, Any], field: str
) -> None:
    number = _assigned(api_as, world)
    dispatcher = api_as(world.dispatcher)
    if body.get("status") in ("completed", "failed"):
        for status in ("en_route", "on_site"):
            _report(dispatcher, number, status=status)
    before = snapshot(api_as, world)
    response = api_as(world.tech).post(f"{API}/jobs/{number}/status", json=body)
    assert_error(response, 422, "validation_error", field)
    assert snapshot(api_as, world) == before


def test_a_part_not_reserved_for_the_job_cannot_be_used(api_as: Api, world: World) -> None:
    number = _assigned(api_as, world)
    tech = api_as(world.tech)
    for status in ("en_route", "on_site"):
        _report(tech, number, status=status)
    before = snapshot(api_as, world)
    body = {
        "status": "completed",
        "signed_off_by": "Jan Kowalski",
        "parts_used": [{"sku": "PSU-750"}, {"sku": "FAN-92"}],  # the first is fine, then not
    }
    response = tech.post(f"{API}/jobs/{number}/status", json=body)
    assert_error(response, 409, "conflict", "parts_used.1")
    assert snapshot(api_as, world) == before
    assert tech.get(f"{API}/jobs/{number}").get_json()["status"] == "on_site"
