"""/stock: stock lines and their limits, the movements ledger (and the receipts, transfers,
adjustments and returns that imply their kind), alerts and backorders."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest

from fieldops.accounts.models import User
from fieldops.inventory.models import PartType, StockLocation
from tests.api.conftest import API, assert_error
from tests.factories import make_depot, make_part_type, make_user, make_van, stock_up

Api = Callable[[User], Any]


@dataclass
class World:
    keeper: User
    agent: User
    customer: User
    psu: PartType  # serialised
    cable: PartType  # counted in metres
    waw: StockLocation  # depot, Warsaw
    krk: StockLocation  # depot, Krakow
    van: StockLocation
    psu_serials: list[str]


@pytest.fixture
def world(session: Any) -> World:
    psu = make_part_type(sku="PSU-750", name="750 W PSU", category="psu", reorder_point=2)
    cable = make_part_type(sku="CAB-OM4", name="OM4 fibre", serialised=False, category="cable")
    waw = make_depot(code="DEP-WAW", name="Warsaw")
    krk = make_depot(code="DEP-KRK", name="Krakow", lat=50.06, lon=19.94)
    van = make_van(code="VAN-1")
    serials = stock_up(psu, waw, 3, prefix="PSU")
    stock_up(cable, waw, 100)
    people = World(
        keeper=make_user(role="stock_manager", email="keeper@example.test"),
        agent=make_user(role="agent"),
        customer=make_user(role="customer"),
        psu=psu,
        cable=cable,
        waw=waw,
        krk=krk,
        van=van,
        psu_serials=serials,
    )
    session.commit()
    return people


def _line(api: Any, sku: str, location: str) -> dict[str, Any] | None:
    body = api.get(f"{API}/stock?sku={sku}&location={location}").get_json()
    return body["items"][0] if body["items"] else None


def _ledger_total(api: Any, **filters: Any) -> int:
    query = "&".join(f"{k}={v}" for k, v in filters.items())
    return int(api.get(f"{API}/stock/movements?{query}").get_json()["total"])


def _snapshot(api: Any) -> tuple[Any, int, int]:
    """Every stock line and the ledger's size: what a refused request must leave alone."""
    lines = api.get(f"{API}/stock?per_page=100").get_json()["items"]
    alerts = api.get(f"{API}/stock/alerts?all=1").get_json()["total"]
    return lines, _ledger_total(api), alerts


# --- stock lines ---------------------------------------------------------------------------


def test_stock_rows_use_the_contract_names(api_as: Api, world: World) -> None:
    row = _line(api_as(world.agent), "PSU-750", "DEP-WAW")
    assert row is not None
    assert row == {
        "sku": "PSU-750",
        "part_name": "750 W PSU",
        "category": "psu",
        "serialised": True,
        "location": "DEP-WAW",
        "location_kind": "depot",
        "on_hand": 3,
        "reserved": 0,
        "available": 3,
        "reserve_floor": 0,
        "faulty": 0,
        "reorder_point": 2,
        "below_floor": False,
        "below_reorder_point": False,
    }


def test_stock_is_filtered_and_paginated(api_as: Api, world: World, session: Any) -> None:
    stock_up(world.psu, world.van, 1)
    session.commit()
    api = api_as(world.agent)
    everything = api.get(f"{API}/stock").get_json()
    assert set(everything) == {"items", "total", "page", "per_page"}
    keys = [(r["sku"], r["location"]) for r in everything["items"]]
    assert ("PSU-750", "VAN-1") in keys
    assert keys == sorted(keys)  # SKU then location
    page = api.get(f"{API}/stock?per_page=1&page=2").get_json()
    assert page["total"] == everything["total"]
    assert page["items"] == everything["items"][1:2]
    vans = api.get(f"{API}/stock?kind=van").get_json()["items"]
    assert {r["location"] for r in vans} == {"VAN-1"}
    cables = api.get(f"{API}/stock?category=cable").get_json()["items"]
    assert [(r["sku"], r["on_hand"]) for r in cables] == [("CAB-OM4", 100)]
    waw = api.get(f"{API}/stock?location=dep-waw").get_json()["items"]
    assert {r["sku"] for r in waw} == {"PSU-750", "CAB-OM4"}
    psu = api.get(f"{API}/stock?sku=psu-750").get_json()["items"]
    assert {r["location"] for r in psu} >= {"DEP-WAW", "VAN-1"}


