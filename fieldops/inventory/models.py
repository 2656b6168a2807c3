"""Part types, stock locations, stock lines, serialised units, reservations, the movements
ledger, alerts and backorders.

The invariants live in the database (STYLE.md 3.4): CHECKs keep 0 <= reserved <= on_hand and
faulty >= 0 on every stock line, a unit is held by at most one reservation (one column, set
only by a guarded UPDATE), and the ledger refuses UPDATE and DELETE through triggers.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from fieldops.db import Model, UTCDateTime
from fieldops.inventory.rules import (
    AlertKind,
    BackorderStatus,
    Condition,
    LocationKind,
    MovementKind,
    ReservationStatus,
    UnitStatus,
)

SKU_MAX = 40
SERIAL_MAX = 80
REASON_MAX = 500
REFERENCE_MAX = 200


def _values(enum: type[StrEnum]) -> str:
    return ", ".join(f"'{member.value}'" for member in enum)


class PartType(Model):
    """A kind of spare part. `reorder_point` is the default for every depot's line of it."""

    __tablename__ = "part_types"
    __table_args__ = (CheckConstraint("reorder_point >= 0", name="reorder_point_non_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(SKU_MAX), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(40), index=True)
    manufacturer: Mapped[str] = mapped_column(String(120), default="")
    is_serialised: Mapped[bool] = mapped_column(Boolean)
    unit: Mapped[str] = mapped_column(String(20), default="each")
    reorder_point: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class StockLocation(Model):
    """A depot (a fixed place with an address) or an engineer's van (one per engineer)."""

    __tablename__ = "stock_locations"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_values(LocationKind)})", name="kind_known"),
        CheckConstraint("(kind = 'van') = (engineer_id IS NOT NULL)", name="van_has_engineer"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(500), default="")
    city: Mapped[str] = mapped_column(String(120), default="")
    # A van's point is its last known position (its engineer's base until one is reported).
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    engineer_id: Mapped[int | None] = mapped_column(
        ForeignKey("engineers.id", ondelete="RESTRICT"), unique=True
    )
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # A depot's opening hours for pickups, as an SLA calendar document (timezone, hours,
    # holidays; customers.calendars.calendar_errors is its rule); None: always open.
    opening_hours: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class StockLevel(Model):
    """One part type at one location: good stock on hand, how much of it is reserved, faulty
    units waiting to go back, and the line's reserve floor (and reorder point override)."""

    __tablename__ = "stock_levels"
    __table_args__ = (
        UniqueConstraint("part_type_id", "location_id", name="uq_stock_levels_part_location"),
        CheckConstraint("reserved >= 0 AND reserved <= on_hand", name="reserved_within_on_hand"),
        CheckConstraint("faulty >= 0", name="faulty_non_negative"),
        CheckConstraint("reserve_floor >= 0", name="reserve_floor_non_negative"),
        CheckConstraint(
            "reorder_point IS NULL OR reorder_point >= 0", name="reorder_point_non_negative"
        ),
        # The depot page lists a location's lines in SKU order; the nearest search starts from
        # the part type (the unique index above).
        Index("ix_stock_levels_location_part", "location_id", "part_type_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    part_type_id: Mapped[int] = mapped_column(ForeignKey("part_types.id", ondelete="RESTRICT"))
    location_id: Mapped[int] = mapped_column(ForeignKey("stock_locations.id", ondelete="RESTRICT"))
    on_hand: Mapped[int] = mapped_column(Integer, default=0)
    reserved: Mapped[int] = mapped_column(Integer, default=0)
    faulty: Mapped[int] = mapped_column(Integer, default=0)
    reserve_floor: Mapped[int] = mapped_column(Integer, default=0)
    # None: the part type's reorder point at a depot, none at all in a van.
    reorder_point: Mapped[int | None] = mapped_column(Integer)

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


class StockReservation(Model):
    """Stock set aside for a dispatch job (its work-order number) or a stated purpose."""

    __tablename__ = "stock_reservations"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint(f"status IN ({_values(ReservationStatus)})", name="status_known"),
        CheckConstraint("job_ref IS NOT NULL OR purpose IS NOT NULL", name="has_job_or_purpose"),
        Index("ix_stock_reservations_location_status", "location_id", "status"),
        Index("ix_stock_reservations_part_status", "part_type_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    part_type_id: Mapped[int] = mapped_column(ForeignKey("part_types.id", ondelete="RESTRICT"))
    location_id: Mapped[int] = mapped_column(ForeignKey("stock_locations.id", ondelete="RESTRICT"))
    quantity: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10))
    # The dispatch job's work-order number (WO-2026-000045); dispatch checks it exists.
    job_ref: Mapped[str | None] = mapped_column(String(20), index=True)
    purpose: Mapped[str | None] = mapped_column(String(REFERENCE_MAX))
    is_emergency: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class StockUnit(Model):
    """One serialised unit. `reservation_id` is the reservation holding it now; it is set only
    by an UPDATE guarded on the unit being free, so no serial is ever held twice."""

    __tablename__ = "stock_units"
    __table_args__ = (
        UniqueConstraint("part_type_id", "serial", name="uq_stock_units_part_serial"),
        CheckConstraint(f"status IN ({_values(UnitStatus)})", name="status_known"),
        CheckConstraint(
            "(reservation_id IS NOT NULL) = (status IN ('reserved', 'in_transit'))",
            name="held_iff_reserved",
        ),
        CheckConstraint(
            "(location_id IS NULL) = (status IN ('installed', 'at_vendor', 'scrapped'))",
            name="located_iff_ours",
        ),
        Index("ix_stock_units_location_part_status", "location_id", "part_type_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    part_type_id: Mapped[int] = mapped_column(ForeignKey("part_types.id", ondelete="RESTRICT"))
    serial: Mapped[str] = mapped_column(String(SERIAL_MAX))
    status: Mapped[str] = mapped_column(String(12))
    location_id: Mapped[int | None] = mapped_column(
        ForeignKey("stock_locations.id", ondelete="RESTRICT")
    )
    reservation_id: Mapped[int | None] = mapped_column(
        ForeignKey("stock_reservations.id", ondelete="RESTRICT"), index=True
    )
    # Where it is when not at a location of ours: the site it is fitted at, the RMA number.
    whereabouts: Mapped[str] = mapped_column(String(REFERENCE_MAX), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ReservationUnit(Model):
    """Which serials a reservation held, kept after it is consumed or released."""

    __tablename__ = "stock_reservation_units"

    reservation_id: Mapped[int] = mapped_column(
        ForeignKey("stock_reservations.id", ondelete="CASCADE"), primary_key=True
    )
    unit_id: Mapped[int] = mapped_column(
        ForeignKey("stock_units.id", ondelete="RESTRICT"), primary_key=True
    )


class StockMovement(Model):
    """One row of the append-only movements ledger (triggers refuse UPDATE and DELETE).

    `quantity` is always positive: stock leaves `from_location_id` and arrives at
    `to_location_id`, either of which is None for the outside world (a supplier, a site, a
    vendor, a write-off). Each location's on-hand (good) and faulty quantities are the sums of
    its rows; `fieldops stock verify` proves it.
    """

    __tablename__ = "stock_movements"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint(f"kind IN ({_values(MovementKind)})", name="kind_known"),
        CheckConstraint(f"condition IN ({_values(Condition)})", name="condition_known"),
        CheckConstraint(
            "from_location_id IS NOT NULL OR to_location_id IS NOT NULL", name="has_a_side"
        ),
        CheckConstraint(
            "from_location_id IS NULL OR to_location_id IS NULL "
            "OR from_location_id <> to_location_id",
            name="moves_somewhere",
        ),
        Index("ix_stock_movements_part_id", "part_type_id", "id"),
        Index("ix_stock_movements_from_id", "from_location_id", "id"),
        Index("ix_stock_movements_to_id", "to_location_id", "id"),
        Index("ix_stock_movements_unit", "unit_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    part_type_id: Mapped[int] = mapped_column(ForeignKey("part_types.id", ondelete="RESTRICT"))
    quantity: Mapped[int] = mapped_column(Integer)
    condition: Mapped[str] = mapped_column(String(10))
    from_location_id: Mapped[int | None] = mapped_column(
        ForeignKey("stock_locations.id", ondelete="RESTRICT")
    )
    to_location_id: Mapped[int | None] = mapped_column(
        ForeignKey("stock_locations.id", ondelete="RESTRICT")
    )
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("stock_units.id", ondelete="RESTRICT"))
    reservation_id: Mapped[int | None] = mapped_column(
        ForeignKey("stock_reservations.id", ondelete="RESTRICT"), index=True
    )
    reason: Mapped[str] = mapped_column(String(REASON_MAX), default="")
    # A supplier's delivery note, the site a unit was fitted at or taken from, an RMA number.
    reference: Mapped[str] = mapped_column(String(REFERENCE_MAX), default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class StockAlert(Model):
    """A stock line under its reserve floor or reorder point (open until stock recovers), or
    an emergency use of reserve stock (open until a stock manager acknowledges it)."""

    __tablename__ = "stock_alerts"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_values(AlertKind)})", name="kind_known"),
        # At most one open level alert of a kind per line: raising it twice is a no-op.
        Index(
            "uq_stock_alerts_open_level_alert",
            "part_type_id",
            "location_id",
            "kind",
            unique=True,
            sqlite_where=text("cleared_at IS NULL AND kind <> 'emergency_use'"),
            postgresql_where=text("cleared_at IS NULL AND kind <> 'emergency_use'"),
        ),
        Index("ix_stock_alerts_open", "cleared_at", "location_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    part_type_id: Mapped[int] = mapped_column(ForeignKey("part_types.id", ondelete="RESTRICT"))
    location_id: Mapped[int] = mapped_column(ForeignKey("stock_locations.id", ondelete="RESTRICT"))
    detail: Mapped[str] = mapped_column(Text, default="")
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime)
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cleared_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class Backorder(Model):
    """A request for stock that no location could meet: demand for the stock manager to buy."""

    __tablename__ = "stock_backorders"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint(f"status IN ({_values(BackorderStatus)})", name="status_known"),
        Index("ix_stock_backorders_status_part", "status", "part_type_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    part_type_id: Mapped[int] = mapped_column(ForeignKey("part_types.id", ondelete="RESTRICT"))
    quantity: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10))
    job_ref: Mapped[str | None] = mapped_column(String(20), index=True)
    purpose: Mapped[str | None] = mapped_column(String(REFERENCE_MAX))
    # Where the stock was wanted, so the buyer knows which depot to deliver to.
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
