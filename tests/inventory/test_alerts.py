"""Alerts open when a line falls under its reorder point or reserve floor and clear when it
recovers; emergency uses wait for a stock manager; backorders are closed by hand."""

from __future__ import annotations

from typing import Any

from fieldops.errors import ConflictError, NotFoundError, RuleViolationError
from fieldops.geo import Point
from fieldops.inventory import services
from fieldops.inventory.models import PartType, StockAlert, StockLocation
from fieldops.inventory.queries import list_alerts, list_backorders
from tests.factories import DEFAULT_NOW, make_part_type, stock_up
from tests.inventory.conftest import refused

NOW = DEFAULT_NOW


def _open_kinds(location: StockLocation) -> set[str]:
    return {a.kind for a in list_alerts(location=location.code)[0]}


def test_falling_under_the_reorder_point_raises_an_alert_that_clears_on_receipt(
    session: Any, warsaw: StockLocation
) -> None:
    optic = make_part_type(sku="SFP-10G-LR", reorder_point=4)
    stock_up(optic, warsaw, 5)
    assert _open_kinds(warsaw) == set()
    held = services.reserve(
        actor=None, sku=optic.sku, quantity=2, location_code=warsaw.code, purpose="x", now=NOW
    )
    assert _open_kinds(warsaw) == {"below_reorder_point"}
    alert = list_alerts(location=warsaw.code)[0][0]
    assert (alert.sku, alert.detail) == ("SFP-10G-LR", "3 available, under the reorder point of 4.")
    # Going lower again does not raise a second alert of the same kind.
    services.consume(actor=None, reservation_id=held.id, now=NOW)
    services.reserve(
        actor=None, sku=optic.sku, quantity=1, location_code=warsaw.code, purpose="y", now=NOW
    )
    assert len(list_alerts(location=warsaw.code)[0]) == 1
    # The text keeps the count it was raised with; the view also says what is there now.
    assert list_alerts(location=warsaw.code)[0][0].available_now == 2
    stock_up(optic, warsaw, 5)
    assert _open_kinds(warsaw) == set()
    history = list_alerts(open_only=False, location=warsaw.code)[0]
    assert [a.cleared_at is not None for a in history] == [True]


def test_a_floor_set_above_the_stock_raises_its_alert_at_once(
    cable: PartType, warsaw: StockLocation
) -> None:
    stock_up(cable, warsaw, 3)
    services.set_line_limits(
        sku=cable.sku, location_code=warsaw.code, reserve_floor=5, reorder_point=10, now=NOW
    )
    assert _open_kinds(warsaw) == {"below_reserve_floor", "below_reorder_point"}
    services.set_line_limits(sku=cable.sku, location_code=warsaw.code, reserve_floor=2, now=NOW)
    # The line's own reorder point is gone; the part type's (0) applies again.
    assert _open_kinds(warsaw) == set()


def test_limits_refuse_negative_values(session: Any, cable: PartType, warsaw: Any) -> None:
    error = refused(
        session,
        services.set_line_limits,
        sku=cable.sku,
        location_code=warsaw.code,
        reserve_floor=-1,
        reorder_point=-2,
        now=NOW,
    )
    assert isinstance(error, RuleViolationError)
    assert set(error.errors) == {"reserve_floor", "reorder_point"}


def test_a_van_has_no_reorder_alert_but_keeps_a_floor(van: StockLocation) -> None:
    optic = make_part_type(sku="SFP-1G-SX", reorder_point=10)
    stock_up(optic, van, 2)
    assert _open_kinds(van) == set()
    services.set_line_limits(sku=optic.sku, location_code=van.code, reserve_floor=3, now=NOW)
    assert _open_kinds(van) == {"below_reserve_floor"}


def test_emergency_alerts_are_acknowledged_by_a_stock_manager(
    session: Any, cable: PartType, warsaw: StockLocation, keeper: Any
) -> None:
    stock_up(cable, warsaw, 2)
    services.set_line_limits(sku=cable.sku, location_code=warsaw.code, reserve_floor=2, now=NOW)
    services.reserve(
        actor=None,
        sku=cable.sku,
        quantity=1,
        location_code=warsaw.code,
        purpose="P1",
        emergency=True,
        now=NOW,
    )
    by_kind = {a.kind: a for a in list_alerts()[0]}
    emergency, level = by_kind["emergency_use"], by_kind["below_reserve_floor"]
    cleared = services.acknowledge_alert(actor=keeper, alert_id=emergency.id, now=NOW)
    assert (cleared.cleared_at, cleared.cleared_by_id) == (NOW, keeper.id)
    twice = refused(
        session, services.acknowledge_alert, actor=keeper, alert_id=emergency.id, now=NOW
    )
    assert isinstance(twice, ConflictError)
    level_refused = refused(
        session, services.acknowledge_alert, actor=keeper, alert_id=level.id, now=NOW
    )
    assert isinstance(level_refused, ConflictError)
    assert session.get(StockAlert, level.id).cleared_at is None
    unknown = refused(session, services.acknowledge_alert, actor=keeper, alert_id=10**9, now=NOW)
    assert isinstance(unknown, NotFoundError)


def test_backorders_are_closed_once(session: Any, cable: PartType, keeper: Any) -> None:
    outcome = services.reserve_nearest(
        actor=keeper, sku=cable.sku, quantity=3, point=Point(52.0, 21.0), purpose="x", now=NOW
    )
    assert outcome.backorder is not None
    assert [b.id for b in list_backorders()[0]] == [outcome.backorder.id]
    bad = refused(
        session,
        services.close_backorder,
        actor=keeper,
        backorder_id=outcome.backorder.id,
        status="open",
        now=NOW,
    )
    assert "status" in bad.errors
    services.close_backorder(
        actor=keeper, backorder_id=outcome.backorder.id, status="fulfilled", now=NOW
    )
    assert list_backorders()[1] == 0
    assert [b.status for b in list_backorders(status=None)[0]] == ["fulfilled"]
    again = refused(
        session,
        services.close_backorder,
        actor=keeper,
        backorder_id=outcome.backorder.id,
        status="cancelled",
        now=NOW,
    )
    assert isinstance(again, ConflictError)
