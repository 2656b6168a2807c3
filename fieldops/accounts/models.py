"""Users and API tokens."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from fieldops.db import Model, UTCDateTime


class Role(StrEnum):
    CUSTOMER = "customer"
    AGENT = "agent"
    DISPATCHER = "dispatcher"
    ENGINEER = "engineer"
    STOCK_MANAGER = "stock_manager"
    MANAGER = "manager"
    ADMIN = "admin"


class Tier(StrEnum):
    L1 = "L1"
    L2 = "L2"
    L3 = "L3"


# Roles that work the helpdesk: they see every customer's tickets.
DESK_ROLES = frozenset({Role.AGENT, Role.MANAGER, Role.ADMIN})
STAFF_ROLES = frozenset(Role) - {Role.CUSTOMER}


class User(Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(
            "(role = 'customer') = (customer_id IS NOT NULL)", name="customer_role_has_customer"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    tier: Mapped[str | None] = mapped_column(String(2))
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    can_technical: Mapped[bool] = mapped_column(Boolean, default=True)
    can_billing: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped on password change or "log out everywhere": every older session ends.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    @property
    def is_customer(self) -> bool:
        return self.role == Role.CUSTOMER

    @property
    def is_desk(self) -> bool:
        return self.role in DESK_ROLES

    # Flask-Login protocol, kept here so the surfaces share one user object.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_epoch}"


class ApiToken(Model):
    """An opaque bearer token; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
