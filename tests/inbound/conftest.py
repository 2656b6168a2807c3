"""Inbound-mail fixtures: a customer whose contact writes in, another customer, the desk."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from fieldops.accounts.models import User
from fieldops.customers.models import Service
from tests.factories import make_contact, make_service, make_user


@dataclass
class Mailroom:
    """ACME-like customer A (one service, contact ada@customer.test), customer B, the desk."""

    service: Service
    contact: User
    other_service: Service
    other_contact: User
    agent: User
    admin: User

    @property
    def sender(self) -> str:
        return self.contact.email


@pytest.fixture
def room(session: Any, agent: User) -> Mailroom:
    service = make_service()
    other_service = make_service()
    world = Mailroom(
        service=service,
        contact=make_contact(service.customer, email="ada@customer.test", name="Ada Lovelace"),
        other_service=other_service,
        other_contact=make_contact(other_service.customer, email="bob@other.test"),
        agent=agent,
        admin=make_user(role="admin"),
    )
    # Committed into the test's savepoint: a refused request's rollback keeps the world.
    session.commit()
    return world