def test_below_floor_and_alerting_filters(api_as: Api, world: World) -> None:
    api = api_as(world.keeper)
    assert api.get(f"{API}/stock?below_floor=true").get_json()["total"] == 0
    limits = {"sku": "CAB-OM4", "location": "DEP-WAW", "reserve_floor": 150}
    assert api.post(f"{API}/stock/limits", json=limits).status_code == 200
    under = api.get(f"{API}/stock?below_floor=1").get_json()["items"]
    assert [(r["sku"], r["location"]) for r in under] == [("CAB-OM4", "DEP-WAW")]
    # The van's empty line is nowhere under a limit; the PSU at Warsaw (3 >= 2) neither.
    alerting = api.get(f"{API}/stock?alerting=true").get_json()["items"]
    assert [(r["sku"], r["location"]) for r in alerting] == [("CAB-OM4", "DEP-WAW")]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("kind=shelf", "kind"),
        ("below_floor=perhaps", "below_floor"),
        ("category=toaster", "category"),
        ("per_page=101", "per_page"),
        ("page=0", "page"),
    ],
)
def test_bad_stock_filters_are_422(api_as: Api, world: World, query: str, field: str) -> None:
    assert_error(api_as(world.agent).get(f"{API}/stock?{query}"), 422, "validation_error", field)


def test_setting_limits_returns_the_row_and_raises_alerts(api_as: Api, world: World) -> None:
    api = api_as(world.keeper)
    body = {"sku": "psu-750", "location": "dep-waw", "reserve_floor": 3, "reorder_point": 5}
    response = api.post(f"{API}/stock/limits", json=body)
    assert response.status_code == 200, response.get_json()
    row = response.get_json()
    assert (row["reserve_floor"], row["reorder_point"]) == (3, 5)
    assert (row["below_floor"], row["below_reorder_point"]) == (False, True)
    alerts = api.get(f"{API}/stock/alerts?location=DEP-WAW").get_json()["items"]
    assert [(a["kind"], a["sku"], a["open"]) for a in alerts] == [
        ("below_reorder_point", "PSU-750", True)
    ]
    # Back under the limit: the alert clears itself and shows only with all=1.
    lower = {"sku": "PSU-750", "location": "DEP-WAW", "reserve_floor": 0, "reorder_point": 1}
    assert api.post(f"{API}/stock/limits", json=lower).status_code == 200
    assert api.get(f"{API}/stock/alerts").get_json()["total"] == 0
    cleared = api.get(f"{API}/stock/alerts?all=1").get_json()["items"]
    assert cleared[0]["open"] is False
    assert cleared[0]["cleared_at"].endswith("+00:00")


@pytest.mark.parametrize(
    ("overrides", "status", "field"),
    [
        ({"sku": "NOPE-1"}, 422, "sku"),
        ({"location": "DEP-NOPE"}, 422, "location"),
        ({"reserve_floor": -1}, 422, "reserve_floor"),
        ({"reserve_floor": "2"}, 422, "reserve_floor"),
        ({"reorder_point": -1}, 422, "reorder_point"),
        ({"reserve_floor": ...}, 422, "reserve_floor"),
    ],
)
def test_bad_limits_are_refused_and_change_nothing(
    api_as: Api, world: World, overrides: dict[str, Any], status: int, field: str
) -> None:
    api = api_as(world.keeper)
    before = _snapshot(api)
    body = {"sku": "PSU-750", "location": "DEP-WAW", "reserve_floor": 3, **overrides}
    body = {k: v for k, v in body.items() if v is not ...}
    assert_error(api.post(f"{API}/stock/limits", json=body), status, "validation_error", field)
    assert _snapshot(api) == before


