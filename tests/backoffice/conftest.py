"""Desk fixtures: a customer with a service and contact, two agents and one fresh ticket."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from flask.testing import FlaskClient

from fieldops.accounts.models import User
from fieldops.customers.models import Service
from fieldops.tickets.models import Ticket
from tests.factories import make_contact, make_current_ticket, make_service, make_user


@dataclass
class Desk:
    service: Service
    contact: User
    agent: User
    colleague: User
    ticket: Ticket

    @property
    def page(self) -> str:
        return f"/desk/tickets/{self.ticket.number}"


@pytest.fixture
def desk(session: Any) -> Desk:
    service = make_service(circuit_ids=["CID-KRK-1"])
    contact = make_contact(service.customer, email="ada@customer.test")
    world = Desk(
        service=service,
        contact=contact,
        agent=make_user(role="agent", tier="L1", name="Alice Agent"),
        colleague=make_user(role="agent", tier="L2", name="Bob Second"),
        ticket=make_current_ticket(service, contact, summary="Link down in Krakow"),
    )
    # Committed like real data (into the test's savepoint), so a refused request's rollback
    # does not take the world with it.
    session.commit()
    return world


@pytest.fixture
def agent_client(login_as: Callable[[User], FlaskClient], desk: Desk) -> FlaskClient:
    return login_as(desk.agent)
