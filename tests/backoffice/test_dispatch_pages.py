"""The dispatcher's pages: the board (SLA-risk order, awaiting parts, each engineer's day),
a job's candidates with their reasons, assigning (status and reserved parts), auto-assign,
cancelling, creating a job from a ticket, and who may see them.

Every refusal answers 422 or 409, names the field, keeps what was typed and changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from fieldops.accounts.models import User
from fieldops.clock import utcnow
from fieldops.dispatch import queries, services
from fieldops.dispatch.models import Job
from fieldops.engineers.models import Engineer
from fieldops.inventory.models import PartType, StockLocation, StockReservation
from fieldops.tickets.models import Ticket, TicketEvent
from tests.factories import (
    make_contact,
    make_current_ticket,
    make_depot,
    make_engineer,
    make_part_type,
    make_service,
    make_user,
    make_van,
    stock_up,
)
from tests.web.pages import csrf_token, post_form, text

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SHIFTS_24X7 = {day: [["00:00", "24:00"]] for day in DAYS}


@dataclass
class DispatchWorld:
    dispatcher: User
    contact: User
    eve_user: User
    bob_user: User
    eve: Engineer  # Warsaw, a PSU in her van
    bob: Engineer  # Lodz, 120 km away: in time, but with less to spare
    olek: Engineer  # Warsaw, power only: lacks the router skill
    psu: PartType
    depot: StockLocation
    van: StockLocation
    van_serials: list[str]
    ticket: Ticket
    number: str  # an unassigned P1 job for the ticket: router skill, 1 x PSU


def build_world(session: Any) -> DispatchWorld:
    """A Warsaw site with a P1 hardware fault and its job; three engineers; a depot and
    Eve's van. Committed (into the test's savepoint) like real data."""
    service = make_service(
        site={
            "name": "Warsaw PoP",
            "address": "ul. Prosta 1, Warsaw",
            "city": "Warsaw",
            "lat": 52.23,
            "lon": 21.0,
            "access_notes": "Ring the NOC on arrival; badge at reception.",
        }
    )
    contact = make_contact(service.customer, name="Ada Contact", email="ada@customer.test")
    eve_user = make_user(role="engineer", name="Eve Engineer", email="eve@field.test")
    bob_user = make_user(role="engineer", name="Bob Field", email="bob@field.test")
    eve = make_engineer(
        name="Eve Engineer", skills=["router", "optical"], shifts=SHIFTS_24X7, user_id=eve_user.id
    )
    bob = make_engineer(
        name="Bob Field",
        skills=["router"],
        home_lat=51.76,
        home_lon=19.46,
        shifts=SHIFTS_24X7,
        user_id=bob_user.id,
    )
    olek = make_engineer(name="Olek Power", skills=["power"], shifts=SHIFTS_24X7)
    psu = make_part_type(sku="PSU-750W", name="750 W power supply")
    depot = make_depot(code="DEP-WAW", name="Warsaw depot")
    van = make_van(eve, code="VAN-EVE")
    van_serials = stock_up(psu, van, 1, prefix="PSU")
    stock_up(psu, depot, 2, prefix="PSU")
    ticket = make_current_ticket(service, contact, category="hardware", summary="PSU failed")
    job = services.create_job(
        actor=None,
        ticket_number=ticket.number,
        now=utcnow(),
        required_skills=["router"],
        parts=[{"sku": "PSU-750W", "quantity": 1}],
        duration_min=90,
    )
    world = DispatchWorld(
        dispatcher=make_user(role="dispatcher", name="Dana Dispatch"),
        contact=contact,
        eve_user=eve_user,
        bob_user=bob_user,
        eve=eve,
        bob=bob,
        olek=olek,
        psu=psu,
        depot=depot,
        van=van,
        van_serials=van_serials,
        ticket=ticket,
        number=job.number,
    )
    session.commit()
    return world


def extra_job(world: DispatchWorld, *, ago: timedelta = timedelta(0), **ticket: Any) -> str:
    """Another hardware job at the same site (its ticket opened `ago` before now)."""
    service = world.ticket.service_id
    found = make_current_ticket(
        _service(service), world.contact, ago=ago, category="hardware", **ticket
    )
    job = services.create_job(
        actor=None, ticket_number=found.number, now=utcnow(), required_skills=["router"]
    )
    return job.number


def _service(service_id: int) -> Any:
    from fieldops.customers.models import Service
    from fieldops.db import db

    return db.session.get(Service, service_id)


@pytest.fixture
def world(session: Any) -> DispatchWorld:
    return build_world(session)


@pytest.fixture
def dispatcher(login_as: Callable[[User], FlaskClient], world: DispatchWorld) -> FlaskClient:
    return login_as(world.dispatcher)


def job_row(session: Any, number: str) -> Job:
    session.expire_all()
    job = session.scalar(select(Job).where(Job.number == number))
    assert job is not None
    return job


def reservations(session: Any, number: str) -> list[StockReservation]:
    session.expire_all()
    return list(session.scalars(select(StockReservation).where(StockReservation.job_ref == number)))


def snapshot(session: Any) -> tuple[Any, ...]:
    """What a refusal must leave as it was: jobs, reservations and the ticket work log."""
    session.expire_all()
    jobs = tuple(session.execute(select(Job.number, Job.status, Job.engineer_id)).all())
    held = tuple(session.execute(select(StockReservation.id, StockReservation.status)).all())
    events = session.scalar(select(func.count()).select_from(TicketEvent))
    return (jobs, held, events)


def numbers_in(html: str, testid: str) -> list[str]:
    """Job numbers in a list's order."""
    block = re.search(rf'data-testid="{testid}".*?</ol>', html, re.S)
    assert block, f"no list {testid}"
    return re.findall(r'data-testid="job" data-number="([^"]+)"', block.group(0))


