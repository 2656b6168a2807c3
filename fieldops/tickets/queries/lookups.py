"""Batched lookups for rendering lists: codes, names and parsed calendars."""

from __future__ import annotations

import functools
import json
from typing import Any

from sqlalchemy import select

from fieldops.accounts.models import User
from fieldops.customers.models import Customer, Service, SlaPlan
from fieldops.db import db
from fieldops.tickets import sla


def service_codes(ids: set[int]) -> dict[int, tuple[str, str]]:
    """Map service ids to (service code, customer code) in one query, for list rendering."""
    if not ids:
        return {}
    rows = db.session.execute(
        select(Service.id, Service.code, Customer.code)
        .join(Customer, Customer.id == Service.customer_id)
        .where(Service.id.in_(ids))
    )
    return {sid: (scode, ccode) for sid, scode, ccode in rows}


def user_names_and_roles(ids: set[int]) -> dict[int, tuple[str, str]]:
    if not ids:
        return {}
    rows = db.session.execute(select(User.id, User.name, User.role).where(User.id.in_(ids)))
    return {uid: (name, role) for uid, name, role in rows}


def user_names(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())


def calendars(service_ids: set[int]) -> dict[int, tuple[sla.Calendar, dict[str, Any]]]:
    """The calendar and targets of each service's SLA plan, keyed by service id."""
    if not service_ids:
        return {}
    rows = db.session.execute(
        select(Service.id, SlaPlan.calendar, SlaPlan.targets)
        .join(SlaPlan, SlaPlan.id == Service.sla_plan_id)
        .where(Service.id.in_(service_ids))
    )
    return {sid: (calendar_of(cal), targets) for sid, cal, targets in rows}


def calendar_of(document: dict[str, Any]) -> sla.Calendar:
    """A parsed calendar, cached by its content: plans are few, lists ask for them often."""
    return _parsed_calendar(json.dumps(document, sort_keys=True))


@functools.lru_cache(maxsize=256)
def _parsed_calendar(canonical: str) -> sla.Calendar:
    return sla.Calendar.from_document(json.loads(canonical))
