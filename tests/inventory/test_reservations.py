"""Reservations: at a named location or the nearest that has the stock, the reserve floor
and the emergency flag, backorders, and the held -> picked -> consumed | released life."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from fieldops.errors import ConflictError, NotFoundError, RuleViolationError
from fieldops.geo import Point, geodesic_km
from fieldops.inventory import services
from fieldops.inventory.models import Backorder, PartType, StockLocation
from fieldops.inventory.queries import get_reservation, list_alerts, list_movements, verify_ledger
from tests.factories import DEFAULT_NOW, make_depot, stock_up
from tests.inventory.conftest import ledger_count, line, refused, unit

NOW = DEFAULT_NOW
LODZ = Point(51.7592, 19.4560)  # 119 km from Warsaw, 190 km from Krakow


def _reserve(part: PartType, location: StockLocation, quantity: int = 1, **kw: Any) -> Any:
    kw.setdefault("purpose", "Planned maintenance, core router swap")
    return services.reserve(
        actor=None, sku=part.sku, quantity=quantity, location_code=location.code, now=NOW, **kw
    )


def test_a_reservation_holds_stock_and_specific_units(psu: PartType, warsaw: StockLocation) -> None:
    stock_up(psu, warsaw, 3, prefix="W")
    held = _reserve(psu, warsaw, 2, job_ref="wo-2026-000045")
    assert (held.status, held.job_ref, held.location_id) == ("held", "WO-2026-000045", warsaw.id)
    assert (line(psu, warsaw).on_hand, line(psu, warsaw).reserved) == (3, 2)
    view = get_reservation(held.id)
    assert len(view.serials) == 2
    assert {unit(psu, s).status for s in view.serials} == {"reserved"}
    assert {unit(psu, s).reservation_id for s in view.serials} == {held.id}
    # Reserving changes no quantity on hand, so it writes no ledger row.
    assert ledger_count() == 3


def test_more_than_available_is_a_conflict_that_changes_nothing(
    session: Any, cable: PartType, warsaw: StockLocation
) -> None:
    stock_up(cable, warsaw, 10)
    _reserve(cable, warsaw, 7)
    error = refused(
        session,
        services.reserve,
        actor=None,
        sku=cable.sku,
        quantity=4,
        location_code=warsaw.code,
        purpose="x",
        now=NOW,
    )
    assert isinstance(error, ConflictError)
    assert "4 wanted, 3 available" in error.message
    assert line(cable, warsaw).reserved == 7
    # A named location that lacks stock records no backorder: another place may have it.
    assert session.query(Backorder).count() == 0


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"purpose": None}, "purpose"),
        ({"purpose": None, "job_ref": "JOB-1"}, "job_id"),
        ({"quantity": 0}, "quantity"),
        ({"quantity": -1}, "quantity"),
        ({"sku": "NOPE"}, "sku"),
        ({"location_code": "DEP-NONE"}, "location"),
    ],
)
def test_bad_reservation_requests_name_the_field(
    session: Any, cable: PartType, warsaw: StockLocation, kwargs: dict[str, Any], field: str
) -> None:
    stock_up(cable, warsaw, 10)
    args = {
        "actor": None,
        "sku": cable.sku,
        "quantity": 1,
        "location_code": warsaw.code,
        "purpose": "x",
        "now": NOW,
        **kwargs,
    }
    error = refused(session, services.reserve, **args)
    assert isinstance(error, RuleViolationError)
    assert field in error.errors
    assert line(cable, warsaw).reserved == 0


def test_a_named_serial_is_never_held_twice(
    session: Any, psu: PartType, warsaw: StockLocation
) -> None:
    stock_up(psu, warsaw, 3, prefix="W")
    serial = sorted(get_serials(psu))[0]
    _reserve(psu, warsaw, serials=[serial])
    error = refused(
        session,
        services.reserve,
        actor=None,
        sku=psu.sku,
        quantity=None,
        location_code=warsaw.code,
        serials=[serial],
        purpose="x",
        now=NOW,
    )
    assert isinstance(error, ConflictError)
    assert serial in error.message
    assert line(psu, warsaw).reserved == 1


def get_serials(part: PartType) -> list[str]:
    from sqlalchemy import select

    from fieldops.db import db
    from fieldops.inventory.models import StockUnit

    return list(
        db.session.scalars(select(StockUnit.serial).where(StockUnit.part_type_id == part.id))
    )


def test_the_reserve_floor_needs_the_emergency_flag(
    session: Any, cable: PartType, warsaw: StockLocation, keeper: Any, caplog: Any
) -> None:
    stock_up(cable, warsaw, 5)
    services.set_line_limits(sku=cable.sku, location_code=warsaw.code, reserve_floor=3, now=NOW)
    _reserve(cable, warsaw, 2)  # down to the floor, not under it
    error = refused(
        session,
        services.reserve,
        actor=None,
        sku=cable.sku,
        quantity=1,
        location_code=warsaw.code,
        purpose="x",
        now=NOW,
    )
    assert isinstance(error, ConflictError)
    assert "emergency" in error.errors
    assert list_alerts()[1] == 0

    with caplog.at_level(logging.WARNING, logger="fieldops.inventory"):
        held = services.reserve(
            actor=keeper,
            sku=cable.sku,
            quantity=2,
            emergency=True,
            location_code=warsaw.code,
            purpose="P1 outage",
            now=NOW,
        )
    assert held.is_emergency
    assert line(cable, warsaw).available == 1
    kinds = {a.kind for a in list_alerts()[0]}
    assert kinds == {"emergency_use", "below_reserve_floor"}
    assert "emergency use of reserve stock" in caplog.text


def test_nearest_picks_the_nearest_location_by_geodesic_distance(
    cable: PartType, warsaw: StockLocation, krakow: StockLocation
) -> None:
    stock_up(cable, warsaw, 10)
    stock_up(cable, krakow, 10)
    outcome = services.reserve_nearest(
        actor=None, sku=cable.sku, quantity=3, point=LODZ, purpose="x", now=NOW
    )
    assert outcome.reservation is not None
    assert outcome.reservation.location_id == warsaw.id
    assert outcome.distance_km == pytest.approx(geodesic_km(LODZ, Point(warsaw.lat, warsaw.lon)))
    # Near Krakow, Krakow wins.
    near_krakow = services.reserve_nearest(
        actor=None, sku=cable.sku, quantity=3, point=Point(50.1, 20.0), purpose="x", now=NOW
    )
    assert near_krakow.reservation is not None
    assert near_krakow.reservation.location_id == krakow.id


def test_nearest_skips_a_location_with_too_little(
    cable: PartType, warsaw: StockLocation, krakow: StockLocation
) -> None:
    stock_up(cable, warsaw, 2)
    stock_up(cable, krakow, 10)
    outcome = services.reserve_nearest(
        actor=None, sku=cable.sku, quantity=3, point=LODZ, purpose="x", now=NOW
    )
    assert outcome.reservation is not None
    assert outcome.reservation.location_id == krakow.id
    assert line(cable, warsaw).reserved == 0


def test_nearest_prefers_the_given_van(
    cable: PartType, warsaw: StockLocation, van: StockLocation
) -> None:
    stock_up(cable, warsaw, 10)
    stock_up(cable, van, 5)  # the van is in Poznań, far from Łódź compared with Warsaw
    outcome = services.reserve_nearest(
        actor=None,
        sku=cable.sku,
        quantity=2,
        point=LODZ,
        prefer_location_code=van.code,
        job_ref="WO-2026-000001",
        now=NOW,
    )
    assert outcome.reservation is not None
    assert outcome.reservation.location_id == van.id
    # A van without enough falls back to the nearest depot.
    fallback = services.reserve_nearest(
        actor=None,
        sku=cable.sku,
        quantity=4,
        point=LODZ,
        prefer_location_code=van.code,
        purpose="x",
        now=NOW,
    )
    assert fallback.reservation is not None
    assert fallback.reservation.location_id == warsaw.id


def test_nearest_keeps_reserve_floors_unless_it_is_an_emergency(
    cable: PartType, warsaw: StockLocation, krakow: StockLocation
) -> None:
    stock_up(cable, warsaw, 4)
    stock_up(cable, krakow, 4)
    services.set_line_limits(sku=cable.sku, location_code=warsaw.code, reserve_floor=3, now=NOW)
    normal = services.reserve_nearest(
        actor=None, sku=cable.sku, quantity=2, point=LODZ, purpose="x", now=NOW
    )
    assert normal.reservation is not None
    assert normal.reservation.location_id == krakow.id
    urgent = services.reserve_nearest(
        actor=None, sku=cable.sku, quantity=2, point=LODZ, purpose="P1", emergency=True, now=NOW
    )
    assert urgent.reservation is not None
    assert urgent.reservation.location_id == warsaw.id
    assert any(a.kind == "emergency_use" for a in list_alerts()[0])


def test_a_request_no_location_can_meet_records_a_backorder(
    session: Any, cable: PartType, warsaw: StockLocation
) -> None:
    stock_up(cable, warsaw, 5)
    services.set_line_limits(sku=cable.sku, location_code=warsaw.code, reserve_floor=4, now=NOW)
    floor_only = services.reserve_nearest(
        actor=None, sku=cable.sku, quantity=3, point=LODZ, job_ref="WO-2026-000007", now=NOW
    )
    assert floor_only.reservation is None
    assert floor_only.backorder is not None
    assert "emergency" in floor_only.shortfall
    nowhere = services.reserve_nearest(
        actor=None, sku=cable.sku, quantity=50, point=LODZ, emergency=True, purpose="x", now=NOW
    )
    assert nowhere.backorder is not None
    assert "No location has 50" in nowhere.shortfall
    backorders = session.query(Backorder).order_by(Backorder.id).all()
    assert [(b.quantity, b.job_ref, b.status) for b in backorders] == [
        (3, "WO-2026-000007", "open"),
        (50, None, "open"),
    ]
    assert (backorders[0].lat, backorders[0].lon) == (LODZ.lat, LODZ.lon)
    assert line(cable, warsaw).reserved == 0


def test_release_gives_stock_and_units_back_once(
    session: Any, psu: PartType, warsaw: StockLocation
) -> None:
    stock_up(psu, warsaw, 2)
    held = _reserve(psu, warsaw, 2)
    serials = get_reservation(held.id).serials
    services.release(actor=None, reservation_id=held.id, now=NOW)
    assert line(psu, warsaw).reserved == 0
    assert {unit(psu, s).status for s in serials} == {"in_stock"}
    assert get_reservation(held.id).status == "released"
    again = refused(session, services.release, actor=None, reservation_id=held.id, now=NOW)
    assert isinstance(again, ConflictError)
    missing = refused(session, services.release, actor=None, reservation_id=999_999, now=NOW)
    assert isinstance(missing, NotFoundError)


def test_picking_at_a_depot_moves_the_reserved_stock_into_the_van(
    session: Any, psu: PartType, warsaw: StockLocation, van: StockLocation
) -> None:
    stock_up(psu, warsaw, 3)
    held = _reserve(psu, warsaw, 2, job_ref="WO-2026-000100")
    services.pick(actor=None, reservation_id=held.id, van_code=van.code, now=NOW)
    view = get_reservation(held.id)
    assert (view.status, view.location) == ("picked", van.code)
    assert (line(psu, warsaw).on_hand, line(psu, warsaw).reserved) == (1, 0)
    assert (line(psu, van).on_hand, line(psu, van).reserved) == (2, 2)
    assert {(unit(psu, s).status, unit(psu, s).location_id) for s in view.serials} == {
        ("in_transit", van.id)
    }
    picks = list_movements(kind="pick")[0]
    assert {(m.from_location, m.to_location, m.reservation_id) for m in picks} == {
        (warsaw.code, van.code, held.id)
    }
    twice = refused(session, services.pick, actor=None, reservation_id=held.id, now=NOW)
    assert isinstance(twice, ConflictError)
    into_depot = _reserve(psu, warsaw, 1)
    error = refused(
        session,
        services.pick,
        actor=None,
        reservation_id=into_depot.id,
        van_code=warsaw.code,
        now=NOW,
    )
    assert "van" in error.errors
    assert verify_ledger().balanced


def test_consuming_part_of_a_bulk_reservation_releases_the_rest(
    cable: PartType, warsaw: StockLocation
) -> None:
    stock_up(cable, warsaw, 20)
    held = _reserve(cable, warsaw, 8)
    services.consume(actor=None, reservation_id=held.id, quantity=5, site="Site A", now=NOW)
    assert (line(cable, warsaw).on_hand, line(cable, warsaw).reserved) == (15, 0)
    consumed = list_movements(kind="consume")[0]
    assert [(m.quantity, m.reference) for m in consumed] == [(5, "Site A")]
    assert get_reservation(held.id).status == "consumed"
    assert verify_ledger().balanced


def test_fitting_some_serials_installs_them_and_frees_the_others(
    psu: PartType, warsaw: StockLocation
) -> None:
    stock_up(psu, warsaw, 3)
    held = _reserve(psu, warsaw, 2)
    first, second = get_reservation(held.id).serials
    services.consume(actor=None, reservation_id=held.id, serials=[second], site="Rack 4", now=NOW)
    assert unit(psu, second).status == "installed"
    assert (unit(psu, first).status, unit(psu, first).reservation_id) == ("in_stock", None)
    assert (line(psu, warsaw).on_hand, line(psu, warsaw).reserved) == (2, 0)
    installs = list_movements(kind="install")[0]
    assert [m.serial for m in installs] == [second]


def test_consuming_what_was_not_reserved_is_refused(
    session: Any, psu: PartType, cable: PartType, warsaw: StockLocation
) -> None:
    stock_up(psu, warsaw, 3)
    stock_up(cable, warsaw, 10)
    held = _reserve(psu, warsaw, 1)
    free = sorted(set(get_serials(psu)) - set(get_reservation(held.id).serials))[0]
    foreign = refused(
        session, services.consume, actor=None, reservation_id=held.id, serials=[free], now=NOW
    )
    assert isinstance(foreign, ConflictError)
    assert free in foreign.message
    bulk = _reserve(cable, warsaw, 2)
    too_much = refused(
        session, services.consume, actor=None, reservation_id=bulk.id, quantity=3, now=NOW
    )
    assert isinstance(too_much, ConflictError)
    services.release(actor=None, reservation_id=bulk.id, now=NOW)
    released = refused(session, services.consume, actor=None, reservation_id=bulk.id, now=NOW)
    assert isinstance(released, ConflictError)
    assert "released" in released.message
    assert (line(psu, warsaw).on_hand, line(cable, warsaw).on_hand) == (3, 10)
    assert unit(psu, free).status == "in_stock"
    assert len(list_movements(kind="install")[0]) == 0


def test_inactive_or_unknown_locations_are_never_chosen(cable: PartType) -> None:
    far = make_depot(code="DEP-GDN", lat=54.35, lon=18.65)
    stock_up(cable, far, 5)
    outcome = services.reserve_nearest(
        actor=None, sku=cable.sku, quantity=1, point=LODZ, purpose="x", now=NOW
    )
    assert outcome.reservation is not None
    assert outcome.reservation.location_id == far.id
