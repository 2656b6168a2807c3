"""Fixtures the ticket tests share: a 24x7 service and a contact of its customer."""

from __future__ import annotations

from typing import Any

import pytest

from fieldops.accounts.models import User
from fieldops.customers.models import Service
from tests.factories import make_contact, make_service


@pytest.fixture
def service(session: Any) -> Service:
    return make_service()


@pytest.fixture
def contact(service: Service) -> User:
    return make_contact(service.customer)
