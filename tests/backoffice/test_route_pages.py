"""The dispatcher's routes page: planning a day (POST/redirect/GET), the plan's progress
polled while it is computed, then per engineer the stops in order with ETAs, pickups and
lateness, the schematic map, and the dropped visits with their reasons; refusals keep what
was typed and store nothing; only dispatch roles see it.

Plans are requested through the page, which reads the wall clock, so the world is planned
for tomorrow (UTC): the whole of an engineer's round-the-clock shift then lies ahead,
whatever the hour the suite runs at. The test configuration does not kick the background
task (ROUTE_PLAN_KICK), so each test runs it itself, as the worker would.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from html import unescape
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from fieldops.accounts.models import User
from fieldops.backoffice.dispatch.route_map import MIN_HEIGHT, PAD, WIDTH, draw
from fieldops.clock import utcnow
from fieldops.db import db, transaction
from fieldops.dispatch.services import create_job
from fieldops.engineers.models import Engineer
from fieldops.routing.models import RoutePlan
from fieldops.routing.queries import PlanView, RouteView, StopView, find_latest_plan, get_plan
from fieldops.routing.services import fail_plan
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
from tests.web.pages import csrf_token, post_form, text

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SHIFTS_24X7 = {day: [["00:00", "24:00"]] for day in DAYS}
PAGE = "/dispatch/routes"
_sites = itertools.count(1)


def tomorrow() -> date:
    return utcnow().date() + timedelta(days=1)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), UTC)


@dataclass
class RouteWorld:
    dispatcher: User
    north: Engineer
    south: Engineer
    day: date
    north_jobs: list[str]  # near North's home; the second needs a PSU from the depot
    south_job: str
    unskilled: list[str]  # need a skill nobody has: dropped (P3 first made, then P1)


def site_job(
    lat: float,
    lon: float,
    due: datetime,
    *,
    skills: tuple[str, ...] = ("router",),
    parts: tuple[dict[str, Any], ...] = (),
    **ticket: Any,
) -> str:
    """A hardware job at its own site, due at `due` (set directly: the SLA would put it
    today, and the page plans tomorrow)."""
    n = next(_sites)
    service = make_service(
        site={"name": f"Route site {n}", "address": f"ul. Trasowa {n}", "lat": lat, "lon": lon}
    )
    opened = make_ticket(
        service, make_contact(service.customer), now=utcnow(), category="hardware", **ticket
    )
    job = create_job(
        actor=None,
        ticket_number=opened.number,
        now=utcnow(),
        required_skills=list(skills),
        parts=list(parts),
        duration_min=45,
    )
    job.arrive_by = due
    db.session.flush()
    return job.number


def crew(name: str, lat: float, lon: float) -> Engineer:
    engineer = make_engineer(
        name=name, home_lat=lat, home_lon=lon, skills=["router"], shifts=SHIFTS_24X7, timezone="UTC"
    )
    make_van(engineer, code=f"VAN-{name.split()[0].upper()}")
    return engineer


def build_world(session: Any) -> RouteWorld:
    day = tomorrow()
    psu = make_part_type(sku="PSU-ROUTE", name="Route test PSU")
    depot = make_depot(code="DEP-WAW", name="Warsaw depot", lat=52.20, lon=21.05)
    stock_up(psu, depot, 3, prefix="PSU")
    make_depot(code="DEP-KRK", name="Krakow depot", lat=50.06, lon=19.94)
    north = crew("Anna North", 52.30, 21.00)
    south = crew("Ben South", 52.15, 21.02)
    world = RouteWorld(
        dispatcher=make_user(role="dispatcher", name="Dana Dispatch"),
        north=north,
        south=south,
        day=day,
        north_jobs=[
            site_job(52.31, 21.01, at(day, 15)),
            site_job(52.29, 20.98, at(day, 15), parts=({"sku": psu.sku, "quantity": 1},)),
        ],
        south_job=site_job(52.16, 21.03, at(day, 15)),
        unskilled=[
            site_job(52.25, 21.0, at(day, 12), skills=("dwdm",), impact="degraded", urgency="low"),
            site_job(52.26, 21.0, at(day, 15), skills=("dwdm",)),
        ],
    )
    session.commit()
    return world


@pytest.fixture
def world(session: Any) -> RouteWorld:
    return build_world(session)


@pytest.fixture
def dispatcher(login_as: Callable[[User], FlaskClient], world: RouteWorld) -> FlaskClient:
    return login_as(world.dispatcher)


def day_page(world: RouteWorld, **args: str) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"date": world.day.isoformat(), **args}.items())
    return f"{PAGE}?{query}"


def plan_count(session: Any) -> int:
    session.expire_all()
    return int(session.scalar(select(func.count()).select_from(RoutePlan)) or 0)


def plan_through_the_page(client: FlaskClient, world: RouteWorld, **extra: str) -> PlanView:
    """Post the form, follow nothing, run the queued plan's task, return the stored plan."""
    response = post_form(client, PAGE, PAGE, {"date": world.day.isoformat(), **extra})
    assert response.status_code == 302, text(response)
    queued = find_latest_plan(world.day, extra.get("region"))
    assert queued is not None
    assert queued.status == "queued"
    assert run_route_plan(queued.id) == "done"
    return get_plan(queued.id)


