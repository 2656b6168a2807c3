"""Engineer profiles (skills, home base, weekly shifts in their time zone, daily job capacity,
last known position) and their absences."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from fieldops.db import Model, UTCDateTime

# Monday to Friday, 08:00-16:00 local time: the shift of an engineer created without one.
DEFAULT_SHIFTS: dict[str, list[list[str]]] = {
    **{day: [["08:00", "16:00"]] for day in ("mon", "tue", "wed", "thu", "fri")},
    "sat": [],
    "sun": [],
}


class Engineer(Model):
    __tablename__ = "engineers"
    __table_args__ = (CheckConstraint("daily_capacity > 0", name="daily_capacity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The login of an engineer who uses the phone pages; None for one who does not (yet).
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), unique=True
    )
    name: Mapped[str] = mapped_column(String(120))
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    home_lat: Mapped[float] = mapped_column(Float)
    home_lon: Mapped[float] = mapped_column(Float)
    # Weekly working hours as local wall-clock spans, {"mon": [["08:00", "16:00"]], ...}: the
    # `hours` of an SLA calendar, read in `timezone` (tickets/sla.py does the arithmetic).
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Warsaw")
    shifts: Mapped[dict[str, list[list[str]]]] = mapped_column(JSON, default=dict)
    daily_capacity: Mapped[int] = mapped_column(Integer, default=6)
    # Last reported position; None until the phone reports one (the home base stands in).
    position_lat: Mapped[float | None] = mapped_column(Float)
    position_lon: Mapped[float | None] = mapped_column(Float)
    position_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Absence(Model):
    """Time an engineer is away (leave, training, sickness): never a candidate in it."""

    __tablename__ = "engineer_absences"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        Index("ix_engineer_absences_engineer_ends", "engineer_id", "ends_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    engineer_id: Mapped[int] = mapped_column(ForeignKey("engineers.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(String(200), default="")