def test_an_agent_may_not_set_limits(api_as: Api, world: World) -> None:
    body = {"sku": "PSU-750", "location": "DEP-WAW", "reserve_floor": 3}
    assert_error(api_as(world.agent).post(f"{API}/stock/limits", json=body), 403, "forbidden")
    line = _line(api_as(world.keeper), "PSU-750", "DEP-WAW")
    assert line is not None
    assert line["reserve_floor"] == 0


# --- movements -----------------------------------------------------------------------------


def test_a_serialised_receipt_writes_a_ledger_row_per_unit(api_as: Api, world: World) -> None:
    api = api_as(world.keeper)
    body = {
        "kind": "receipt",
        "sku": "PSU-750",
        "location": "DEP-KRK",
        "serials": ["NEW-1", "NEW-2"],
        "reference": "DN-4471",
    }
    response = api.post(f"{API}/stock/movements", json=body)
    assert response.status_code == 201, response.get_json()
    items = response.get_json()["items"]
    assert [m["serial"] for m in items] == ["NEW-1", "NEW-2"]
    first = items[0]
    assert set(first) >= {
        "id",
        "kind",
        "sku",
        "quantity",
        "condition",
        "from",
        "to",
        "serial",
        "reservation_id",
        "reason",
        "reference",
        "actor",
        "created_at",
    }
    assert (first["kind"], first["sku"], first["quantity"], first["condition"]) == (
        "receipt",
        "PSU-750",
        1,
        "good",
    )
    assert (first["from"], first["to"], first["reference"]) == (None, "DEP-KRK", "DN-4471")
    assert first["actor"] == "keeper@example.test"
    assert datetime.fromisoformat(first["created_at"]).utcoffset() is not None
    line = _line(api, "PSU-750", "DEP-KRK")
    assert line is not None
    assert line["on_hand"] == 2
    # The ledger lists them newest first, filtered by serial, SKU, location and kind.
    ledger = api.get(f"{API}/stock/movements?location=DEP-KRK").get_json()
    assert [m["serial"] for m in ledger["items"]] == ["NEW-2", "NEW-1"]
    assert api.get(f"{API}/stock/movements?serial=NEW-1").get_json()["items"] == [first]
    assert _ledger_total(api, sku="PSU-750", kind="receipt") == 5  # 3 at set-up, 2 here


def test_the_ledger_is_paginated_and_filtered(api_as: Api, world: World) -> None:
    api = api_as(world.agent)
    everything = api.get(f"{API}/stock/movements?per_page=100").get_json()
    assert everything["total"] == len(everything["items"]) == 4  # 3 PSU units, 1 cable row
    ids = [m["id"] for m in everything["items"]]
    assert ids == sorted(ids, reverse=True)
    page = api.get(f"{API}/stock/movements?per_page=3&page=2").get_json()
    assert [m["id"] for m in page["items"]] == ids[3:]
    assert _ledger_total(api, sku="CAB-OM4") == 1
    assert _ledger_total(api, kind="transfer") == 0
    assert _ledger_total(api, sku="NOPE") == 0
    assert _ledger_total(api, location="DEP-KRK") == 0
    assert_error(api.get(f"{API}/stock/movements?kind=teleport"), 422, "validation_error", "kind")
    bad_id = api.get(f"{API}/stock/movements?reservation_id=x")
    assert_error(bad_id, 422, "validation_error", "reservation_id")


def test_a_bulk_receipt_through_its_own_path(api_as: Api, world: World) -> None:
    api = api_as(world.keeper)
    body = {"sku": "CAB-OM4", "location": "DEP-KRK", "quantity": 40}
    response = api.post(f"{API}/stock/receipts", json=body)
    assert response.status_code == 201, response.get_json()
    [row] = response.get_json()["items"]
    assert (row["kind"], row["quantity"], row["serial"], row["to"]) == (
        "receipt",
        40,
        None,
        "DEP-KRK",
    )
    line = _line(api, "CAB-OM4", "DEP-KRK")
    assert line is not None
    assert line["on_hand"] == 40