def route_of(plan: PlanView, engineer: Engineer) -> RouteView:
    return next(route for route in plan.routes if route.engineer_id == engineer.id)


def route_block(html: str, engineer: Engineer) -> str:
    found = re.search(rf'data-testid="route" data-engineer="{engineer.id}".*?</li>', html, re.S)
    assert found, f"no route for {engineer.name}"
    return found.group(0)


def shown_stops(block: str) -> list[tuple[str, str, str]]:
    """(seq, kind, ETA) of each stop row, in the page's order."""
    rows = re.findall(
        r'data-testid="stop" data-seq="(\d+)" data-kind="(\w+)".*?data-testid="stop-eta">([^<]+)<',
        block,
        re.S,
    )
    return [(seq, kind, eta) for seq, kind, eta in rows]


def expected_stops(route: RouteView, hours: int = 0) -> list[tuple[str, str, str]]:
    return [
        (str(stop.seq), stop.kind, f"{stop.arrive_at + timedelta(hours=hours):%H:%M}")
        for stop in route.stops
    ]


# Planning and reading a day ------------------------------------------------------------------


def test_planning_a_day_shows_each_engineers_stops_in_order_with_etas(
    dispatcher: FlaskClient, world: RouteWorld
) -> None:
    plan = plan_through_the_page(dispatcher, world)

    html = text(dispatcher.get(day_page(world)))

    for engineer in (world.north, world.south):
        route = route_of(plan, engineer)
        block = route_block(html, engineer)
        assert engineer.name in block
        assert shown_stops(block) == expected_stops(route)  # no tz cookie: UTC
        assert f"{route.leave_at:%H:%M}" in block
        assert f"{route.back_at:%H:%M}" in block
    north = route_block(html, world.north)
    visits = re.findall(r'data-testid="stop-job">([^<]+)<', north)
    assert sorted(visits) == sorted(world.north_jobs)
    for number in visits:
        assert f'href="/dispatch/jobs/{number}"' in north
    # The PSU is in no van: North collects it at the depot before that visit.
    pickup = re.search(r'data-kind="pickup".*?</tr>', north, re.S)
    assert pickup
    assert "Collect parts at" in pickup.group(0)
    assert "DEP-WAW" in pickup.group(0)
    assert north.index('data-kind="pickup"') < north.index(f'data-number="{world.north_jobs[1]}"')
    served = re.search(r'data-testid="served">(\d+)<', html)
    assert served
    assert int(served.group(1)) == plan.served == 3
    assert re.search(r'data-testid="dropped-count">2<', html)
    assert 'data-testid="plan-progress"' not in html


def test_the_dropped_visits_show_their_reasons_most_urgent_first(
    dispatcher: FlaskClient, world: RouteWorld
) -> None:
    plan = plan_through_the_page(dispatcher, world)

    html = text(dispatcher.get(day_page(world)))

    block = re.search(r'data-testid="dropped".*?</ol>', html, re.S)
    assert block
    shown = re.findall(r'data-testid="drop" data-number="([^"]+)"', block.group(0))
    p3, p1 = world.unskilled
    assert shown == [p1, p3]  # the P1 first, though the P3 is due sooner
    reasons = re.findall(r'data-testid="drop-reason">([^<]+)<', block.group(0))
    assert [r.strip() for r in reasons] == [d.reason for d in plan.dropped]
    assert all(reason.strip() for reason in reasons)


