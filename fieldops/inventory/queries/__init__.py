"""Inventory reads: stock lines, the ledger, the catalogue, reservations, alerts, and the
ledger check behind `fieldops stock verify`."""

from fieldops.inventory.queries.catalogue import (
    get_location,
    get_part_type,
    list_locations,
    list_part_types,
    list_units,
    location_of_engineer,
)
from fieldops.inventory.queries.ledger import MovementRow, list_movements
from fieldops.inventory.queries.reservations import (
    AlertView,
    BackorderView,
    ReservationView,
    active_reservations_for,
    get_alert,
    get_backorder,
    get_reservation,
    list_alerts,
    list_backorders,
    list_reservations,
)
from fieldops.inventory.queries.stock import (
    ZERO_SUMMARY,
    LocationSummary,
    StockRow,
    list_stock,
    location_summaries,
    location_summary,
)
from fieldops.inventory.queries.verify import Discrepancy, LedgerCheck, verify_ledger

__all__ = [
    "ZERO_SUMMARY",
    "AlertView",
    "BackorderView",
    "Discrepancy",
    "LedgerCheck",
    "LocationSummary",
    "MovementRow",
    "ReservationView",
    "StockRow",
    "active_reservations_for",
    "get_alert",
    "get_backorder",
    "get_location",
    "get_part_type",
    "get_reservation",
    "list_alerts",
    "list_backorders",
    "list_locations",
    "list_movements",
    "list_part_types",
    "list_reservations",
    "list_stock",
    "list_units",
    "location_of_engineer",
    "location_summaries",
    "location_summary",
    "verify_ledger",
]
