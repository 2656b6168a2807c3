"""The ledger is the truth: append-only in the database, CHECKs as the backstop on every
stock line, and `fieldops stock verify` proving each line equals the sum of its rows."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import delete, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from fieldops.inventory import services
from fieldops.inventory.models import PartType, StockLevel, StockLocation, StockMovement
from fieldops.inventory.queries import verify_ledger
from tests.factories import DEFAULT_NOW, stock_up

NOW = DEFAULT_NOW


def _busy_world(psu: PartType, cable: PartType, warsaw: Any, krakow: Any, van: Any) -> None:
    stock_up(psu, warsaw, 4)
    stock_up(cable, krakow, 30)
    held = services.reserve(
        actor=None,
        sku=psu.sku,
        quantity=2,
        location_code=warsaw.code,
        job_ref="WO-2026-000001",
        now=NOW,
    )
    services.pick(actor=None, reservation_id=held.id, van_code=van.code, now=NOW)
    services.transfer(
        actor=None, sku=cable.sku, from_code=krakow.code, to_code=van.code, quantity=10, now=NOW
    )
    services.reserve(
        actor=None, sku=cable.sku, quantity=4, location_code=van.code, purpose="x", now=NOW
    )
    services.remove_faulty(
        actor=None, sku=psu.sku, location_code=van.code, serials=["OLD"], site="Site", now=NOW
    )


def test_a_busy_ledger_balances(
    psu: PartType, cable: PartType, warsaw: Any, krakow: Any, van: Any
) -> None:
    _busy_world(psu, cable, warsaw, krakow, van)
    check = verify_ledger()
    assert check.balanced, check.discrepancies
    assert check.lines == 4
    assert check.movements > 0


def test_verify_finds_a_line_that_drifted_from_its_ledger(
    session: Any, psu: PartType, cable: PartType, warsaw: StockLocation, krakow: Any, van: Any
) -> None:
    _busy_world(psu, cable, warsaw, krakow, van)
    # Bypassing the services, as a bad import or a hand edit would.
    session.execute(
        update(StockLevel)
        .where(StockLevel.part_type_id == cable.id, StockLevel.location_id == krakow.id)
        .values(on_hand=StockLevel.on_hand + 3)
    )
    found = verify_ledger().discrepancies
    assert [(d.sku, d.location, d.measure, d.recorded, d.expected, d.source) for d in found] == [
        (cable.sku, krakow.code, "on_hand", 23, 20, "ledger")
    ]


def test_verify_finds_units_that_do_not_match_their_line(
    session: Any, psu: PartType, warsaw: StockLocation
) -> None:
    stock_up(psu, warsaw, 2)
    session.execute(
        text(
            "UPDATE stock_units SET status = 'scrapped', location_id = NULL "
            "WHERE part_type_id = :p AND id IN (SELECT MIN(id) FROM stock_units)"
        ),
        {"p": psu.id},
    )
    found = verify_ledger().discrepancies
    assert [(d.measure, d.recorded, d.expected, d.source) for d in found] == [
        ("on_hand", 2, 1, "units")
    ]


def test_stock_verify_command(
    app: Flask, session: Any, psu: PartType, cable: PartType, warsaw: Any, krakow: Any, van: Any
) -> None:
    _busy_world(psu, cable, warsaw, krakow, van)
    runner = app.test_cli_runner()
    good = runner.invoke(args=["stock", "verify"])
    assert good.exit_code == 0, good.output
    assert "4 stock lines" in good.output
    assert "balanced" in good.output
    session.execute(update(StockLevel).where(StockLevel.location_id == van.id).values(faulty=0))
    bad = runner.invoke(args=["stock", "verify"])
    assert bad.exit_code == 1
    assert f"MISMATCH {psu.sku} at {van.code}: faulty is 0, ledger say 1" in bad.output
    assert "difference" in bad.output


def _refused(session: Any, statement: Any) -> str:
    with pytest.raises(DBAPIError) as refusal, session.begin_nested():
        session.execute(statement)
    return str(refusal.value)


def test_the_database_refuses_to_edit_or_delete_the_ledger(
    session: Any, cable: PartType, warsaw: StockLocation
) -> None:
    stock_up(cable, warsaw, 5)
    assert "append-only" in _refused(session, update(StockMovement).values(quantity=50))
    assert "append-only" in _refused(session, delete(StockMovement))
    assert verify_ledger().balanced


def test_the_database_refuses_stock_that_goes_negative_or_overbooked(
    session: Any, cable: PartType, psu: PartType, warsaw: StockLocation
) -> None:
    stock_up(cable, warsaw, 5)
    stock_up(psu, warsaw, 1)
    line = (StockLevel.part_type_id == cable.id) & (StockLevel.location_id == warsaw.id)
    for values in ({"reserved": 6}, {"reserved": -1}, {"on_hand": -1}, {"faulty": -1}):
        with pytest.raises(IntegrityError), session.begin_nested():
            session.execute(update(StockLevel).where(line).values(**values))
    # A unit marked reserved must name the one reservation holding it.
    with pytest.raises(IntegrityError), session.begin_nested():
        session.execute(text("UPDATE stock_units SET reservation_id = NULL, status = 'reserved'"))