def test_times_are_shown_in_the_dispatchers_zone(
    dispatcher: FlaskClient, world: RouteWorld
) -> None:
    plan = plan_through_the_page(dispatcher, world)
    dispatcher.set_cookie("tz", "Asia/Tokyo")  # UTC+9, no summer time

    html = text(dispatcher.get(day_page(world)))

    route = route_of(plan, world.south)
    shown = shown_stops(route_block(html, world.south))
    assert [eta for _, _, eta in shown] == [
        (stop.arrive_at + timedelta(hours=9)).strftime("%H:%M")
        if (stop.arrive_at + timedelta(hours=9)).date() == world.day
        else (stop.arrive_at + timedelta(hours=9)).strftime("%a %H:%M")
        for stop in route.stops
    ]
    assert "Times are shown in Asia/Tokyo" in html


def test_the_map_draws_one_line_per_engineer_with_numbered_stops_and_depots(
    dispatcher: FlaskClient, world: RouteWorld
) -> None:
    plan = plan_through_the_page(dispatcher, world)

    html = text(dispatcher.get(day_page(world)))

    svg = re.search(r"<svg.*?</svg>", html, re.S)
    assert svg
    drawing = svg.group(0)
    assert re.search(r'viewBox="0 0 \d+ \d+"', drawing)
    assert "<title" in drawing
    assert 'role="img"' in drawing
    lines = re.findall(r'data-testid="map-route" data-engineer="(\d+)"', drawing)
    assert sorted(map(int, lines)) == sorted(r.engineer_id for r in plan.routes if r.stops)
    assert drawing.count("<polyline") == len(lines)
    north = route_of(plan, world.north)
    (north_line,) = [
        line
        for line in drawing.split('<g class="map-route')[1:]
        if f'data-engineer="{world.north.id}"' in line
    ]
    seqs = re.findall(r'data-testid="map-stop" data-seq="(\d+)"', north_line)
    assert seqs == [str(stop.seq) for stop in north.stops]
    assert 'data-testid="map-depot" data-code="DEP-WAW"' in drawing
    legend = re.search(r'data-testid="map-legend".*?</ul>', html, re.S)
    assert legend
    assert world.north.name in legend.group(0)
    assert world.south.name in legend.group(0)


def test_the_board_and_the_nav_link_to_the_routes_of_the_day(
    dispatcher: FlaskClient, world: RouteWorld
) -> None:
    html = text(dispatcher.get(f"/dispatch/?date={world.day.isoformat()}"))
    assert f'href="/dispatch/routes?date={world.day.isoformat()}"' in html
    assert 'data-testid="nav-routes"' in html


def test_a_day_without_a_plan_says_so_and_offers_the_form(
    dispatcher: FlaskClient, world: RouteWorld
) -> None:
    html = text(dispatcher.get(day_page(world)))
    assert 'data-testid="no-plan"' in html
    assert 'data-testid="plan-form"' in html
    assert f'value="{world.day.isoformat()}"' in html
    assert '<option value="DEP-WAW">' in html


def test_a_region_plan_is_shown_for_that_region(dispatcher: FlaskClient, world: RouteWorld) -> None:
    plan = plan_through_the_page(dispatcher, world, region="DEP-WAW")
    assert plan.region == "DEP-WAW"

    region_html = text(dispatcher.get(day_page(world, region="DEP-WAW")))
    every_html = text(dispatcher.get(day_page(world)))

    assert 'data-testid="route"' in region_html
    assert '<option value="DEP-WAW" selected>' in region_html
    assert 'data-testid="no-plan"' in every_html  # the all-regions plan is another one


# Progress while the plan is computed ----------------------------------------------------------


def test_a_queued_plan_shows_its_progress_and_polls_until_it_is_done(
    dispatcher: FlaskClient, world: RouteWorld
) -> None:
    response = post_form(dispatcher, PAGE, PAGE, {"date": world.day.isoformat()})
    assert response.status_code == 302
    assert response.headers["Location"] == day_page(world)
    plan = find_latest_plan(world.day)
    assert plan is not None

    html = text(dispatcher.get(day_page(world)))
    assert f"Route plan #{plan.id}" in html  # the flash
    progress = re.search(r'<div id="plan-progress".*?</div>', html, re.S)
    assert progress
    fragment_url = f"/dispatch/routes/plans/{plan.id}/progress"
    assert f'hx-get="{fragment_url}"' in progress.group(0)
    assert 'hx-trigger="every 2s"' in progress.group(0)
    assert "<progress" in progress.group(0)
    assert 'data-testid="route"' not in html

    polled = dispatcher.get(fragment_url)
    assert polled.status_code == 200
    assert "HX-Refresh" not in polled.headers
    assert 'hx-trigger="every 2s"' in text(polled)

    run_route_plan(plan.id)

    finished = dispatcher.get(fragment_url)
    assert finished.headers["HX-Refresh"] == "true"
    assert "hx-trigger" not in text(finished)  # a fragment that would stop polling
    html = text(dispatcher.get(day_page(world)))
    assert 'data-testid="plan-progress"' not in html
    assert 'data-testid="route"' in html


