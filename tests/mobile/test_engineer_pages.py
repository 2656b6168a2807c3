"""The engineer's phone pages: today's jobs in order, a job's detail, the status buttons, the
completion form (parts used and removed, sign-off, the ticket resolved) and the failure form.

An engineer sees only their own jobs; refusals keep what was typed and change nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from fieldops.accounts.models import User
from fieldops.clock import utcnow
from fieldops.dispatch import services
from fieldops.dispatch.models import Job
from fieldops.inventory.models import StockUnit
from fieldops.tickets.models import Ticket
from tests.backoffice.test_dispatch_pages import (
    DispatchWorld,
    build_world,
    extra_job,
    job_row,
    reservations,
    snapshot,
)
from tests.factories import make_user
from tests.web.pages import csrf_token, post_form, switch_user, text


@pytest.fixture
def world(session: Any) -> DispatchWorld:
    world = build_world(session)
    services.assign_job(actor=None, number=world.number, engineer_id=world.eve.id, now=utcnow())
    session.commit()
    return world


@pytest.fixture
def eve(login_as: Callable[[User], FlaskClient], world: DispatchWorld) -> FlaskClient:
    return login_as(world.eve_user)


def page_of(world: DispatchWorld) -> str:
    return f"/m/jobs/{world.number}"


def on_site(world: DispatchWorld, session: Any) -> None:
    for status in ("en_route", "on_site"):
        services.report_status(actor=None, number=world.number, status=status, now=utcnow())
    session.commit()


def test_today_lists_my_jobs_in_arrive_by_order_and_not_others(
    eve: FlaskClient, world: DispatchWorld, session: Any
) -> None:
    later = extra_job(world, impact="degraded")  # P2: due after the P1
    bobs = extra_job(world)
    services.assign_job(actor=None, number=later, engineer_id=world.eve.id, now=utcnow())
    services.assign_job(actor=None, number=bobs, engineer_id=world.bob.id, now=utcnow())
    session.commit()

    html = text(eve.get("/m/"))

    shown = re.findall(r'data-testid="visit" data-number="([^"]+)"', html)
    assert shown[:1] == [world.number]
    assert later in shown
    assert shown.index(world.number) < shown.index(later)
    assert bobs not in shown


def test_another_engineers_job_is_404_everywhere(
    login_as: Callable[[User], FlaskClient], world: DispatchWorld, session: Any
) -> None:
    bob = login_as(world.bob_user)
    token = csrf_token(text(bob.get("/m/")))
    before = snapshot(session)
    page = page_of(world)
    assert bob.get(page).status_code == 404
    assert bob.get(f"{page}/complete").status_code == 404
    assert bob.get(f"{page}/fail").status_code == 404
    for action, data in (
        ("status", {"status": "en_route"}),
        ("complete", {"signed_off_by": "Mallory"}),
        ("fail", {"reason": "no"}),
    ):
        response = bob.post(f"{page}/{action}", data={"csrf_token": token, **data})
        assert response.status_code == 404, action
    assert bob.get("/m/jobs/WO-2026-999999").status_code == 404
    assert snapshot(session) == before


def test_the_job_detail_has_site_contact_access_parts_and_navigation(
    eve: FlaskClient, world: DispatchWorld
) -> None:
    html = text(eve.get(page_of(world)))
    assert "ul. Prosta 1, Warsaw" in html
    assert "Ada Contact" in html
    assert "mailto:ada@customer.test" in html
    assert "Ring the NOC on arrival" in html
    assert 'href="geo:52.23,21.0"' in html
    assert "https://www.openstreetmap.org/?mlat=52.23&amp;mlon=21.0" in html
    pick = re.search(r'data-testid="pick" data-sku="PSU-750W".*?</li>', html, re.S)
    assert pick
    assert "VAN-EVE" in pick.group(0)
    assert "in your van" in pick.group(0)
    assert world.van_serials[0] in pick.group(0)
    assert 'data-testid="status-en_route"' in html
    assert 'data-testid="go-complete"' not in html


def test_on_my_way_then_on_site_moves_the_job_and_picks_the_parts(
    eve: FlaskClient, world: DispatchWorld, session: Any
) -> None:
    page = page_of(world)
    response = post_form(eve, page, f"{page}/status", {"status": "en_route"})
    assert response.status_code == 302
    assert job_row(session, world.number).status == "en_route"
    assert [r.status for r in reservations(session, world.number)] == ["picked"]
    html = text(eve.get(page))
    assert "you are on your way" in html
    assert 'data-testid="status-on_site"' in html

    response = post_form(eve, page, f"{page}/status", {"status": "on_site"})
    assert response.status_code == 302
    assert job_row(session, world.number).status == "on_site"
    assert 'data-testid="go-complete"' in text(eve.get(page))


def test_a_repeated_status_tap_is_refused_with_409(
    eve: FlaskClient, world: DispatchWorld, session: Any
) -> None:
    page = page_of(world)
    token = csrf_token(text(eve.get(page)))
    assert (
        eve.post(f"{page}/status", data={"csrf_token": token, "status": "en_route"}).status_code
        == 302
    )
    before = snapshot(session)
    again = eve.post(f"{page}/status", data={"csrf_token": token, "status": "en_route"})
    assert again.status_code == 409
    assert "can only become" in text(again)
    assert snapshot(session) == before


def test_completion_consumes_parts_records_the_faulty_one_and_resolves_the_ticket(
    eve: FlaskClient, world: DispatchWorld, session: Any
) -> None:
    on_site(world, session)
    page = page_of(world)
    [held] = reservations(session, world.number)
    form = text(eve.get(f"{page}/complete"))
    assert f'value="{world.van_serials[0]}" checked' in form

    response = post_form(
        eve,
        f"{page}/complete",
        f"{page}/complete",
        {
            f"used-{held.id}": world.van_serials[0],
            "removed-0-sku": "PSU-750W",
            "removed-0-serials": "OLD-PSU-1",
            "notes": "Replaced the PSU; link up.",
            "signed_off_by": "Jan Kowalski",
        },
    )

    assert response.status_code == 302
    job = job_row(session, world.number)
    assert job.status == "completed"
    assert job.signed_off_by == "Jan Kowalski"
    assert [r.status for r in reservations(session, world.number)] == ["consumed"]
    fitted = session.scalar(select(StockUnit).where(StockUnit.serial == world.van_serials[0]))
    assert fitted.status == "installed"
    faulty = session.scalar(select(StockUnit).where(StockUnit.serial == "OLD-PSU-1"))
    assert faulty.status == "faulty"
    assert faulty.location_id == world.van.id
    ticket = session.get(Ticket, world.ticket.id)
    assert ticket.status == "resolved"
    html = text(eve.get(page))
    assert f"Ticket {world.ticket.number} is resolved." in html
    assert "Signed off by Jan Kowalski." in html
    assert world.number in re.findall(r'data-number="([^"]+)"', text(eve.get("/m/")))


def test_completion_without_a_sign_off_keeps_what_was_typed_and_changes_nothing(
    eve: FlaskClient, world: DispatchWorld, session: Any
) -> None:
    on_site(world, session)
    page = page_of(world)
    [held] = reservations(session, world.number)
    before = snapshot(session)

    response = post_form(
        eve,
        f"{page}/complete",
        f"{page}/complete",
        {"removed-0-sku": "PSU-750W", "removed-0-serials": "OLD-9", "notes": "typed notes"},
    )

    assert response.status_code == 422
    html = text(response)
    assert 'data-testid="error-signed_off_by"' in html
    assert "typed notes</textarea>" in html
    assert "OLD-9</textarea>" in html
    box = re.search(rf'<input type="checkbox"[^>]*value="{world.van_serials[0]}"[^>]*>', html)
    assert box
    assert "checked" not in box.group(0)
    assert snapshot(session) == before
    assert reservations(session, world.number)[0].id == held.id


def test_completing_a_job_not_on_site_is_refused_with_409(
    eve: FlaskClient, world: DispatchWorld, session: Any
) -> None:
    page = page_of(world)
    before = snapshot(session)
    response = post_form(
        eve, f"{page}/complete", f"{page}/complete", {"signed_off_by": "Jan Kowalski"}
    )
    assert response.status_code == 409
    html = text(response)
    assert "Refused (409)" in html
    assert 'value="Jan Kowalski"' in html
    assert snapshot(session) == before


def test_a_faulty_part_of_an_unknown_sku_is_refused_by_its_field(
    eve: FlaskClient, world: DispatchWorld, session: Any
) -> None:
    on_site(world, session)
    page = page_of(world)
    before = snapshot(session)
    response = post_form(
        eve,
        f"{page}/complete",
        f"{page}/complete",
        {"removed-0-sku": "NOPE", "removed-0-serials": "X1", "signed_off_by": "Jan"},
    )
    assert response.status_code == 422
    html = text(response)
    assert "Unknown SKU" in text(response)
    assert 'data-testid="error-removed-0-sku"' in html  # by the line it was typed on
    assert 'value="NOPE"' in html
    assert snapshot(session) == before


def test_failure_needs_a_reason_then_opens_a_follow_up(
    eve: FlaskClient, world: DispatchWorld, session: Any
) -> None:
    on_site(world, session)
    page = page_of(world)
    before = snapshot(session)
    refused = post_form(eve, f"{page}/fail", f"{page}/fail", {"reason": " "})
    assert refused.status_code == 422
    assert 'data-testid="error-reason"' in text(refused)
    assert snapshot(session) == before

    done = post_form(eve, f"{page}/fail", f"{page}/fail", {"reason": "Backplane is dead"})
    assert done.status_code == 302
    job = job_row(session, world.number)
    assert job.status == "failed"
    follow_up = session.scalar(select(Job).where(Job.follow_up_of_id == job.id))
    assert follow_up is not None
    assert follow_up.status == "unassigned"
    assert [r.status for r in reservations(session, world.number)] == ["released"]


@pytest.mark.parametrize("path", ["/m/", "/m/jobs/{number}", "/m/jobs/{number}/complete"])
def test_customers_get_404_and_other_staff_403(
    login_as: Callable[[User], FlaskClient], world: DispatchWorld, path: str
) -> None:
    url = path.format(number=world.number)
    client = login_as(world.contact)
    assert client.get(url).status_code == 404
    for role in ("dispatcher", "agent", "manager", "stock_manager", "admin"):
        response = switch_user(client, make_user(role=role)).get(url)
        assert response.status_code == 403, role
        assert "for field engineers" in text(response)


def test_an_engineer_login_without_a_profile_is_told_so(
    login_as: Callable[[User], FlaskClient], world: DispatchWorld
) -> None:
    client = login_as(make_user(role="engineer"))
    response = client.get("/m/")
    assert response.status_code == 403
    assert "not linked to an active engineer profile" in text(response)


def test_an_engineer_lands_on_today_after_login(client: FlaskClient, world: DispatchWorld) -> None:
    from tests.factories import PASSWORD

    token = csrf_token(text(client.get("/login")))
    response = client.post(
        "/login",
        data={"csrf_token": token, "email": world.eve_user.email, "password": PASSWORD},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/m/")