def value_of(html: str, testid: str) -> str:
    found = re.search(rf'value="([^"]*)"[^>]*data-testid="{testid}"', html)
    assert found, f"no input {testid}"
    return found.group(1)


# The board -------------------------------------------------------------------------------


def test_the_board_lists_unassigned_jobs_most_at_risk_first(
    dispatcher: FlaskClient, world: DispatchWorld, session: Any
) -> None:
    later = extra_job(world, impact="degraded")  # P2: 8 h to the arrive-by
    overdue = extra_job(world, ago=timedelta(hours=5))  # P1 opened 5 h ago: 1 h late
    session.commit()

    html = text(dispatcher.get("/dispatch/"))

    assert numbers_in(html, "unassigned") == [overdue, world.number, later]
    first = re.search(rf'data-number="{overdue}".*?</li>', html, re.S)
    assert first
    assert "overdue" in first.group(0)
    assert 'data-level="overdue"' in first.group(0)
    assert 'data-level="on time"' in html
    assert '<span class="badge" data-testid="unassigned-count">3</span>' in html


def test_the_board_shows_jobs_awaiting_parts_and_each_engineers_day(
    dispatcher: FlaskClient, world: DispatchWorld, session: Any
) -> None:
    rare = make_part_type(sku="LC-OPT-400G", name="400G optic")  # nowhere in stock
    ticket = make_current_ticket(
        _service(world.ticket.service_id), world.contact, category="hardware"
    )
    job = services.create_job(
        actor=None,
        ticket_number=ticket.number,
        now=utcnow(),
        required_skills=["router"],
        parts=[{"sku": rare.sku, "quantity": 1}],
    )
    services.assign_job(actor=None, number=job.number, engineer_id=world.eve.id, now=utcnow())
    session.commit()

    html = text(dispatcher.get("/dispatch/"))

    assert numbers_in(html, "awaiting") == [job.number]
    assert world.number in numbers_in(html, "unassigned")
    day = job_row(session, job.number).arrive_by.astimezone().date()
    html = text(dispatcher.get(f"/dispatch/?date={day.isoformat()}"))
    eve = re.search(rf'data-engineer="{world.eve.id}".*?</li>\s*</ol>', html, re.S)
    assert eve
    assert job.number in eve.group(0)
    assert "1 of 6 jobs" in eve.group(0)


def test_a_bad_date_shows_today_and_says_so(dispatcher: FlaskClient, world: DispatchWorld) -> None:
    response = dispatcher.get("/dispatch/?date=31-02-2026")
    assert response.status_code == 200
    assert "is not a date" in text(response)


# The job page ----------------------------------------------------------------------------


