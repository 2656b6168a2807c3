"""Creating customers, sites, services and SLA plans. Services flush, never commit."""

from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Any

from sqlalchemy import select

from fieldops.customers.calendars import calendar_errors, targets_errors
from fieldops.customers.models import Customer, Service, Site, SlaPlan
from fieldops.customers.priority import matrix_errors
from fieldops.db import db
from fieldops.errors import ConflictError, NotFoundError, RuleViolationError

log = logging.getLogger(__name__)

CUSTOMER_CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,19}$")
SERVICE_CODE_RE = re.compile(r"^SVC-\d{3,10}$")


def create_customer(*, code: str, name: str, now: datetime) -> Customer:
    code = code.strip().upper()
    if not CUSTOMER_CODE_RE.match(code):
        raise RuleViolationError.on_field(
            "code", "2-20 capital letters, digits or dashes, such as ACME."
        )
    if db.session.scalar(select(Customer.id).where(Customer.code == code)) is not None:
        raise ConflictError(f"Customer {code} already exists.", {"code": ["Taken."]})
    customer = Customer(code=code, name=name.strip(), created_at=now)
    db.session.add(customer)
    db.session.flush()
    log.info("customer %s created", customer.id)
    return customer


def create_sla_plan(
    *,
    code: str,
    name: str,
    calendar: dict[str, Any],
    targets: dict[str, Any],
    now: datetime,
    priority_matrix: dict[str, Any] | None = None,
) -> SlaPlan:
    errors: dict[str, list[str]] = {}
    if problems := calendar_errors(calendar):
        errors["calendar"] = problems
    if problems := targets_errors(targets):
        errors["targets"] = problems
    if priority_matrix is not None and (problems := matrix_errors(priority_matrix)):
        errors["priority_matrix"] = problems
    if errors:
        raise RuleViolationError("The SLA plan is not valid.", errors)
    if db.session.scalar(select(SlaPlan.id).where(SlaPlan.code == code)) is not None:
        raise ConflictError(f"SLA plan {code} already exists.", {"code": ["Taken."]})
    plan = SlaPlan(
        code=code,
        name=name,
        calendar=calendar,
        targets=targets,
        priority_matrix=priority_matrix,
        created_at=now,
    )
    db.session.add(plan)
    db.session.flush()
    return plan


def create_service(
    *,
    code: str,
    customer_code: str,
    type: str,
    sla_plan_code: str,
    site: dict[str, Any],
    now: datetime,
    name: str = "",
    circuit_ids: list[str] | None = None,
) -> Service:
    """Create a service with its site. Raises RuleViolationError naming unknown references."""
    code = code.strip().upper()
    # Customer codes are stored upper-case (create_customer) and looked up that way elsewhere.
    customer_code = customer_code.strip().upper()
    errors: dict[str, list[str]] = {}
    if not SERVICE_CODE_RE.match(code):
        errors["id"] = ["Must look like SVC-10023."]
    customer = db.session.scalar(select(Customer).where(Customer.code == customer_code))
    if customer is None:
        errors["customer"] = [f"No customer {customer_code}."]
    plan = db.session.scalar(select(SlaPlan).where(SlaPlan.code == sla_plan_code))
    if plan is None:
        errors["sla_plan"] = [f"No SLA plan {sla_plan_code}."]
    if errors or customer is None or plan is None:
        raise RuleViolationError("The service could not be created.", errors)
    if db.session.scalar(select(Service.id).where(Service.code == code)) is not None:
        raise ConflictError(f"Service {code} already exists.", {"id": ["Taken."]})
    site_row = Site(
        customer_id=customer.id,
        name=site.get("name") or site["address"],
        address=site["address"],
        city=site.get("city", ""),
        lat=site["lat"],
        lon=site["lon"],
        access_notes=site.get("access_notes", ""),
        contact_name=site.get("contact_name", ""),
        contact_phone=site.get("contact_phone", ""),
    )
    db.session.add(site_row)
    db.session.flush()
    service = Service(
        code=code,
        customer_id=customer.id,
        site_id=site_row.id,
        sla_plan_id=plan.id,
        type=type,
        name=name,
        circuit_ids=list(circuit_ids or []),
        created_at=now,
    )
    db.session.add(service)
    db.session.flush()
    log.info("service %s created for customer %s", service.id, customer.id)
    return service


def get_customer_by_code(code: str) -> Customer:
    customer = db.session.scalar(select(Customer).where(Customer.code == code.upper()))
    if customer is None:
        raise NotFoundError(f"No customer {code}.")
    return customer
