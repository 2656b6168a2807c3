"""Stock lines with their part and location, filtered and paginated; one location's totals."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select

from fieldops.db import db
from fieldops.inventory.models import PartType, StockAlert, StockLevel, StockLocation
from fieldops.inventory.rules import LocationKind


@dataclass(frozen=True)
class StockRow:
    sku: str
    part_name: str
    category: str
    serialised: bool
    location: str
    location_kind: str
    on_hand: int
    reserved: int
    faulty: int
    reserve_floor: int
    reorder_point: int | None

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved

    @property
    def below_floor(self) -> bool:
        return self.available < self.reserve_floor

    @property
    def below_reorder_point(self) -> bool:
        return self.reorder_point is not None and self.available < self.reorder_point


# A depot line without its own reorder point takes the part type's; a van has none.
EFFECTIVE_REORDER_POINT = case(
    (StockLocation.kind == LocationKind.VAN, StockLevel.reorder_point),
    else_=func.coalesce(StockLevel.reorder_point, PartType.reorder_point),
)
AVAILABLE = StockLevel.on_hand - StockLevel.reserved


def list_stock(
    *,
    page: int = 1,
    per_page: int = 50,
    sku: str | None = None,
    location: str | None = None,
    kind: str | None = None,
    category: str | None = None,
    below_floor: bool = False,
    alerting: bool = False,
) -> tuple[list[StockRow], int]:
    """Lines in SKU then location order. `below_floor`: available under the reserve floor;
    `alerting`: under the floor or the reorder point. Unknown SKUs or codes match nothing."""
    statement = (
        select(
            PartType.sku,
            PartType.name,
            PartType.category,
            PartType.is_serialised,
            StockLocation.code,
            StockLocation.kind,
            StockLevel.on_hand,
            StockLevel.reserved,
            StockLevel.faulty,
            StockLevel.reserve_floor,
            EFFECTIVE_REORDER_POINT,
        )
        .join(PartType, PartType.id == StockLevel.part_type_id)
        .join(StockLocation, StockLocation.id == StockLevel.location_id)
    )
    if sku:
        statement = statement.where(PartType.sku == sku.strip().upper())
    if location:
        statement = statement.where(StockLocation.code == location.strip().upper())
    if kind:
        statement = statement.where(StockLocation.kind == kind)
    if category:
        statement = statement.where(PartType.category == category)
    if below_floor:
        statement = statement.where(StockLevel.reserve_floor > AVAILABLE)
    if alerting:
        statement = statement.where(
            (StockLevel.reserve_floor > AVAILABLE)
            | (EFFECTIVE_REORDER_POINT.is_not(None) & (AVAILABLE < EFFECTIVE_REORDER_POINT))
        )
    total = db.session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    rows = db.session.execute(
        statement.order_by(PartType.sku, StockLocation.code)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return [StockRow(*row) for row in rows], int(total)


@dataclass(frozen=True)
class LocationSummary:
    lines: int
    on_hand: int
    reserved: int
    faulty: int
    below_floor: int
    below_reorder_point: int
    open_alerts: int


def location_summary(location_id: int) -> LocationSummary:
    """Totals for one location's stock page header: one aggregate over its lines."""
    lines, on_hand, reserved, faulty, under_floor, under_reorder = db.session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(StockLevel.on_hand), 0),
            func.coalesce(func.sum(StockLevel.reserved), 0),
            func.coalesce(func.sum(StockLevel.faulty), 0),
            func.coalesce(func.sum(case((StockLevel.reserve_floor > AVAILABLE, 1), else_=0)), 0),
            func.coalesce(
                func.sum(
                    case(
                        (
                            EFFECTIVE_REORDER_POINT.is_not(None)
                            & (AVAILABLE < EFFECTIVE_REORDER_POINT),
                            1,
                        ),
                        else_=0,
                    )
                ),
                0,
            ),
        )
        .select_from(StockLevel)
        .join(PartType, PartType.id == StockLevel.part_type_id)
        .join(StockLocation, StockLocation.id == StockLevel.location_id)
        .where(StockLevel.location_id == location_id)
    ).one()
    alerts = db.session.scalar(
        select(func.count())
        .select_from(StockAlert)
        .where(StockAlert.cleared_at.is_(None), StockAlert.location_id == location_id)
    )
    return LocationSummary(
        int(lines),
        int(on_hand),
        int(reserved),
        int(faulty),
        int(under_floor),
        int(under_reorder),
        int(alerts or 0),
    )
