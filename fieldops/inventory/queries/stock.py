"""Stock lines with their part and location, filtered and paginated; one location's totals."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

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


# A depot line without its own reorder point takes the part type's; a van has none
# (rules.effective_reorder_point in Python).
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


class LocationSummary(NamedTuple):
    lines: int
    on_hand: int
    reserved: int
    faulty: int
    below_floor: int
    below_reorder_point: int
    open_alerts: int


ZERO_SUMMARY = LocationSummary(0, 0, 0, 0, 0, 0, 0)


def location_summary(location_id: int) -> LocationSummary:
    """Totals for one location's stock page header."""
    return location_summaries([location_id]).get(location_id, ZERO_SUMMARY)


def location_summaries(location_ids: Sequence[int]) -> dict[int, LocationSummary]:
    """Totals per location, for a page of locations at once: one aggregate over their lines
    and one count of their open alerts, whatever their number. A location with no lines is
    absent (ZERO_SUMMARY)."""
    ids = list(location_ids)
    if not ids:
        return {}
    under_floor = case((StockLevel.reserve_floor > AVAILABLE, 1), else_=0)
    under_reorder = case(
        (EFFECTIVE_REORDER_POINT.is_not(None) & (AVAILABLE < EFFECTIVE_REORDER_POINT), 1),
        else_=0,
    )
    rows = db.session.execute(
        select(
            StockLevel.location_id,
            func.count(),
            func.sum(StockLevel.on_hand),
            func.sum(StockLevel.reserved),
            func.sum(StockLevel.faulty),
            func.sum(under_floor),
            func.sum(under_reorder),
        )
        .join(PartType, PartType.id == StockLevel.part_type_id)
        .join(StockLocation, StockLocation.id == StockLevel.location_id)
        .where(StockLevel.location_id.in_(ids))
        .group_by(StockLevel.location_id)
    ).all()
    alerts = dict(
        db.session.execute(
            select(StockAlert.location_id, func.count())
            .where(StockAlert.cleared_at.is_(None), StockAlert.location_id.in_(ids))
            .group_by(StockAlert.location_id)
        ).all()
    )
    found = {
        int(location_id): LocationSummary(
            int(lines),
            int(on_hand or 0),
            int(reserved or 0),
            int(faulty or 0),
            int(floor or 0),
            int(reorder or 0),
            int(alerts.get(location_id, 0)),
        )
        for location_id, lines, on_hand, reserved, faulty, floor, reorder in rows
    }
    for location_id, count in alerts.items():
        found.setdefault(int(location_id), ZERO_SUMMARY._replace(open_alerts=int(count)))
    return found
