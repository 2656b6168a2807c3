"""seed: the demo's on-call rota covers every hour of the week, its jobs stand in every state
through the dispatch services (stock and ledger consistent), and loading again adds nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import func, select

from fieldops.clock import utcnow
from fieldops.db import db
from fieldops.dispatch.models import Job, JobPart
from fieldops.dispatch.queries.candidates import shift_periods
from fieldops.dispatch.scoring import Period
from fieldops.engineers.models import Absence, Engineer
from fieldops.inventory import queries
from fieldops.inventory.models import Backorder, StockLocation, StockMovement, StockReservation
from fieldops.tickets.models import Ticket, TicketEvent
from seed import loader
from seed.demo_tickets import find_demo_ticket
from tests.factories import cheap_password_hashing

WARSAW = ZoneInfo("Europe/Warsaw")
# An ordinary week, and the weeks the clocks go forward and back (Europe, 2026).
WEEKS = (
    datetime(2026, 11, 16, tzinfo=WARSAW),
    datetime(2026, 3, 23, tzinfo=WARSAW),
    datetime(2026, 10, 19, tzinfo=WARSAW),
)
TABLES = (Job, JobPart, Absence, Ticket, TicketEvent, StockReservation, StockMovement, Backorder)


def _quiet(_: str) -> None:
    return None


def _load(fresh_app: Flask, monkeypatch: pytest.MonkeyPatch, now: datetime) -> Iterator[Flask]:
    cheap_password_hashing(monkeypatch)
    with fresh_app.app_context():
        loader.load_demo(echo=_quiet, now=now)
        fresh_app.config["SEEDED_AT"] = now
        yield fresh_app


@pytest.fixture
def seeded(fresh_app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    """A fresh, committed database holding the demo world, loaded now."""
    yield from _load(fresh_app, monkeypatch, utcnow())


@pytest.fixture
def seeded_sunday_night(fresh_app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    """The demo world loaded at 03:00 on a Sunday in Warsaw, when only the rota's night shift
    works: assignments must still find engineers."""
    yield from _load(fresh_app, monkeypatch, datetime(2026, 11, 22, 3, 0, tzinfo=WARSAW))


def _count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def _union(periods: list[Period]) -> list[Period]:
    merged: list[Period] = []
    for start, end in sorted(periods):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _uncovered_hours(engineers: list[Engineer], week_start: datetime) -> list[datetime]:
    start = week_start.astimezone(UTC)
    end = (week_start + timedelta(days=7)).astimezone(UTC)
    periods = [
        period
        for engineer in engineers
        for period in shift_periods(engineer.timezone, engineer.shifts, start, end)
    ]
    covered = _union(periods)
    gaps: list[datetime] = []
    hour = start
    while hour < end:
        if not any(a <= hour and hour + timedelta(hours=1) <= b for a, b in covered):
            gaps.append(hour)
        hour += timedelta(hours=1)
    return gaps


def test_the_rota_covers_every_hour_of_the_week(seeded: Flask) -> None:
    engineers = list(db.session.scalars(select(Engineer).order_by(Engineer.id)))
    assert len(engineers) >= 20

    for week_start in WEEKS:
        assert _uncovered_hours(engineers, week_start) == [], week_start.date()
    capacities = {e.daily_capacity for e in engineers}
    assert min(capacities) >= 4
    assert max(capacities) <= 8
    assert len(capacities) >= 3
    assert {e.timezone for e in engineers} >= {"Europe/Warsaw", "Europe/Prague"}
    weekends = [e for e in engineers if e.shifts.get("sat") or e.shifts.get("sun")]
    nights = [e for e in engineers if ["00:00", "06:00"] in e.shifts.get("tue", [])]
    assert len(weekends) >= 2
    assert len(nights) >= 2
    absent = db.session.scalars(select(Absence)).all()
    assert 1 <= len(absent) <= 3
    assert all(a.reason for a in absent)


def _job_of(ref: dict[str, str]) -> list[Job]:
    ticket = find_demo_ticket(ref["service"], ref["ref"])
    assert ticket is not None, ref
    return list(db.session.scalars(select(Job).where(Job.ticket_id == ticket.id).order_by(Job.id)))


def _reservations(job: Job) -> list[Any]:
    views, _ = queries.list_reservations(job_id=job.number, per_page=100)
    return views


def _van_of(engineer_id: int | None) -> str | None:
    return db.session.scalar(
        select(StockLocation.code).where(StockLocation.engineer_id == engineer_id)
    )


def _check_jobs(loaded_at: datetime) -> None:
    specs = loader.read_json("jobs.json")["jobs"]
    by_status: dict[str, Job] = {}
    for spec in specs:
        jobs = _job_of(spec["ticket"])
        assert jobs[0].status == spec["expect"], spec["ticket"]["ref"]
        by_status.setdefault(spec["expect"], jobs[0])
        if spec["expect"] == "failed":
            assert len(jobs) == 2
            assert jobs[1].follow_up_of_id == jobs[0].id
            assert jobs[1].status == "unassigned"
        else:
            assert len(jobs) == 1
    assert set(by_status) == {
        "unassigned",
        "assigned",
        "awaiting_parts",
        "en_route",
        "completed",
        "failed",
    }

    urgent = [
        j
        for j in db.session.scalars(select(Job).where(Job.status == "unassigned"))
        if j.priority == "P1"
    ]
    assert len(urgent) == 1
    assert loaded_at < urgent[0].arrive_by <= loaded_at + timedelta(hours=4)
    assert _count_status("unassigned") >= 2

    assigned = by_status["assigned"]
    held = _reservations(assigned)
    assert held
    assert {(r.status, r.location_kind, r.location) for r in held} == {
        ("held", "van", _van_of(assigned.engineer_id))
    }

    waiting = by_status["awaiting_parts"]
    backorders, _ = queries.list_backorders(per_page=100)
    assert [b.sku for b in backorders if b.job_id == waiting.number] == ["LC-MPC7E-10G"]

    moving = by_status["en_route"]
    picked = _reservations(moving)
    assert picked
    assert {(r.status, r.location) for r in picked} == {("picked", _van_of(moving.engineer_id))}
    assert moving.en_route_at is not None

    done = by_status["completed"]
    assert done.signed_off_by
    assert {r.status for r in _reservations(done)} == {"consumed"}
    resolved = db.session.get(Ticket, done.ticket_id)
    assert resolved is not None
    assert resolved.status == "resolved"

    failed = by_status["failed"]
    assert failed.failure_reason
    assert {r.status for r in _reservations(failed)} == {"released"}

    for job in db.session.scalars(select(Job).where(Job.engineer_id.is_not(None))):
        engineer = db.session.get(Engineer, job.engineer_id)
        assert engineer is not None
        assert set(job.required_skills) <= set(engineer.skills), job.number
    events = db.session.scalars(
        select(TicketEvent.body).where(TicketEvent.ticket_id == done.ticket_id)
    ).all()
    assert any(done.number in body and "completed" in body for body in events)

    check = queries.verify_ledger()
    assert check.balanced, check.discrepancies


def _count_status(status: str) -> int:
    return db.session.scalar(select(func.count()).where(Job.status == status)) or 0


def test_the_demo_jobs_stand_in_every_state(seeded: Flask) -> None:
    _check_jobs(seeded.config["SEEDED_AT"])


def test_the_demo_jobs_load_in_the_dead_of_a_sunday_night(seeded_sunday_night: Flask) -> None:
    _check_jobs(seeded_sunday_night.config["SEEDED_AT"])


def test_loading_the_demo_again_adds_no_jobs(seeded: Flask) -> None:
    before = {model.__tablename__: _count(model) for model in TABLES}

    again = loader.load_demo(echo=_quiet)

    assert {model.__tablename__: _count(model) for model in TABLES} == before
    assert before["jobs"] == len(loader.read_json("jobs.json")["jobs"]) + 1  # the follow-up
    assert not again.created
    assert queries.verify_ledger().balanced
