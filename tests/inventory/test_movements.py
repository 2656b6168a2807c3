"""Receipts, transfers, adjustments, faulty removals, returns, the vendor round trip and
scrapping: what each does to stock lines, units and the ledger, and every refusal."""

from __future__ import annotations

from typing import Any

import pytest

from fieldops.errors import ConflictError, RuleViolationError
from fieldops.inventory import services
from fieldops.inventory.models import PartType, StockLocation
from fieldops.inventory.queries import list_movements, verify_ledger
from tests.factories import DEFAULT_NOW, make_part_type
from tests.inventory.conftest import ledger_count, line, refused, unit

NOW = DEFAULT_NOW


def _receive(part: PartType, depot: StockLocation, **kw: Any) -> Any:
    return services.receive(actor=None, sku=part.sku, location_code=depot.code, now=NOW, **kw)


def test_a_serialised_receipt_creates_units_and_one_ledger_row_each(
    psu: PartType, warsaw: StockLocation, keeper: Any
) -> None:
    rows = services.receive(
        actor=keeper,
        sku="psu-750w-ac",  # SKUs are matched case-insensitively
        location_code="dep-waw",
        serials=["SN1", "SN2", "SN3"],
        reference="Delivery note 4411",
        now=NOW,
    )
    assert [r.quantity for r in rows] == [1, 1, 1]
    assert {r.kind for r in rows} == {"receipt"}
    assert line(psu, warsaw).on_hand == 3
    assert unit(psu, "SN2").status == "in_stock"
    assert unit(psu, "SN2").location_id == warsaw.id
    movement = list_movements(sku=psu.sku)[0][0]
    assert (movement.to_location, movement.actor, movement.reference) == (
        "DEP-WAW",
        keeper.email,
        "Delivery note 4411",
    )


def test_a_bulk_receipt_is_one_row(cable: PartType, warsaw: StockLocation) -> None:
    rows = _receive(cable, warsaw, quantity=250)
    assert [(r.kind, r.quantity, r.unit_id) for r in rows] == [("receipt", 250, None)]
    assert line(cable, warsaw).on_hand == 250


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"sku": "NO-SUCH-SKU", "quantity": 1}, "sku"),
        ({"location_code": "DEP-NOWHERE", "quantity": 1}, "location"),
        ({"quantity": 0}, "quantity"),
        ({"quantity": -3}, "quantity"),
        ({"quantity": None}, "quantity"),
        ({"quantity": 2, "serials": ["X1"]}, "serials"),  # cable is not serialised
    ],
)
def test_bad_bulk_receipts_are_refused_naming_the_field(
    session: Any,
    cable: PartType,
    warsaw: StockLocation,
    kwargs: dict[str, Any],
    field: str,
) -> None:
    args = {"actor": None, "sku": cable.sku, "location_code": warsaw.code, "now": NOW, **kwargs}
    error = refused(session, services.receive, **args)
    assert isinstance(error, RuleViolationError)
    assert field in error.errors
    assert ledger_count() == 0
    assert line(cable, warsaw).on_hand == 0


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({}, "serials"),  # a serialised part names its serials
        ({"serials": ["A", "A"]}, "serials"),
        ({"serials": ["A", " "]}, "serials"),
        ({"serials": ["A", "B"], "quantity": 3}, "quantity"),
    ],
)
def test_bad_serialised_receipts_are_refused(
    session: Any, psu: PartType, warsaw: StockLocation, kwargs: dict[str, Any], field: str
) -> None:
    error = refused(
        session,
        services.receive,
        actor=None,
        sku=psu.sku,
        location_code=warsaw.code,
        now=NOW,
        **kwargs,
    )
    assert isinstance(error, RuleViolationError)
    assert field in error.errors
    assert ledger_count() == 0


def test_a_serial_already_recorded_is_a_conflict_and_nothing_is_received(
    session: Any, psu: PartType, warsaw: StockLocation
) -> None:
    _receive(psu, warsaw, serials=["SN1"])
    error = refused(
        session,
        services.receive,
        actor=None,
        sku=psu.sku,
        location_code=warsaw.code,
        serials=["SN2", "SN1"],
        now=NOW,
    )
    assert isinstance(error, ConflictError)
    assert "SN1" in error.message
    assert line(psu, warsaw).on_hand == 1
    assert ledger_count() == 1


