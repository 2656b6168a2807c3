"""Customers, sites, services and SLA plans."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fieldops.db import Model, UTCDateTime


class Customer(Model):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SlaPlan(Model):
    """Targets per priority in working minutes on a calendar; the priority matrix is data too."""

    __tablename__ = "sla_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    calendar: Mapped[dict[str, Any]] = mapped_column(JSON)
    targets: Mapped[dict[str, Any]] = mapped_column(JSON)
    # None means the default impact x urgency matrix of tickets/priority.py.
    priority_matrix: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Site(Model):
    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(500))
    city: Mapped[str] = mapped_column(String(120))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    access_notes: Mapped[str] = mapped_column(Text, default="")
    # Who meets the engineer on site (printed on the work order); the ticket's reporter
    # stands in when there is none.
    contact_name: Mapped[str] = mapped_column(String(120), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")


class Service(Model):
    """A service a customer buys, identified by its code (SVC-10023)."""

    __tablename__ = "services"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="RESTRICT"), index=True)
    sla_plan_id: Mapped[int] = mapped_column(
        ForeignKey("sla_plans.id", ondelete="RESTRICT"), index=True
    )
    type: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(200), default="")
    circuit_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    customer: Mapped[Customer] = relationship(lazy="joined")
    site: Mapped[Site] = relationship(lazy="joined")
    sla_plan: Mapped[SlaPlan] = relationship(lazy="joined")
