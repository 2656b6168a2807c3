"""Resolving the SKUs, location codes and reservations a request names, as 422s and 404s
that name the field."""

from __future__ import annotations

from sqlalchemy import select

from fieldops.db import db
from fieldops.errors import NotFoundError, RuleViolationError
from fieldops.inventory.models import PartType, StockLocation, StockReservation


def part_by_sku(sku: str, field: str = "sku") -> PartType:
    part = db.session.scalar(select(PartType).where(PartType.sku == sku.strip().upper()))
    if part is None:
        raise RuleViolationError.on_field(field, f"Unknown SKU {sku.strip()[:40]!r}.")
    return part


def location_by_code(code: str, field: str = "location") -> StockLocation:
    location = db.session.scalar(
        select(StockLocation).where(StockLocation.code == code.strip().upper())
    )
    if location is None or not location.is_active:
        raise RuleViolationError.on_field(field, f"Unknown location {code.strip()[:40]!r}.")
    return location


def reservation_by_id(reservation_id: int) -> StockReservation:
    reservation = db.session.get(StockReservation, reservation_id, populate_existing=True)
    if reservation is None:
        raise NotFoundError(f"No reservation {reservation_id}.")
    return reservation
