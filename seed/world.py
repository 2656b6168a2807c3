"""The static demo world: SLA plans, customers with contacts and services, and desk staff.

Each loader looks its rows up by natural key (plan code, customer code, service code, user
e-mail) and creates only what is missing, through the domain services, so loading twice
changes nothing. Loaders flush, never commit: `seed.loader.load_demo` owns the transaction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from fieldops.accounts.models import User
from fieldops.accounts.services import create_user
from fieldops.customers.models import Customer, Service, SlaPlan
from fieldops.customers.services import create_customer, create_service, create_sla_plan
from fieldops.db import db
from fieldops.tickets.models import EscalationMatrix
from fieldops.tickets.services import define_matrix
from seed.context import SeedContext


def load_plans(data: dict[str, Any], ctx: SeedContext) -> None:
    for plan in data["sla_plans"]:
        if db.session.scalar(select(SlaPlan.id).where(SlaPlan.code == plan["code"])) is not None:
            continue
        create_sla_plan(
            code=plan["code"],
            name=plan["name"],
            calendar=plan["calendar"],
            targets=plan["targets"],
            priority_matrix=plan.get("priority_matrix"),
            now=ctx.now,
        )
        ctx.count("SLA plans")


def load_customers(data: dict[str, Any], ctx: SeedContext) -> None:
    """Customers, then their contacts (customer users), then their services and sites."""
    for entry in data["customers"]:
        customer = db.session.scalar(select(Customer).where(Customer.code == entry["code"]))
        if customer is None:
            customer = create_customer(code=entry["code"], name=entry["name"], now=ctx.now)
            ctx.count("customers")
        for contact in entry["contacts"]:
            ensure_user(
                ctx,
                email=contact["email"],
                name=contact["name"],
                role="customer",
                customer_id=customer.id,
                can_technical=contact.get("can_technical", True),
                can_billing=contact.get("can_billing", False),
                note=customer.code,
            )
        for service in entry["services"]:
            if db.session.scalar(select(Service.id).where(Service.code == service["code"])):
                continue
            create_service(
                code=service["code"],
                customer_code=customer.code,
                type=service["type"],
                sla_plan_code=service["sla_plan"],
                site=service["site"],
                name=service.get("name", ""),
                circuit_ids=service.get("circuit_ids", []),
                now=ctx.now,
            )
            ctx.count("services")


def load_staff(data: dict[str, Any], ctx: SeedContext) -> None:
    for person in data["staff"]:
        ensure_user(
            ctx,
            email=person["email"],
            name=person["name"],
            role=person["role"],
            tier=person.get("tier"),
            note=person.get("tier") or "",
        )


def ensure_user(
    ctx: SeedContext,
    *,
    email: str,
    name: str,
    role: str,
    note: str = "",
    customer_id: int | None = None,
    tier: str | None = None,
    can_technical: bool = True,
    can_billing: bool = False,
) -> User:
    """The user with this e-mail, created with the demo password if missing; logged for echo."""
    user = db.session.scalar(select(User).where(User.email == email.lower()))
    if user is None:
        user = create_user(
            email=email,
            password=ctx.password,
            role=role,
            name=name,
            customer_id=customer_id,
            tier=tier,
            can_technical=can_technical,
            can_billing=can_billing,
            now=ctx.now,
        )
        ctx.count("users")
    if role == "customer":
        kinds = [k for k, on in (("technical", can_technical), ("billing", can_billing)) if on]
        note = f"{note}, {' + '.join(kinds)}"
    ctx.add_login(user.email, role, note)
    return user


def load_escalation(data: dict[str, Any], ctx: SeedContext) -> None:
    """Escalation matrices, created once by code (an existing one is left as the admin set it)."""
    for matrix in data["escalation_matrices"]:
        exists = db.session.scalar(
            select(EscalationMatrix.id).where(EscalationMatrix.code == matrix["code"])
        )
        if exists is not None:
            continue
        define_matrix(
            code=matrix["code"],
            name=matrix["name"],
            customer_code=matrix["customer"],
            levels=matrix["levels"],
            now=ctx.now,
        )
        ctx.count("escalation matrices")
