"""Plain factory functions with full defaults: they add and flush, never commit."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from fieldops.accounts.models import User
from fieldops.accounts.services import create_user
from fieldops.customers.models import Customer, Service, SlaPlan
from fieldops.customers.services import create_customer, create_service, create_sla_plan
from fieldops.db import db
from fieldops.engineers.models import Engineer
from fieldops.engineers.services import create_engineer
from fieldops.inventory.models import PartType, StockLocation
from fieldops.inventory.services import create_location, create_part_type
from fieldops.tickets.models import EscalationMatrix, Ticket
from fieldops.tickets.services import define_matrix, open_ticket

_seq = itertools.count(1)
PASSWORD = "correct-horse-battery"
DEFAULT_NOW = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)

TARGETS_24X7 = {
    "P1": {"response_min": 15, "resolution_min": 240, "onsite_min": 240},
    "P2": {"response_min": 30, "resolution_min": 480, "onsite_min": 480},
    "P3": {"response_min": 120, "resolution_min": 1440, "onsite_min": 1440},
    "P4": {"response_min": 480, "resolution_min": 4320, "onsite_min": 4320},
}
CALENDAR_24X7 = {
    "timezone": "UTC",
    "hours": {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
    "holidays": [],
}
CALENDAR_BUSINESS = {
    "timezone": "Europe/Warsaw",
    "hours": {
        **{d: [["08:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
        "sat": [],
        "sun": [],
    },
    "holidays": ["2026-12-25", "2026-12-26"],
}


def _n() -> int:
    return next(_seq)


def make_sla_plan(**overrides: Any) -> SlaPlan:
    data: dict[str, Any] = {
        "code": f"PLAN-{_n()}",
        "name": "24x7 premium",
        "calendar": CALENDAR_24X7,
        "targets": TARGETS_24X7,
        "now": DEFAULT_NOW,
    }
    data.update(overrides)
    return create_sla_plan(**data)


def make_customer(**overrides: Any) -> Customer:
    n = _n()
    data: dict[str, Any] = {"code": f"CUST{n}", "name": f"Customer {n}", "now": DEFAULT_NOW}
    data.update(overrides)
    return create_customer(**data)


def make_service(
    customer: Customer | None = None, plan: SlaPlan | None = None, **overrides: Any
) -> Service:
    customer = customer or make_customer()
    plan = plan or make_sla_plan()
    data: dict[str, Any] = {
        "code": f"SVC-{10000 + _n()}",
        "customer_code": customer.code,
        "type": "ip_transit",
        "sla_plan_code": plan.code,
        "site": {"address": "ul. Prosta 1, Warsaw", "city": "Warsaw", "lat": 52.23, "lon": 21.0},
        "circuit_ids": ["CID-1", "CID-2"],
        "now": DEFAULT_NOW,
    }
    data.update(overrides)
    return create_service(**data)


def make_user(**overrides: Any) -> User:
    n = _n()
    role = overrides.get("role", "agent")
    data: dict[str, Any] = {
        "email": f"user{n}@example.test",
        "password": PASSWORD,
        "role": role,
        "name": f"User {n}",
        "now": DEFAULT_NOW,
    }
    if role == "customer" and "customer_id" not in overrides:
        data["customer_id"] = make_customer().id
    data.update(overrides)
    return create_user(**data)


def make_contact(customer: Customer, **overrides: Any) -> User:
    return make_user(role="customer", customer_id=customer.id, **overrides)


def ticket_input(service: Service, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "service_id": service.code,
        "fault_started_at": DEFAULT_NOW - timedelta(minutes=30),
        "summary": "Link down at the Warsaw PoP",
        "description": "BGP session dropped; no light on port xe-0/0/1.",
        "impact": "service_affecting",
    }
    data.update(overrides)
    return data


# Ticket input that gives each priority on the default priority matrix.
PRIORITY_INPUT: dict[str, dict[str, Any]] = {
    "P1": {"impact": "service_affecting"},
    "P2": {"impact": "degraded"},
    "P3": {"impact": "degraded", "urgency": "low", "category": "network"},
    "P4": {"impact": "not_affecting"},
}

# Three management levels; minutes of ticket age per priority, never sooner at a higher level.
ESCALATION_LEVELS: list[dict[str, Any]] = [
    {
        "name": "Duty engineer",
        "contacts": ["duty@noc.example"],
        "thresholds_min": {"P1": 30, "P2": 60, "P3": 240, "P4": 1440},
    },
    {
        "name": "Shift lead",
        "contacts": ["lead@noc.example"],
        "thresholds_min": {"P1": 60, "P2": 120, "P3": 480, "P4": 2880},
    },
    {
        "name": "Support manager",
        "contacts": ["manager@noc.example", "deputy@noc.example"],
        "thresholds_min": {"P1": 120, "P2": 240, "P3": 960, "P4": 4320},
    },
]


def make_matrix(
    customer: Customer | None = None,
    *,
    levels: list[dict[str, Any]] | None = None,
    **overrides: Any,
) -> EscalationMatrix:
    """The default escalation matrix, or `customer`'s own; ESCALATION_LEVELS unless given."""
    n = _n()
    data: dict[str, Any] = {
        "code": f"ESC-{n}",
        "name": f"Escalation matrix {n}",
        "levels": levels if levels is not None else ESCALATION_LEVELS,
        "customer_code": customer.code if customer else None,
        "now": DEFAULT_NOW,
    }
    data.update(overrides)
    return define_matrix(**data)


