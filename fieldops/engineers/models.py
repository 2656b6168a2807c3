"""Engineer profiles: name, skills and home base (shifts and capacity come with dispatch)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from fieldops.db import Model, UTCDateTime


class Engineer(Model):
    __tablename__ = "engineers"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The login of an engineer who uses the phone pages; None for one who does not (yet).
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), unique=True
    )
    name: Mapped[str] = mapped_column(String(120))
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    home_lat: Mapped[float] = mapped_column(Float)
    home_lon: Mapped[float] = mapped_column(Float)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
