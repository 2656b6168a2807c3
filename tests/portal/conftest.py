"""Portal fixtures: a customer with a service and a contact, and another customer's service."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from fieldops.accounts.models import User
from fieldops.customers.models import Service
from tests.factories import make_contact, make_service


@dataclass
class World:
    service: Service
    contact: User
    foreign_service: Service
    foreign_contact: User


@pytest.fixture
def world(session: Any) -> World:
    service = make_service(circuit_ids=["CID-WAW-1", "CID-WAW-2"])
    other = make_service()
    world = World(
        service=service,
        contact=make_contact(service.customer, name="Ada Contact"),
        foreign_service=other,
        foreign_contact=make_contact(other.customer),
    )
    # Committed like real data (into the test's savepoint), so a refused request's rollback
    # does not take the world with it.
    session.commit()
    return world
