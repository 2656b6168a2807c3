"""Fixtures of the route-plan tests (the pure core's tests need none)."""

from __future__ import annotations

from typing import Any

import pytest

from fieldops.accounts.models import User
from tests.factories import make_user


@pytest.fixture
def dispatcher(session: Any) -> User:
    return make_user(role="dispatcher")