def make_ticket(
    service: Service | None = None,
    actor: User | None = None,
    *,
    now: datetime = DEFAULT_NOW,
    channel: str = "portal",
    **overrides: Any,
) -> Ticket:
    service = service or make_service()
    actor = actor or make_contact(service.customer)
    ticket = open_ticket(
        actor=actor, data=ticket_input(service, **overrides), channel=channel, now=now
    )
    db.session.flush()
    return ticket


def cheap_password_hashing(monkeypatch: Any) -> None:
    """Hash test passwords with one PBKDF2 round instead of scrypt (~0.1 s a user).

    Checking still goes through werkzeug, which reads the method from the stored hash, so
    logins behave exactly as in production; only the cost of making users drops.
    """
    from werkzeug.security import generate_password_hash

    from fieldops.accounts import services as account_services

    monkeypatch.setattr(
        account_services,
        "generate_password_hash",
        lambda password: generate_password_hash(password, method="pbkdf2:sha256:1"),
    )


def make_current_ticket(
    service: Service | None = None,
    actor: User | None = None,
    *,
    ago: timedelta = timedelta(0),
    **overrides: Any,
) -> Ticket:
    """A ticket opened `ago` before the real current time, its fault 30 minutes earlier.

    For pages and actions that read the wall clock (SLA time left, breached, ETA checks).
    """
    from fieldops.clock import utcnow

    now = utcnow() - ago
    overrides.setdefault("fault_started_at", now - timedelta(minutes=30))
    return make_ticket(service, actor, now=now, **overrides)


# Inventory -----------------------------------------------------------------------------------


def make_engineer(**overrides: Any) -> Engineer:
    n = _n()
    data: dict[str, Any] = {
        "name": f"Engineer {n}",
        "home_lat": 52.23,
        "home_lon": 21.01,
        "skills": ["router", "optical"],
        "now": DEFAULT_NOW,
    }
    data.update(overrides)
    return create_engineer(**data)


def make_part_type(**overrides: Any) -> PartType:
    """A serialised part unless `serialised=False` (then counted in metres of cable)."""
    n = _n()
    serialised = overrides.get("serialised", True)
    data: dict[str, Any] = {
        "sku": f"PART-{n}",
        "name": f"Part {n}",
        "category": "psu" if serialised else "cable",
        "serialised": serialised,
        "unit": "each" if serialised else "m",
        "manufacturer": "Acme Networks",
        "reorder_point": 0,
        "now": DEFAULT_NOW,
    }
    data.update(overrides)
    return create_part_type(**data)


def make_depot(**overrides: Any) -> StockLocation:
    """A depot in Warsaw unless lat/lon say otherwise."""
    n = _n()
    data: dict[str, Any] = {
        "code": f"DEP-{n}",
        "kind": "depot",
        "name": f"Depot {n}",
        "lat": 52.23,
        "lon": 21.01,
        "address": f"ul. Magazynowa {n}",
        "city": "Warsaw",
        "now": DEFAULT_NOW,
    }
    data.update(overrides)
    return create_location(**data)


def make_van(engineer: Engineer | None = None, **overrides: Any) -> StockLocation:
    engineer = engineer or make_engineer()
    data: dict[str, Any] = {
        "code": f"VAN-{engineer.id}-{_n()}",
        "kind": "van",
        "name": f"{engineer.name}'s van",
        "lat": engineer.home_lat,
        "lon": engineer.home_lon,
        "engineer_id": engineer.id,
        "now": DEFAULT_NOW,
    }
    data.update(overrides)
    return create_location(**data)


def stock_up(
    part: PartType, location: StockLocation, quantity: int, *, prefix: str | None = None
) -> list[str]:
    """Put `quantity` of a part into a location through the ledger (a receipt at a depot, a
    receipt then a transfer for a van); returns the serials for a serialised part."""
    from fieldops.inventory.services import receive, transfer

    serials = (
        [f"{prefix or part.sku}-{_n()}" for _ in range(quantity)] if part.is_serialised else []
    )
    target = location
    if location.kind == "van":
        target = make_depot()
    receive(
        actor=None,
        sku=part.sku,
        location_code=target.code,
        quantity=None if serials else quantity,
        serials=serials or None,
        now=DEFAULT_NOW,
    )
    if target is not location:
        transfer(
            actor=None,
            sku=part.sku,
            from_code=target.code,
            to_code=location.code,
            quantity=None if serials else quantity,
            serials=serials or None,
            now=DEFAULT_NOW,
        )
    return serials