def test_a_transfer_moves_stock_to_a_van(api_as: Api, world: World) -> None:
    api = api_as(world.keeper)
    body = {"sku": "PSU-750", "from": "DEP-WAW", "to": "VAN-1", "serials": [world.psu_serials[1]]}
    response = api.post(f"{API}/stock/transfers", json=body)
    assert response.status_code == 201, response.get_json()
    [row] = response.get_json()["items"]
    assert (row["kind"], row["from"], row["to"]) == ("transfer", "DEP-WAW", "VAN-1")
    waw, van = _line(api, "PSU-750", "DEP-WAW"), _line(api, "PSU-750", "VAN-1")
    assert waw is not None
    assert van is not None
    assert (waw["on_hand"], van["on_hand"]) == (2, 1)
    units = api.get(f"{API}/part-types/PSU-750/units").get_json()["items"]
    assert {u["serial"]: u["location"] for u in units}[world.psu_serials[1]] == "VAN-1"


def test_adjustments_in_and_out_need_a_reason(api_as: Api, world: World) -> None:
    api = api_as(world.keeper)
    base = {"sku": "CAB-OM4", "location": "DEP-WAW", "quantity": 5}
    found = api.post(
        f"{API}/stock/adjustments", json={**base, "direction": "in", "reason": "count"}
    )
    assert found.status_code == 201, found.get_json()
    lost = api.post(
        f"{API}/stock/movements",
        json={**base, "kind": "adjust", "direction": "out", "reason": "damaged", "quantity": 8},
    )
    assert lost.status_code == 201, lost.get_json()
    assert [(m["from"], m["to"]) for m in lost.get_json()["items"]] == [("DEP-WAW", None)]
    line = _line(api, "CAB-OM4", "DEP-WAW")
    assert line is not None
    assert line["on_hand"] == 97
    before = _snapshot(api)
    blank = api.post(f"{API}/stock/adjustments", json={**base, "direction": "in", "reason": " "})
    assert_error(blank, 422, "validation_error", "reason")
    missing = api.post(f"{API}/stock/adjustments", json=base)
    assert_error(missing, 422, "validation_error", "direction", "reason")
    sideways = {**base, "direction": "up", "reason": "x"}
    assert_error(
        api.post(f"{API}/stock/adjustments", json=sideways), 422, "validation_error", "direction"
    )
    assert _snapshot(api) == before


def test_a_faulty_part_goes_from_site_to_van_to_depot_to_vendor_and_back(
    api_as: Api, world: World
) -> None:
    api = api_as(world.keeper)

    def post(kind: str, **body: Any) -> list[dict[str, Any]]:
        response = api.post(f"{API}/stock/movements", json={"kind": kind, "sku": "PSU-750", **body})
        assert response.status_code == 201, response.get_json()
        return list(response.get_json()["items"])

    removed = post("remove", location="VAN-1", serials=["OLD-9"], site="SVC-10023 Warsaw PoP")
    assert (removed[0]["condition"], removed[0]["reference"]) == ("faulty", "SVC-10023 Warsaw PoP")
    van = _line(api, "PSU-750", "VAN-1")
    assert van is not None
    assert van["faulty"] == 1
    returned = api.post(
        f"{API}/stock/returns",
        json={"sku": "PSU-750", "from": "VAN-1", "to": "DEP-WAW", "quantity": 1},
    )
    assert returned.status_code == 201, returned.get_json()
    assert returned.get_json()["items"][0]["serial"] == "OLD-9"
    sent = post("send_to_vendor", location="DEP-WAW", serials=["OLD-9"], reference="RMA-5521")
    assert sent[0]["reference"] == "RMA-5521"
    units = {u["serial"]: u for u in api.get(f"{API}/part-types/PSU-750/units").get_json()["items"]}
    assert units["OLD-9"]["status"] == "at_vendor"
    assert "RMA-5521" in units["OLD-9"]["whereabouts"]
    post("receive_from_vendor", location="DEP-WAW", serials=["OLD-9"], reference="RMA-5521")
    waw = _line(api, "PSU-750", "DEP-WAW")
    assert waw is not None
    assert (waw["on_hand"], waw["faulty"]) == (4, 0)
    post("scrap", location="DEP-WAW", serials=["OLD-9"], condition="good", reason="burnt")
    kinds = [m["kind"] for m in api.get(f"{API}/stock/movements?serial=OLD-9").get_json()["items"]]
    assert kinds == ["scrap", "receive_from_vendor", "send_to_vendor", "return", "remove"]