def test_the_same_serial_may_exist_for_another_part_type(
    psu: PartType, warsaw: StockLocation
) -> None:
    other = make_part_type(sku="FAN-TRAY-2")
    _receive(psu, warsaw, serials=["ABC123"])
    services.receive(
        actor=None, sku=other.sku, location_code=warsaw.code, serials=["ABC123"], now=NOW
    )
    assert line(other, warsaw).on_hand == 1


def test_receipts_go_to_depots_not_vans(session: Any, cable: PartType, van: StockLocation) -> None:
    error = refused(
        session,
        services.receive,
        actor=None,
        sku=cable.sku,
        location_code=van.code,
        quantity=5,
        now=NOW,
    )
    assert isinstance(error, RuleViolationError)
    assert "location" in error.errors


def test_a_transfer_moves_unreserved_stock_and_its_units(
    psu: PartType, warsaw: StockLocation, van: StockLocation
) -> None:
    _receive(psu, warsaw, serials=["S1", "S2", "S3"])
    services.transfer(
        actor=None, sku=psu.sku, from_code=warsaw.code, to_code=van.code, quantity=2, now=NOW
    )
    assert (line(psu, warsaw).on_hand, line(psu, van).on_hand) == (1, 2)
    # Oldest first when no serials are named.
    assert unit(psu, "S1").location_id == van.id
    assert unit(psu, "S2").location_id == van.id
    assert unit(psu, "S3").location_id == warsaw.id
    assert verify_ledger().balanced


def test_a_transfer_of_named_serials_moves_those(
    psu: PartType, warsaw: StockLocation, krakow: StockLocation
) -> None:
    _receive(psu, warsaw, serials=["S1", "S2", "S3"])
    services.transfer(
        actor=None, sku=psu.sku, from_code=warsaw.code, to_code=krakow.code, serials=["S3"], now=NOW
    )
    assert unit(psu, "S3").location_id == krakow.id
    assert unit(psu, "S1").location_id == warsaw.id


def test_a_transfer_to_the_same_place_is_refused(
    session: Any, cable: PartType, warsaw: StockLocation
) -> None:
    _receive(cable, warsaw, quantity=10)
    error = refused(
        session,
        services.transfer,
        actor=None,
        sku=cable.sku,
        from_code=warsaw.code,
        to_code=warsaw.code,
        quantity=1,
        now=NOW,
    )
    assert isinstance(error, RuleViolationError)
    assert "to" in error.errors
    assert ledger_count() == 1


def test_reserved_stock_cannot_be_transferred_away(
    session: Any, cable: PartType, warsaw: StockLocation, krakow: StockLocation
) -> None:
    _receive(cable, warsaw, quantity=10)
    services.reserve(
        actor=None,
        sku=cable.sku,
        quantity=8,
        location_code=warsaw.code,
        purpose="Planned maintenance",
        now=NOW,
    )
    error = refused(
        session,
        services.transfer,
        actor=None,
        sku=cable.sku,
        from_code=warsaw.code,
        to_code=krakow.code,
        quantity=3,
        now=NOW,
    )
    assert isinstance(error, ConflictError)
    assert "2 available" in error.message
    assert line(cable, warsaw).on_hand == 10
    assert line(cable, krakow).on_hand == 0


def test_a_serial_at_another_location_cannot_be_transferred_from_here(
    session: Any, psu: PartType, warsaw: StockLocation, krakow: StockLocation, van: StockLocation
) -> None:
    _receive(psu, warsaw, serials=["S1"])
    _receive(psu, krakow, serials=["K1"])
    error = refused(
        session,
        services.transfer,
        actor=None,
        sku=psu.sku,
        from_code=warsaw.code,
        to_code=van.code,
        serials=["K1"],
        now=NOW,
    )
    assert isinstance(error, ConflictError)
    assert "K1" in error.message
    assert unit(psu, "K1").location_id == krakow.id
    assert line(psu, warsaw).on_hand == 1
    assert line(psu, van).on_hand == 0


