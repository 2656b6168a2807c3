"""Reads of customers, services and SLA plans, scoped to what the caller may see."""

from __future__ import annotations

from sqlalchemy import Select, func, select

from fieldops.accounts.models import User
from fieldops.customers.models import Customer, Service, SlaPlan
from fieldops.db import db
from fieldops.errors import NotFoundError


def _scoped_customers(viewer: User) -> Select[Customer]:
    query = select(Customer)
    if viewer.is_customer:
        query = query.where(Customer.id == viewer.customer_id)
    return query


def list_customers(viewer: User, *, page: int, per_page: int) -> tuple[list[Customer], int]:
    query = _scoped_customers(viewer)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(
        query.order_by(Customer.code).limit(per_page).offset((page - 1) * per_page)
    )
    return list(rows), total


def get_customer(viewer: User, code: str) -> Customer:
    customer = db.session.scalar(_scoped_customers(viewer).where(Customer.code == code.upper()))
    if customer is None:
        raise NotFoundError(f"No customer {code}.")
    return customer


def _scoped_services(viewer: User) -> Select[Service]:
    query = select(Service)
    if viewer.is_customer:
        query = query.where(Service.customer_id == viewer.customer_id)
    return query


def list_services(
    viewer: User, *, page: int = 1, per_page: int = 100, customer_code: str | None = None
) -> tuple[list[Service], int]:
    query = _scoped_services(viewer)
    if customer_code:
        query = query.join(Customer, Customer.id == Service.customer_id).where(
            Customer.code == customer_code.upper()
        )
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(
        query.order_by(Service.code).limit(per_page).offset((page - 1) * per_page)
    )
    return list(rows.unique()), total


def get_service(viewer: User, code: str) -> Service:
    """A service the viewer may see. Raises NotFoundError otherwise (never say it exists)."""
    service = db.session.scalar(_scoped_services(viewer).where(Service.code == code.upper()))
    if service is None:
        raise NotFoundError(f"No service {code}.", {"service_id": [f"No service {code}."]})
    return service


def list_sla_plans() -> list[SlaPlan]:
    return list(db.session.scalars(select(SlaPlan).order_by(SlaPlan.code)))


def page_sla_plans(*, page: int, per_page: int) -> tuple[list[SlaPlan], int]:
    """One page of SLA plans by code, and how many there are in all."""
    total = db.session.scalar(select(func.count(SlaPlan.id))) or 0
    rows = db.session.scalars(
        select(SlaPlan).order_by(SlaPlan.code).limit(per_page).offset((page - 1) * per_page)
    )
    return list(rows), total
