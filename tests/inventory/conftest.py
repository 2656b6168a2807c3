"""Fixtures and readers the inventory tests share: a stock manager, two depots, a van, and
the numbers of a stock line as the database holds them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select

from fieldops.accounts.models import User
from fieldops.db import db, transaction
from fieldops.errors import DomainError
from fieldops.inventory.models import PartType, StockLevel, StockLocation, StockMovement, StockUnit
from tests.factories import make_depot, make_engineer, make_part_type, make_user, make_van


@dataclass(frozen=True)
class Line:
    on_hand: int
    reserved: int
    faulty: int
    reserve_floor: int

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


def line(part: PartType, location: StockLocation) -> Line:
    row = db.session.execute(
        select(
            StockLevel.on_hand, StockLevel.reserved, StockLevel.faulty, StockLevel.reserve_floor
        ).where(StockLevel.part_type_id == part.id, StockLevel.location_id == location.id)
    ).first()
    return Line(*row) if row else Line(0, 0, 0, 0)


def ledger_count() -> int:
    return int(db.session.scalar(select(func.count()).select_from(StockMovement)) or 0)


def unit(part: PartType, serial: str) -> StockUnit:
    found = db.session.scalar(
        select(StockUnit)
        .where(StockUnit.part_type_id == part.id, StockUnit.serial == serial)
        .execution_options(populate_existing=True)
    )
    assert found is not None, serial
    return found


@pytest.fixture
def keeper(session: Any) -> User:
    return make_user(role="stock_manager")


@pytest.fixture
def warsaw(session: Any) -> StockLocation:
    return make_depot(code="DEP-WAW", name="Warsaw depot", lat=52.2297, lon=21.0122)


@pytest.fixture
def krakow(session: Any) -> StockLocation:
    return make_depot(code="DEP-KRK", name="Krakow depot", lat=50.0647, lon=19.9450, city="Krakow")


@pytest.fixture
def van(session: Any) -> StockLocation:
    engineer = make_engineer(name="Anna Nowak", home_lat=52.40, home_lon=16.93)  # Poznań
    return make_van(engineer, code="VAN-AN")


@pytest.fixture
def psu(session: Any) -> PartType:
    return make_part_type(sku="PSU-750W-AC", name="750 W AC power supply", reorder_point=0)


@pytest.fixture
def cable(session: Any) -> PartType:
    return make_part_type(sku="CAB-OM4-LC", name="OM4 LC-LC patch cable", serialised=False)


def refused(session: Any, call: Any, **kwargs: Any) -> Any:
    """Commit the test's set-up, run one service call as a unit of work that must be refused,
    and return the DomainError: the unit of work rolled back, so nothing of it remains."""
    session.commit()
    with pytest.raises(DomainError) as error, transaction():
        call(**kwargs)
    return error.value