def test_adjustments_need_a_reason_and_go_either_way(
    session: Any, cable: PartType, psu: PartType, warsaw: StockLocation
) -> None:
    _receive(cable, warsaw, quantity=10)
    _receive(psu, warsaw, serials=["S1", "S2"])
    services.adjust(
        actor=None,
        sku=cable.sku,
        location_code=warsaw.code,
        direction="in",
        quantity=4,
        reason="Count found a spare reel",
        now=NOW,
    )
    services.adjust(
        actor=None,
        sku=psu.sku,
        location_code=warsaw.code,
        direction="out",
        serials=["S2"],
        reason="Lost in the depot move",
        now=NOW,
    )
    assert line(cable, warsaw).on_hand == 14
    assert line(psu, warsaw).on_hand == 1
    assert unit(psu, "S2").status == "scrapped"
    assert unit(psu, "S2").location_id is None
    error = refused(
        session,
        services.adjust,
        actor=None,
        sku=cable.sku,
        location_code=warsaw.code,
        direction="out",
        quantity=1,
        reason="  ",
        now=NOW,
    )
    assert "reason" in error.errors
    error = refused(
        session,
        services.adjust,
        actor=None,
        sku=cable.sku,
        location_code=warsaw.code,
        direction="sideways",
        quantity=1,
        reason="x",
        now=NOW,
    )
    assert "direction" in error.errors
    error = refused(
        session,
        services.adjust,
        actor=None,
        sku=cable.sku,
        location_code=warsaw.code,
        direction="out",
        quantity=15,
        reason="x",
        now=NOW,
    )
    assert isinstance(error, ConflictError)
    assert line(cable, warsaw).on_hand == 14
    assert verify_ledger().balanced


def test_faulty_unit_travels_from_the_site_to_the_vendor_and_back(
    psu: PartType, warsaw: StockLocation, van: StockLocation
) -> None:
    """The RMA path: fitted, removed faulty into the van, returned to a depot, sent to the
    vendor, received back repaired; every step on the ledger, every line balanced."""
    _receive(psu, warsaw, serials=["S1"])
    held = services.reserve(
        actor=None,
        sku=psu.sku,
        quantity=1,
        location_code=warsaw.code,
        job_ref="WO-2026-000045",
        now=NOW,
    )
    services.pick(actor=None, reservation_id=held.id, van_code=van.code, now=NOW)
    services.consume(actor=None, reservation_id=held.id, site="Warsaw PoP, rack 12", now=NOW)
    assert unit(psu, "S1").status == "installed"
    assert unit(psu, "S1").whereabouts == "Warsaw PoP, rack 12"

    services.remove_faulty(
        actor=None,
        sku=psu.sku,
        location_code=van.code,
        serials=["S1"],
        site="Warsaw PoP, rack 12",
        now=NOW,
    )
    assert (unit(psu, "S1").status, unit(psu, "S1").location_id) == ("faulty", van.id)
    assert (line(psu, van).faulty, line(psu, van).on_hand) == (1, 0)

    services.return_faulty(
        actor=None, sku=psu.sku, from_code=van.code, to_code=warsaw.code, serials=["S1"], now=NOW
    )
    assert (line(psu, van).faulty, line(psu, warsaw).faulty) == (0, 1)

    services.send_to_vendor(
        actor=None, sku=psu.sku, location_code=warsaw.code, rma="RMA-88121", serials=["S1"], now=NOW
    )
    assert unit(psu, "S1").status == "at_vendor"
    assert unit(psu, "S1").whereabouts == "RMA RMA-88121"
    assert line(psu, warsaw).faulty == 0

    services.receive_from_vendor(
        actor=None, sku=psu.sku, location_code=warsaw.code, rma="RMA-88121", serials=["S1"], now=NOW
    )
    assert (unit(psu, "S1").status, line(psu, warsaw).on_hand) == ("in_stock", 1)
    kinds = [m.kind for m in list_movements(sku=psu.sku)[0]]
    assert kinds == [
        "receive_from_vendor",
        "send_to_vendor",
        "return",
        "remove",
        "install",
        "pick",
        "receipt",
    ]
    assert verify_ledger().balanced


def test_a_unit_never_seen_before_can_be_removed_faulty(psu: PartType, van: StockLocation) -> None:
    services.remove_faulty(
        actor=None,
        sku=psu.sku,
        location_code=van.code,
        serials=["OLD-1"],
        site="Customer site fitted before fieldops",
        now=NOW,
    )
    assert unit(psu, "OLD-1").status == "faulty"
    assert line(psu, van).faulty == 1


