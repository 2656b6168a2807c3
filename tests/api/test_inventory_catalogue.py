"""/part-types and /locations: the parts catalogue, serialised units, depots and vans."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from fieldops.accounts.models import User
from tests.api.conftest import API, assert_error
from tests.factories import make_depot, make_engineer, make_part_type, make_user, make_van, stock_up

Api = Callable[[User], Any]


@dataclass
class Staff:
    keeper: User
    admin: User
    dispatcher: User
    agent: User
    engineer: User
    customer: User


@pytest.fixture
def staff(session: Any) -> Staff:
    people = Staff(
        keeper=make_user(role="stock_manager"),
        admin=make_user(role="admin"),
        dispatcher=make_user(role="dispatcher"),
        agent=make_user(role="agent"),
        engineer=make_user(role="engineer"),
        customer=make_user(role="customer"),
    )
    session.commit()
    return people


def _part_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "sku": "psu-750w-ac",
        "name": "750 W AC power supply",
        "category": "psu",
        "serialised": True,
        "manufacturer": "Acme Networks",
        "unit": "each",
        "reorder_point": 4,
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not ...}


def _depot_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "code": "dep-krk",
        "kind": "depot",
        "name": "Krakow depot",
        "lat": 50.06,
        "lon": 19.94,
        "address": "ul. Magazynowa 5",
        "city": "Krakow",
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not ...}


# --- part types ----------------------------------------------------------------------------


def test_a_stock_manager_adds_a_part_type(api_as: Api, staff: Staff) -> None:
    api = api_as(staff.keeper)
    response = api.post(f"{API}/part-types", json=_part_body())
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["sku"] == "PSU-750W-AC"
    assert body["serialised"] is True
    assert (body["category"], body["reorder_point"], body["unit"]) == ("psu", 4, "each")
    assert body["created_at"].endswith("+00:00")
    fetched = api.get(f"{API}/part-types/psu-750w-ac")
    assert fetched.status_code == 200
    assert fetched.get_json() == body


def test_the_catalogue_is_paginated_and_filtered(api_as: Api, staff: Staff) -> None:
    make_part_type(sku="OPT-SFP-10G", name="SFP+ 10G LR optic", category="optic")
    make_part_type(sku="OPT-QSFP-100G", name="QSFP28 100G optic", category="optic")
    make_part_type(sku="FAN-TRAY-1", name="Fan tray", category="fan")
    api = api_as(staff.agent)  # any stock viewer reads the catalogue
    first = api.get(f"{API}/part-types?per_page=2").get_json()
    assert set(first) == {"items", "total", "page", "per_page"}
    assert (first["total"], first["page"], first["per_page"]) == (3, 1, 2)
    assert [p["sku"] for p in first["items"]] == ["FAN-TRAY-1", "OPT-QSFP-100G"]
    second = api.get(f"{API}/part-types?per_page=2&page=2").get_json()
    assert [p["sku"] for p in second["items"]] == ["OPT-SFP-10G"]
    optics = api.get(f"{API}/part-types?category=optic").get_json()
    assert {p["sku"] for p in optics["items"]} == {"OPT-SFP-10G", "OPT-QSFP-100G"}
    by_name = api.get(f"{API}/part-types?q=qsfp28").get_json()
    assert [p["sku"] for p in by_name["items"]] == ["OPT-QSFP-100G"]
    by_sku = api.get(f"{API}/part-types?q=opt-").get_json()
    assert by_sku["total"] == 2


def test_a_duplicate_sku_is_a_conflict(api_as: Api, staff: Staff) -> None:
    make_part_type(sku="PSU-750W-AC")
    response = api_as(staff.keeper).post(f"{API}/part-types", json=_part_body(name="Again"))
    assert_error(response, 409, "conflict", "sku")
    part = api_as(staff.keeper).get(f"{API}/part-types/PSU-750W-AC").get_json()
    assert part["name"] != "Again"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"sku": ...}, "sku"),
        ({"name": ...}, "name"),
        ({"category": ...}, "category"),
        ({"serialised": ...}, "serialised"),
        ({"sku": "has space"}, "sku"),
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"category": "toaster"}, "category"),
        ({"unit": "crate"}, "unit"),
        ({"unit": "m"}, "unit"),  # a serialised part is counted each
        ({"reorder_point": -1}, "reorder_point"),
        ({"reorder_point": 1.5}, "reorder_point"),
        ({"serialised": "perhaps"}, "serialised"),
        ({"manufacturer": "m" * 121}, "manufacturer"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_part_type_input_is_422_naming_the_field(
    api_as: Api, staff: Staff, overrides: dict[str, Any], field: str
) -> None:
    api = api_as(staff.keeper)
    assert_error(
        api.post(f"{API}/part-types", json=_part_body(**overrides)), 422, "validation_error", field
    )
    assert api.get(f"{API}/part-types").get_json()["total"] == 0


@pytest.mark.parametrize("role", ["agent", "dispatcher", "engineer", "manager"])
def test_only_stock_keepers_add_part_types(api_as: Api, staff: Staff, role: str) -> None:
    user = make_user(role=role)
    response = api_as(user).post(f"{API}/part-types", json=_part_body())
    assert_error(response, 403, "forbidden")
    assert_error(api_as(staff.keeper).get(f"{API}/part-types/PSU-750W-AC"), 404, "not_found")


def test_an_admin_adds_part_types_too(api_as: Api, staff: Staff) -> None:
    assert api_as(staff.admin).post(f"{API}/part-types", json=_part_body()).status_code == 201


def test_an_unknown_sku_is_404(api_as: Api, staff: Staff) -> None:
    assert_error(api_as(staff.agent).get(f"{API}/part-types/NOPE-1"), 404, "not_found")
    assert_error(api_as(staff.agent).get(f"{API}/part-types/NOPE-1/units"), 404, "not_found")


def test_a_sku_with_a_slash_has_its_own_page_and_units(api_as: Api, staff: Staff) -> None:
    part = make_part_type(sku="PSU/750W")
    serials = stock_up(part, make_depot(code="DEP-WAW"), 2)
    api = api_as(staff.agent)
    assert api.get(f"{API}/part-types/PSU/750W").get_json()["sku"] == "PSU/750W"
    units = api.get(f"{API}/part-types/PSU/750W/units").get_json()
    assert sorted(u["serial"] for u in units["items"]) == sorted(serials)


# --- units ---------------------------------------------------------------------------------


def test_units_show_status_location_and_whereabouts(api_as: Api, staff: Staff) -> None:
    part = make_part_type(sku="LC-10X10G")
    depot = make_depot(code="DEP-WAW")
    serials = stock_up(part, depot, 3, prefix="SN")
    api = api_as(staff.keeper)
    reserved = api.post(
        f"{API}/reservations",
        json={"sku": part.sku, "location": depot.code, "serials": [serials[0]], "purpose": "lab"},
    )
    assert reserved.status_code == 201, reserved.get_json()
    sent = api.post(
        f"{API}/stock/adjustments",
        json={
            "sku": part.sku,
            "location": depot.code,
            "direction": "out",
            "serials": [serials[1]],
            "reason": "missing at count",
        },
    )
    assert sent.status_code == 201, sent.get_json()
    body = api.get(f"{API}/part-types/{part.sku}/units").get_json()
    assert body["total"] == 3
    by_serial = {u["serial"]: u for u in body["items"]}
    assert by_serial[serials[0]]["status"] == "reserved"
    assert by_serial[serials[0]]["location"] == "DEP-WAW"
    assert by_serial[serials[0]]["reservation_id"] == reserved.get_json()["id"]
    assert by_serial[serials[1]]["status"] == "scrapped"
    assert by_serial[serials[1]]["location"] is None
    assert "missing at count" in by_serial[serials[1]]["whereabouts"]
    assert by_serial[serials[2]]["status"] == "in_stock"
    in_stock = api.get(f"{API}/part-types/{part.sku}/units?status=in_stock").get_json()
    assert [u["serial"] for u in in_stock["items"]] == [serials[2]]
    page = api.get(f"{API}/part-types/{part.sku}/units?per_page=2&page=2").get_json()
    assert (page["total"], len(page["items"])) == (3, 1)


def test_an_unknown_unit_status_is_422(api_as: Api, staff: Staff) -> None:
    make_part_type(sku="LC-10X10G")
    response = api_as(staff.agent).get(f"{API}/part-types/LC-10X10G/units?status=lost")
    assert_error(response, 422, "validation_error", "status")


# --- locations -----------------------------------------------------------------------------


def test_a_stock_manager_adds_a_depot_and_a_van(api_as: Api, staff: Staff) -> None:
    engineer = make_engineer(name="Ewa Nowak")
    api = api_as(staff.keeper)
    depot = api.post(f"{API}/locations", json=_depot_body())
    assert depot.status_code == 201, depot.get_json()
    body = depot.get_json()
    assert (body["code"], body["kind"], body["engineer_id"]) == ("DEP-KRK", "depot", None)
    assert (body["lat"], body["lon"], body["city"]) == (50.06, 19.94, "Krakow")
    van_body = {
        "code": "VAN-EWA",
        "kind": "van",
        "name": "Ewa's van",
        "lat": 52.2,
        "lon": 21.0,
        "engineer_id": engineer.id,
    }
    van = api.post(f"{API}/locations", json=van_body)
    assert van.status_code == 201, van.get_json()
    assert van.get_json()["engineer_id"] == engineer.id
    listed = api.get(f"{API}/locations").get_json()
    assert [loc["code"] for loc in listed["items"]] == ["DEP-KRK", "VAN-EWA"]  # depots first
    vans = api.get(f"{API}/locations?kind=van").get_json()
    assert [loc["code"] for loc in vans["items"]] == ["VAN-EWA"]
    assert vans["total"] == 1


def test_a_location_page_carries_its_stock_totals(api_as: Api, staff: Staff) -> None:
    depot = make_depot(code="DEP-WAW")
    stock_up(make_part_type(serialised=False), depot, 25)
    stock_up(make_part_type(), depot, 2)
    body = api_as(staff.engineer).get(f"{API}/locations/dep-waw").get_json()
    assert body["code"] == "DEP-WAW"
    assert body["summary"]["lines"] == 2
    assert body["summary"]["on_hand"] == 27
    assert_error(api_as(staff.engineer).get(f"{API}/locations/NOPE"), 404, "not_found")


def test_locations_are_paginated(api_as: Api, staff: Staff) -> None:
    for code in ("DEP-A", "DEP-B", "DEP-C"):
        make_depot(code=code)
    body = api_as(staff.agent).get(f"{API}/locations?per_page=2&page=2").get_json()
    assert (body["total"], body["page"], body["per_page"]) == (3, 2, 2)
    assert [loc["code"] for loc in body["items"]] == ["DEP-C"]


def test_a_duplicate_location_code_or_second_van_is_a_conflict(
    api_as: Api, staff: Staff, session: Any
) -> None:
    engineer = make_engineer()
    make_depot(code="DEP-KRK")
    make_van(engineer, code="VAN-ONE")
    session.commit()
    api = api_as(staff.keeper)
    assert_error(api.post(f"{API}/locations", json=_depot_body()), 409, "conflict", "code")
    second = _depot_body(code="VAN-TWO", kind="van", engineer_id=engineer.id)
    assert_error(api.post(f"{API}/locations", json=second), 409, "conflict", "engineer_id")
    assert api.get(f"{API}/locations").get_json()["total"] == 2


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"code": ...}, "code"),
        ({"kind": ...}, "kind"),
        ({"name": ...}, "name"),
        ({"lat": ...}, "lat"),
        ({"lon": ...}, "lon"),
        ({"code": "no spaces"}, "code"),
        ({"kind": "shelf"}, "kind"),
        ({"lat": 91}, "lat"),
        ({"lon": -181}, "lon"),
        ({"lat": "north"}, "lat"),
        ({"kind": "van"}, "engineer_id"),
        ({"engineer_id": 1}, "engineer_id"),  # a depot belongs to nobody
        ({"kind": "van", "engineer_id": 2**31 - 1}, "engineer_id"),
        ({"kind": "van", "engineer_id": 2**40}, "engineer_id"),
        ({"kind": "van", "engineer_id": "7"}, "engineer_id"),
        ({"address": "a" * 501}, "address"),
        ({"owner": "me"}, "owner"),
    ],
)
def test_bad_location_input_is_422_naming_the_field(
    api_as: Api, staff: Staff, overrides: dict[str, Any], field: str
) -> None:
    api = api_as(staff.keeper)
    response = api.post(f"{API}/locations", json=_depot_body(**overrides))
    assert_error(response, 422, "validation_error", field)
    assert api.get(f"{API}/locations").get_json()["total"] == 0


@pytest.mark.parametrize("role", ["agent", "dispatcher", "engineer"])
def test_only_stock_keepers_add_locations(api_as: Api, staff: Staff, role: str) -> None:
    response = api_as(make_user(role=role)).post(f"{API}/locations", json=_depot_body())
    assert_error(response, 403, "forbidden")
    assert api_as(staff.keeper).get(f"{API}/locations").get_json()["total"] == 0


def test_a_bad_kind_filter_is_422(api_as: Api, staff: Staff) -> None:
    response = api_as(staff.agent).get(f"{API}/locations?kind=shelf")
    assert_error(response, 422, "validation_error", "kind")


# --- customers never see any of it ---------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/part-types", None),
        ("post", "/part-types", {"sku": "X"}),  # an invalid body is still 404, not 422
        ("post", "/part-types", _part_body()),
        ("get", "/part-types/PSU-1", None),
        ("get", "/part-types/PSU-1/units", None),
        ("get", "/locations", None),
        ("post", "/locations", _depot_body()),
        ("get", "/locations/DEP-WAW", None),
    ],
)
def test_customers_get_404_on_the_catalogue(
    api_as: Api, staff: Staff, method: str, path: str, body: Any
) -> None:
    make_part_type(sku="PSU-1")
    make_depot(code="DEP-WAW")
    api = api_as(staff.customer)
    response = getattr(api, method)(f"{API}{path}", **({"json": body} if body else {}))
    assert_error(response, 404, "not_found")
    assert api_as(staff.keeper).get(f"{API}/part-types").get_json()["total"] == 1
    assert api_as(staff.keeper).get(f"{API}/locations").get_json()["total"] == 1


def test_the_inventory_api_is_documented(client: Any) -> None:
    spec = client.get(f"{API}/openapi.json").get_json()
    paths = {p.removeprefix(API): set(item) for p, item in spec["paths"].items()}
    expected = {
        "/part-types": {"get", "post"},
        "/part-types/{sku}": {"get"},
        "/part-types/{sku}/units": {"get"},
        "/locations": {"get", "post"},
        "/locations/{code}": {"get"},
        "/stock": {"get"},
        "/stock/limits": {"post"},
        "/stock/movements": {"get", "post"},
        "/stock/receipts": {"post"},
        "/stock/transfers": {"post"},
        "/stock/adjustments": {"post"},
        "/stock/returns": {"post"},
        "/stock/alerts": {"get"},
        "/stock/alerts/{alert_id}/acknowledgement": {"post"},
        "/stock/backorders": {"get"},
        "/stock/backorders/{backorder_id}/closure": {"post"},
        "/reservations": {"get", "post"},
        "/reservations/{reservation_id}": {"get", "delete"},
        "/reservations/{reservation_id}/pick": {"post"},
        "/reservations/{reservation_id}/consumption": {"post"},
    }
    for path, verbs in expected.items():
        assert path in paths, path
        assert verbs <= paths[path], (path, paths[path])
    schemas = spec["components"]["schemas"]
    assert {"sku", "name", "category", "serialised", "reorder_point"} <= set(
        schemas["PartType"]["properties"]
    )
    assert {"sku", "location", "on_hand", "reserved", "available", "reserve_floor"} <= set(
        schemas["StockRow"]["properties"]
    )
    assert {"id", "status", "location", "serials"} <= set(schemas["Reservation"]["properties"])
    assert {"kind", "sku", "quantity", "location", "from", "to", "serials", "reason"} <= set(
        schemas["MovementCreate"]["properties"]
    )
    assert schemas["MovementCreate"]["properties"]["quantity"]["minimum"] == 1
