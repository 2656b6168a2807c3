"""/reservations: holding stock at a named location or the nearest one, backorders when none
has it, the reserve floor and emergencies, picking, consuming and releasing."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from fieldops.accounts.models import User
from fieldops.inventory.models import PartType, StockLocation
from tests.api.conftest import API, assert_error
from tests.factories import make_depot, make_engineer, make_part_type, make_user, make_van, stock_up

Api = Callable[[User], Any]

KRAKOW = {"lat": 50.06, "lon": 19.94}
WARSAW = {"lat": 52.23, "lon": 21.01}


@dataclass
class World:
    keeper: User
    dispatcher: User
    agent: User
    engineer: User
    customer: User
    psu: PartType  # serialised
    cable: PartType  # bulk
    waw: StockLocation
    krk: StockLocation
    van: StockLocation  # an engineer's van based in Warsaw, with one PSU
    waw_serials: list[str]
    van_serials: list[str]


@pytest.fixture
def world(session: Any) -> World:
    psu = make_part_type(sku="PSU-750", name="750 W PSU")
    cable = make_part_type(sku="CAB-OM4", serialised=False)
    waw = make_depot(code="DEP-WAW", **WARSAW)
    krk = make_depot(code="DEP-KRK", **KRAKOW)
    van = make_van(make_engineer(home_lat=52.25, home_lon=21.0), code="VAN-WAW")
    waw_serials = stock_up(psu, waw, 2, prefix="W")
    krk_serials = stock_up(psu, krk, 2, prefix="K")
    van_serials = stock_up(psu, van, 1, prefix="V")
    stock_up(cable, waw, 100)
    assert krk_serials
    built = World(
        keeper=make_user(role="stock_manager"),
        dispatcher=make_user(role="dispatcher"),
        agent=make_user(role="agent"),
        engineer=make_user(role="engineer"),
        customer=make_user(role="customer"),
        psu=psu,
        cable=cable,
        waw=waw,
        krk=krk,
        van=van,
        waw_serials=waw_serials,
        van_serials=van_serials,
    )
    session.commit()
    return built


def _line(api: Any, sku: str, location: str) -> dict[str, Any]:
    items = api.get(f"{API}/stock?sku={sku}&location={location}").get_json()["items"]
    return dict(items[0]) if items else {}


def _state(api: Any) -> tuple[Any, ...]:
    """Stock, reservations, ledger, alerts and backorders: what a refusal must not touch."""
    return tuple(
        api.get(f"{API}/{path}").get_json()
        for path in (
            "stock?per_page=100",
            "reservations?per_page=100",
            "stock/movements?per_page=100",
            "stock/alerts?all=1",
            "stock/backorders?status=all",
            "part-types/PSU-750/units?per_page=100",
        )
    )


def _reserve(api: Any, **body: Any) -> dict[str, Any]:
    response = api.post(f"{API}/reservations", json=body)
    assert response.status_code == 201, response.get_json()
    return dict(response.get_json())


# --- at a named location -------------------------------------------------------------------


def test_a_dispatcher_reserves_bulk_stock_at_a_depot(api_as: Api, world: World) -> None:
    api = api_as(world.dispatcher)
    body = _reserve(api, sku="cab-om4", quantity=30, location="dep-waw", job_id="WO-2026-000045")
    assert set(body) >= {
        "id",
        "sku",
        "quantity",
        "status",
        "location",
        "serials",
        "job_id",
        "purpose",
        "emergency",
        "created_at",
        "updated_at",
    }
    assert (body["sku"], body["quantity"], body["status"], body["location"]) == (
        "CAB-OM4",
        30,
        "held",
        "DEP-WAW",
    )
    assert (body["job_id"], body["purpose"], body["emergency"]) == ("WO-2026-000045", None, False)
    assert "distance_km" not in body
    assert body["created_at"].endswith("+00:00")
    line = _line(api, "CAB-OM4", "DEP-WAW")
    assert (line["on_hand"], line["reserved"], line["available"]) == (100, 30, 70)
    assert api.get(f"{API}/reservations/{body['id']}").get_json() == body


def test_particular_serials_are_reserved(api_as: Api, world: World) -> None:
    api = api_as(world.keeper)
    serial = world.waw_serials[1]
    body = _reserve(api, sku="PSU-750", location="DEP-WAW", serials=[serial], purpose="lab test")
    assert (body["quantity"], body["serials"], body["purpose"]) == (1, [serial], "lab test")
    units = api.get(f"{API}/part-types/PSU-750/units?status=reserved").get_json()["items"]
    assert [(u["serial"], u["reservation_id"]) for u in units] == [(serial, body["id"])]
    # The same serial again is a conflict: a unit is never held twice.
    before = _state(api)
    again = api.post(
        f"{API}/reservations",
        json={"sku": "PSU-750", "location": "DEP-WAW", "serials": [serial], "purpose": "again"},
    )
    assert_error(again, 409, "conflict", "serials")
    assert _state(api) == before


def test_too_little_at_a_named_location_is_409_and_records_nothing(
    api_as: Api, world: World
) -> None:
    api = api_as(world.dispatcher)
    before = _state(api)
    body = {"sku": "PSU-750", "quantity": 3, "location": "DEP-WAW", "purpose": "spares"}
    error = assert_error(api.post(f"{API}/reservations", json=body), 409, "conflict", "quantity")
    assert "2 available" in error["message"]
    assert _state(api) == before  # no reservation, no backorder, stock unchanged


def test_reservations_are_listed_filtered_and_paginated(api_as: Api, world: World) -> None:
    api = api_as(world.dispatcher)
    first = _reserve(api, sku="CAB-OM4", quantity=1, location="DEP-WAW", job_id="WO-2026-000001")
    second = _reserve(api, sku="PSU-750", quantity=1, location="DEP-KRK", job_id="WO-2026-000002")
    third = _reserve(api, sku="PSU-750", quantity=1, location="DEP-WAW", purpose="spares")
    assert api.delete(f"{API}/reservations/{third['id']}").status_code == 200
    reader = api_as(world.engineer)  # any stock viewer reads them
    everything = reader.get(f"{API}/reservations").get_json()
    assert set(everything) == {"items", "total", "page", "per_page"}
    assert [r["id"] for r in everything["items"]] == [third["id"], second["id"], first["id"]]

    def ids(query: str) -> list[int]:
        return [r["id"] for r in reader.get(f"{API}/reservations?{query}").get_json()["items"]]

    assert ids("status=held") == [second["id"], first["id"]]
    assert ids("status=released") == [third["id"]]
    assert ids("sku=psu-750") == [third["id"], second["id"]]
    assert ids("location=DEP-KRK") == [second["id"]]
    assert ids("job_id=wo-2026-000001") == [first["id"]]
    assert ids("per_page=1&page=2") == [second["id"]]
    assert reader.get(f"{API}/reservations?per_page=1").get_json()["total"] == 3
    assert_error(reader.get(f"{API}/reservations?status=lost"), 422, "validation_error", "status")


# --- the nearest location ------------------------------------------------------------------


def test_the_nearest_depot_with_stock_is_chosen(api_as: Api, world: World) -> None:
    api = api_as(world.dispatcher)
    near_krakow = {"lat": 50.1, "lon": 19.9}
    body = _reserve(api, sku="PSU-750", quantity=2, job_id="WO-2026-000045", **near_krakow)
    assert body["location"] == "DEP-KRK"
    assert body["distance_km"] == pytest.approx(5.3, abs=1.0)
    assert len(body["serials"]) == 2
    # Krakow is now empty: the next request near Krakow goes to Warsaw.
    body = _reserve(api, sku="PSU-750", quantity=2, purpose="spares", **near_krakow)
    assert body["location"] == "DEP-WAW"
    assert body["distance_km"] > 200


def test_the_preferred_van_is_tried_first(api_as: Api, world: World) -> None:
    api = api_as(world.dispatcher)
    body = _reserve(
        api,
        sku="PSU-750",
        quantity=1,
        prefer_location="van-waw",
        job_id="WO-2026-000046",
        **KRAKOW,
    )
    assert body["location"] == "VAN-WAW"
    assert body["location_kind"] == "van"
    assert body["serials"] == world.van_serials
    # The van has no second one: the nearest depot gives it instead.
    body = _reserve(
        api, sku="PSU-750", quantity=1, prefer_location="VAN-WAW", purpose="x", **KRAKOW
    )
    assert body["location"] == "DEP-KRK"


def test_a_part_nowhere_in_stock_is_backordered_and_the_backorder_kept(
    api_as: Api, world: World
) -> None:
    api = api_as(world.dispatcher)
    body = {"sku": "PSU-750", "quantity": 9, "job_id": "WO-2026-000047", **WARSAW}
    error = assert_error(api.post(f"{API}/reservations", json=body), 409, "backordered", "quantity")
    match = re.search(r"backorder (\d+) recorded", error["message"])
    assert match, error["message"]
    backorders = api.get(f"{API}/stock/backorders").get_json()["items"]
    assert [(b["id"], b["sku"], b["quantity"], b["status"], b["job_id"]) for b in backorders] == [
        (int(match.group(1)), "PSU-750", 9, "open", "WO-2026-000047")
    ]
    assert (backorders[0]["lat"], backorders[0]["lon"]) == (WARSAW["lat"], WARSAW["lon"])
    # Nothing was reserved anywhere.
    assert api.get(f"{API}/reservations").get_json()["total"] == 0
    assert _line(api, "PSU-750", "DEP-WAW")["reserved"] == 0


def test_a_named_location_never_backorders(api_as: Api, world: World) -> None:
    api = api_as(world.dispatcher)
    body = {"sku": "PSU-750", "quantity": 9, "location": "DEP-WAW", "purpose": "spares"}
    assert_error(api.post(f"{API}/reservations", json=body), 409, "conflict")
    assert api.get(f"{API}/stock/backorders?status=all").get_json()["total"] == 0


# --- the reserve floor ---------------------------------------------------------------------


def test_reserve_floor_stock_needs_the_emergency_flag(api_as: Api, world: World) -> None:
    keeper = api_as(world.keeper)
    limits = {"sku": "CAB-OM4", "location": "DEP-WAW", "reserve_floor": 90}
    assert keeper.post(f"{API}/stock/limits", json=limits).status_code == 200
    api = api_as(world.dispatcher)
    before = _state(api)
    body = {"sku": "CAB-OM4", "quantity": 20, "location": "DEP-WAW", "job_id": "WO-2026-000050"}
    refused = api.post(f"{API}/reservations", json=body)
    assert_error(refused, 409, "conflict", "emergency")
    assert _state(api) == before
    granted = _reserve(api, **body, emergency=True)
    assert granted["emergency"] is True
    line = _line(api, "CAB-OM4", "DEP-WAW")
    assert (line["available"], line["below_floor"]) == (80, True)
    kinds = {a["kind"] for a in api.get(f"{API}/stock/alerts?location=DEP-WAW").get_json()["items"]}
    assert kinds == {"emergency_use", "below_reserve_floor"}


def test_nearest_without_emergency_skips_floor_stock(api_as: Api, world: World) -> None:
    keeper = api_as(world.keeper)
    for code in ("DEP-KRK", "VAN-WAW"):
        limits = {"sku": "PSU-750", "location": code, "reserve_floor": 2}
        assert keeper.post(f"{API}/stock/limits", json=limits).status_code == 200
    api = api_as(world.dispatcher)
    # Krakow's two are its floor: a request near Krakow goes to Warsaw, which has no floor.
    body = _reserve(api, sku="PSU-750", quantity=1, purpose="spares", **KRAKOW)
    assert body["location"] == "DEP-WAW"
    # With the emergency flag the nearest stock wins, floor or not.
    urgent = _reserve(api, sku="PSU-750", quantity=1, purpose="P1", emergency=True, **KRAKOW)
    assert (urgent["location"], urgent["emergency"]) == ("DEP-KRK", True)


# --- refusals ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"sku": "PSU-750", "quantity": 1, "purpose": "x"}, ("lat", "lon")),
        ({"sku": "PSU-750", "quantity": 1, "purpose": "x", "lat": 52.0}, ("lon",)),
        ({"sku": "PSU-750", "serials": ["W-1"], "purpose": "x", **WARSAW}, ("serials",)),
        (
            {"sku": "PSU-750", "quantity": 1, "location": "DEP-WAW", "purpose": "x", **WARSAW},
            ("lat", "lon"),
        ),
        (
            {
                "sku": "PSU-750",
                "quantity": 1,
                "location": "DEP-WAW",
                "prefer_location": "VAN-WAW",
                "purpose": "x",
            },
            ("prefer_location",),
        ),
        ({"sku": "PSU-750", "quantity": 0, "location": "DEP-WAW", "purpose": "x"}, ("quantity",)),
        ({"sku": "PSU-750", "quantity": -2, "location": "DEP-WAW", "purpose": "x"}, ("quantity",)),
        ({"sku": "PSU-750", "quantity": 1.5, "location": "DEP-WAW", "purpose": "x"}, ("quantity",)),
        ({"sku": "PSU-750", "location": "DEP-WAW", "purpose": "x"}, ("quantity",)),
        ({"sku": "PSU-750", "quantity": 1, "location": "DEP-WAW"}, ("job_id", "purpose")),
        ({"sku": "PSU-750", "quantity": 1, "location": "DEP-WAW", "job_id": "JOB-1"}, ("job_id",)),
        ({"sku": "NOPE-1", "quantity": 1, "location": "DEP-WAW", "purpose": "x"}, ("sku",)),
        ({"sku": "PSU-750", "quantity": 1, "location": "DEP-NOPE", "purpose": "x"}, ("location",)),
        (
            {"sku": "PSU-750", "quantity": 1, "prefer_location": "NOPE", "purpose": "x", **WARSAW},
            ("prefer_location",),
        ),
        ({"sku": "PSU-750", "quantity": 1, "purpose": "x", "lat": 95, "lon": 0}, ("lat",)),
        (
            {
                "sku": "PSU-750",
                "quantity": 2,
                "serials": ["W-1"],
                "location": "DEP-WAW",
                "purpose": "x",
            },
            ("quantity",),
        ),
        (
            {"sku": "CAB-OM4", "serials": ["C-1"], "location": "DEP-WAW", "purpose": "x"},
            ("serials",),
        ),
        (
            {
                "sku": "PSU-750",
                "quantity": 1,
                "location": "DEP-WAW",
                "purpose": "x",
                "emergency": "sometimes",
            },
            ("emergency",),
        ),
        (
            {
                "sku": "PSU-750",
                "quantity": 1,
                "location": "DEP-WAW",
                "purpose": "x",
                "colour": "red",
            },
            ("colour",),
        ),
    ],
)
def test_bad_reservation_input_is_422_and_changes_nothing(
    api_as: Api, world: World, body: dict[str, Any], fields: tuple[str, ...]
) -> None:
    api = api_as(world.dispatcher)
    before = _state(api)
    assert_error(api.post(f"{API}/reservations", json=body), 422, "validation_error", *fields)
    assert _state(api) == before


@pytest.mark.parametrize("role", ["agent", "engineer", "manager"])
def test_only_reserving_roles_reserve_and_release(api_as: Api, world: World, role: str) -> None:
    held = _reserve(
        api_as(world.keeper), sku="CAB-OM4", quantity=5, location="DEP-WAW", purpose="x"
    )
    user = make_user(role=role)
    api = api_as(user)
    before = _state(api)
    body = {"sku": "CAB-OM4", "quantity": 1, "location": "DEP-WAW", "purpose": "x"}
    assert_error(api.post(f"{API}/reservations", json=body), 403, "forbidden")
    assert_error(api.post(f"{API}/reservations", json={}), 403, "forbidden")
    for method, suffix in (("delete", ""), ("post", "/pick"), ("post", "/consumption")):
        response = getattr(api, method)(f"{API}/reservations/{held['id']}{suffix}")
        assert_error(response, 403, "forbidden")
    assert _state(api) == before
    assert api.get(f"{API}/reservations/{held['id']}").get_json()["status"] == "held"


# --- pick, consume, release ----------------------------------------------------------------


def test_a_depot_reservation_is_picked_into_a_van_and_fitted(api_as: Api, world: World) -> None:
    api = api_as(world.dispatcher)
    held = _reserve(api, sku="PSU-750", quantity=2, location="DEP-WAW", job_id="WO-2026-000060")
    picked = api.post(f"{API}/reservations/{held['id']}/pick", json={"van": "VAN-WAW"})
    assert picked.status_code == 200, picked.get_json()
    assert (picked.get_json()["status"], picked.get_json()["location"]) == ("picked", "VAN-WAW")
    assert _line(api, "PSU-750", "VAN-WAW")["reserved"] == 2
    assert _line(api, "PSU-750", "DEP-WAW")["on_hand"] == 0
    ledger = api.get(f"{API}/stock/movements?reservation_id={held['id']}").get_json()["items"]
    assert {(m["kind"], m["from"], m["to"]) for m in ledger} == {("pick", "DEP-WAW", "VAN-WAW")}
    fitted = held["serials"][0]
    used = api.post(
        f"{API}/reservations/{held['id']}/consumption",
        json={"serials": [fitted], "site": "SVC-10023"},
    )
    assert used.status_code == 200, used.get_json()
    assert used.get_json()["status"] == "consumed"
    units = {u["serial"]: u for u in api.get(f"{API}/part-types/PSU-750/units").get_json()["items"]}
    assert (units[fitted]["status"], units[fitted]["whereabouts"]) == ("installed", "SVC-10023")
    spare = held["serials"][1]
    assert (units[spare]["status"], units[spare]["location"]) == ("in_stock", "VAN-WAW")
    van = _line(api, "PSU-750", "VAN-WAW")
    assert (van["on_hand"], van["reserved"]) == (2, 0)  # its own one and the spare
    installs = api.get(f"{API}/stock/movements?kind=install").get_json()["items"]
    assert [(m["serial"], m["reservation_id"]) for m in installs] == [(fitted, held["id"])]


def test_part_of_a_bulk_reservation_is_consumed_and_the_rest_released(
    api_as: Api, world: World
) -> None:
    api = api_as(world.dispatcher)
    held = _reserve(api, sku="CAB-OM4", quantity=30, location="DEP-WAW", job_id="WO-2026-000061")
    used = api.post(f"{API}/reservations/{held['id']}/consumption", json={"quantity": 12})
    assert used.status_code == 200, used.get_json()
    line = _line(api, "CAB-OM4", "DEP-WAW")
    assert (line["on_hand"], line["reserved"], line["available"]) == (88, 0, 88)
    [row] = api.get(f"{API}/stock/movements?kind=consume").get_json()["items"]
    assert (row["quantity"], row["reference"]) == (12, "WO-2026-000061")


def test_consuming_what_the_reservation_does_not_hold_is_409(api_as: Api, world: World) -> None:
    api = api_as(world.dispatcher)
    held = _reserve(api, sku="PSU-750", quantity=1, location="DEP-WAW", purpose="x")
    before = _state(api)
    path = f"{API}/reservations/{held['id']}/consumption"
    other = (
        world.waw_serials[1] if held["serials"] == [world.waw_serials[0]] else world.waw_serials[0]
    )
    assert_error(api.post(path, json={"serials": [other]}), 409, "conflict", "serials")
    assert_error(api.post(path, json={"quantity": 2}), 409, "conflict", "quantity")
    assert_error(api.post(path, json={"quantity": 0}), 422, "validation_error", "quantity")
    assert _state(api) == before


def test_releasing_gives_the_stock_back_once(api_as: Api, world: World) -> None:
    api = api_as(world.dispatcher)
    held = _reserve(api, sku="PSU-750", quantity=2, location="DEP-WAW", purpose="x")
    assert _line(api, "PSU-750", "DEP-WAW")["available"] == 0
    response = api.delete(f"{API}/reservations/{held['id']}")
    assert response.status_code == 200, response.get_json()
    assert (response.get_json()["id"], response.get_json()["status"]) == (held["id"], "released")
    assert response.get_json()["serials"] == held["serials"]  # which ones it held is kept
    assert _line(api, "PSU-750", "DEP-WAW")["available"] == 2
    before = _state(api)
    assert_error(api.delete(f"{API}/reservations/{held['id']}"), 409, "conflict", "status")
    pick = api.post(f"{API}/reservations/{held['id']}/pick", json={})
    assert_error(pick, 409, "conflict", "status")
    assert _state(api) == before


def test_picking_into_a_depot_is_refused(api_as: Api, world: World) -> None:
    api = api_as(world.dispatcher)
    held = _reserve(api, sku="PSU-750", quantity=1, location="DEP-WAW", purpose="x")
    before = _state(api)
    path = f"{API}/reservations/{held['id']}/pick"
    assert_error(api.post(path, json={"van": "DEP-KRK"}), 422, "validation_error", "van")
    assert_error(api.post(path, json={"van": "VAN-NOPE"}), 422, "validation_error", "van")
    assert _state(api) == before


@pytest.mark.parametrize("reservation_id", ["999999", str(2**40), "abc", "-1"])
def test_an_unknown_reservation_is_404(api_as: Api, world: World, reservation_id: str) -> None:
    api = api_as(world.dispatcher)
    base = f"{API}/reservations/{reservation_id}"
    assert_error(api.get(base), 404, "not_found")
    assert_error(api.delete(base), 404, "not_found")
    assert_error(api.post(f"{base}/pick", json={}), 404, "not_found")
    assert_error(api.post(f"{base}/consumption", json={}), 404, "not_found")


# --- customers never see any of it ---------------------------------------------------------


def test_customers_get_404_on_every_reservation_path(api_as: Api, world: World) -> None:
    held = _reserve(
        api_as(world.keeper), sku="CAB-OM4", quantity=5, location="DEP-WAW", purpose="x"
    )
    api = api_as(world.customer)
    before = _state(api_as(world.keeper))
    base = f"{API}/reservations/{held['id']}"
    body = {"sku": "CAB-OM4", "quantity": 1, "location": "DEP-WAW", "purpose": "x"}
    for response in (
        api.get(f"{API}/reservations"),
        api.post(f"{API}/reservations", json=body),
        api.post(f"{API}/reservations", json={"quantity": 0}),
        api.get(base),
        api.delete(base),
        api.post(f"{base}/pick", json={}),
        api.post(f"{base}/consumption", json={"quantity": 1}),
    ):
        assert_error(response, 404, "not_found")
    assert _state(api_as(world.keeper)) == before


def test_a_location_without_the_part_is_409_and_records_nothing(
    api_as: Api, world: World, session: Any
) -> None:
    make_van(code="VAN-NEW")
    make_depot(code="DEP-EMPTY")
    make_part_type(sku="FAN-1")
    session.commit()
    api = api_as(world.dispatcher)
    body = {"sku": "FAN-1", "quantity": 1, "location": "VAN-NEW", "purpose": "x"}
    before = _state(api)
    assert_error(api.post(f"{API}/reservations", json=body), 409, "conflict", "quantity")
    assert _state(api) == before
