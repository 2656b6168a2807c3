"""The movements ledger, newest first, with SKU, location codes, serial and actor resolved."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased

from fieldops.accounts.models import User
from fieldops.db import db
from fieldops.inventory.models import PartType, StockLocation, StockMovement, StockUnit


@dataclass(frozen=True)
class MovementRow:
    id: int
    kind: str
    sku: str
    quantity: int
    condition: str
    from_location: str | None
    to_location: str | None
    serial: str | None
    reservation_id: int | None
    reason: str
    reference: str
    actor: str | None
    created_at: datetime


def list_movements(
    *,
    page: int = 1,
    per_page: int = 50,
    sku: str | None = None,
    location: str | None = None,
    kind: str | None = None,
    serial: str | None = None,
    reservation_id: int | None = None,
    ids: Collection[int] | None = None,
    before_id: int | None = None,
    with_total: bool = True,
) -> tuple[list[MovementRow], int]:
    """Ledger rows newest first. `location` matches either side of a movement; `ids` picks
    given rows (those a service just wrote, resolved the same way). For reading the whole
    ledger (exports), page by `before_id` (the last id seen) with `with_total=False`: each
    page is then an index range, not an OFFSET and a count over a million rows (total -1)."""
    source = aliased(StockLocation)
    target = aliased(StockLocation)
    filters = []
    if sku:
        part_id = db.session.scalar(select(PartType.id).where(PartType.sku == sku.strip().upper()))
        if part_id is None:
            return [], 0
        filters.append(StockMovement.part_type_id == part_id)
    if location:
        location_id = db.session.scalar(
            select(StockLocation.id).where(StockLocation.code == location.strip().upper())
        )
        if location_id is None:
            return [], 0
        filters.append(
            or_(
                StockMovement.from_location_id == location_id,
                StockMovement.to_location_id == location_id,
            )
        )
    if kind:
        filters.append(StockMovement.kind == kind)
    if serial:
        unit_ids = select(StockUnit.id).where(StockUnit.serial == serial.strip())
        filters.append(StockMovement.unit_id.in_(unit_ids))
    if reservation_id is not None:
        filters.append(StockMovement.reservation_id == reservation_id)
    if ids is not None:
        filters.append(StockMovement.id.in_(list(ids)))
    if before_id is not None:
        filters.append(StockMovement.id < before_id)
    total = (
        db.session.scalar(select(func.count()).select_from(StockMovement).where(*filters))
        if with_total
        else -1
    )
    page_ids = (
        select(StockMovement.id)
        .where(*filters)
        .order_by(StockMovement.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
        .subquery()
    )
    rows = db.session.execute(
        select(
            StockMovement.id,
            StockMovement.kind,
            PartType.sku,
            StockMovement.quantity,
            StockMovement.condition,
            source.code,
            target.code,
            StockUnit.serial,
            StockMovement.reservation_id,
            StockMovement.reason,
            StockMovement.reference,
            User.email,
            StockMovement.created_at,
        )
        .join(page_ids, page_ids.c.id == StockMovement.id)
        .join(PartType, PartType.id == StockMovement.part_type_id)
        .outerjoin(source, source.id == StockMovement.from_location_id)
        .outerjoin(target, target.id == StockMovement.to_location_id)
        .outerjoin(StockUnit, StockUnit.id == StockMovement.unit_id)
        .outerjoin(User, User.id == StockMovement.actor_id)
        .order_by(StockMovement.id.desc())
    ).all()
    return [MovementRow(*cast(tuple[Any, ...], row)) for row in rows], int(total or 0)