def test_removing_a_unit_still_in_stock_or_without_a_site_is_refused(
    session: Any, psu: PartType, warsaw: StockLocation, van: StockLocation
) -> None:
    _receive(psu, warsaw, serials=["S1"])
    error = refused(
        session,
        services.remove_faulty,
        actor=None,
        sku=psu.sku,
        location_code=van.code,
        serials=["S1"],
        site="Site",
        now=NOW,
    )
    assert isinstance(error, ConflictError)
    error = refused(
        session,
        services.remove_faulty,
        actor=None,
        sku=psu.sku,
        location_code=van.code,
        serials=["NEW"],
        site="",
        now=NOW,
    )
    assert "site" in error.errors
    assert line(psu, van).faulty == 0


def test_returns_go_to_a_depot_and_need_faulty_stock(
    session: Any, cable: PartType, warsaw: StockLocation, van: StockLocation, krakow: Any
) -> None:
    services.remove_faulty(
        actor=None, sku=cable.sku, location_code=van.code, quantity=2, site="Site", now=NOW
    )
    other_van = refused(
        session,
        services.return_faulty,
        actor=None,
        sku=cable.sku,
        from_code=warsaw.code,
        to_code=van.code,
        quantity=1,
        now=NOW,
    )
    assert "to" in other_van.errors
    too_many = refused(
        session,
        services.return_faulty,
        actor=None,
        sku=cable.sku,
        from_code=van.code,
        to_code=warsaw.code,
        quantity=3,
        now=NOW,
    )
    assert isinstance(too_many, ConflictError)
    assert "2 faulty" in too_many.message
    services.return_faulty(
        actor=None, sku=cable.sku, from_code=van.code, to_code=warsaw.code, quantity=2, now=NOW
    )
    assert (line(cable, van).faulty, line(cable, warsaw).faulty) == (0, 2)


def test_the_vendor_leg_needs_an_rma_number_and_a_depot(
    session: Any, psu: PartType, warsaw: StockLocation, van: StockLocation
) -> None:
    services.remove_faulty(
        actor=None, sku=psu.sku, location_code=van.code, serials=["F1"], site="Site", now=NOW
    )
    from_van = refused(
        session,
        services.send_to_vendor,
        actor=None,
        sku=psu.sku,
        location_code=van.code,
        rma="RMA-1",
        serials=["F1"],
        now=NOW,
    )
    assert "from" in from_van.errors
    services.return_faulty(
        actor=None, sku=psu.sku, from_code=van.code, to_code=warsaw.code, serials=["F1"], now=NOW
    )
    no_rma = refused(
        session,
        services.send_to_vendor,
        actor=None,
        sku=psu.sku,
        location_code=warsaw.code,
        rma=" ",
        serials=["F1"],
        now=NOW,
    )
    assert "reference" in no_rma.errors
    assert unit(psu, "F1").status == "faulty"


def test_a_replacement_from_the_vendor_is_a_new_unit(
    session: Any, psu: PartType, warsaw: StockLocation
) -> None:
    _receive(psu, warsaw, serials=["S1"])
    services.receive_from_vendor(
        actor=None, sku=psu.sku, location_code=warsaw.code, rma="RMA-2", serials=["NEW-7"], now=NOW
    )
    assert unit(psu, "NEW-7").status == "in_stock"
    # A serial sitting in our stock cannot come back from the vendor.
    error = refused(
        session,
        services.receive_from_vendor,
        actor=None,
        sku=psu.sku,
        location_code=warsaw.code,
        rma="RMA-2",
        serials=["S1"],
        now=NOW,
    )
    assert isinstance(error, ConflictError)
    assert line(psu, warsaw).on_hand == 2


def test_scrapping_writes_off_faulty_stock_with_a_reason(
    session: Any, psu: PartType, warsaw: StockLocation, van: StockLocation
) -> None:
    services.remove_faulty(
        actor=None, sku=psu.sku, location_code=van.code, serials=["F1"], site="Site", now=NOW
    )
    error = refused(
        session,
        services.scrap,
        actor=None,
        sku=psu.sku,
        location_code=van.code,
        serials=["F1"],
        reason="",
        now=NOW,
    )
    assert "reason" in error.errors
    services.scrap(
        actor=None,
        sku=psu.sku,
        location_code=van.code,
        serials=["F1"],
        reason="Burnt out, not repairable",
        now=NOW,
    )
    assert unit(psu, "F1").status == "scrapped"
    assert line(psu, van).faulty == 0
    assert verify_ledger().balanced
