"""The RFO's rules: who may have one, when it is due on the SLA calendar, the moves."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from fieldops.documents.rfo_rules import (
    can_move,
    due_at,
    ineligibility,
    is_overdue,
    missing_for_review,
)
from fieldops.tickets import sla

WARSAW_OFFICE = sla.Calendar.from_document(
    {
        "timezone": "Europe/Warsaw",
        "hours": {d: [["08:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
        | {"sat": [], "sun": []},
        "holidays": ["2026-12-24", "2026-12-25"],
    }
)
ROUND_THE_CLOCK = sla.Calendar.from_document(
    {"timezone": "UTC", "hours": {d: [["00:00", "24:00"]] for d in sla.WEEKDAYS}, "holidays": []}
)


def test_due_is_the_close_of_the_fifth_working_day_after_the_request() -> None:
    # Wednesday 18 Nov 2026, 11:00 Warsaw: Thu, Fri, Mon, Tue, Wed -> Wed 25 Nov 17:00 CET.
    requested = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
    assert due_at(WARSAW_OFFICE, requested) == datetime(2026, 11, 25, 16, 0, tzinfo=UTC)


def test_a_request_at_the_weekend_counts_from_monday() -> None:
    saturday = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
    assert due_at(WARSAW_OFFICE, saturday) == datetime(2026, 11, 27, 16, 0, tzinfo=UTC)


def test_holidays_are_not_working_days() -> None:
    # Mon 21 Dec: Tue 22, Wed 23, (24, 25 holidays, weekend), Mon 28, Tue 29, Wed 30.
    monday = datetime(2026, 12, 21, 9, 0, tzinfo=UTC)
    assert due_at(WARSAW_OFFICE, monday) == datetime(2026, 12, 30, 16, 0, tzinfo=UTC)


def test_on_a_24x7_calendar_every_day_counts() -> None:
    requested = datetime(2026, 11, 18, 23, 59, tzinfo=UTC)
    assert due_at(ROUND_THE_CLOCK, requested) == datetime(2026, 11, 24, 0, 0, tzinfo=UTC)


def test_working_days_must_be_positive_and_times_aware() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        sla.close_of_working_day(WARSAW_OFFICE, datetime(2026, 11, 18, tzinfo=UTC), 0)
    with pytest.raises(ValueError, match="aware"):
        sla.close_of_working_day(WARSAW_OFFICE, datetime(2026, 11, 18), 5)  # noqa: DTZ001


@pytest.mark.parametrize(
    ("priority", "status", "refusal"),
    [
        ("P1", "resolved", None),
        ("P2", "closed", None),
        ("P3", "resolved", "P1 and P2"),
        ("P1", "in_progress", "resolved"),
        ("P2", "cancelled", "resolved"),
    ],
)
def test_only_resolved_p1_and_p2_incidents_get_an_rfo(
    priority: str, status: str, refusal: str | None
) -> None:
    why = ineligibility(priority, status)
    assert (why is None) if refusal is None else (refusal in (why or ""))


def test_the_moves_are_draft_review_publish_with_send_back() -> None:
    assert can_move("requested", "draft")
    assert can_move("draft", "in_review")
    assert can_move("in_review", "draft")
    assert can_move("in_review", "published")
    assert not can_move("draft", "published")
    assert not can_move("published", "draft")
    assert not can_move("requested", "nonsense")


def test_review_needs_every_section_and_overdue_is_unpublished_past_due() -> None:
    assert missing_for_review({"summary": "x", "impact": " "}) == [
        "impact",
        "root_cause",
        "resolution",
        "preventive_actions",
    ]
    due = datetime(2026, 11, 25, 16, 0, tzinfo=UTC)
    assert is_overdue("draft", due, due)
    assert not is_overdue("published", due, due.replace(day=26))
    assert not is_overdue("in_review", due, due.replace(hour=15))