def test_a_failed_plan_shows_its_error(
    dispatcher: FlaskClient, world: RouteWorld, session: Any
) -> None:
    post_form(dispatcher, PAGE, PAGE, {"date": world.day.isoformat()})
    plan = find_latest_plan(world.day)
    assert plan is not None
    with transaction():
        fail_plan(plan.id, "The solver ran out of memory.", utcnow())

    html = text(dispatcher.get(day_page(world)))

    failed = re.search(r'data-testid="plan-failed">([^<]+)<', html)
    assert failed
    assert "The solver ran out of memory." in failed.group(1)
    assert "hx-trigger" not in html
    polled = dispatcher.get(f"/dispatch/routes/plans/{plan.id}/progress")
    assert polled.headers["HX-Refresh"] == "true"


def test_the_progress_of_an_unknown_plan_is_404(dispatcher: FlaskClient) -> None:
    assert dispatcher.get("/dispatch/routes/plans/999999/progress").status_code == 404


# Refusals ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "message"),
    [("2026-13-45", "is not a date"), ("2020-01-01", "has passed"), ("", "Choose the date")],
)
def test_a_bad_date_is_refused_and_kept(
    dispatcher: FlaskClient, world: RouteWorld, session: Any, typed: str, message: str
) -> None:
    response = post_form(dispatcher, PAGE, PAGE, {"date": typed, "region": "DEP-WAW"})

    assert response.status_code == 422
    html = text(response)
    error = re.search(r'data-testid="error-date">([^<]+)<', html)
    assert error
    assert message in error.group(1)
    assert re.search(rf'value="{typed}"[^>]*data-testid="plan-date"', html)
    assert 'aria-invalid="true" aria-describedby="date-error"' in html
    assert '<option value="DEP-WAW" selected>' in html
    assert plan_count(session) == 0


def test_an_unknown_region_is_refused_and_kept(
    dispatcher: FlaskClient, world: RouteWorld, session: Any
) -> None:
    response = post_form(
        dispatcher, PAGE, PAGE, {"date": world.day.isoformat(), "region": "dep-nowhere"}
    )

    assert response.status_code == 422
    html = text(response)
    error = re.search(r'data-testid="error-region">([^<]+)<', html)
    assert error
    assert "No depot" in error.group(1)
    assert '<option value="DEP-NOWHERE" selected>DEP-NOWHERE (unknown)</option>' in html
    assert re.search(rf'value="{world.day.isoformat()}"[^>]*data-testid="plan-date"', html)
    assert plan_count(session) == 0


def test_a_bad_date_in_the_address_shows_today_with_a_message(
    dispatcher: FlaskClient, world: RouteWorld
) -> None:
    response = dispatcher.get(f"{PAGE}?date=tomorrow&region=DEP-XYZ")

    assert response.status_code == 200
    html = unescape(text(response))
    assert "'tomorrow' is not a date (YYYY-MM-DD); showing today." in html
    assert "There is no depot 'DEP-XYZ'; showing every region." in html
    assert f'value="{utcnow().date().isoformat()}"' in html


def test_a_post_without_the_csrf_token_is_refused(
    dispatcher: FlaskClient, world: RouteWorld, session: Any
) -> None:
    response = dispatcher.post(PAGE, data={"date": world.day.isoformat()})
    assert response.status_code == 400
    assert plan_count(session) == 0


# Who may see it ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "status"), [("engineer", 403), ("agent", 403), ("customer", 404)])
def test_only_dispatch_roles_see_or_plan_routes(
    login_as: Callable[[User], FlaskClient],
    world: RouteWorld,
    session: Any,
    role: str,
    status: int,
) -> None:
    client = login_as(make_user(role=role, **({"tier": "L1"} if role == "agent" else {})))
    refused = client.get(day_page(world))
    assert refused.status_code == status
    assert "Plan routes" not in text(refused)
    # A valid token (from the logout form of the user's home page), so the role refuses.
    token = csrf_token(text(client.get("/", follow_redirects=True)))
    response = client.post(PAGE, data={"date": world.day.isoformat(), "csrf_token": token})
    assert response.status_code == status
    assert plan_count(session) == 0