@pytest.mark.parametrize("kind", ["pick", "consume", "install"])
def test_reservation_kinds_are_not_posted_as_movements(
    api_as: Api, world: World, kind: str
) -> None:
    api = api_as(world.keeper)
    before = _snapshot(api)
    body = {"kind": kind, "sku": "CAB-OM4", "from": "DEP-WAW", "quantity": 1}
    error = assert_error(
        api.post(f"{API}/stock/movements", json=body), 422, "validation_error", "kind"
    )
    assert "reservations" in " ".join(error["errors"]["kind"])
    assert _snapshot(api) == before


@pytest.mark.parametrize(
    ("path", "body", "status", "code", "field"),
    [
        ("movements", {"kind": "teleport"}, 422, "validation_error", "kind"),
        ("movements", {"kind": ...}, 422, "validation_error", "kind"),
        ("receipts", {"quantity": 0}, 422, "validation_error", "quantity"),
        ("receipts", {"quantity": -3}, 422, "validation_error", "quantity"),
        ("receipts", {"quantity": 1.5}, 422, "validation_error", "quantity"),
        ("receipts", {"quantity": "2"}, 422, "validation_error", "quantity"),
        ("receipts", {"quantity": True}, 422, "validation_error", "quantity"),
        ("receipts", {"quantity": 10**12}, 422, "validation_error", "quantity"),
        ("receipts", {"sku": "NOPE-1"}, 422, "validation_error", "sku"),
        ("receipts", {"sku": ...}, 422, "validation_error", "sku"),
        ("receipts", {"location": "DEP-NOPE"}, 422, "validation_error", "location"),
        ("receipts", {"location": ...}, 422, "validation_error", "location"),
        ("receipts", {"location": "VAN-1"}, 422, "validation_error", "location"),  # depots only
        ("receipts", {"from": "DEP-KRK"}, 422, "validation_error", "from"),  # not a receipt's
        ("receipts", {"serials": ["S-1"]}, 422, "validation_error", "serials"),  # not serialised
        ("receipts", {"reference": "r" * 201}, 422, "validation_error", "reference"),
        ("receipts", {"colour": "red"}, 422, "validation_error", "colour"),
        ("transfers", {"from": "DEP-WAW", "to": "DEP-WAW"}, 422, "validation_error", "to"),
        ("transfers", {"from": "DEP-WAW"}, 422, "validation_error", "to"),
        (
            "transfers",
            {"from": "DEP-WAW", "to": "DEP-KRK", "quantity": 101},
            409,
            "conflict",
            "quantity",
        ),
        ("returns", {"from": "DEP-WAW", "to": "DEP-KRK"}, 409, "conflict", "quantity"),
        ("returns", {"from": "DEP-KRK", "to": "VAN-1"}, 422, "validation_error", "to"),
    ],
)
def test_refused_movements_change_nothing(
    api_as: Api,
    world: World,
    path: str,
    body: dict[str, Any],
    status: int,
    code: str,
    field: str,
) -> None:
    api = api_as(world.keeper)
    before = _snapshot(api)
    full = {"kind": "receipt", "sku": "CAB-OM4", "location": "DEP-KRK", "quantity": 5}
    if path != "movements":
        full.pop("kind")
    if path in ("transfers", "returns"):
        full.pop("location")
    full.update(body)
    full = {k: v for k, v in full.items() if v is not ...}
    assert_error(api.post(f"{API}/stock/{path}", json=full), status, code, field)
    assert _snapshot(api) == before


def test_a_serial_already_recorded_is_a_conflict(api_as: Api, world: World) -> None:
    api = api_as(world.keeper)
    before = _snapshot(api)
    body = {"sku": "PSU-750", "location": "DEP-KRK", "serials": ["FRESH-1", world.psu_serials[0]]}
    assert_error(api.post(f"{API}/stock/receipts", json=body), 409, "conflict", "serials")
    assert _snapshot(api) == before
    assert api.get(f"{API}/stock/movements?serial=FRESH-1").get_json()["total"] == 0


