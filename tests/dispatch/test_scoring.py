"""Candidate scoring on a worked example: who is excluded and why, and the ranking order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from fieldops.dispatch.scoring import (
    Candidate,
    EngineerState,
    Excluded,
    JobNeed,
    assess,
    earliest_arrival,
    rank,
    van_share,
)

NOW = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)
DAY = ((NOW - timedelta(hours=1), NOW + timedelta(hours=7)),)
JOB = JobNeed(
    skills=frozenset({"router"}),
    arrive_by=NOW + timedelta(hours=4),
    duration=timedelta(hours=1),
    parts={"PSU-750": 1},
)


def engineer(id: int, **overrides: object) -> EngineerState:
    data: dict[str, object] = {
        "id": id,
        "name": f"E{id}",
        "skills": frozenset({"router"}),
        "shifts": DAY,
        "capacity": 6,
        "load": 0,
        "travel_min": 30.0,
        "distance_km": 23.0,
        "van_stock": {},
    }
    data.update(overrides)
    return EngineerState(**data)  # type: ignore[arg-type]


def test_worked_example_ranks_by_travel_slack_load_and_parts() -> None:
    """Four engineers who can all make it: near-but-busy, far, near-and-free, and one
    carrying the part. The part in the van outweighs a little extra travel; load costs."""
    ranking = rank(
        JOB,
        [
            engineer(1, travel_min=20, load=5),  # near, busy day
            engineer(2, travel_min=120),  # far
            engineer(3, travel_min=20),  # near, free
            engineer(4, travel_min=40, van_stock={"PSU-750": 1}),  # carries the part
        ],
        NOW,
    )
    assert [c.engineer_id for c in ranking.candidates] == [4, 3, 1, 2]
    best = ranking.candidates[0]
    assert set(best.parts) == {"travel", "slack", "load", "parts"}
    assert best.parts["parts"] == 25.0
    assert best.score == pytest.approx(sum(best.parts.values()))
    assert "carries PSU-750" in best.reason
    assert ranking.candidates[2].parts["load"] == -25.0  # 5 of 6 jobs


def test_late_always_ranks_below_on_time() -> None:
    on_time = engineer(1, travel_min=200, van_stock={})
    late = engineer(
        2,
        shifts=((NOW + timedelta(hours=5), NOW + timedelta(hours=12)),),
        travel_min=5,
        van_stock={"PSU-750": 1},
    )
    ranking = rank(JOB, [late, on_time], NOW)
    assert [c.engineer_id for c in ranking.candidates] == [1]
    assert [e.engineer_id for e in ranking.excluded] == [2]  # shift starts after arrive-by


def test_a_job_already_overdue_ranks_who_gets_there_least_late() -> None:
    overdue = JobNeed(frozenset(), NOW - timedelta(hours=1), timedelta(hours=1), {})
    ranking = rank(overdue, [engineer(1, travel_min=90), engineer(2, travel_min=10)], NOW)
    assert [c.engineer_id for c in ranking.candidates] == [2, 1]
    assert all(c.slack_min < 0 for c in ranking.candidates)
    assert "late by" in ranking.candidates[0].reason


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"skills": frozenset({"optical"})}, "lacks skills: router"),
        ({"load": 6}, "no capacity left: 6 of 6 jobs that day"),
        ({"shifts": ()}, "not on shift before the arrive-by time"),
        (
            {"shifts": ((NOW - timedelta(hours=2), NOW + timedelta(minutes=10)),)},
            "not on shift before the arrive-by time",
        ),  # the trip does not fit the shift
    ],
)
def test_exclusions_say_why(overrides: dict[str, object], reason: str) -> None:
    result = assess(JOB, engineer(9, **overrides), NOW)
    assert isinstance(result, Excluded)
    assert reason in result.reasons


def test_a_candidate_arrives_after_travel_from_the_start_of_their_shift() -> None:
    later = ((NOW + timedelta(hours=2), NOW + timedelta(hours=8)),)
    result = assess(JOB, engineer(1, shifts=later, travel_min=30), NOW)
    assert isinstance(result, Candidate)
    assert result.eta == NOW + timedelta(hours=2, minutes=30)
    assert result.slack_min == 90


def test_earliest_arrival_skips_a_period_too_short_for_the_trip() -> None:
    periods = [
        (NOW, NOW + timedelta(minutes=20)),
        (NOW + timedelta(hours=1), NOW + timedelta(hours=3)),
    ]
    assert earliest_arrival(periods, NOW, timedelta(minutes=30)) == NOW + timedelta(
        hours=1, minutes=30
    )
    assert earliest_arrival(periods, NOW, timedelta(hours=3)) is None


def test_van_share_counts_quantities() -> None:
    assert van_share({"A": 2, "B": 2}, {"A": 2, "B": 1}) == (0.75, ["A"])
    assert van_share({}, {"A": 1}) == (0.0, [])
