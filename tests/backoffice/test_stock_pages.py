"""The stock manager's read pages: overview, a location's lines, the catalogue, a part, the
ledger, alerts and backorders, the CSV exports, and who may see them."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import event, func, select

from fieldops.accounts.models import User
from fieldops.backoffice.stock import exports
from fieldops.clock import utcnow
from fieldops.db import db
from fieldops.geo import Point
from fieldops.inventory import queries, services
from fieldops.inventory.models import PartType, StockLocation, StockMovement
from tests.factories import make_depot, make_engineer, make_part_type, make_user, make_van, stock_up
from tests.web.pages import csrf_token, text


@dataclass
class StockWorld:
    keeper: User
    agent: User
    contact: User
    psu: PartType  # serialised, 3 at WAW, 1 of them transferred to the van
    cable: PartType  # bulk metres, 40 at WAW under a floor of 50
    waw: StockLocation
    krk: StockLocation
    van: StockLocation
    serials: list[str]


def build_world(session: Any) -> StockWorld:
    """Two depots and a van, a serialised PSU and a bulk cable; the cable line at WAW is
    under its reserve floor. Committed (into the test's savepoint) like real data."""
    waw = make_depot(code="DEP-WAW", name="Warsaw depot")
    krk = make_depot(code="DEP-KRK", name="Krakow depot", lat=50.06, lon=19.94)
    van = make_van(make_engineer(name="Eve Engineer"), code="VAN-EVE")
    psu = make_part_type(sku="PSU-750W", name="750 W power supply")
    cable = make_part_type(sku="CAB-LC-2M", name="LC-LC patch cable", serialised=False)
    serials = stock_up(psu, waw, 3, prefix="PSU")
    stock_up(cable, waw, 40)
    services.transfer(
        actor=None,
        sku=psu.sku,
        from_code=waw.code,
        to_code=van.code,
        serials=[serials[0]],
        now=utcnow(),
    )
    services.set_line_limits(sku=cable.sku, location_code=waw.code, reserve_floor=50, now=utcnow())
    world = StockWorld(
        keeper=make_user(role="stock_manager", name="Sam Stock"),
        agent=make_user(role="agent", tier="L1"),
        contact=make_user(role="customer"),
        psu=psu,
        cable=cable,
        waw=waw,
        krk=krk,
        van=van,
        serials=serials,
    )
    session.commit()
    return world


@pytest.fixture
def world(session: Any) -> StockWorld:
    return build_world(session)


@pytest.fixture
def keeper_client(login_as: Callable[[User], FlaskClient], world: StockWorld) -> FlaskClient:
    return login_as(world.keeper)


def row(html: str, testid: str, key: str, value: str) -> str:
    """The <tr> with data-testid=`testid` and data-`key`=`value`."""
    found = re.search(
        rf'<tr data-testid="{testid}" data-{key}="{re.escape(value)}"[^>]*>.*?</tr>', html, re.S
    )
    assert found, f"no {testid} row with {key}={value}"
    return found.group(0)


def cell(html: str, testid: str) -> str:
    found = re.search(rf'data-testid="{testid}">(?:<strong>)?([^<]*)<', html)
    assert found, f"no {testid} cell"
    return found.group(1).strip()


@contextmanager
def counted_queries() -> Iterator[list[str]]:
    statements: list[str] = []

    def _count(*args: Any) -> None:
        if "stock_" in args[2] or "part_types" in args[2]:  # not the login's user lookup
            statements.append(args[2])

    engine = db.engine
    event.listen(engine, "before_cursor_execute", _count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", _count)


# --- the overview and a location's lines ------------------------------------------------


def test_overview_lists_every_location_with_its_totals_and_the_open_alerts(
    keeper_client: FlaskClient, world: StockWorld
) -> None:
    response = keeper_client.get("/stock/")
    html = text(response)

    assert response.status_code == 200
    codes = re.findall(r'data-testid="location-row" data-code="([^"]+)"', html)
    assert codes == ["DEP-KRK", "DEP-WAW", "VAN-EVE"]  # depots, then vans
    waw = row(html, "location-row", "code", "DEP-WAW")
    assert cell(waw, "lines") == "2"
    assert cell(waw, "on-hand") == "42"  # 2 PSUs + 40 m of cable
    assert cell(waw, "below-floor") == "1"
    assert "under floor" in waw
    assert cell(row(html, "location-row", "code", "VAN-EVE"), "on-hand") == "1"
    alerts = html[html.index('data-testid="open-alerts-list"') :]
    assert "Below reserve floor" in alerts
    assert "CAB-LC-2M" in alerts


def test_location_page_shows_numbers_and_marks_lines_under_a_limit(
    keeper_client: FlaskClient, world: StockWorld, session: Any
) -> None:
    services.reserve(
        actor=None,
        sku="PSU-750W",
        quantity=1,
        location_code="DEP-WAW",
        purpose="spare",
        now=utcnow(),
    )
    session.commit()

    html = text(keeper_client.get("/stock/locations/dep-waw"))

    assert cell(html, "sum-lines") == "2"
    assert cell(html, "sum-on-hand") == "42"
    assert cell(html, "sum-reserved") == "1"
    assert cell(html, "sum-below-floor") == "1"
    psu = row(html, "line", "sku", "PSU-750W")
    assert [cell(psu, k) for k in ("on-hand", "reserved", "available", "faulty", "floor")] == [
        "2",
        "1",
        "1",
        "0",
        "0",
    ]
    assert 'class=""' in psu
    assert "under floor" not in psu
    cable = row(html, "line", "sku", "CAB-LC-2M")
    assert 'class="line-floor"' in cable
    assert 'data-testid="flag-floor">under floor<' in cable
    assert cell(cable, "floor") == "50"
    assert 'href="/stock/levels.csv?location=DEP-WAW"' in html


def test_a_line_under_its_reorder_point_is_marked_as_such(
    keeper_client: FlaskClient, world: StockWorld, session: Any
) -> None:
    services.set_line_limits(
        sku="PSU-750W", location_code="DEP-WAW", reserve_floor=0, reorder_point=5, now=utcnow()
    )
    session.commit()

    psu = row(text(keeper_client.get("/stock/locations/DEP-WAW")), "line", "sku", "PSU-750W")

    assert 'class="line-reorder"' in psu
    assert "under reorder point" in psu
    assert cell(psu, "reorder") == "5"


def test_location_filters_narrow_the_lines(keeper_client: FlaskClient, world: StockWorld) -> None:
    alerting = text(keeper_client.get("/stock/locations/DEP-WAW?alerting=1"))
    by_sku = text(keeper_client.get("/stock/locations/DEP-WAW?sku=psu-750w"))
    by_category = text(keeper_client.get("/stock/locations/DEP-WAW?category=cable"))

    assert re.findall(r'data-testid="line" data-sku="([^"]+)"', alerting) == ["CAB-LC-2M"]
    assert re.findall(r'data-testid="line" data-sku="([^"]+)"', by_sku) == ["PSU-750W"]
    assert re.findall(r'data-testid="line" data-sku="([^"]+)"', by_category) == ["CAB-LC-2M"]
    assert 'href="/stock/levels.csv?location=DEP-WAW&amp;alerting=1"' in alerting


def test_location_page_pages_fifty_lines_and_reads_nothing_per_row(
    keeper_client: FlaskClient, world: StockWorld, session: Any
) -> None:
    keeper_client.get("/stock/locations/DEP-KRK")  # warm: templates compiled, user cached
    with counted_queries() as few:
        keeper_client.get("/stock/locations/DEP-KRK")
    for n in range(55):
        part = make_part_type(sku=f"FAN-{n:03d}", serialised=False)
        stock_up(part, world.krk, 2)
    session.commit()

    with counted_queries() as many:
        first = text(keeper_client.get("/stock/locations/DEP-KRK"))
    second = text(keeper_client.get("/stock/locations/DEP-KRK?page=2"))

    assert len(re.findall(r'data-testid="line"', first)) == 50
    assert len(re.findall(r'data-testid="line"', second)) == 5
    assert "55 lines · page 1 of 2" in first
    assert 'href="/stock/locations/DEP-KRK?page=2"' in first
    assert "FAN-054" in second
    assert len(many) == len(few) <= 5  # location, summary (2), one page of lines (2)


def test_unknown_location_is_404(keeper_client: FlaskClient, world: StockWorld) -> None:
    assert keeper_client.get("/stock/locations/NOPE").status_code == 404


# --- catalogue, part, ledger ---------------------------------------------------------------


def test_catalogue_searches_by_sku_or_name_and_category(
    keeper_client: FlaskClient, world: StockWorld
) -> None:
    by_name = text(keeper_client.get("/stock/parts?q=power"))
    by_sku = text(keeper_client.get("/stock/parts?q=cab"))
    by_category = text(keeper_client.get("/stock/parts?category=psu"))

    assert re.findall(r'data-testid="part-row" data-sku="([^"]+)"', by_name) == ["PSU-750W"]
    assert re.findall(r'data-testid="part-row" data-sku="([^"]+)"', by_sku) == ["CAB-LC-2M"]
    assert re.findall(r'data-testid="part-row" data-sku="([^"]+)"', by_category) == ["PSU-750W"]


def test_part_page_shows_stock_everywhere_its_units_and_its_history(
    keeper_client: FlaskClient, world: StockWorld
) -> None:
    html = text(keeper_client.get("/stock/parts/PSU-750W"))

    assert cell(row(html, "line", "location", "DEP-WAW"), "on-hand") == "2"
    assert cell(row(html, "line", "location", "VAN-EVE"), "on-hand") == "1"
    moved = row(html, "unit", "serial", world.serials[0])
    assert "In stock" in moved
    assert ">VAN-EVE</a>" in moved
    kinds = re.findall(r'data-testid="movement" data-id="\d+" data-kind="([a-z_]+)"', html)
    assert kinds == ["transfer", "receipt", "receipt", "receipt"]  # newest first


def test_ledger_filters_by_kind_location_and_serial(
    keeper_client: FlaskClient, world: StockWorld
) -> None:
    def kinds(query: str) -> list[str]:
        html = text(keeper_client.get(f"/stock/movements?{query}"))
        return re.findall(r'data-testid="movement" data-id="\d+" data-kind="([a-z_]+)"', html)

    assert kinds("kind=transfer") == ["transfer"]
    assert kinds("location=VAN-EVE") == ["transfer"]
    assert kinds(f"serial={world.serials[0]}") == ["transfer", "receipt"]
    assert kinds("sku=CAB-LC-2M") == ["receipt"]
    refused = keeper_client.get("/stock/movements?kind=teleport")
    assert refused.status_code == 422
    assert "One of: receipt" in text(refused)


def test_ledger_pages(keeper_client: FlaskClient, world: StockWorld, session: Any) -> None:
    for _ in range(50):
        stock_up(world.cable, world.krk, 1)
    session.commit()

    first = text(keeper_client.get("/stock/movements"))
    second = text(keeper_client.get("/stock/movements?page=2"))

    assert len(re.findall(r'data-testid="movement"', first)) == 50
    assert "55 movements · page 1 of 2" in first
    assert len(re.findall(r'data-testid="movement"', second)) == 5


# --- alerts and backorders -----------------------------------------------------------------


def _emergency(world: StockWorld, session: Any) -> int:
    services.set_line_limits(sku="PSU-750W", location_code="DEP-WAW", reserve_floor=2, now=utcnow())
    services.reserve(
        actor=None,
        sku="PSU-750W",
        quantity=1,
        location_code="DEP-WAW",
        purpose="outage",
        emergency=True,
        now=utcnow(),
    )
    session.commit()
    alerts, _ = queries.list_alerts()
    return next(a.id for a in alerts if a.kind == "emergency_use")


def test_emergency_use_is_acknowledged_and_level_alerts_have_no_button(
    keeper_client: FlaskClient, world: StockWorld, session: Any
) -> None:
    alert_id = _emergency(world, session)
    page = text(keeper_client.get("/stock/alerts"))
    emergency = row(page, "alert", "id", str(alert_id))
    level = re.search(
        r'<tr data-testid="alert"[^>]*data-kind="below_reserve_floor".*?</tr>', page, re.S
    )

    response = keeper_client.post(
        f"/stock/alerts/{alert_id}/acknowledge", data={"csrf_token": csrf_token(page)}
    )
    after = text(keeper_client.get("/stock/alerts"))
    again = keeper_client.post(
        f"/stock/alerts/{alert_id}/acknowledge", data={"csrf_token": csrf_token(page)}
    )

    assert 'data-testid="acknowledge"' in emergency
    assert level
    assert 'data-testid="acknowledge"' not in level.group(0)
    assert response.status_code == 302
    assert response.headers["Location"] == "/stock/alerts"
    assert f"Alert {alert_id} acknowledged." in after
    assert f'data-id="{alert_id}"' not in after
    assert again.status_code == 409
    assert "already acknowledged" in text(again)


def test_backorders_are_fulfilled_or_cancelled(
    keeper_client: FlaskClient, world: StockWorld, session: Any
) -> None:
    optic = make_part_type(sku="SFP-10G-LR", name="10G LR optic")
    for _ in range(2):
        services.reserve_nearest(
            actor=None,
            sku=optic.sku,
            quantity=2,
            point=Point(52.2, 21.0),
            purpose="outage",
            now=utcnow(),
        )
    session.commit()
    open_ids = [b.id for b in queries.list_backorders()[0]]
    overview = text(keeper_client.get("/stock/"))
    page = text(keeper_client.get("/stock/backorders"))
    token = csrf_token(page)

    fulfilled = keeper_client.post(
        f"/stock/backorders/{open_ids[0]}/close", data={"csrf_token": token, "status": "fulfilled"}
    )
    cancelled = keeper_client.post(
        f"/stock/backorders/{open_ids[1]}/close", data={"csrf_token": token, "status": "cancelled"}
    )
    twice = keeper_client.post(
        f"/stock/backorders/{open_ids[1]}/close", data={"csrf_token": token, "status": "fulfilled"}
    )

    assert "SFP-10G-LR" in overview[overview.index('data-testid="open-backorders-list"') :]
    assert len(re.findall(r'data-testid="backorder" data-id', page)) == 2
    assert fulfilled.status_code == cancelled.status_code == 302
    assert twice.status_code == 409
    assert "already cancelled" in text(twice)
    assert queries.list_backorders()[1] == 0
    assert queries.list_backorders(status="fulfilled")[1] == 1


# --- CSV exports ---------------------------------------------------------------------------


def _csv(response: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text(response))))


