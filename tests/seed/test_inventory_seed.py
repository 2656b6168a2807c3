"""seed: the demo's engineers, vans, depots, parts and stock load through the services, balance
on the ledger, show alerts, and load only once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import func, select

from fieldops.accounts.models import User
from fieldops.db import db
from fieldops.engineers.models import Engineer
from fieldops.inventory import queries
from fieldops.inventory.models import (
    Backorder,
    PartType,
    StockAlert,
    StockLevel,
    StockLocation,
    StockMovement,
    StockReservation,
    StockUnit,
)
from seed import loader
from seed.inventory import van_kit
from tests.factories import cheap_password_hashing

TABLES = (
    Engineer,
    StockLocation,
    PartType,
    StockLevel,
    StockUnit,
    StockMovement,
    StockReservation,
    StockAlert,
    Backorder,
)


def _quiet(_: str) -> None:
    return None


@pytest.fixture
def seeded(fresh_app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    """A fresh, committed database holding the demo world."""
    cheap_password_hashing(monkeypatch)
    with fresh_app.app_context():
        loader.load_demo(echo=_quiet)
        yield fresh_app


def _count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_demo_stock_is_complete_alerting_and_balanced(seeded: Flask) -> None:
    data = loader.read_json("inventory.json")
    depots = list(db.session.scalars(select(StockLocation).where(StockLocation.kind == "depot")))
    assert {d.code for d in depots} == {d["code"] for d in data["depots"]}
    assert 4 <= len(depots) <= 6
    assert len({d.city for d in depots}) == len(depots)

    engineers = list(db.session.scalars(select(Engineer)))
    assert len(engineers) >= 20
    vans = {
        v.engineer_id: v
        for v in db.session.scalars(select(StockLocation).where(StockLocation.kind == "van"))
    }
    for engineer in engineers:
        van = vans[engineer.id]
        assert (van.lat, van.lon) == (engineer.home_lat, engineer.home_lon)
        assert engineer.skills
    assert len({tuple(e.skills) for e in engineers}) >= 8
    linked = db.session.scalar(
        select(Engineer)
        .join(User, User.id == Engineer.user_id)
        .where(User.email == "krzysztof.mazur@fieldops.example")
    )
    assert linked is not None

    parts = list(db.session.scalars(select(PartType)))
    assert len(parts) >= 50
    assert sum(p.is_serialised for p in parts) > len(parts) / 2
    assert {p.unit for p in parts if not p.is_serialised} >= {"m", "pack"}
    depot_ids = {d.id for d in depots}
    stocked = set(
        db.session.scalars(
            select(StockLevel.part_type_id).where(
                StockLevel.location_id.in_(depot_ids), StockLevel.on_hand > 0
            )
        )
    )
    assert stocked == {p.id for p in parts}

    engineers_file = loader.read_json("engineers.json")["engineers"]
    kits = [van_kit(e["skills"], data["van_kits"]) for e in engineers_file]
    van_lines = db.session.scalar(
        select(func.count())
        .select_from(StockLevel)
        .where(StockLevel.location_id.in_([v.id for v in vans.values()]), StockLevel.on_hand > 0)
    )
    assert van_lines == sum(len(kit) for kit in kits)

    under_floor, _ = queries.list_stock(below_floor=True, kind="depot", per_page=100)
    assert len(under_floor) >= 3
    alerts, total = queries.list_alerts(per_page=100)
    assert total >= len(under_floor)
    alerting = {(a.sku, a.location) for a in alerts if a.kind == "below_reserve_floor"}
    assert {(row.sku, row.location) for row in under_floor} <= alerting

    # Reservations and backorders made for dispatch jobs belong to the dispatch demo.
    held, _ = queries.list_reservations(status="held", per_page=100)
    held = [r for r in held if r.job_id is None]
    assert len(held) == len(data["held_reservations"])
    assert all(r.purpose and r.purpose.startswith("Planned maintenance") for r in held)
    assert {"install", "remove", "return", "send_to_vendor", "transfer", "receipt"} <= set(
        db.session.scalars(select(StockMovement.kind).distinct())
    )
    statuses = set(db.session.scalars(select(StockUnit.status).distinct()))
    assert {"in_stock", "reserved", "installed", "faulty", "at_vendor"} <= statuses
    backorders, _ = queries.list_backorders()
    assert [b.sku for b in backorders if b.job_id is None] == [
        b["sku"] for b in data["backorders"]
    ]

    check = queries.verify_ledger()
    assert check.balanced, check.discrepancies
    assert check.movements > 400


def test_loading_the_demo_again_adds_no_inventory(seeded: Flask) -> None:
    before = {model.__tablename__: _count(model) for model in TABLES}

    again = loader.load_demo(echo=_quiet)

    assert {model.__tablename__: _count(model) for model in TABLES} == before
    assert not again.created
    assert queries.verify_ledger().balanced
