"""The engineer's phone with a route plan: today's visits in route order with each ETA and
the depot to collect parts at first; jobs the plan does not hold listed after them; without
a plan the list is as before (on-site time order).

The plan is made through the services with the clock pinned to midnight UTC of today, so
the whole day is planned whatever the hour the suite runs at (the phone reads the real
clock only to know which day it is).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from fieldops.accounts.models import User
from fieldops.clock import utcnow
from fieldops.db import db, transaction
from fieldops.dispatch.services import assign_job, cancel_job, create_job
from fieldops.engineers.models import Engineer
from fieldops.routing.queries import RouteView, find_engineer_route
from fieldops.routing.services import request_route_plan
from fieldops.routing.tasks import run_route_plan
from tests.factories import (
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
from tests.web.pages import text

SHIFTS_24X7 = {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
_sites = itertools.count(1)


@dataclass
class PhoneWorld:
    dispatcher: User
    eve_user: User
    eve: Engineer
    day: date
    jobs: list[str]  # Eve's, made before the plan; the second needs a PSU from the depot


def _job(dispatcher: User, eve: Engineer, lat: float, lon: float, due: datetime, **kw: Any) -> str:
    n = next(_sites)
    service = make_service(
        site={"name": f"Phone site {n}", "address": f"ul. Polna {n}", "lat": lat, "lon": lon}
    )
    ticket = make_ticket(service, make_contact(service.customer), now=utcnow(), category="hardware")
    job = create_job(
        actor=dispatcher,
        ticket_number=ticket.number,
        now=utcnow(),
        required_skills=["router"],
        duration_min=30,
        **kw,
    )
    # Assigned while the SLA's arrive-by (hours ahead) stands, so the shift check passes at
    # any hour; the test's own arrive-by is set after.
    assign_job(actor=dispatcher, number=job.number, engineer_id=eve.id, now=utcnow())
    job.arrive_by = due
    db.session.flush()
    return job.number


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), UTC)


@pytest.fixture
def world(session: Any) -> PhoneWorld:
    day = utcnow().date()
    dispatcher = make_user(role="dispatcher")
    eve_user = make_user(role="engineer", name="Eve Engineer")
    eve = make_engineer(
        name="Eve Engineer",
        home_lat=52.23,
        home_lon=21.00,
        skills=["router"],
        shifts=SHIFTS_24X7,
        timezone="UTC",
        user_id=eve_user.id,
    )
    make_van(eve, code="VAN-EVE")  # empty: the PSU must come from the depot
    psu = make_part_type(sku="PSU-PHONE")
    stock_up(psu, make_depot(code="DEP-WAW", lat=52.20, lon=21.05), 2, prefix="PSU")
    # Due late in the day so the on-site-by order (far, then near) differs from the shortest
    # round, which takes the near ones first.
    due = midnight(day) + timedelta(hours=23)
    jobs = [
        _job(dispatcher, eve, 52.40, 21.30, due - timedelta(hours=2)),
        _job(dispatcher, eve, 52.24, 21.02, due, parts=[{"sku": psu.sku, "quantity": 1}]),
        _job(dispatcher, eve, 52.25, 21.01, due - timedelta(hours=1)),
    ]
    session.commit()
    return PhoneWorld(dispatcher, eve_user, eve, day, jobs)


@pytest.fixture
def eve(login_as: Callable[[User], FlaskClient], world: PhoneWorld) -> FlaskClient:
    return login_as(world.eve_user)


def plan_today(world: PhoneWorld) -> RouteView:
    now = midnight(world.day)
    with transaction():
        plan_id = request_route_plan(world.day, None, world.dispatcher, now, time_limit_s=1).id
    assert run_route_plan(plan_id, now=now) == "done"
    route = find_engineer_route(world.eve.id, world.day)
    assert route is not None
    return route


def cards(html: str, testid: str) -> list[str]:
    block = re.search(rf'<ol class="visits plain" data-testid="{testid}">.*?</ol>', html, re.S)
    assert block, f"no list {testid}"
    return re.findall(r'<li class="visit.*?</li>', block.group(0), re.S)


def number_of(card: str) -> str:
    found = re.search(r'data-number="([^"]+)"', card)
    assert found
    return found.group(1)


def test_the_phone_lists_todays_visits_in_route_order_with_etas(
    eve: FlaskClient, world: PhoneWorld
) -> None:
    route = plan_today(world)
    visits = [stop for stop in route.stops if stop.kind == "visit"]
    assert sorted(stop.job_number or "" for stop in visits) == sorted(world.jobs)

    html = text(eve.get("/m/"))

    shown = cards(html, "route")
    assert [number_of(card) for card in shown] == [stop.job_number for stop in visits]
    for card, stop in zip(shown, visits, strict=True):
        assert f"arrive ~{stop.arrive_at:%H:%M}" in card  # no tz cookie: UTC
    assert "visits in the order of today's route" in html
    assert 'data-testid="today"' not in html  # every open job is on the route


def test_a_pickup_is_shown_before_the_visit_it_collects_for(
    eve: FlaskClient, world: PhoneWorld
) -> None:
    route = plan_today(world)
    pickups = [stop for stop in route.stops if stop.kind == "pickup"]
    assert [(p.depot_code, p.for_job_number) for p in pickups] == [("DEP-WAW", world.jobs[1])]

    html = text(eve.get("/m/"))

    by_number = {number_of(card): card for card in cards(html, "route")}
    card = by_number[world.jobs[1]]
    assert re.search(r"Collect parts at <strong[^>]*>DEP-WAW</strong> first", card)
    assert card.index("Collect parts") < card.index('data-testid="visit-link"')
    others = [c for number, c in by_number.items() if number != world.jobs[1]]
    assert all("Collect parts" not in other for other in others)


def test_etas_follow_the_phones_time_zone(eve: FlaskClient, world: PhoneWorld) -> None:
    route = plan_today(world)
    eve.set_cookie("tz", "Asia/Tokyo")  # UTC+9 all year

    html = text(eve.get("/m/"))

    first = next(stop for stop in route.stops if stop.kind == "visit")
    assert f"arrive ~{first.arrive_at + timedelta(hours=9):%H:%M}" in cards(html, "route")[0]


def test_jobs_the_plan_does_not_hold_are_listed_after_the_route(
    eve: FlaskClient, world: PhoneWorld, session: Any
) -> None:
    route = plan_today(world)
    with transaction():
        late_comer = _job(world.dispatcher, world.eve, 52.22, 21.0, midnight(world.day))
        cancel_job(
            actor=world.dispatcher, number=world.jobs[0], reason="Fixed remotely", now=utcnow()
        )

    html = text(eve.get("/m/"))

    planned = [
        stop.job_number
        for stop in route.stops
        if stop.kind == "visit" and stop.job_number != world.jobs[0]
    ]
    assert [number_of(card) for card in cards(html, "route")] == planned  # cancelled: gone
    assert [number_of(card) for card in cards(html, "today")] == [late_comer]
    assert html.index('data-testid="route"') < html.index('data-testid="today"')
    assert world.jobs[0] not in html


def test_without_a_plan_the_list_is_in_on_site_time_order(
    eve: FlaskClient, world: PhoneWorld
) -> None:
    html = text(eve.get("/m/"))

    assert 'data-testid="route"' not in html
    assert "arrive ~" not in html
    assert [number_of(card) for card in cards(html, "today")] == [
        world.jobs[0],
        world.jobs[2],
        world.jobs[1],
    ]


def test_another_engineers_route_does_not_reorder_my_list(
    login_as: Callable[[User], FlaskClient], world: PhoneWorld, session: Any
) -> None:
    plan_today(world)
    bob_user = make_user(role="engineer", name="Bob Field")
    make_engineer(name="Bob Field", shifts=SHIFTS_24X7, timezone="UTC", user_id=bob_user.id)

    html = text(login_as(bob_user).get("/m/"))

    assert 'data-testid="route"' not in html
    assert 'data-testid="today-empty"' in html
