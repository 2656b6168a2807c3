"""/jobs/{id}/work-order.pdf and /engineers/{id}/work-orders.pdf: the engineer's paperwork,
read back from the PDF. What it prints before the visit (ticket, site, contact, parts with
serials and where to collect them, the public log) and after it (serials fitted and removed,
the sign-off); who may have it; A4 and Letter; and one PDF for the whole day."""

from __future__ import annotations

from typing import Any

import pytest

from fieldops.tickets.queries import get_ticket
from fieldops.tickets.services import add_event
from tests.api.conftest import API, assert_error
from tests.api.test_jobs_api import NOW, Api, World, assign, build_world, create_job, pin_clock
from tests.documents.pdf_text import flat, page_sizes, pdf_text
from tests.factories import make_ticket

A4 = (595, 842)
LETTER = (612, 792)


@pytest.fixture
def world(session: Any, monkeypatch: pytest.MonkeyPatch) -> World:
    pin_clock(monkeypatch)
    monkeypatch.setattr("fieldops.api.engineers.utcnow", lambda: NOW)
    built = build_world(session)
    ticket = get_ticket(built.manager, built.ticket)
    add_event(
        ticket,
        actor=built.agent,
        kind="comment",
        body="Customer reports amber PSU LED.",
        public=True,
        now=NOW,
    )
    add_event(
        ticket,
        actor=built.agent,
        kind="comment",
        body="Internal: check the RMA backlog.",
        public=False,
        now=NOW,
    )
    session.commit()
    return built


def _assigned(api_as: Api, world: World, ticket: str | None = None) -> str:
    dispatcher = api_as(world.dispatcher)
    number = str(create_job(dispatcher, ticket or world.ticket)["id"])
    assign(dispatcher, number, world.near)
    return number


def _pdf(api: Any, path: str) -> bytes:
    response = api.get(f"{API}/{path}")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/pdf"
    return bytes(response.data)


def test_the_work_order_prints_what_the_engineer_needs(api_as: Api, world: World) -> None:
    number = _assigned(api_as, world)
    dispatcher = api_as(world.dispatcher)
    [reservation] = dispatcher.get(f"{API}/jobs/{number}").get_json()["reservations"]
    data = _pdf(dispatcher, f"jobs/{number}/work-order.pdf")
    text = flat(pdf_text(data))
    for expected in (
        number,
        world.ticket,
        "P1",
        "Link down at the Warsaw PoP",
        "BGP session dropped",
        "PSU-750",
        reservation["serials"][0],
        reservation["location"],  # where to collect it
        "Nina Near",
        "Customer reports amber PSU LED.",  # the public log so far
    ):
        assert expected in text, expected
    assert "RMA backlog" not in text  # internal notes stay off the customer's site
    assert set(page_sizes(data)) == {A4}
    letter = _pdf(dispatcher, f"jobs/{number}/work-order.pdf?paper=letter")
    assert set(page_sizes(letter)) == {LETTER}


def test_after_the_visit_it_prints_the_serials_and_the_sign_off(api_as: Api, world: World) -> None:
    number = _assigned(api_as, world)
    dispatcher, tech = api_as(world.dispatcher), api_as(world.tech)
    before = dispatcher.get(f"{API}/jobs/{number}/work-order.pdf")
    serial = dispatcher.get(f"{API}/jobs/{number}").get_json()["reservations"][0]["serials"][0]
    for body in (
        {"status": "en_route"},
        {"status": "on_site"},
        {
            "status": "completed",
            "signed_off_by": "Jan Kowalski",
            "parts_used": [{"sku": "PSU-750", "serials": [serial]}],
            "parts_removed": [{"sku": "PSU-750", "serials": ["OLD-PSU-1"]}],
        },
    ):
        response = tech.post(f"{API}/jobs/{number}/status", json=body)
        assert response.status_code == 200, response.get_data(as_text=True)
    after = dispatcher.get(f"{API}/jobs/{number}/work-order.pdf")
    assert after.headers["ETag"] != before.headers["ETag"]  # a new render for new content
    text = flat(pdf_text(after.data))
    assert "Jan Kowalski" in text
    assert "OLD-PSU-1" in text
    assert serial in text


def test_who_may_have_a_work_order(api_as: Api, world: World) -> None:
    number = _assigned(api_as, world)
    assert_error(
        api_as(world.customer).get(f"{API}/jobs/{number}/work-order.pdf"), 404, "not_found"
    )
    assert_error(
        api_as(world.dispatcher).get(f"{API}/jobs/WO-2026-999999/work-order.pdf"), 404, "not_found"
    )
    assert_error(
        api_as(world.dispatcher).get(f"{API}/jobs/{number}/work-order.pdf?paper=legal"),
        422,
        "validation_error",
        "paper",
    )
    assert _pdf(api_as(world.tech), f"jobs/{number}/work-order.pdf").startswith(b"%PDF")


def test_the_day_sheet_holds_every_work_order_of_the_day(
    api_as: Api, world: World, session: Any
) -> None:
    second_ticket = make_ticket(
        world.service, category="hardware", now=NOW, summary="Fan alarm on the core switch"
    ).number
    session.commit()
    first = _assigned(api_as, world)
    second = _assigned(api_as, world, second_ticket)
    day = NOW.date().isoformat()
    data = _pdf(api_as(world.tech), f"engineers/{world.near.id}/work-orders.pdf?date={day}")
    text = flat(pdf_text(data))
    assert first in text
    assert second in text
    assert "Fan alarm on the core switch" in text
    assert "Nina Near" in text
    # Someone else's day is not the engineer's to print; the date is required.
    assert_error(
        api_as(world.other_tech).get(f"{API}/engineers/{world.near.id}/work-orders.pdf?date={day}"),
        404,
        "not_found",
    )
    assert_error(
        api_as(world.dispatcher).get(f"{API}/engineers/{world.near.id}/work-orders.pdf"),
        422,
        "validation_error",
        "date",
    )
