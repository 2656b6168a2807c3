"""documents/pdf_filters.py: how the PDFs print times, dates and durations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from fieldops.documents.pdf_filters import duration, local_date, local_datetime, local_time

A4 = (595.28, 841.89)
LETTER = (612.0, 792.0)


def test_local_datetime_prints_the_zone_of_the_document() -> None:
    at = datetime(2026, 12, 1, 13, 5, tzinfo=UTC)
    assert local_datetime(at, "Europe/Amsterdam") == "Tue 1 Dec 2026 14:05 CET"
    assert local_datetime(at, "America/New_York") == "Tue 1 Dec 2026 08:05 EST"
    summer = datetime(2026, 7, 1, 13, 5, tzinfo=UTC)
    assert local_datetime(summer, "Europe/Amsterdam") == "Wed 1 Jul 2026 15:05 CEST"
    assert local_time(at, "Europe/Amsterdam") == "14:05"
    assert local_date(datetime(2026, 11, 30, 23, 30, tzinfo=UTC), "Europe/Amsterdam") == (
        "Tue 1 Dec 2026"
    )
    assert local_datetime(None, "UTC") == ""


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        local_datetime(datetime(2026, 12, 1, 13, 5), "UTC")  # noqa: DTZ001 - the point


@pytest.mark.parametrize(
    ("length", "printed"),
    [
        (0, "0 min"),
        (45, "45 min"),
        (90, "1 h 30 min"),
        (125, "2 h 05 min"),
        (timedelta(hours=16, minutes=48, seconds=59), "16 h 48 min"),
        (timedelta(days=3, hours=4), "3 d 4 h 00 min"),
    ],
)
def test_duration(length: int | timedelta, printed: str) -> None:
    assert duration(length) == printed


def test_negative_duration_is_a_data_error() -> None:
    with pytest.raises(ValueError, match="negative"):
        duration(timedelta(minutes=-5))
