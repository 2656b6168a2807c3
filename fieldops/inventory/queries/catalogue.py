"""Part types, stock locations and serialised units."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, or_, select

from fieldops.db import db
from fieldops.errors import NotFoundError
from fieldops.inventory.models import PartType, StockLocation, StockUnit


def _page(statement: Select[Any], page: int, per_page: int) -> tuple[list[Any], int]:
    total = db.session.scalar(select(func.count()).select_from(statement.subquery()))
    rows = db.session.scalars(statement.limit(per_page).offset((page - 1) * per_page)).all()
    return list(rows), int(total or 0)


def list_part_types(
    *, page: int = 1, per_page: int = 50, category: str | None = None, q: str | None = None
) -> tuple[list[PartType], int]:
    """The catalogue in SKU order; `q` matches the start of the SKU or any part of the name."""
    statement = select(PartType).order_by(PartType.sku)
    if category:
        statement = statement.where(PartType.category == category)
    if q and q.strip():
        text = q.strip()
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        statement = statement.where(
            or_(
                PartType.sku.like(f"{escaped.upper()}%", escape="\\"),
                func.lower(PartType.name).like(f"%{escaped.lower()}%", escape="\\"),
            )
        )
    return _page(statement, page, per_page)


def get_part_type(sku: str) -> PartType:
    part = db.session.scalar(select(PartType).where(PartType.sku == sku.strip().upper()))
    if part is None:
        raise NotFoundError(f"No part type {sku.strip()[:40]}.")
    return part


def list_locations(
    *, page: int = 1, per_page: int = 50, kind: str | None = None
) -> tuple[list[StockLocation], int]:
    """Active locations, depots first, in code order."""
    statement = (
        select(StockLocation)
        .where(StockLocation.is_active.is_(True))
        .order_by(StockLocation.kind, StockLocation.code)
    )
    if kind:
        statement = statement.where(StockLocation.kind == kind)
    return _page(statement, page, per_page)


def get_location(code: str) -> StockLocation:
    location = db.session.scalar(
        select(StockLocation).where(StockLocation.code == code.strip().upper())
    )
    if location is None:
        raise NotFoundError(f"No stock location {code.strip()[:40]}.")
    return location


def location_of_engineer(engineer_id: int) -> StockLocation | None:
    """The engineer's van, if one was set up."""
    return db.session.scalar(select(StockLocation).where(StockLocation.engineer_id == engineer_id))


def list_units(
    part: PartType,
    *,
    page: int = 1,
    per_page: int = 50,
    status: str | None = None,
    location_id: int | None = None,
) -> tuple[list[tuple[StockUnit, str | None]], int]:
    """A serialised part's units in serial order, each with its location's code (None when
    it is fitted at a site, at the vendor or scrapped)."""
    statement = (
        select(StockUnit, StockLocation.code)
        .outerjoin(StockLocation, StockLocation.id == StockUnit.location_id)
        .where(StockUnit.part_type_id == part.id)
        .order_by(StockUnit.serial)
    )
    if status:
        statement = statement.where(StockUnit.status == status)
    if location_id is not None:
        statement = statement.where(StockUnit.location_id == location_id)
    total = db.session.scalar(select(func.count()).select_from(statement.subquery()))
    rows = db.session.execute(statement.limit(per_page).offset((page - 1) * per_page))
    return [(unit, code) for unit, code in rows], int(total or 0)
