"""Fixtures for request-level API tests: two customers, their contacts, the desk."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from fieldops.accounts.models import User
from fieldops.clock import utcnow
from fieldops.customers.models import Customer, Service
from tests.factories import make_contact, make_service, make_user

API = "/api/v1"


@dataclass
class World:
    """Customer A and customer B, each with a service and a contact; an agent and a manager."""

    customer_a: Customer
    customer_b: Customer
    service_a: Service
    service_b: Service
    contact_a: User
    contact_b: User
    agent: User
    manager: User


@pytest.fixture
def world(session: Any, agent: User) -> World:
    service_a = make_service()
    service_b = make_service()
    world = World(
        customer_a=service_a.customer,
        customer_b=service_b.customer,
        service_a=service_a,
        service_b=service_b,
        contact_a=make_contact(service_a.customer, email="alice@a.example"),
        contact_b=make_contact(service_b.customer, email="bob@b.example"),
        agent=agent,
        manager=make_user(role="manager"),
    )
    session.commit()  # see api_as: a refused request must not take the world with it
    return world


def ticket_body(service: Service | str, **overrides: Any) -> dict[str, Any]:
    """A valid POST /tickets body, its fault half an hour before the real clock."""
    body: dict[str, Any] = {
        "service_id": service if isinstance(service, str) else service.code,
        "fault_started_at": (utcnow() - timedelta(minutes=30)).isoformat(),
        "summary": "Link down at the Warsaw PoP",
        "description": "BGP session dropped; no light on port xe-0/0/1.",
        "impact": "service_affecting",
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not ...}


def assert_error(response: Any, status: int, code: str, *fields: str) -> dict[str, Any]:
    """The contract's error shape: {"code", "message", "errors": {field: [messages]}}."""
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"code", "message", "errors"}, body
    assert body["code"] == code
    assert isinstance(body["message"], str)
    assert body["message"]
    assert isinstance(body["errors"], dict)
    for name, messages in body["errors"].items():
        assert isinstance(name, str)
        assert isinstance(messages, list)
        assert all(isinstance(m, str) and m for m in messages)
    for name in fields:
        assert name in body["errors"], body
    return body


Opener = Callable[..., dict[str, Any]]


@pytest.fixture
def open_via_api(api_as: Callable[[User], Any]) -> Opener:
    """open_via_api(user, service, **fields) -> the new ticket's JSON (asserts 201)."""

    def _open(user: User, service: Service, **overrides: Any) -> dict[str, Any]:
        response = api_as(user).post(f"{API}/tickets", json=ticket_body(service, **overrides))
        assert response.status_code == 201, response.get_data(as_text=True)
        return dict(response.get_json())

    return _open