def test_a_manager_may_plan(
    login_as: Callable[[User], FlaskClient], world: RouteWorld, session: Any
) -> None:
    client = login_as(make_user(role="manager"))
    response = post_form(client, PAGE, PAGE, {"date": world.day.isoformat()})
    assert response.status_code == 302
    assert plan_count(session) == 1


def test_logged_out_visitors_are_sent_to_log_in(client: FlaskClient, world: RouteWorld) -> None:
    response = client.get(day_page(world))
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


# The map's projection (pure) ------------------------------------------------------------------


def _stop(seq: int, lat: float, lon: float, kind: str = "visit") -> StopView:
    moment = at(date(2026, 11, 18), 9)
    return StopView(
        seq=seq,
        kind=kind,
        job_id=None,
        job_number=None,
        job_status=None,
        priority=None,
        place_name="x",
        lat=lat,
        lon=lon,
        depot_code="DEP-1" if kind == "pickup" else None,
        arrive_at=moment,
        start_at=moment,
        depart_at=moment,
        slack_min=0,
        late_min=0,
    )


def _route(engineer_id: int, home: tuple[float, float], stops: list[StopView]) -> RouteView:
    moment = at(date(2026, 11, 18), 8)
    return RouteView(
        engineer_id=engineer_id,
        engineer_name=f"E{engineer_id}",
        leave_at=moment,
        back_at=moment,
        travel_min=0,
        distance_km=0.0,
        start_lat=home[0],
        start_lon=home[1],
        end_lat=home[0],
        end_lon=home[1],
        stops=tuple(stops),
    )


def test_the_projection_keeps_every_point_in_the_box_north_up_and_scaled_by_latitude() -> None:
    # 0.2 degrees of longitude at 60 N are as wide as 0.1 of latitude is tall.
    route = _route(1, (60.0, 10.0), [_stop(1, 60.1, 10.0), _stop(2, 60.0, 10.2, "pickup")])

    drawn = draw([route])

    assert drawn is not None
    assert drawn.width == WIDTH
    home, north, east = drawn.routes[0].start, *(m.at for m in drawn.routes[0].markers)
    for point in (home, north, east):
        assert PAD - 0.1 <= point.x <= WIDTH - PAD + 0.1
        assert PAD - 0.1 <= point.y <= drawn.height - PAD + 0.1
    assert north.y < home.y  # north is up
    assert east.x > home.x
    width, height = east.x - home.x, home.y - north.y
    assert abs(width - height) / height < 0.02  # cos(60.05 deg) ~ 0.5
    assert [d.code for d in drawn.depots] == ["DEP-1"]
    assert drawn.routes[0].points.count(",") == 4  # start, two stops, end


def test_routes_without_stops_are_not_drawn_but_keep_their_colour_slot() -> None:
    idle = _route(1, (52.2, 21.0), [])
    busy = _route(2, (52.2, 21.0), [_stop(1, 52.3, 21.1)])

    drawn = draw([idle, busy])

    assert drawn is not None
    assert [(line.route.engineer_id, line.colour) for line in drawn.routes] == [(2, 1)]
    assert draw([idle]) is None


def test_a_single_place_is_drawn_in_the_middle() -> None:
    drawn = draw([_route(1, (52.2, 21.0), [_stop(1, 52.2, 21.0)])])

    assert drawn is not None
    assert drawn.height >= MIN_HEIGHT
    point = drawn.routes[0].markers[0].at
    assert point.x == pytest.approx(WIDTH / 2, abs=0.1)
    assert point.y == pytest.approx(drawn.height / 2, abs=0.1)


def test_a_late_visit_is_marked_late_in_words(
    dispatcher: FlaskClient, world: RouteWorld, session: Any
) -> None:
    # Due a minute into the day, 30 km from anyone's home: no route reaches it in time.
    late = site_job(52.50, 21.30, at(world.day, 0, 1))
    session.commit()
    plan = plan_through_the_page(dispatcher, world)
    stop = next(s for route in plan.routes for s in route.stops if s.job_number == late)
    assert stop.late_min > 0

    html = text(dispatcher.get(day_page(world)))

    row = re.search(
        rf'<tr class="stop stop-visit stop-late"[^>]*data-number="{late}".*?</tr>', html, re.S
    )
    assert row
    assert f"late by {stop.late_min} min" in row.group(0)
    on_map = re.search(
        rf'class="map-stop map-visit map-late" data-testid="map-stop" data-seq="{stop.seq}"', html
    )
    assert on_map