def test_a_serialised_transfer_of_a_unit_elsewhere_is_a_conflict(api_as: Api, world: World) -> None:
    api = api_as(world.keeper)
    before = _snapshot(api)
    body = {"sku": "PSU-750", "from": "DEP-KRK", "to": "VAN-1", "serials": [world.psu_serials[0]]}
    assert_error(api.post(f"{API}/stock/transfers", json=body), 409, "conflict", "quantity")
    assert _snapshot(api) == before


@pytest.mark.parametrize("role", ["agent", "dispatcher", "engineer", "manager"])
def test_only_stock_keepers_record_movements(api_as: Api, world: World, role: str) -> None:
    user = make_user(role=role)
    before = _snapshot(api_as(world.keeper))
    body = {"sku": "CAB-OM4", "location": "DEP-KRK", "quantity": 5}
    for path in ("movements", "receipts"):
        payload = {**body, "kind": "receipt"} if path == "movements" else body
        assert_error(api_as(user).post(f"{API}/stock/{path}", json=payload), 403, "forbidden")
    # An invalid body is refused for the role, before its input is even read.
    assert_error(api_as(user).post(f"{API}/stock/receipts", json={}), 403, "forbidden")
    assert _snapshot(api_as(world.keeper)) == before
    assert api_as(user).get(f"{API}/stock/movements").status_code == 200  # reading is fine


# --- alerts and backorders -----------------------------------------------------------------


def _emergency_alert(api: Any) -> int:
    """Reserve the Warsaw PSUs down into their reserve floor: an emergency-use alert."""
    limits = {"sku": "PSU-750", "location": "DEP-WAW", "reserve_floor": 3}
    assert api.post(f"{API}/stock/limits", json=limits).status_code == 200
    body = {"sku": "PSU-750", "location": "DEP-WAW", "quantity": 1, "purpose": "P1 outage"}
    response = api.post(f"{API}/reservations", json={**body, "emergency": True})
    assert response.status_code == 201, response.get_json()
    alerts = api.get(f"{API}/stock/alerts").get_json()["items"]
    return next(a["id"] for a in alerts if a["kind"] == "emergency_use")


def test_an_emergency_alert_is_acknowledged_once(api_as: Api, world: World) -> None:
    api = api_as(world.keeper)
    alert_id = _emergency_alert(api)
    response = api.post(f"{API}/stock/alerts/{alert_id}/acknowledgement")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["id"], body["kind"], body["open"], body["location"]) == (
        alert_id,
        "emergency_use",
        False,
        "DEP-WAW",
    )
    again = api.post(f"{API}/stock/alerts/{alert_id}/acknowledgement")
    assert_error(again, 409, "conflict")
    open_kinds = {a["kind"] for a in api.get(f"{API}/stock/alerts").get_json()["items"]}
    assert "emergency_use" not in open_kinds
    assert "below_reserve_floor" in open_kinds


def test_a_level_alert_cannot_be_acknowledged(api_as: Api, world: World) -> None:
    api = api_as(world.keeper)
    _emergency_alert(api)
    level = next(
        a
        for a in api.get(f"{API}/stock/alerts").get_json()["items"]
        if a["kind"] == "below_reserve_floor"
    )
    response = api.post(f"{API}/stock/alerts/{level['id']}/acknowledgement")
    assert_error(response, 409, "conflict", "kind")
    assert level["id"] in {a["id"] for a in api.get(f"{API}/stock/alerts").get_json()["items"]}


def test_acknowledging_needs_a_stock_keeper_and_a_real_alert(api_as: Api, world: World) -> None:
    alert_id = _emergency_alert(api_as(world.keeper))
    response = api_as(world.agent).post(f"{API}/stock/alerts/{alert_id}/acknowledgement")
    assert_error(response, 403, "forbidden")
    still = api_as(world.agent).get(f"{API}/stock/alerts").get_json()["items"]
    assert alert_id in {a["id"] for a in still}
    keeper = api_as(world.keeper)
    assert_error(keeper.post(f"{API}/stock/alerts/999999/acknowledgement"), 404, "not_found")
    huge = keeper.post(f"{API}/stock/alerts/{2**40}/acknowledgement")
    assert_error(huge, 404, "not_found")