def test_the_job_page_ranks_candidates_with_score_parts_and_reasons(
    dispatcher: FlaskClient, world: DispatchWorld
) -> None:
    html = text(dispatcher.get(f"/dispatch/jobs/{world.number}"))

    names = re.findall(r'data-testid="candidate-name">([^<]+)<', html)
    assert names == ["Eve Engineer", "Bob Field"]  # Olek lacks the skill
    scores = [float(s) for s in re.findall(r'data-testid="candidate-score">score ([-\d.]+)<', html)]
    assert scores == sorted(scores, reverse=True)
    reasons = re.findall(r'data-testid="candidate-reason">([^<]+)<', html)
    assert "carries PSU-750W" in reasons[0]
    assert "to spare before the arrive-by" in reasons[0]
    assert re.match(r"1\d\d km, 2 h \d\d min away", reasons[1])
    assert "parts to pick up at a depot" in reasons[1]
    for part in ("travel", "slack", "load", "parts"):
        assert f"<li>{part} <strong>" in html
    assert "PSU failed" in html
    assert "Ada Contact" in html
    assert "Ring the NOC on arrival" in html
    assert "lacks skills" not in html  # excluded engineers only when asked


def test_show_excluded_explains_who_is_out_and_why(
    dispatcher: FlaskClient, world: DispatchWorld
) -> None:
    html = text(dispatcher.get(f"/dispatch/jobs/{world.number}?explain=1"))
    excluded = re.search(r'data-testid="excluded">.*?</ul>', html, re.S)
    assert excluded
    assert "Olek Power" in excluded.group(0)
    assert "lacks skills: router" in excluded.group(0)


def test_assign_moves_the_job_and_reserves_the_part_from_the_van(
    dispatcher: FlaskClient, world: DispatchWorld, session: Any
) -> None:
    page = f"/dispatch/jobs/{world.number}"
    response = post_form(dispatcher, page, f"{page}/assign", {"engineer_id": str(world.eve.id)})

    assert response.status_code == 302
    assert response.headers["Location"].endswith(page)
    job = job_row(session, world.number)
    assert job.status == "assigned"
    assert job.engineer_id == world.eve.id
    [held] = reservations(session, world.number)
    assert held.status == "held"
    assert held.location_id == world.van.id
    html = text(dispatcher.get(page))
    assert f"{world.number} assigned to Eve Engineer." in html
    assert 'data-testid="reservation" data-sku="PSU-750W" data-status="held"' in html
    assert "VAN-EVE" in html
    assert world.van_serials[0] in html


def test_assigning_an_engineer_without_the_skill_is_refused_and_changes_nothing(
    dispatcher: FlaskClient, world: DispatchWorld, session: Any
) -> None:
    page = f"/dispatch/jobs/{world.number}"
    before = snapshot(session)

    response = post_form(dispatcher, page, f"{page}/assign", {"engineer_id": str(world.olek.id)})

    assert response.status_code == 422
    html = text(response)
    assert "Olek Power cannot take this job: lacks skills: router" in html
    assert 'data-testid="action-error"' in html
    assert snapshot(session) == before


@pytest.mark.parametrize("engineer_id", ["", "abc", "999999"])
def test_assigning_no_or_an_unknown_engineer_is_refused(
    dispatcher: FlaskClient, world: DispatchWorld, session: Any, engineer_id: str
) -> None:
    page = f"/dispatch/jobs/{world.number}"
    before = snapshot(session)
    response = post_form(dispatcher, page, f"{page}/assign", {"engineer_id": engineer_id})
    assert response.status_code == 422
    assert "engineer" in text(response).lower()
    assert snapshot(session) == before


def test_reassigning_releases_and_reserves_again(
    dispatcher: FlaskClient, world: DispatchWorld, session: Any
) -> None:
    services.assign_job(actor=None, number=world.number, engineer_id=world.eve.id, now=utcnow())
    session.commit()
    page = f"/dispatch/jobs/{world.number}"
    assert "Reassign" in text(dispatcher.get(page))

    response = post_form(dispatcher, page, f"{page}/assign", {"engineer_id": str(world.bob.id)})

    assert response.status_code == 302
    assert job_row(session, world.number).engineer_id == world.bob.id
    statuses = sorted((r.status, r.location_id) for r in reservations(session, world.number))
    assert statuses == sorted([("released", world.van.id), ("held", world.depot.id)])


