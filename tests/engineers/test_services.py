"""Engineer services and queries: every rule and refusal, the van enrolment in one unit of
work, and racing absences on real connections (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from fieldops.db import db, transaction
from fieldops.engineers import queries
from fieldops.engineers.models import DEFAULT_SHIFTS, Absence, Engineer
from fieldops.engineers.services import (
    add_absence,
    create_engineer,
    remove_absence,
    report_position,
    update_engineer,
)
from fieldops.errors import ConflictError, DomainError, NotFoundError, RuleViolationError
from fieldops.inventory.models import StockLocation
from fieldops.inventory.queries import location_of_engineer
from fieldops.inventory.services import enrol_engineer
from tests.factories import make_depot, make_engineer, make_user, make_van

T0 = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
# An on-call rota: nights split at midnight, the early hours on the next day.
ON_CALL = {
    "mon": [["22:00", "24:00"]],
    "tue": [["00:00", "06:00"], ["22:00", "24:00"]],
    "wed": [["00:00", "06:00"]],
    "sat": [["08:00", "20:00"]],
}


def _base(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"name": "Ewa Nowak", "home_lat": 50.06, "home_lon": 19.94, "now": T0}
    data.update(overrides)
    return data


def _refused(error: pytest.ExceptionInfo[DomainError], *fields: str) -> None:
    for name in fields:
        assert name in error.value.errors, error.value.errors
        assert all(isinstance(m, str) and m for m in error.value.errors[name])


# --- create_engineer --------------------------------------------------------------------------


def test_an_engineer_gets_the_default_week_zone_and_capacity(session: Any) -> None:
    engineer = create_engineer(**_base(skills=["Router", " optical", "router"]))
    assert engineer.id is not None
    assert engineer.shifts == DEFAULT_SHIFTS
    assert (engineer.timezone, engineer.daily_capacity) == ("Europe/Warsaw", 6)
    assert engineer.skills == ["optical", "router"]
    assert engineer.is_active is True
    assert engineer.position_lat is None
    assert engineer.created_at == T0


def test_an_on_call_rota_splits_nights_at_midnight_and_fills_missing_days(session: Any) -> None:
    engineer = create_engineer(**_base(shifts=ON_CALL, timezone="Europe/London", daily_capacity=50))
    db.session.expire_all()
    stored = db.session.get(Engineer, engineer.id)
    assert stored is not None
    assert stored.shifts["mon"] == [["22:00", "24:00"]]
    assert stored.shifts["tue"] == [["00:00", "06:00"], ["22:00", "24:00"]]
    assert stored.shifts["thu"] == stored.shifts["sun"] == []
    assert set(stored.shifts) == {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
    assert (stored.timezone, stored.daily_capacity) == ("Europe/London", 50)


def test_every_bad_field_is_named_at_once_and_nothing_is_stored(session: Any) -> None:
    before = db.session.scalar(select(func.count()).select_from(Engineer))
    with pytest.raises(RuleViolationError) as error:
        create_engineer(
            name="  ",
            home_lat=91.0,
            home_lon=-180.5,
            skills=["ok", "Not A Tag!"],
            timezone="Mars/Olympus",
            shifts={"mon": [["16:00", "08:00"]]},
            daily_capacity=0,
            now=T0,
        )
    _refused(
        error, "name", "home_lat", "home_lon", "skills", "timezone", "shifts", "daily_capacity"
    )
    assert db.session.scalar(select(func.count()).select_from(Engineer)) == before


@pytest.mark.parametrize(
    "shifts",
    [
        {"mon": [["08:00", "08:00"]]},
        {"mon": [["08:00"]]},
        {"mon": [["8:00", "16:00"]]},
        {"mon": [["00:00", "24:01"]]},
        {"monday": [["08:00", "16:00"]]},
        {"mon": "08:00-16:00"},
        {day: [] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
        ["mon"],
    ],
    ids=["empty", "half", "no-pad", "past-midnight", "day-name", "text", "never-open", "list"],
)
def test_bad_shifts_are_refused_by_the_calendar_rules(session: Any, shifts: Any) -> None:
    with pytest.raises(RuleViolationError) as error:
        create_engineer(**_base(shifts=shifts))
    _refused(error, "shifts")
    assert set(error.value.errors) == {"shifts"}


@pytest.mark.parametrize("capacity", [0, 51, -1, True, 2.5])
def test_capacity_is_a_whole_number_from_1_to_50(session: Any, capacity: Any) -> None:
    with pytest.raises(RuleViolationError) as error:
        create_engineer(**_base(daily_capacity=capacity))
    _refused(error, "daily_capacity")


@pytest.mark.parametrize("zone", ["", "Nowhere/City", "../etc/passwd", "x" * 65, None])
def test_an_unknown_time_zone_is_refused(session: Any, zone: Any) -> None:
    with pytest.raises(RuleViolationError) as error:
        create_engineer(**_base(timezone=zone))
    _refused(error, "timezone")


def test_too_long_names_and_too_many_skills_are_refused(session: Any) -> None:
    with pytest.raises(RuleViolationError) as error:
        create_engineer(**_base(name="x" * 121, skills=[f"s{i}" for i in range(31)]))
    _refused(error, "name", "skills")


def test_a_linked_user_must_exist_and_be_an_engineer(session: Any) -> None:
    with pytest.raises(RuleViolationError) as error:
        create_engineer(**_base(user_id=987_654))
    _refused(error, "user_id")
    agent = make_user(role="agent")
    with pytest.raises(RuleViolationError) as error:
        create_engineer(**_base(user_id=agent.id))
    _refused(error, "user_id")


def test_one_engineer_per_user(session: Any) -> None:
    login = make_user(role="engineer")
    engineer = create_engineer(**_base(user_id=login.id))
    assert queries.find_engineer_for_user(login.id) == engineer
    with pytest.raises(ConflictError) as error:
        create_engineer(**_base(name="Someone else", user_id=login.id))
    _refused(error, "user_id")
    assert queries.find_engineer_for_user(make_user(role="engineer").id) is None


# --- update_engineer --------------------------------------------------------------------------


def test_update_changes_only_what_is_given(session: Any) -> None:
    engineer = make_engineer()
    update_engineer(engineer.id, skills=["power", "Power"], daily_capacity=3)
    assert engineer.skills == ["power"]
    assert engineer.daily_capacity == 3
    assert engineer.timezone == "Europe/Warsaw"
    update_engineer(engineer.id, shifts=ON_CALL, timezone="UTC", is_active=False)
    assert engineer.shifts["tue"] == [["00:00", "06:00"], ["22:00", "24:00"]]
    assert (engineer.timezone, engineer.is_active, engineer.skills) == ("UTC", False, ["power"])


def test_a_bad_update_changes_nothing(session: Any) -> None:
    engineer = make_engineer()
    with pytest.raises(RuleViolationError) as error:
        update_engineer(
            engineer.id,
            skills=["fine"],
            shifts={"sun": [["10:00", "09:00"]]},
            timezone="Atlantis/Capital",
            daily_capacity=99,
            is_active="yes",  # type: ignore[arg-type]
        )
    _refused(error, "shifts", "timezone", "daily_capacity", "active")
    db.session.expire_all()
    again = queries.get_engineer(engineer.id)
    assert again.skills == ["optical", "router"]
    assert (again.daily_capacity, again.timezone, again.is_active) == (6, "Europe/Warsaw", True)


def test_updating_an_unknown_engineer_is_not_found(session: Any) -> None:
    with pytest.raises(NotFoundError):
        update_engineer(999_999, daily_capacity=2)
    with pytest.raises(NotFoundError):
        queries.get_engineer(2**40)


# --- absences ---------------------------------------------------------------------------------


def test_absences_are_recorded_and_read_by_window(session: Any) -> None:
    engineer = make_engineer()
    other = make_engineer()
    first = add_absence(
        engineer.id, starts_at=T0, ends_at=T0 + timedelta(days=2), reason=" training "
    )
    # Touching the first one's end is no overlap; another engineer's is never a clash.
    second = add_absence(
        engineer.id, starts_at=T0 + timedelta(days=2), ends_at=T0 + timedelta(days=3)
    )
    add_absence(other.id, starts_at=T0, ends_at=T0 + timedelta(days=5))
    assert first.reason == "training"
    assert queries.absences_of(engineer.id) == [first, second]
    assert queries.absences_of(engineer.id, T0 + timedelta(days=2)) == [second]
    assert queries.absences_of(engineer.id, until=T0 + timedelta(days=1)) == [first]
    assert queries.absences_of(engineer.id, T0 + timedelta(days=3), T0 + timedelta(days=4)) == []
    rows, total = queries.list_absences(engineer.id, page=2, per_page=1)
    assert (rows, total) == ([second], 2)


def test_a_warsaw_absence_is_stored_in_utc(session: Any) -> None:
    from zoneinfo import ZoneInfo

    engineer = make_engineer()
    local = datetime(2026, 12, 24, 0, 0, tzinfo=ZoneInfo("Europe/Warsaw"))
    absence = add_absence(engineer.id, starts_at=local, ends_at=local + timedelta(days=3))
    db.session.expire_all()
    stored = db.session.get(Absence, absence.id)
    assert stored is not None
    assert stored.starts_at == datetime(2026, 12, 23, 23, 0, tzinfo=UTC)
    assert stored.starts_at.tzinfo is not None


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        (T0.replace(tzinfo=None), T0 + timedelta(hours=1), "starts_at"),
        (T0, (T0 + timedelta(hours=1)).replace(tzinfo=None), "ends_at"),
        (T0, T0, "ends_at"),
        (T0, T0 - timedelta(minutes=1), "ends_at"),
        ("2026-11-18", T0, "starts_at"),
    ],
    ids=["naive-start", "naive-end", "empty", "backwards", "text"],
)
def test_absences_need_aware_instants_ending_after_they_start(
    session: Any, start: Any, end: Any, field: str
) -> None:
    engineer = make_engineer()
    with pytest.raises(RuleViolationError) as error:
        add_absence(engineer.id, starts_at=start, ends_at=end)
    _refused(error, field)
    assert queries.absences_of(engineer.id) == []


def test_an_overlong_reason_is_refused(session: Any) -> None:
    engineer = make_engineer()
    with pytest.raises(RuleViolationError) as error:
        add_absence(engineer.id, starts_at=T0, ends_at=T0 + timedelta(hours=1), reason="x" * 201)
    _refused(error, "reason")


@pytest.mark.parametrize(
    ("start_h", "end_h"),
    [(-1, 1), (47, 49), (1, 2), (-5, 60)],
    ids=["over-start", "over-end", "inside", "around"],
)
def test_an_overlapping_absence_is_a_conflict(session: Any, start_h: int, end_h: int) -> None:
    engineer = make_engineer()
    add_absence(engineer.id, starts_at=T0, ends_at=T0 + timedelta(hours=48))
    with pytest.raises(ConflictError) as error:
        add_absence(
            engineer.id,
            starts_at=T0 + timedelta(hours=start_h),
            ends_at=T0 + timedelta(hours=end_h),
        )
    _refused(error, "starts_at")
    assert len(queries.absences_of(engineer.id)) == 1


def test_absences_of_an_unknown_engineer_are_not_found(session: Any) -> None:
    with pytest.raises(NotFoundError):
        add_absence(999_999, starts_at=T0, ends_at=T0 + timedelta(hours=1))
    with pytest.raises(NotFoundError):
        remove_absence(999_999, 1)


def test_an_absence_is_removed_only_through_its_engineer(session: Any) -> None:
    engineer = make_engineer()
    other = make_engineer()
    absence = add_absence(engineer.id, starts_at=T0, ends_at=T0 + timedelta(hours=8))
    with pytest.raises(NotFoundError):
        remove_absence(other.id, absence.id)
    with pytest.raises(NotFoundError):
        remove_absence(engineer.id, 2**40)
    remove_absence(engineer.id, absence.id)
    assert queries.absences_of(engineer.id) == []
    with pytest.raises(NotFoundError):
        remove_absence(engineer.id, absence.id)


# --- positions --------------------------------------------------------------------------------


def test_a_position_is_stored_with_its_instant(session: Any) -> None:
    engineer = make_engineer()
    report_position(engineer.id, lat=52.4, lon=16.9, now=T0)
    db.session.expire_all()
    stored = queries.get_engineer(engineer.id)
    assert (stored.position_lat, stored.position_lon, stored.position_at) == (52.4, 16.9, T0)


@pytest.mark.parametrize(
    ("lat", "lon", "field"),
    [(90.1, 0, "lat"), (-91, 0, "lat"), (0, 180.1, "lon"), (0, -181, "lon"), (True, 0, "lat")],
)
def test_a_position_off_the_globe_is_refused(session: Any, lat: Any, lon: Any, field: str) -> None:
    engineer = make_engineer()
    with pytest.raises(RuleViolationError) as error:
        report_position(engineer.id, lat=lat, lon=lon, now=T0)
    _refused(error, field)
    assert engineer.position_lat is None


def test_a_position_for_an_unknown_engineer_is_not_found(session: Any) -> None:
    with pytest.raises(NotFoundError):
        report_position(999_999, lat=1, lon=1, now=T0)


# --- list_engineers ---------------------------------------------------------------------------


def test_list_filters_by_skill_tag_and_active_with_van_and_login(session: Any) -> None:
    login = make_user(role="engineer", email="ada@fieldops.example")
    ada = make_engineer(name="Ada", skills=["router"], user_id=login.id)
    bob = make_engineer(name="Bob", skills=["core-router", "power"])
    cyd = make_engineer(name="Cyd", skills=["router", "optical"])
    van = make_van(ada)
    update_engineer(cyd.id, is_active=False)

    rows, total = queries.list_engineers(skill="router")
    mine = [r for r in rows if r.engineer.id in {ada.id, bob.id, cyd.id}]
    assert [r.engineer.name for r in mine] == ["Ada", "Cyd"]  # core-router is another skill
    assert total >= 2
    assert (mine[0].van, mine[0].user_email) == (van.code, "ada@fieldops.example")
    assert (mine[1].van, mine[1].user_email) == (None, None)

    rows, _ = queries.list_engineers(skill="router", active=False)
    assert [r.engineer.id for r in rows] == [cyd.id]
    rows, _ = queries.list_engineers(skill="power", active=True)
    assert [r.engineer.id for r in rows] == [bob.id]
    assert queries.list_engineers(skill="rout") == ([], 0)


def test_list_pages_in_name_order(session: Any) -> None:
    for name in ("Zed", "Amy", "Max"):
        make_engineer(name=name, skills=["paging-test"])
    page, total = queries.list_engineers(skill="paging-test", page=2, per_page=2)
    assert total == 3
    assert [r.engineer.name for r in page] == ["Zed"]
    first, _ = queries.list_engineers(skill="paging-test", per_page=2)
    assert [r.engineer.name for r in first] == ["Amy", "Max"]


def test_an_engineer_row_carries_van_and_login(session: Any) -> None:
    engineer = make_engineer()
    assert queries.get_engineer_row(engineer.id).van is None
    van = make_van(engineer)
    row = queries.get_engineer_row(engineer.id)
    assert (row.engineer, row.van, row.user_email) == (engineer, van.code, None)
    with pytest.raises(NotFoundError):
        queries.get_engineer_row(0)


# --- enrol_engineer ---------------------------------------------------------------------------


def test_enrolment_creates_the_engineer_and_their_van_at_home(session: Any) -> None:
    engineer, van = enrol_engineer(**_base(skills=["power"], city="Krakow"))
    assert van.code == f"VAN-{engineer.id}"
    assert (van.kind, van.engineer_id, van.city) == ("van", engineer.id, "Krakow")
    assert (van.lat, van.lon) == (engineer.home_lat, engineer.home_lon)
    assert location_of_engineer(engineer.id) == van


def test_enrolment_takes_a_van_code(session: Any) -> None:
    engineer, van = enrol_engineer(**_base(van_code=" van-ewa "))
    assert van.code == "VAN-EWA"
    assert queries.get_engineer_row(engineer.id).van == "VAN-EWA"


def test_enrolment_names_a_bad_van_code_with_the_engineer_fields(session: Any) -> None:
    with pytest.raises(RuleViolationError) as error:
        enrol_engineer(**_base(van_code="no spaces!", daily_capacity=0))
    _refused(error, "van", "daily_capacity")
    with pytest.raises(RuleViolationError) as error:
        enrol_engineer(**_base(van_code="x"))
    assert set(error.value.errors) == {"van"}


def test_a_van_code_in_use_leaves_no_engineer_behind(session: Any) -> None:
    make_depot(code="VAN-TAKEN")
    session.commit()
    before = db.session.scalar(select(func.count()).select_from(Engineer))
    with pytest.raises(ConflictError) as error, transaction():
        enrol_engineer(**_base(van_code="van-taken"))
    _refused(error, "van")
    assert db.session.scalar(select(func.count()).select_from(Engineer)) == before
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(StockLocation)
            .where(StockLocation.engineer_id.is_not(None), StockLocation.code == "VAN-TAKEN")
        )
        == 0
    )


def test_a_linked_user_is_enrolled_once(session: Any) -> None:
    login = make_user(role="engineer")
    enrol_engineer(**_base(user_id=login.id))
    with pytest.raises(ConflictError):
        enrol_engineer(**_base(user_id=login.id))


# --- races on real connections ----------------------------------------------------------------


def _together(count: int, work: Callable[[int], Any]) -> list[Any]:
    barrier = threading.Barrier(count)

    def _go(i: int) -> Any:
        barrier.wait()
        return work(i)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(_go, range(count)))


def test_racing_overlapping_absences_record_one(fresh_app: Flask) -> None:
    with fresh_app.app_context(), transaction():
        engineer_id = make_engineer().id

    def _add(i: int) -> str:
        with fresh_app.app_context():
            try:
                with transaction():
                    add_absence(
                        engineer_id,
                        starts_at=T0 + timedelta(minutes=i),
                        ends_at=T0 + timedelta(hours=4),
                    )
                return "ok"
            except ConflictError:
                return "conflict"

    outcomes = _together(8, _add)
    assert sorted(outcomes) == ["conflict"] * 7 + ["ok"]
    with fresh_app.app_context():
        assert len(queries.absences_of(engineer_id)) == 1


def test_racing_links_of_one_user_make_one_engineer(fresh_app: Flask) -> None:
    with fresh_app.app_context(), transaction():
        user_id = make_user(role="engineer").id

    def _enrol(i: int) -> str:
        with fresh_app.app_context():
            try:
                with transaction():
                    enrol_engineer(**_base(name=f"Racer {i}", user_id=user_id))
                return "ok"
            except ConflictError:
                return "conflict"

    outcomes = _together(8, _enrol)
    assert sorted(outcomes) == ["conflict"] * 7 + ["ok"]
    with fresh_app.app_context():
        assert (
            db.session.scalar(
                select(func.count()).select_from(Engineer).where(Engineer.user_id == user_id)
            )
            == 1
        )
