"""/engineers: enrolment with a van, profiles, absences and positions, per role, with every
refusal in the contract's error shape (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from fieldops.accounts.models import User
from fieldops.db import db
from fieldops.engineers.models import DEFAULT_SHIFTS, Engineer
from fieldops.engineers.queries import absences_of
from fieldops.engineers.services import add_absence
from fieldops.inventory.models import StockLocation
from tests.api.conftest import API, assert_error
from tests.factories import make_depot, make_engineer, make_user, make_van

Api = Callable[[User], Any]
T0 = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
ENGINEERS = f"{API}/engineers"


@dataclass
class Staff:
    dispatcher: User
    manager: User
    admin: User
    agent: User
    keeper: User
    engineer: User
    customer: User


@pytest.fixture
def staff(session: Any) -> Staff:
    people = Staff(
        dispatcher=make_user(role="dispatcher"),
        manager=make_user(role="manager"),
        admin=make_user(role="admin"),
        agent=make_user(role="agent"),
        keeper=make_user(role="stock_manager"),
        engineer=make_user(role="engineer", email="eng@fieldops.example"),
        customer=make_user(role="customer"),
    )
    session.commit()
    return people


@pytest.fixture
def linked(session: Any, staff: Staff) -> Engineer:
    """The engineer whose login is staff.engineer, with a van."""
    engineer = make_engineer(name="Linked Engineer", user_id=staff.engineer.id)
    make_van(engineer, code="VAN-LINKED")
    session.commit()
    return engineer


def _body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Ewa Nowak",
        "home_lat": 50.06,
        "home_lon": 19.94,
        "skills": ["router", "optical"],
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not ...}


def _count(model: Any) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


# --- POST /engineers ----------------------------------------------------------------------


@pytest.mark.parametrize("role", ["dispatcher", "manager", "admin"])
def test_staff_who_dispatch_enrol_an_engineer_with_a_van(
    api_as: Api, staff: Staff, role: str
) -> None:
    response = api_as(getattr(staff, role)).post(ENGINEERS, json=_body())
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["van"] == f"VAN-{body['id']}"
    assert body["skills"] == ["optical", "router"]
    assert (body["home_lat"], body["home_lon"]) == (50.06, 19.94)
    assert body["shifts"] == DEFAULT_SHIFTS
    assert (body["timezone"], body["daily_capacity"], body["active"]) == ("Europe/Warsaw", 6, True)
    assert body["position"] is None
    assert body["user"] is None
    van = db.session.scalar(select(StockLocation).where(StockLocation.code == body["van"]))
    assert van is not None
    assert (van.kind, van.engineer_id, van.lat, van.lon) == ("van", body["id"], 50.06, 19.94)


def test_enrolment_with_everything_given(api_as: Api, staff: Staff) -> None:
    night = {"mon": [["22:00", "24:00"]], "tue": [["00:00", "06:00"]]}
    response = api_as(staff.dispatcher).post(
        ENGINEERS,
        json=_body(
            timezone="Europe/London",
            shifts=night,
            daily_capacity=4,
            user_id=staff.engineer.id,
            van="van-ewa",
            city="Krakow",
        ),
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["van"] == "VAN-EWA"
    assert body["user"] == "eng@fieldops.example"
    assert body["user_id"] == staff.engineer.id
    assert body["shifts"]["mon"] == [["22:00", "24:00"]]
    assert body["shifts"]["tue"] == [["00:00", "06:00"]]
    assert body["shifts"]["wed"] == []
    assert (body["timezone"], body["daily_capacity"]) == ("Europe/London", 4)
    fetched = api_as(staff.agent).get(f"{ENGINEERS}/{body['id']}").get_json()
    assert fetched == body


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        ({"name": ...}, ["name"]),
        ({"home_lat": ...}, ["home_lat"]),
        ({"home_lon": "east"}, ["home_lon"]),
        ({"name": "", "home_lat": 95, "home_lon": 200}, ["name", "home_lat", "home_lon"]),
        ({"skills": ["Bad Tag"]}, ["skills"]),
        ({"skills": "router"}, ["skills"]),
        ({"timezone": "Mars/Base"}, ["timezone"]),
        ({"shifts": {"mon": [["17:00", "09:00"]]}}, ["shifts"]),
        ({"shifts": {"funday": [["09:00", "17:00"]]}}, ["shifts"]),
        ({"shifts": [["09:00", "17:00"]]}, ["shifts"]),
        ({"daily_capacity": 0}, ["daily_capacity"]),
        ({"daily_capacity": 51}, ["daily_capacity"]),
        ({"daily_capacity": "6"}, ["daily_capacity"]),
        ({"daily_capacity": 2.5}, ["daily_capacity"]),
        ({"user_id": 987_654}, ["user_id"]),
        ({"user_id": 2**40}, ["user_id"]),
        ({"van": "no spaces"}, ["van"]),
        ({"van": "bad code", "daily_capacity": 0}, ["van", "daily_capacity"]),
        ({"surprise": 1}, ["surprise"]),
    ],
)
def test_bad_input_is_422_naming_the_field_and_nothing_is_stored(
    api_as: Api, staff: Staff, overrides: dict[str, Any], fields: list[str]
) -> None:
    engineers, locations = _count(Engineer), _count(StockLocation)
    response = api_as(staff.dispatcher).post(ENGINEERS, json=_body(**overrides))
    assert_error(response, 422, "validation_error", *fields)
    assert (_count(Engineer), _count(StockLocation)) == (engineers, locations)


def test_the_user_must_be_an_engineer(api_as: Api, staff: Staff) -> None:
    response = api_as(staff.dispatcher).post(ENGINEERS, json=_body(user_id=staff.agent.id))
    assert_error(response, 422, "validation_error", "user_id")


def test_one_engineer_per_user_is_409(api_as: Api, staff: Staff, linked: Engineer) -> None:
    engineers = _count(Engineer)
    response = api_as(staff.dispatcher).post(ENGINEERS, json=_body(user_id=staff.engineer.id))
    assert_error(response, 409, "conflict", "user_id")
    assert _count(Engineer) == engineers


def test_a_van_code_in_use_is_409_and_leaves_no_engineer(
    api_as: Api, staff: Staff, session: Any
) -> None:
    make_depot(code="DEP-CLASH")
    session.commit()
    engineers = _count(Engineer)
    response = api_as(staff.dispatcher).post(ENGINEERS, json=_body(van="dep-clash"))
    assert_error(response, 409, "conflict", "van")
    assert _count(Engineer) == engineers


@pytest.mark.parametrize("role", ["agent", "stock_manager", "engineer"])
def test_other_staff_may_not_enrol(api_as: Api, staff: Staff, role: str) -> None:
    user = {"agent": staff.agent, "stock_manager": staff.keeper, "engineer": staff.engineer}[role]
    engineers = _count(Engineer)
    # Refused before the body is read: a broken body is 403 too, not 422.
    assert_error(api_as(user).post(ENGINEERS, json=_body()), 403, "forbidden")
    assert_error(api_as(user).post(ENGINEERS, json={"name": 5}), 403, "forbidden")
    assert _count(Engineer) == engineers


# --- GET /engineers -----------------------------------------------------------------------


def test_staff_list_engineers_with_filters_and_pages(
    api_as: Api, staff: Staff, linked: Engineer, session: Any
) -> None:
    make_engineer(name="Zoe Listed", skills=["list-skill"])
    quiet = make_engineer(name="Abe Listed", skills=["list-skill", "power"])
    quiet.is_active = False
    make_engineer(name="Other Skill", skills=["list-skill-2"])
    session.commit()
    api = api_as(staff.keeper)

    body = api.get(f"{ENGINEERS}?skill=list-skill").get_json()
    assert [e["name"] for e in body["items"]] == ["Abe Listed", "Zoe Listed"]
    assert (body["total"], body["page"], body["per_page"]) == (2, 1, 20)
    body = api.get(f"{ENGINEERS}?skill=list-skill&active=true").get_json()
    assert [e["name"] for e in body["items"]] == ["Zoe Listed"]
    body = api.get(f"{ENGINEERS}?skill=list-skill&active=false").get_json()
    assert [e["active"] for e in body["items"]] == [False]
    body = api.get(f"{ENGINEERS}?skill=list-skill&per_page=1&page=2").get_json()
    assert ([e["name"] for e in body["items"]], body["total"]) == (["Zoe Listed"], 2)

    everyone = api.get(f"{ENGINEERS}?per_page=100").get_json()
    mine = next(e for e in everyone["items"] if e["id"] == linked.id)
    assert (mine["van"], mine["user"]) == ("VAN-LINKED", "eng@fieldops.example")
    assert set(mine) >= {"id", "name", "skills", "home_lat", "home_lon", "van", "position"}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("skill=Not%20a%20tag", "skill"),
        ("active=maybe", "active"),
        ("page=0", "page"),
        ("per_page=101", "per_page"),
    ],
)
def test_bad_list_filters_are_422(api_as: Api, staff: Staff, query: str, field: str) -> None:
    response = api_as(staff.agent).get(f"{ENGINEERS}?{query}")
    assert_error(response, 422, "validation_error", field)


# --- GET / PATCH /engineers/<id> ----------------------------------------------------------


def test_an_unknown_engineer_is_404(api_as: Api, staff: Staff) -> None:
    api = api_as(staff.dispatcher)
    assert_error(api.get(f"{ENGINEERS}/999999"), 404, "not_found")
    assert_error(api.get(f"{ENGINEERS}/{2**40}"), 404, "not_found")
    assert_error(api.patch(f"{ENGINEERS}/999999", json={"daily_capacity": 2}), 404, "not_found")
    assert_error(api.get(f"{ENGINEERS}/abc"), 404, "not_found")


def test_patch_changes_skills_shifts_zone_capacity_and_active(
    api_as: Api, staff: Staff, linked: Engineer
) -> None:
    rota = {"sat": [["20:00", "24:00"]], "sun": [["00:00", "08:00"]]}
    response = api_as(staff.manager).patch(
        f"{ENGINEERS}/{linked.id}",
        json={
            "skills": ["power", "router"],
            "shifts": rota,
            "timezone": "America/New_York",
            "daily_capacity": 10,
            "active": False,
        },
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["skills"] == ["power", "router"]
    assert body["shifts"]["sun"] == [["00:00", "08:00"]]
    assert body["shifts"]["mon"] == []
    assert (body["timezone"], body["daily_capacity"], body["active"]) == (
        "America/New_York",
        10,
        False,
    )
    assert body["van"] == "VAN-LINKED"
    again = api_as(staff.dispatcher).patch(f"{ENGINEERS}/{linked.id}", json={"active": True})
    assert again.get_json()["active"] is True
    assert again.get_json()["daily_capacity"] == 10


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"daily_capacity": 0}, ["daily_capacity"]),
        ({"timezone": "Nowhere"}, ["timezone"]),
        ({"shifts": {"mon": [["09:00", "25:00"]]}}, ["shifts"]),
        ({"skills": ["ok", "NOT OK"]}, ["skills"]),
        ({"active": "perhaps"}, ["active"]),
        ({"name": "Renamed"}, ["name"]),
        ({"timezone": "Nowhere", "daily_capacity": 99}, ["timezone", "daily_capacity"]),
    ],
)
def test_a_bad_patch_is_422_and_changes_nothing(
    api_as: Api, staff: Staff, linked: Engineer, body: dict[str, Any], fields: list[str]
) -> None:
    api = api_as(staff.dispatcher)
    before = api.get(f"{ENGINEERS}/{linked.id}").get_json()
    assert_error(api.patch(f"{ENGINEERS}/{linked.id}", json=body), 422, "validation_error", *fields)
    assert api.get(f"{ENGINEERS}/{linked.id}").get_json() == before


@pytest.mark.parametrize("role", ["agent", "keeper", "engineer"])
def test_other_staff_may_not_patch(api_as: Api, staff: Staff, linked: Engineer, role: str) -> None:
    response = api_as(getattr(staff, role)).patch(
        f"{ENGINEERS}/{linked.id}", json={"daily_capacity": 1}
    )
    assert_error(response, 403, "forbidden")
    assert db.session.get(Engineer, linked.id).daily_capacity == 6  # type: ignore[union-attr]


# --- absences -----------------------------------------------------------------------------


def _absence(start: datetime, hours: int = 8, **extra: Any) -> dict[str, Any]:
    return {
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=hours)).isoformat(),
        **extra,
    }


def test_absences_are_added_listed_by_window_and_removed(
    api_as: Api, staff: Staff, linked: Engineer
) -> None:
    api = api_as(staff.dispatcher)
    url = f"{ENGINEERS}/{linked.id}/absences"
    first = api.post(url, json=_absence(T0, reason="training"))
    assert first.status_code == 201, first.get_json()
    created = first.get_json()
    assert created["engineer_id"] == linked.id
    assert created["reason"] == "training"
    assert datetime.fromisoformat(created["starts_at"]) == T0
    assert created["starts_at"].endswith("+00:00")
    # Given in Warsaw time, stored and shown in UTC; touching the first one is allowed.
    later = (T0 + timedelta(hours=8)).astimezone(ZoneInfo("Europe/Warsaw"))
    second = api.post(url, json=_absence(later, hours=24)).get_json()
    assert datetime.fromisoformat(second["starts_at"]) == T0 + timedelta(hours=8)

    listed = api_as(staff.agent).get(url).get_json()
    assert [a["id"] for a in listed["items"]] == [created["id"], second["id"]]
    assert (listed["total"], listed["page"], listed["per_page"]) == (2, 1, 20)
    window = {"from": (T0 + timedelta(hours=9)).isoformat()}
    assert [a["id"] for a in api.get(url, query_string=window).get_json()["items"]] == [
        second["id"]
    ]
    window = {"until": (T0 + timedelta(hours=8)).isoformat()}
    assert [a["id"] for a in api.get(url, query_string=window).get_json()["items"]] == [
        created["id"]
    ]

    gone = api.delete(f"{url}/{created['id']}")
    assert gone.status_code == 204
    assert [a["id"] for a in api.get(url).get_json()["items"]] == [second["id"]]
    assert_error(api.delete(f"{url}/{created['id']}"), 404, "not_found")


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        (
            {"starts_at": "2026-11-18T10:00:00", "ends_at": "2026-11-18T12:00:00+00:00"},
            ["starts_at"],
        ),
        ({"starts_at": "2026-11-18T10:00:00+00:00", "ends_at": "tomorrow"}, ["ends_at"]),
        ({"starts_at": "2026-11-18T10:00:00+00:00"}, ["ends_at"]),
        (
            {"starts_at": "2026-11-18T10:00:00+00:00", "ends_at": "2026-11-18T10:00:00+00:00"},
            ["ends_at"],
        ),
        (
            {"starts_at": "2026-11-18T10:00:00+00:00", "ends_at": "2026-11-18T11:00:00+01:00"},
            ["ends_at"],
        ),
        (_absence(T0, reason="x" * 201), ["reason"]),
        (_absence(T0, note="extra"), ["note"]),
    ],
    ids=["naive", "text", "missing", "empty", "same-instant-other-zone", "long-reason", "unknown"],
)
def test_bad_absences_are_422(
    api_as: Api, staff: Staff, linked: Engineer, body: dict[str, Any], fields: list[str]
) -> None:
    url = f"{ENGINEERS}/{linked.id}/absences"
    assert_error(api_as(staff.dispatcher).post(url, json=body), 422, "validation_error", *fields)
    assert api_as(staff.dispatcher).get(url).get_json()["total"] == 0


def test_an_overlapping_absence_is_409(
    api_as: Api, staff: Staff, linked: Engineer, session: Any
) -> None:
    add_absence(linked.id, starts_at=T0, ends_at=T0 + timedelta(days=1))
    session.commit()
    url = f"{ENGINEERS}/{linked.id}/absences"
    response = api_as(staff.manager).post(url, json=_absence(T0 + timedelta(hours=20)))
    assert_error(response, 409, "conflict", "starts_at")
    assert api_as(staff.manager).get(url).get_json()["total"] == 1


def test_absences_of_an_unknown_engineer_or_another_engineer_are_404(
    api_as: Api, staff: Staff, linked: Engineer, session: Any
) -> None:
    other = make_engineer()
    theirs = add_absence(other.id, starts_at=T0, ends_at=T0 + timedelta(days=1))
    session.commit()
    api = api_as(staff.dispatcher)
    assert_error(api.get(f"{ENGINEERS}/999999/absences"), 404, "not_found")
    assert_error(api.post(f"{ENGINEERS}/999999/absences", json=_absence(T0)), 404, "not_found")
    assert_error(api.delete(f"{ENGINEERS}/{linked.id}/absences/{theirs.id}"), 404, "not_found")
    assert api.get(f"{ENGINEERS}/{other.id}/absences").get_json()["total"] == 1


@pytest.mark.parametrize("role", ["agent", "keeper", "engineer"])
def test_other_staff_may_not_change_absences(
    api_as: Api, staff: Staff, linked: Engineer, session: Any, role: str
) -> None:
    absence = add_absence(linked.id, starts_at=T0, ends_at=T0 + timedelta(hours=1))
    session.commit()
    api = api_as(getattr(staff, role))
    url = f"{ENGINEERS}/{linked.id}/absences"
    assert api.get(url).status_code == 200
    assert_error(api.post(url, json=_absence(T0 + timedelta(days=3))), 403, "forbidden")
    assert_error(api.delete(f"{url}/{absence.id}"), 403, "forbidden")
    assert api.get(url).get_json()["total"] == 1


# --- position -----------------------------------------------------------------------------


def test_the_engineer_reports_their_own_position(
    api_as: Api, staff: Staff, linked: Engineer
) -> None:
    response = api_as(staff.engineer).post(
        f"{ENGINEERS}/{linked.id}/position", json={"lat": 52.41, "lon": 16.93}
    )
    assert response.status_code == 200, response.get_json()
    position = response.get_json()["position"]
    assert (position["lat"], position["lon"]) == (52.41, 16.93)
    at = datetime.fromisoformat(position["at"])
    assert at.utcoffset() == timedelta(0)
    assert abs(datetime.now(UTC) - at) < timedelta(minutes=5)


def test_a_dispatcher_reports_any_engineers_position(
    api_as: Api, staff: Staff, linked: Engineer
) -> None:
    response = api_as(staff.dispatcher).post(
        f"{ENGINEERS}/{linked.id}/position", json={"lat": -33.9, "lon": 151.2}
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["position"]["lat"] == -33.9


@pytest.mark.parametrize("role", ["manager", "admin", "agent", "keeper", "other_engineer"])
def test_nobody_else_reports_a_position(
    api_as: Api, staff: Staff, linked: Engineer, session: Any, role: str
) -> None:
    if role == "other_engineer":
        user = make_user(role="engineer")
        make_engineer(user_id=user.id)
        session.commit()
    else:
        user = getattr(staff, role)
    response = api_as(user).post(f"{ENGINEERS}/{linked.id}/position", json={"lat": 1, "lon": 1})
    assert_error(response, 403, "forbidden")
    assert db.session.get(Engineer, linked.id).position_lat is None  # type: ignore[union-attr]


def test_an_unlinked_engineer_login_may_not_report_a_position(
    api_as: Api, staff: Staff, session: Any
) -> None:
    engineer = make_engineer()
    session.commit()
    lone = make_user(role="engineer")
    response = api_as(lone).post(f"{ENGINEERS}/{engineer.id}/position", json={"lat": 1, "lon": 1})
    assert_error(response, 403, "forbidden")


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"lat": 91, "lon": 0}, ["lat"]),
        ({"lat": 0, "lon": -180.01}, ["lon"]),
        ({"lat": 95, "lon": 190}, ["lat", "lon"]),
        ({"lat": "north", "lon": 0}, ["lat"]),
        ({"lon": 0}, ["lat"]),
        ({"lat": 1, "lon": 1, "at": "2026-01-01T00:00:00+00:00"}, ["at"]),
    ],
)
def test_a_bad_position_is_422(
    api_as: Api, staff: Staff, linked: Engineer, body: dict[str, Any], fields: list[str]
) -> None:
    response = api_as(staff.engineer).post(f"{ENGINEERS}/{linked.id}/position", json=body)
    assert_error(response, 422, "validation_error", *fields)


def test_a_position_for_an_unknown_engineer_is_404(api_as: Api, staff: Staff) -> None:
    response = api_as(staff.dispatcher).post(
        f"{ENGINEERS}/999999/position", json={"lat": 1, "lon": 1}
    )
    assert_error(response, 404, "not_found")


# --- customers and anonymous callers ------------------------------------------------------


def test_customers_get_404_everywhere(
    api_as: Api, staff: Staff, linked: Engineer, session: Any
) -> None:
    absence = add_absence(linked.id, starts_at=T0, ends_at=T0 + timedelta(hours=1))
    session.commit()
    api = api_as(staff.customer)
    base = f"{ENGINEERS}/{linked.id}"
    engineers = _count(Engineer)
    for response in (
        api.get(ENGINEERS),
        api.post(ENGINEERS, json=_body()),
        api.post(ENGINEERS, json={"broken": True}),
        api.get(base),
        api.patch(base, json={"daily_capacity": 2}),
        api.get(f"{base}/absences"),
        api.post(f"{base}/absences", json=_absence(T0 + timedelta(days=2))),
        api.delete(f"{base}/absences/{absence.id}"),
        api.post(f"{base}/position", json={"lat": 1, "lon": 1}),
    ):
        assert_error(response, 404, "not_found")
    assert _count(Engineer) == engineers
    assert [a.id for a in absences_of(linked.id)] == [absence.id]
    assert db.session.get(Engineer, linked.id).daily_capacity == 6  # type: ignore[union-attr]


def test_without_a_token_it_is_401(client: Any) -> None:
    assert client.get(ENGINEERS).status_code == 401
    assert client.post(ENGINEERS, json=_body()).status_code == 401


def test_engineer_paths_are_in_the_openapi_document(client: Any) -> None:
    paths = client.get(f"{API}/openapi.json").get_json()["paths"]
    assert {"get", "post"} <= set(paths[ENGINEERS])
    assert {"get", "patch"} <= set(paths[f"{ENGINEERS}/{{engineer_id}}"])
    assert {"get", "post"} <= set(paths[f"{ENGINEERS}/{{engineer_id}}/absences"])
    assert "delete" in paths[f"{ENGINEERS}/{{engineer_id}}/absences/{{absence_id}}"]
    assert "post" in paths[f"{ENGINEERS}/{{engineer_id}}/position"]
