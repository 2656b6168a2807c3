"""Fixtures shared by this package's tests."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import cheap_password_hashing


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: Any) -> None:
    cheap_password_hashing(monkeypatch)
