"""A dispatch world: a hardware ticket at a Warsaw site, parts in a depot and a van, and
engineers around the city, all working round the clock unless a test says otherwise."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from fieldops.accounts.models import User
from fieldops.dispatch.models import Job
from fieldops.dispatch.services import create_job
from fieldops.engineers.models import Engineer
from fieldops.inventory.models import PartType, StockLocation
from fieldops.tickets.models import Ticket
from tests.factories import (
    DEFAULT_NOW,
    make_depot,
    make_engineer,
    make_part_type,
    make_service,
    make_ticket,
    make_user,
    make_van,
    stock_up,
)

NOW = DEFAULT_NOW + timedelta(minutes=5)
ROUND_THE_CLOCK = {
    d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
}
WARSAW_SITE = {"address": "ul. Prosta 1, Warsaw", "city": "Warsaw", "lat": 52.23, "lon": 21.0}


def make_crew_member(
    name: str, lat: float, lon: float, **overrides: Any
) -> tuple[Engineer, StockLocation]:
    data: dict[str, Any] = {
        "name": name,
        "home_lat": lat,
        "home_lon": lon,
        "skills": ["router"],
        "shifts": ROUND_THE_CLOCK,
        "timezone": "UTC",
    }
    data.update(overrides)
    engineer = make_engineer(**data)
    return engineer, make_van(engineer, code=f"VAN-{name.upper()}")


@dataclass
class World:
    ticket: Ticket
    psu: PartType
    depot: StockLocation
    near: Engineer  # 2 km from the site
    far: Engineer  # in Łódź, 120 km away
    near_van: StockLocation
    far_van: StockLocation
    dispatcher: User


@pytest.fixture
def world(session: Any) -> World:
    service = make_service(site=WARSAW_SITE)
    ticket = make_ticket(service, now=DEFAULT_NOW, category="hardware")
    psu = make_part_type(sku="PSU-750W")
    depot = make_depot(code="DEP-WAW", lat=52.20, lon=21.05)
    stock_up(psu, depot, 3, prefix="D")
    near, near_van = make_crew_member("near", 52.24, 21.02)
    far, far_van = make_crew_member("far", 51.76, 19.46)
    return World(ticket, psu, depot, near, far, near_van, far_van, make_user(role="dispatcher"))


def new_job(world: World, **overrides: Any) -> Job:
    data: dict[str, Any] = {
        "actor": world.dispatcher,
        "ticket_number": world.ticket.number,
        "required_skills": ["router"],
        "parts": [{"sku": world.psu.sku, "quantity": 1}],
        "duration_min": 60,
        "now": NOW,
    }
    data.update(overrides)
    return create_job(**data)