def test_levels_csv_has_every_matching_line_and_downloads_as_a_file(
    keeper_client: FlaskClient, world: StockWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exports, "EXPORT_PAGE", 1)  # streamed a line at a time

    response = keeper_client.get("/stock/levels.csv?location=DEP-WAW")
    alerting = _csv(keeper_client.get("/stock/levels.csv?alerting=1"))

    rows = _csv(response)
    assert response.mimetype == "text/csv"
    disposition = response.headers["Content-Disposition"]
    assert re.fullmatch(
        r'attachment; filename="stock-levels-DEP-WAW-\d{8}-\d{4}\.csv"', disposition
    )
    assert rows[0][:6] == ["sku", "name", "category", "location", "location_kind", "on_hand"]
    by_sku = {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert set(by_sku) == {"CAB-LC-2M", "PSU-750W"}
    assert by_sku["CAB-LC-2M"]["available"] == "40"
    assert by_sku["CAB-LC-2M"]["below_reserve_floor"] == "yes"
    assert by_sku["PSU-750W"]["on_hand"] == "2"
    assert [r[0] for r in alerting[1:]] == ["CAB-LC-2M"]


def test_csv_cells_cannot_run_as_spreadsheet_formulas(
    keeper_client: FlaskClient, world: StockWorld, session: Any
) -> None:
    make_part_type(sku="EVIL-1", name='=HYPERLINK("http://x.test","go")', serialised=False)
    services.receive(
        actor=None,
        sku="EVIL-1",
        location_code="DEP-KRK",
        quantity=3,
        reference="@SUM(A1)",
        now=utcnow(),
    )
    services.transfer(
        actor=None,
        sku="EVIL-1",
        from_code="DEP-KRK",
        to_code="DEP-WAW",
        quantity=1,
        reason="+1-2",
        now=utcnow(),
    )
    session.commit()

    levels = _csv(keeper_client.get("/stock/levels.csv?sku=EVIL-1"))
    ledger = keeper_client.get("/stock/movements.csv?sku=EVIL-1")
    moves = _csv(ledger)

    assert {r[1] for r in levels[1:]} == {'\'=HYPERLINK("http://x.test","go")'}
    header = moves[0]
    by_kind = {r[header.index("kind")]: r for r in moves[1:]}
    assert by_kind["receipt"][header.index("reference")] == "'@SUM(A1)"
    assert by_kind["transfer"][header.index("reason")] == "'+1-2"
    assert by_kind["transfer"][header.index("from")] == "DEP-KRK"
    assert 'filename="stock-movements-EVIL-1-' in ledger.headers["Content-Disposition"]


def test_movements_csv_streams_the_whole_filtered_ledger(
    keeper_client: FlaskClient, world: StockWorld, monkeypatch: pytest.MonkeyPatch, session: Any
) -> None:
    monkeypatch.setattr(exports, "EXPORT_PAGE", 2)
    total = session.scalar(select(func.count()).select_from(StockMovement))

    every = _csv(keeper_client.get("/stock/movements.csv"))
    receipts = _csv(keeper_client.get("/stock/movements.csv?kind=receipt&location=DEP-WAW"))

    assert len(every) == 1 + total
    ids = [int(r[0]) for r in every[1:]]
    assert ids == sorted(ids, reverse=True)
    assert len(receipts) == 1 + 4  # three PSUs and one cable delivery
    assert keeper_client.get("/stock/movements.csv?kind=teleport").status_code == 422


# --- who may see what ----------------------------------------------------------------------

READ_PAGES = (
    "/stock/",
    "/stock/locations/DEP-WAW",
    "/stock/parts",
    "/stock/parts/PSU-750W",
    "/stock/movements",
    "/stock/alerts",
    "/stock/backorders",
    "/stock/levels.csv",
    "/stock/movements.csv",
)
FORM_PAGES = ("/stock/receive", "/stock/transfer", "/stock/adjust", "/stock/rma", "/stock/limits")
POSTS = (
    "/stock/receive",
    "/stock/transfer",
    "/stock/adjust",
    "/stock/rma/return",
    "/stock/rma/send",
    "/stock/rma/receive",
    "/stock/limits",
    "/stock/alerts/1/acknowledge",
    "/stock/backorders/1/close",
)


def test_customers_are_told_the_stock_pages_do_not_exist(
    login_as: Callable[[User], FlaskClient], world: StockWorld
) -> None:
    client = login_as(world.contact)
    for path in (*READ_PAGES, *FORM_PAGES):
        assert client.get(path).status_code == 404, path
    client.application.config["WTF_CSRF_ENABLED"] = False
    try:
        for path in POSTS:
            assert client.post(path, data={"sku": "PSU-750W"}).status_code == 404, path
    finally:
        client.application.config["WTF_CSRF_ENABLED"] = True


def test_agents_read_stock_but_may_not_move_it(
    login_as: Callable[[User], FlaskClient], world: StockWorld
) -> None:
    client = login_as(world.agent)
    for path in READ_PAGES:
        assert client.get(path).status_code == 200, path
    overview = text(client.get("/stock/"))
    for path in FORM_PAGES:
        refused = client.get(path)
        assert refused.status_code == 403, path
        assert "for stock managers and admins" in text(refused)
    token = csrf_token(overview)
    for path in POSTS:
        assert client.post(path, data={"csrf_token": token}).status_code == 403, path
    assert 'data-testid="go-receive"' not in overview
    assert 'data-testid="edit-limits"' not in text(client.get("/stock/locations/DEP-WAW"))


def test_stock_managers_land_on_the_overview_and_may_use_every_form(
    keeper_client: FlaskClient, world: StockWorld
) -> None:
    home = keeper_client.get("/")

    assert home.status_code == 302
    assert home.headers["Location"] == "/stock/"
    for path in FORM_PAGES:
        assert keeper_client.get(path).status_code == 200, path
    assert 'data-testid="go-receive"' in text(keeper_client.get("/stock/"))


def test_anonymous_visitors_are_sent_to_log_in(client: FlaskClient, world: StockWorld) -> None:
    response = client.get("/stock/locations/DEP-WAW")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