def test_cancel_needs_a_reason_keeps_input_and_then_releases_parts(
    dispatcher: FlaskClient, world: DispatchWorld, session: Any
) -> None:
    services.assign_job(actor=None, number=world.number, engineer_id=world.eve.id, now=utcnow())
    session.commit()
    page = f"/dispatch/jobs/{world.number}"
    before = snapshot(session)

    refused = post_form(dispatcher, page, f"{page}/cancel", {"reason": "   "})
    assert refused.status_code == 422
    assert 'data-testid="error-reason"' in text(refused)
    assert "<details open" in text(refused)
    assert snapshot(session) == before

    done = post_form(dispatcher, page, f"{page}/cancel", {"reason": "Customer fixed it"})
    assert done.status_code == 302
    assert job_row(session, world.number).status == "cancelled"
    assert [r.status for r in reservations(session, world.number)] == ["released"]
    html = text(dispatcher.get(page))
    assert "cancelled; its reserved parts went back to stock" in html
    assert 'data-testid="assign"' not in html


def test_cancel_refused_for_a_job_on_site_keeps_the_reason(
    dispatcher: FlaskClient, world: DispatchWorld, session: Any
) -> None:
    services.assign_job(actor=None, number=world.number, engineer_id=world.eve.id, now=utcnow())
    services.report_status(actor=None, number=world.number, status="en_route", now=utcnow())
    services.report_status(actor=None, number=world.number, status="on_site", now=utcnow())
    session.commit()
    page = f"/dispatch/jobs/{world.number}"
    # The form is gone from the page once on site; a stale tab still posts it.
    token = csrf_token(text(dispatcher.get("/dispatch/jobs/new")))
    before = snapshot(session)
    response = dispatcher.post(
        f"{page}/cancel", data={"csrf_token": token, "reason": "Too late now"}
    )
    assert response.status_code == 409
    assert "can no longer be cancelled" in text(response)
    assert snapshot(session) == before


def test_auto_assign_assigns_all_and_flashes_the_summary(
    dispatcher: FlaskClient, world: DispatchWorld, session: Any
) -> None:
    other = extra_job(world)
    session.commit()
    response = post_form(dispatcher, "/dispatch/", "/dispatch/auto-assign", {})
    assert response.status_code == 302
    html = text(dispatcher.get("/dispatch/"))
    assert "Auto-assign: 2 job(s) assigned" in html
    assert f"{world.number} to Eve Engineer" in html
    assert job_row(session, other).status == "assigned"
    assert 'data-testid="unassigned-empty"' in html


def test_unknown_job_is_404(dispatcher: FlaskClient, world: DispatchWorld) -> None:
    assert dispatcher.get("/dispatch/jobs/WO-2026-999999").status_code == 404


# Creating a job --------------------------------------------------------------------------


def test_create_a_job_from_a_ticket_number(
    dispatcher: FlaskClient, world: DispatchWorld, session: Any
) -> None:
    ticket = make_current_ticket(
        _service(world.ticket.service_id), world.contact, category="hardware"
    )
    session.commit()
    response = post_form(
        dispatcher,
        "/dispatch/jobs/new",
        "/dispatch/jobs/new",
        {
            "ticket_id": ticket.number.lower(),
            "required_skills": "router, optical",
            "parts-0-sku": "psu-750w",
            "parts-0-quantity": "2",
            "duration_min": "45",
            "review_required": "1",
            "notes": "Bring a ladder",
        },
    )
    assert response.status_code == 302
    [view], _ = queries.list_jobs(ticket=ticket.number)
    assert response.headers["Location"].endswith(f"/dispatch/jobs/{view.number}")
    assert view.required_skills == ["optical", "router"]
    assert view.parts == [("PSU-750W", 2)]
    assert view.duration_min == 45
    assert view.review_required is True
    assert view.status == "unassigned"


