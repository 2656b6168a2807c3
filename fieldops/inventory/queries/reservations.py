"""Reservations with their serials, open alerts and backorders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select

from fieldops.db import db
from fieldops.errors import NotFoundError
from fieldops.inventory.models import (
    Backorder,
    PartType,
    ReservationUnit,
    StockAlert,
    StockLevel,
    StockLocation,
    StockReservation,
    StockUnit,
)
from fieldops.inventory.rules import ACTIVE_RESERVATIONS


@dataclass(frozen=True)
class ReservationView:
    id: int
    sku: str
    quantity: int
    status: str
    location: str
    location_kind: str
    job_id: str | None
    purpose: str | None
    emergency: bool
    serials: list[str]
    created_at: datetime
    updated_at: datetime


def _views(rows: list[tuple[StockReservation, str, str, str]]) -> list[ReservationView]:
    ids = [r.id for r, *_ in rows]
    serials: dict[int, list[str]] = {}
    if ids:
        for reservation_id, serial in db.session.execute(
            select(ReservationUnit.reservation_id, StockUnit.serial)
            .join(StockUnit, StockUnit.id == ReservationUnit.unit_id)
            .where(ReservationUnit.reservation_id.in_(ids))
            .order_by(StockUnit.serial)
        ):
            serials.setdefault(reservation_id, []).append(serial)
    return [
        ReservationView(
            id=r.id,
            sku=sku,
            quantity=r.quantity,
            status=r.status,
            location=code,
            location_kind=kind,
            job_id=r.job_ref,
            purpose=r.purpose,
            emergency=r.is_emergency,
            serials=serials.get(r.id, []),
            created_at=r.created_at,
            updated_at=r.updated_at,
        )
        for r, sku, code, kind in rows
    ]


def _base() -> Select[StockReservation, str, str, str]:
    return (
        select(StockReservation, PartType.sku, StockLocation.code, StockLocation.kind)
        .join(PartType, PartType.id == StockReservation.part_type_id)
        .join(StockLocation, StockLocation.id == StockReservation.location_id)
    )


def get_reservation(reservation_id: int) -> ReservationView:
    row = db.session.execute(_base().where(StockReservation.id == reservation_id)).first()
    if row is None:
        raise NotFoundError(f"No reservation {reservation_id}.")
    reservation, sku, code, kind = row
    return _views([(reservation, sku, code, kind)])[0]


def list_reservations(
    *,
    page: int = 1,
    per_page: int = 50,
    status: str | None = None,
    sku: str | None = None,
    location: str | None = None,
    job_id: str | None = None,
) -> tuple[list[ReservationView], int]:
    """Newest first."""
    statement = _base()
    if status:
        statement = statement.where(StockReservation.status == status)
    if sku:
        statement = statement.where(PartType.sku == sku.strip().upper())
    if location:
        statement = statement.where(StockLocation.code == location.strip().upper())
    if job_id:
        statement = statement.where(StockReservation.job_ref == job_id.strip().upper())
    total = db.session.scalar(select(func.count()).select_from(statement.subquery()))
    rows = db.session.execute(
        statement.order_by(StockReservation.id.desc()).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return _views([(r, sku, code, kind) for r, sku, code, kind in rows]), int(total or 0)


def active_reservations_for(job_ref: str) -> list[ReservationView]:
    """A job's held and picked reservations (what it still holds), oldest first."""
    rows = db.session.execute(
        _base()
        .where(
            StockReservation.job_ref == job_ref.strip().upper(),
            StockReservation.status.in_([str(s) for s in ACTIVE_RESERVATIONS]),
        )
        .order_by(StockReservation.id)
    ).all()
    return _views([(r, sku, code, kind) for r, sku, code, kind in rows])


@dataclass(frozen=True)
class AlertView:
    id: int
    kind: str
    sku: str
    part_name: str
    location: str
    detail: str
    raised_at: datetime
    cleared_at: datetime | None
    # The line's available stock now; `detail` gives it as it was when the alert was raised.
    available_now: int


def _alerts() -> Select[*tuple[Any, ...]]:
    return (
        select(
            StockAlert.id,
            StockAlert.kind,
            PartType.sku,
            PartType.name,
            StockLocation.code,
            StockAlert.detail,
            StockAlert.raised_at,
            StockAlert.cleared_at,
            func.coalesce(StockLevel.on_hand - StockLevel.reserved, 0),
        )
        .join(PartType, PartType.id == StockAlert.part_type_id)
        .join(StockLocation, StockLocation.id == StockAlert.location_id)
        .outerjoin(
            StockLevel,
            (StockLevel.part_type_id == StockAlert.part_type_id)
            & (StockLevel.location_id == StockAlert.location_id),
        )
    )


def get_alert(alert_id: int) -> AlertView:
    row = db.session.execute(_alerts().where(StockAlert.id == alert_id)).first()
    if row is None:
        raise NotFoundError(f"No stock alert {alert_id}.")
    return AlertView(*row)


def list_alerts(
    *, open_only: bool = True, location: str | None = None, page: int = 1, per_page: int = 50
) -> tuple[list[AlertView], int]:
    """Alerts newest first; open ones only by default."""
    statement = _alerts()
    if open_only:
        statement = statement.where(StockAlert.cleared_at.is_(None))
    if location:
        statement = statement.where(StockLocation.code == location.strip().upper())
    total = db.session.scalar(select(func.count()).select_from(statement.subquery()))
    rows = db.session.execute(
        statement.order_by(StockAlert.id.desc()).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return [AlertView(*row) for row in rows], int(total or 0)


@dataclass(frozen=True)
class BackorderView:
    id: int
    sku: str
    part_name: str
    quantity: int
    status: str
    job_id: str | None
    purpose: str | None
    lat: float | None
    lon: float | None
    created_at: datetime
    closed_at: datetime | None


def _backorders() -> Select[*tuple[Any, ...]]:
    return select(
        Backorder.id,
        PartType.sku,
        PartType.name,
        Backorder.quantity,
        Backorder.status,
        Backorder.job_ref,
        Backorder.purpose,
        Backorder.lat,
        Backorder.lon,
        Backorder.created_at,
        Backorder.closed_at,
    ).join(PartType, PartType.id == Backorder.part_type_id)


def get_backorder(backorder_id: int) -> BackorderView:
    row = db.session.execute(_backorders().where(Backorder.id == backorder_id)).first()
    if row is None:
        raise NotFoundError(f"No backorder {backorder_id}.")
    return BackorderView(*row)


def list_backorders(
    *, status: str | None = "open", page: int = 1, per_page: int = 50
) -> tuple[list[BackorderView], int]:
    statement = _backorders()
    if status:
        statement = statement.where(Backorder.status == status)
    total = db.session.scalar(select(func.count()).select_from(statement.subquery()))
    rows = db.session.execute(
        statement.order_by(Backorder.id.desc()).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return [BackorderView(*row) for row in rows], int(total or 0)
