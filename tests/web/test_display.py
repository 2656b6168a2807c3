"""Shared display filters: local times with their offset, durations and labels."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask

from fieldops.web.display import datetime_local, duration, label, when

INSTANT = datetime(2026, 7, 1, 10, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("cookie", "shown"),
    [
        (None, "Wed 01 Jul 2026 10:05 UTC+00:00"),
        ("Europe/Warsaw", "Wed 01 Jul 2026 12:05 UTC+02:00"),
        ("America/St_Johns", "Wed 01 Jul 2026 07:35 UTC-02:30"),
        ("Not/AZone", "Wed 01 Jul 2026 10:05 UTC+00:00"),
        ("../../etc/passwd", "Wed 01 Jul 2026 10:05 UTC+00:00"),
    ],
)
def test_when_shows_the_browser_zone_with_its_offset(
    app: Flask, cookie: str | None, shown: str
) -> None:
    headers = {"Cookie": f"tz={cookie}"} if cookie else {}
    with app.test_request_context("/", headers=headers):
        assert when(INSTANT) == shown
        assert when(None) == "—"


def test_datetime_local_is_the_input_value_in_the_browser_zone(app: Flask) -> None:
    with app.test_request_context("/", headers={"Cookie": "tz=Asia/Tokyo"}):
        assert datetime_local(INSTANT) == "2026-07-01T19:05"
        assert datetime_local(None) == ""


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (30, "under 1 min"),
        (45 * 60, "45 min"),
        (3 * 3600 + 20 * 60, "3 h 20 min"),
        (-(2 * 86400 + 3 * 3600), "2 d 3 h"),
        (None, "—"),
    ],
)
def test_duration_reads_like_a_person_would_say_it(seconds: int | None, shown: str) -> None:
    assert duration(seconds) == shown


def test_label_turns_codes_into_words() -> None:
    assert label("pending_third_party") == "Pending third party"
    assert label(None) == "—"
