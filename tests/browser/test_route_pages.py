"""In a real browser on a 390 x 844 phone: the dispatcher plans tomorrow, watches the plan's
progress poll by itself (htmx) until the worker has finished it, then sees each engineer's
stops in order and the drawn map; the engineer's phone lists today's visits in route order
with ETAs. No page is wider than the screen.

The live server's configuration does not kick the background task (ROUTE_PLAN_KICK), so
the test runs it, as the worker would, while the page is polling.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from fieldops.clock import utcnow
from fieldops.db import db, transaction
from fieldops.dispatch.services import assign_job, create_job
from fieldops.routing.queries import RouteView, find_engineer_route, find_latest_plan, get_plan
from fieldops.routing.services import request_route_plan
from fieldops.routing.tasks import run_route_plan
from tests.browser.conftest import LiveSite, shoot
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

pytestmark = pytest.mark.browser
DISPATCHER = "dana@routes.test"
ENGINEER = "eve@routes.test"
WARSAW = ZoneInfo("Europe/Warsaw")  # the phone fixture's zone
SHIFTS_24X7 = {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
_sites = itertools.count(1)


@dataclass
class RouteSite:
    live: LiveSite
    eve_id: int
    eve_jobs: list[str]
    today: date


def _job(lat: float, lon: float, due: datetime, engineer_id: int | None = None, **kw: Any) -> str:
    n = next(_sites)
    service = make_service(
        site={"name": f"Browser site {n}", "address": f"ul. Mapowa {n}", "lat": lat, "lon": lon}
    )
    ticket = make_ticket(service, make_contact(service.customer), now=utcnow(), category="hardware")
    job = create_job(
        actor=None,
        ticket_number=ticket.number,
        now=utcnow(),
        duration_min=40,
        **{"required_skills": ["router"], **kw},
    )
    if engineer_id is not None:  # while the SLA's arrive-by, hours ahead, stands
        assign_job(actor=None, number=job.number, engineer_id=engineer_id, now=utcnow())
    job.arrive_by = due
    db.session.flush()
    return job.number


def _crew(name: str, lat: float, lon: float, **kw: Any) -> int:
    engineer = make_engineer(
        name=name,
        home_lat=lat,
        home_lon=lon,
        skills=["router"],
        shifts=SHIFTS_24X7,
        timezone="UTC",
        **kw,
    )
    make_van(engineer, code=f"VAN-{name.split()[0].upper()}")
    return engineer.id


@pytest.fixture(scope="module")
def route_site(live: LiveSite) -> RouteSite:
    today = utcnow().date()
    tomorrow = today + timedelta(days=1)
    with live.app.app_context(), transaction():
        make_user(role="dispatcher", email=DISPATCHER, name="Dana Dispatch")
        user = make_user(role="engineer", email=ENGINEER, name="Eve Engineer")
        eve = _crew("Eve Engineer", 52.23, 21.00, user_id=user.id)
        _crew("Anna North", 52.30, 21.00)
        _crew("Ben South", 52.15, 21.02)
        psu = make_part_type(sku="PSU-MAP", name="Map test PSU")
        stock_up(psu, make_depot(code="DEP-WAW", name="Warsaw depot", lat=52.20, lon=21.05), 3)
        late_today = datetime.combine(today, time(22, 0), UTC)
        eve_jobs = [
            _job(52.26, 21.04, late_today, eve),
            _job(52.24, 21.01, late_today, eve, parts=[{"sku": psu.sku, "quantity": 1}]),
            _job(52.21, 20.97, late_today, eve),
        ]
        due = datetime.combine(tomorrow, time(15, 0), UTC)
        for lat, lon in ((52.31, 21.01), (52.29, 20.98), (52.16, 21.03), (52.14, 21.00)):
            _job(lat, lon, due)
        _job(52.25, 21.00, due, required_skills=["dwdm"])  # nobody has it: dropped
    return RouteSite(live, eve, eve_jobs, today)


def _log_in(page: Any, site: LiveSite, email: str) -> None:
    page.goto(f"{site.url}/login")
    page.fill("#email", email)
    page.fill("#password", site.password)
    page.click("button[type=submit]:has-text('Log in')")
    page.wait_for_load_state()


def _no_sideways_scroll(page: Any) -> None:
    wider = page.evaluate(
        "document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth"
    )
    assert wider <= 0, f"the page scrolls sideways by {wider}px"


def _local(moment: datetime, day: date) -> str:
    local = moment.astimezone(WARSAW)
    return f"{local:%H:%M}" if local.date() == day else f"{local:%a %H:%M}"


def test_dispatcher_plans_a_day_and_sees_the_routes_and_the_map(
    route_site: RouteSite, phone: Any
) -> None:
    site, page = route_site.live, phone
    day = route_site.today + timedelta(days=1)
    _log_in(page, site, DISPATCHER)
    page.click("[data-testid=nav-routes]")
    assert "/dispatch/routes" in page.url
    assert page.locator("[data-testid=plan-form]").count() == 1  # today may have a plan already

    page.fill("#plan-date", day.isoformat())
    page.click("[data-testid=plan-routes]")
    page.wait_for_load_state()
    assert "requested" in page.inner_text("[data-testid=flash]")
    progress = page.locator("[data-testid=plan-progress]")
    assert progress.get_attribute("hx-trigger") == "every 2s"
    assert progress.get_attribute("data-status") == "queued"
    shoot(page, "routes-01-queued")

    with site.app.app_context():
        plan = find_latest_plan(day)
        assert plan is not None
        assert run_route_plan(plan.id) == "done"
        plan = get_plan(plan.id)
    # No reload by the test: the polled fragment answers HX-Refresh once the plan is done.
    page.wait_for_selector("[data-testid=route]", timeout=15_000)
    assert page.locator("[data-testid=plan-progress]").count() == 0

    for route in plan.routes:
        card = page.locator(f"[data-testid=route][data-engineer='{route.engineer_id}']")
        assert route.engineer_name in card.inner_text()
        rows = card.locator("[data-testid=stop]")
        assert [rows.nth(i).get_attribute("data-seq") for i in range(rows.count())] == [
            str(stop.seq) for stop in route.stops
        ]
        etas = card.locator("[data-testid=stop-eta]").all_inner_texts()
        assert etas == [_local(stop.arrive_at, day) for stop in route.stops]
    drops = page.locator("[data-testid=drop]")
    assert drops.count() == len(plan.dropped) >= 1
    assert page.locator("[data-testid=drop-reason]").first.inner_text().strip()

    svg = page.locator("[data-testid=route-map-svg]")
    box = svg.bounding_box()
    assert box is not None
    assert 300 <= box["width"] <= 390  # scaled to the phone, not cut off
    drawn = [route for route in plan.routes if route.stops]
    assert page.locator("[data-testid=map-route]").count() == len(drawn)
    assert page.locator("[data-testid=map-stop]").count() == sum(len(r.stops) for r in drawn)
    assert page.locator("[data-testid=map-depot][data-code='DEP-WAW']").count() == 1
    assert "Anna North" in page.inner_text("[data-testid=map-legend]")
    _no_sideways_scroll(page)
    shoot(page, "routes-02-planned")


def _plan_today(site: RouteSite) -> RouteView:
    """Today's plan made as the CLI does, with the clock pinned to midnight UTC so the whole
    day is planned whatever the hour the suite runs at."""
    now = datetime.combine(site.today, time(0, 0), UTC)
    with site.live.app.app_context():
        with transaction():
            plan_id = request_route_plan(site.today, None, None, now, time_limit_s=1).id
        assert run_route_plan(plan_id, now=now) == "done"
        route = find_engineer_route(site.eve_id, site.today)
    assert route is not None
    return route


def test_the_engineer_sees_todays_stops_in_route_order_on_a_390px_phone(
    route_site: RouteSite, phone: Any
) -> None:
    route = _plan_today(route_site)
    visits = [stop for stop in route.stops if stop.kind == "visit"]
    assert sorted(stop.job_number or "" for stop in visits) == sorted(route_site.eve_jobs)
    page = phone

    _log_in(page, route_site.live, ENGINEER)
    assert page.url.endswith("/m/")

    cards = page.locator("[data-testid=route] [data-testid=visit]")
    assert [cards.nth(i).get_attribute("data-number") for i in range(cards.count())] == [
        stop.job_number for stop in visits
    ]
    assert page.locator("[data-testid=route] [data-testid=eta]").all_inner_texts() == [
        f"arrive ~{stop.arrive_at.astimezone(WARSAW):%H:%M}" for stop in visits
    ]
    psu_card = page.locator(f"[data-testid=visit][data-number='{route_site.eve_jobs[1]}']")
    assert "Collect parts at DEP-WAW first" in psu_card.inner_text()
    _no_sideways_scroll(page)
    shoot(page, "routes-03-phone-today")
