"""Shared-page fixtures: cheap password hashing for the users these tests create."""

from __future__ import annotations

import pytest

from tests.web.pages import cheap_password_hashes


@pytest.fixture(autouse=True)
def _fast_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    cheap_password_hashes(monkeypatch)