def test_create_refusals_keep_what_was_typed_and_name_the_field(
    dispatcher: FlaskClient, world: DispatchWorld, session: Any
) -> None:
    before = snapshot(session)
    form = {
        "ticket_id": world.ticket.number,
        "required_skills": "router",
        "parts-0-sku": "PSU-750W",
        "parts-0-quantity": "1",
        "parts-2-sku": "NO-SUCH-SKU",
        "duration_min": "30",
        "notes": "typed notes",
    }
    response = post_form(dispatcher, "/dispatch/jobs/new", "/dispatch/jobs/new", form)

    assert response.status_code == 422
    html = text(response)
    assert 'data-testid="error-parts-2-sku"' in html  # by the third row, where it was typed
    assert "Unknown SKU" in html
    assert value_of(html, "parts-2-sku") == "NO-SUCH-SKU"
    assert value_of(html, "ticket_id") == world.ticket.number
    assert "typed notes</textarea>" in html
    assert snapshot(session) == before


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"ticket_id": ""}, "ticket_id"),
        ({"ticket_id": "TT-2026-999999"}, "ticket_id"),
        ({"duration_min": "ninety"}, "duration_min"),
        ({"duration_min": "0"}, "duration_min"),
        ({"required_skills": "Router!"}, "required_skills"),
        ({"parts-1-quantity": "2"}, "parts-1-sku"),
        ({"parts-0-quantity": "-1"}, "parts-0-quantity"),
    ],
)
def test_create_refuses_bad_input_by_the_field(
    dispatcher: FlaskClient,
    world: DispatchWorld,
    session: Any,
    changes: dict[str, str],
    field: str,
) -> None:
    form = {
        "ticket_id": world.ticket.number,
        "parts-0-sku": "PSU-750W",
        "parts-0-quantity": "1",
        "duration_min": "60",
        **changes,
    }
    before = snapshot(session)
    response = post_form(dispatcher, "/dispatch/jobs/new", "/dispatch/jobs/new", form)
    assert response.status_code == 422
    assert f'data-testid="error-{field}"' in text(response)
    assert snapshot(session) == before


def test_create_refuses_a_ticket_that_is_not_a_hardware_fault(
    dispatcher: FlaskClient, world: DispatchWorld, session: Any
) -> None:
    network = make_current_ticket(
        _service(world.ticket.service_id), world.contact, category="network"
    )
    session.commit()
    response = post_form(
        dispatcher,
        "/dispatch/jobs/new",
        "/dispatch/jobs/new",
        {"ticket_id": network.number, "duration_min": "60"},
    )
    assert response.status_code == 422
    assert "is not a hardware fault" in text(response)


def test_the_new_job_form_is_prefilled_from_the_ticket_link(
    dispatcher: FlaskClient, world: DispatchWorld
) -> None:
    html = text(dispatcher.get(f"/dispatch/jobs/new?ticket={world.ticket.number}"))
    assert value_of(html, "ticket_id") == world.ticket.number


# Who may see the pages -------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/dispatch/", "/dispatch/jobs/new", "/dispatch/jobs/{number}"])
def test_customers_get_404_and_other_staff_403(
    login_as: Callable[[User], FlaskClient], world: DispatchWorld, path: str
) -> None:
    from tests.web.pages import switch_user

    url = path.format(number=world.number)
    client = login_as(world.contact)
    assert client.get(url).status_code == 404
    for role in ("agent", "stock_manager", "engineer"):
        response = switch_user(client, make_user(role=role)).get(url)
        assert response.status_code == 403, role
        assert "for dispatchers" in text(response)
    for role in ("manager", "admin"):
        assert switch_user(client, make_user(role=role)).get(url).status_code == 200, role


def test_a_customer_posting_an_assignment_gets_404_and_nothing_changes(
    login_as: Callable[[User], FlaskClient], world: DispatchWorld, session: Any
) -> None:
    client = login_as(world.contact)
    token = csrf_token(text(client.get("/portal/tickets")))  # the log-out form's token
    before = snapshot(session)
    response = client.post(
        f"/dispatch/jobs/{world.number}/assign",
        data={"csrf_token": token, "engineer_id": str(world.eve.id)},
    )
    assert response.status_code == 404
    assert snapshot(session) == before


def test_anonymous_visitors_are_sent_to_log_in(client: FlaskClient, world: DispatchWorld) -> None:
    response = client.get("/dispatch/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_a_dispatcher_lands_on_the_board_after_login(
    client: FlaskClient, world: DispatchWorld, session: Any
) -> None:
    from tests.factories import PASSWORD

    page = text(client.get("/login"))
    response = client.post(
        "/login",
        data={
            "csrf_token": csrf_token(page),
            "email": world.dispatcher.email,
            "password": PASSWORD,
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/dispatch/")