def _backorder(api: Any, quantity: int = 50) -> int:
    body = {"sku": "PSU-750", "quantity": quantity, "lat": 52.2, "lon": 21.0, "purpose": "spares"}
    response = api.post(f"{API}/reservations", json=body)
    assert_error(response, 409, "backordered", "quantity")
    items = api.get(f"{API}/stock/backorders").get_json()["items"]
    return int(items[0]["id"])


def test_backorders_are_listed_and_closed(api_as: Api, world: World) -> None:
    api = api_as(world.keeper)
    first, second = _backorder(api, 50), _backorder(api, 60)
    listed = api.get(f"{API}/stock/backorders").get_json()
    assert [b["id"] for b in listed["items"]] == [second, first]
    assert listed["items"][0]["quantity"] == 60
    assert listed["items"][0]["status"] == "open"
    closed = api.post(f"{API}/stock/backorders/{first}/closure", json={"status": "fulfilled"})
    assert closed.status_code == 200, closed.get_json()
    assert (closed.get_json()["status"], closed.get_json()["id"]) == ("fulfilled", first)
    assert closed.get_json()["closed_at"].endswith("+00:00")
    assert [b["id"] for b in api.get(f"{API}/stock/backorders").get_json()["items"]] == [second]
    fulfilled = api.get(f"{API}/stock/backorders?status=fulfilled").get_json()["items"]
    assert [b["id"] for b in fulfilled] == [first]
    assert api.get(f"{API}/stock/backorders?status=all").get_json()["total"] == 2
    again = api.post(f"{API}/stock/backorders/{first}/closure", json={"status": "cancelled"})
    assert_error(again, 409, "conflict")


def test_bad_backorder_closures_are_refused(api_as: Api, world: World) -> None:
    keeper = api_as(world.keeper)
    backorder_id = _backorder(keeper)
    path = f"{API}/stock/backorders/{backorder_id}/closure"
    assert_error(keeper.post(path, json={"status": "open"}), 422, "validation_error", "status")
    assert_error(keeper.post(path, json={}), 422, "validation_error", "status")
    assert_error(
        keeper.post(f"{API}/stock/backorders/999999/closure", json={"status": "cancelled"}),
        404,
        "not_found",
    )
    agent = api_as(world.agent).post(path, json={"status": "cancelled"})
    assert_error(agent, 403, "forbidden")
    assert keeper.get(f"{API}/stock/backorders").get_json()["items"][0]["status"] == "open"
    bad_filter = keeper.get(f"{API}/stock/backorders?status=lost")
    assert_error(bad_filter, 422, "validation_error", "status")


# --- customers never see any of it ---------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/stock", None),
        ("post", "/stock/limits", {"sku": "PSU-750", "location": "DEP-WAW", "reserve_floor": 1}),
        ("post", "/stock/limits", {}),
        ("get", "/stock/movements", None),
        ("post", "/stock/movements", {"kind": "receipt", "sku": "CAB-OM4", "quantity": 1}),
        ("post", "/stock/receipts", {"sku": "CAB-OM4", "location": "DEP-WAW", "quantity": 1}),
        ("post", "/stock/transfers", {}),
        ("post", "/stock/adjustments", {}),
        ("post", "/stock/returns", {}),
        ("get", "/stock/alerts", None),
        ("post", "/stock/alerts/1/acknowledgement", None),
        ("get", "/stock/backorders", None),
        ("post", "/stock/backorders/1/closure", {"status": "cancelled"}),
    ],
)
def test_customers_get_404_on_stock(
    api_as: Api, world: World, method: str, path: str, body: Any
) -> None:
    api = api_as(world.customer)
    before = _snapshot(api_as(world.keeper))
    response = getattr(api, method)(f"{API}{path}", **({"json": body} if body is not None else {}))
    assert_error(response, 404, "not_found")
    assert _snapshot(api_as(world.keeper)) == before
