"""The JSON names of part types, units, locations, stock rows, movements, alerts,
backorders and reservations (DESIGN.md, "Stock and dispatch JSON names")."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from fieldops.inventory.models import PartType, StockLocation, StockMovement, StockUnit
from fieldops.inventory.queries import (
    AlertView,
    BackorderView,
    MovementRow,
    ReservationView,
    StockRow,
    list_movements,
)


def part_type_payload(part: PartType) -> dict[str, Any]:
    return {
        "sku": part.sku,
        "name": part.name,
        "category": part.category,
        "serialised": part.is_serialised,
        "manufacturer": part.manufacturer,
        "unit": part.unit,
        "reorder_point": part.reorder_point,
        "created_at": part.created_at,
    }


def unit_payload(unit: StockUnit, location_code: str | None) -> dict[str, Any]:
    return {
        "serial": unit.serial,
        "status": unit.status,
        "location": location_code,
        "whereabouts": unit.whereabouts,
        "reservation_id": unit.reservation_id,
        "updated_at": unit.updated_at,
    }


def location_payload(location: StockLocation) -> dict[str, Any]:
    return {
        "code": location.code,
        "kind": location.kind,
        "name": location.name,
        "lat": location.lat,
        "lon": location.lon,
        "address": location.address,
        "city": location.city,
        "engineer_id": location.engineer_id,
        "active": location.is_active,
        "created_at": location.created_at,
    }


def stock_row_payload(row: StockRow) -> dict[str, Any]:
    return {
        **asdict(row),
        "available": row.available,
        "below_floor": row.below_floor,
        "below_reorder_point": row.below_reorder_point,
    }


def movement_payload(row: MovementRow) -> dict[str, Any]:
    return {**asdict(row), "from": row.from_location, "to": row.to_location}


def movement_rows(movements: Sequence[StockMovement]) -> list[MovementRow]:
    """The ledger rows a service just wrote, in the order written, resolved as the ledger
    page resolves them."""
    ids = [m.id for m in movements]
    newest_first = list_movements(ids=ids, per_page=max(len(ids), 1))[0]
    return newest_first[::-1]


def alert_payload(view: AlertView) -> dict[str, Any]:
    return {**asdict(view), "open": view.cleared_at is None}


def backorder_payload(view: BackorderView) -> dict[str, Any]:
    return asdict(view)


def reservation_payload(view: ReservationView, distance_km: float | None = None) -> dict[str, Any]:
    payload = asdict(view)
    if distance_km is not None:
        payload["distance_km"] = round(distance_km, 3)
    return payload
