"""seed: the demo world loads idempotently, and generated history obeys the services' rules."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from fieldops.accounts.models import User
from fieldops.accounts.services import authenticate
from fieldops.clock import utcnow
from fieldops.customers.calendars import business_hours_document
from fieldops.customers.models import Customer, Service, Site, SlaPlan
from fieldops.db import db, transaction
from fieldops.numbering import peek_last
from fieldops.tickets import sla
from fieldops.tickets.lifecycle import PAUSED_STATUSES as PAUSED
from fieldops.tickets.lifecycle import Actor, TicketStatus
from fieldops.tickets.models import Ticket, TicketEvent, TicketPause
from fieldops.tickets.services import add_event, change_status, open_ticket, update_ticket
from seed import loader
from seed.history import load_world
from seed.realize import fit
from seed.shapes import Draft, Life, Person, PlanInfo, ServiceInfo, World
from seed.texts import Texts
from seed.timeline import (
    STATUS_WEIGHTS,
    draw_life,
    draw_opened_at,
    draw_opening,
    settle_opening,
)
from tests.factories import cheap_password_hashing

NUMBER = re.compile(r"^TT-\d{4}-\d{6}$")
TABLES = (SlaPlan, Customer, Site, Service, User, Ticket, TicketEvent, TicketPause)


def _quiet(_: str) -> None:
    return None


@pytest.fixture
def seeded(fresh_app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    """A fresh, committed database holding the demo world."""
    cheap_password_hashing(monkeypatch)
    with fresh_app.app_context():
        loader.load_demo(echo=_quiet)
        yield fresh_app


def _counts() -> dict[str, int]:
    return {
        model.__tablename__: db.session.scalar(select(func.count()).select_from(model)) or 0
        for model in TABLES
    }


def test_the_demo_world_loads_once_and_can_be_used(seeded: Flask) -> None:
    before = _counts()
    printed: list[str] = []

    again = loader.load_demo(echo=printed.append)

    assert _counts() == before
    assert not again.created
    assert before["customers"] >= 3
    assert before["tickets"] == len(loader.read_json("tickets.json")["tickets"])
    output = "\n".join(printed)
    assert loader.demo_password() in output
    assert "admin@fieldops.example" in output
    assert "piotr.nowak@acme.example" in output
    logins = again.logins
    password = loader.demo_password()
    for login in logins:
        user = authenticate(login.email, password)
        assert user is not None, login.email
        assert user.role == login.role
    staff = {(u.role, u.tier) for u in db.session.scalars(select(User))}
    for tier in ("L1", "L2", "L3"):
        assert ("agent", tier) in staff
    for role in ("dispatcher", "engineer", "stock_manager", "manager", "admin"):
        assert (role, None) in staff
    for customer in db.session.scalars(select(Customer)):
        contacts = list(db.session.scalars(select(User).where(User.customer_id == customer.id)))
        assert any(c.can_technical and not c.can_billing for c in contacts), customer.code
        assert any(c.can_billing for c in contacts), customer.code
        assert (
            len(list(db.session.scalars(select(Service).where(Service.customer_id == customer.id))))
            >= 2
        )
    services = list(db.session.scalars(select(Service)))
    assert {s.sla_plan.code for s in services} == {"24X7-PREMIUM", "BH-STANDARD"}
    assert len({s.site.city for s in services}) >= 5
    for service in services:
        assert -90 <= service.site.lat <= 90
        assert -180 <= service.site.lon <= 180
        assert service.site.lat != 0
        assert service.site.lon != 0
    statuses = set(db.session.scalars(select(Ticket.status)))
    assert {"new", "acknowledged", "in_progress", "pending_customer", "resolved"} <= statuses
    waiting = db.session.scalar(select(Ticket).where(Ticket.status == "pending_customer"))
    assert waiting is not None
    assert waiting.paused_since is not None
    pause = db.session.scalar(select(TicketPause).where(TicketPause.ticket_id == waiting.id))
    assert pause is not None
    assert pause.reason == "waiting_customer_info"
    assert pause.ended_at is None
    visibility = set(db.session.scalars(select(TicketEvent.public)))
    assert visibility == {True, False}


def test_history_tickets_are_complete_consistent_and_numbered_on(seeded: Flask) -> None:
    now = utcnow()
    numbers = loader.make_history(200, echo=_quiet, now=now, progress=False)
    more = loader.make_history(40, echo=_quiet, now=now, progress=False)

    assert len(numbers) == len(set(numbers)) == 200
    assert all(NUMBER.match(n) for n in numbers)
    tickets = list(db.session.scalars(select(Ticket).where(Ticket.number.in_(numbers))))
    assert len(tickets) == 200
    assert len({t.status for t in tickets}) >= 3
    plans = {s.id: s.sla_plan for s in db.session.scalars(select(Service))}
    for ticket in tickets:
        _check_invariants(ticket, plans[ticket.service_id], now)
    _check_numbering_continues(numbers, more, now)


def _check_invariants(ticket: Ticket, plan: SlaPlan, now: datetime) -> None:
    events = list(
        db.session.scalars(
            select(TicketEvent).where(TicketEvent.ticket_id == ticket.id).order_by(TicketEvent.id)
        )
    )
    pauses = list(db.session.scalars(select(TicketPause).where(TicketPause.ticket_id == ticket.id)))
    assert 2 <= len(events) <= 6, ticket.number
    assert events[0].kind == "created"
    assert ticket.number in events[0].body
    times = [e.created_at for e in events]
    assert times == sorted(times)
    assert times[0] == ticket.created_at
    assert ticket.updated_at == times[-1] <= now
    assert ticket.fault_started_at <= ticket.created_at <= ticket.sla_started_at
    calendar = sla.Calendar.from_document(plan.calendar)
    target = plan.targets[ticket.priority]
    assert ticket.response_due_at == sla.add_working_time(
        calendar, ticket.sla_started_at, timedelta(minutes=target["response_min"])
    )
    ended = [(p.started_at, p.ended_at) for p in pauses if p.ended_at is not None]
    assert ticket.resolution_due_at == sla.due_at(
        calendar, ticket.sla_started_at, timedelta(minutes=target["resolution_min"]), ended, now
    )
    assert ticket.paused_seconds == sum(p.seconds or 0 for p in pauses)
    still_open = [p for p in pauses if p.ended_at is None]
    if ticket.status in ("pending_customer", "pending_third_party"):
        assert len(still_open) == 1
        assert ticket.paused_since == still_open[0].started_at
    else:
        assert not still_open
        assert ticket.paused_since is None
    stamps = {
        "resolved": ticket.resolved_at,
        "closed": ticket.closed_at,
        "cancelled": ticket.cancelled_at,
    }
    for status, stamp in stamps.items():
        assert (stamp is not None) == (
            ticket.status == status or (status, ticket.status) == ("resolved", "closed")
        )
    if ticket.status == "resolved":
        assert ticket.resolved_at is not None
        assert ticket.resolved_at > now - timedelta(hours=24)


def _check_numbering_continues(first: list[str], second: list[str], now: datetime) -> None:
    """The second run's numbers follow the first's per year; the counter matches; a ticket
    opened the normal way afterwards takes the next number."""
    assert not set(first) & set(second)
    last: dict[int, int] = {}
    for year in {int(n.split("-")[1]) for n in first + second}:
        earlier = [int(n[-6:]) for n in first if int(n.split("-")[1]) == year]
        later = [int(n[-6:]) for n in second if int(n.split("-")[1]) == year]
        if earlier and later:
            assert min(later) > max(earlier)
        last[year] = peek_last("TT", year)
        assert max(earlier + later) == last[year]
    contact = db.session.scalar(select(User).where(User.email == "piotr.nowak@acme.example"))
    assert contact is not None
    with transaction():
        ticket = open_ticket(
            actor=contact,
            data={
                "service_id": "SVC-10001",
                "fault_started_at": now - timedelta(minutes=5),
                "summary": "After history",
                "impact": "degraded",
            },
            channel="portal",
            now=now,
        )
    assert ticket.number == f"TT-{now.year}-{last.get(now.year, 6) + 1:06d}"


def test_generated_lives_match_what_the_ticket_services_do(seeded: Flask) -> None:
    """Replay drawn lives through the real services; the bulk rows must be the same."""
    world = load_world()
    rng = random.Random(11)
    now = utcnow()
    for status in STATUS_WEIGHTS:
        for _ in range(5):
            opened = draw_opened_at(rng, status, now)
            life = draw_life(rng, world, status, opened)
            draft = fit(life, settle_opening(rng, life, opened, now), now)
            with transaction():
                number = _replay(life, draft)
            _assert_same(number, draft)


def test_drawn_histories_stay_in_budget_and_before_now() -> None:
    """Pure: thousands of drawn lives on both demo plans, no app and no database."""
    plans = [
        PlanInfo(
            sla.Calendar.from_document(p["calendar"]),
            sla.Calendar.from_document(business_hours_document(p["calendar"])),
            p["targets"],
            None,
        )
        for p in loader.read_json("plans.json")["sla_plans"]
    ]
    services = tuple(
        ServiceInfo(i, f"SVC-{20000 + i}", 1 + i % 2, kind, "Kraków", "Site", ("C-1",), plan)
        for i, (kind, plan) in enumerate(
            (kind, plan)
            for kind in ("ip_transit", "colocation", "hosted_platform")
            for plan in plans
        )
    )
    people = {tier: (Person(10 + n, f"Agent {tier}"),) for n, tier in enumerate(("L1", "L2", "L3"))}
    world = World(
        services=services,
        technical={1: (Person(1, "Tech"),)},
        billing={1: (Person(2, "Billing"),)},
        agents=people,
        texts=Texts(loader.read_json("history.json")),
    )
    rng = random.Random(5)
    now = datetime(2026, 11, 22, 4, 30, tzinfo=UTC)  # a Sunday: business hours are closed
    finals: set[str] = set()
    for _ in range(2000):
        status, opened = draw_opening(rng, now)
        life = draw_life(rng, world, status, opened)
        draft = fit(life, settle_opening(rng, life, opened, now), now)
        row, times = draft.ticket, [e["created_at"] for e in draft.events]
        finals.add(row["status"])
        assert 2 <= len(draft.events) <= 6
        assert times == sorted(times)
        assert row["updated_at"] == times[-1] < now
        assert row["created_at"] == times[0] <= row["sla_started_at"]
        assert (row["paused_since"] is not None) == (row["status"] in PAUSED)
        if row["status"] == "resolved":
            assert row["resolved_at"] > now - timedelta(hours=24)
    assert finals == {s.value for s in TicketStatus}


def _user(user_id: int | None) -> User | None:
    return db.session.get(User, user_id) if user_id is not None else None


def _replay(life: Life, draft: Draft) -> str:
    fields = life.fields
    creator = _user(fields["created_by_id"])
    assert creator is not None
    data: dict[str, Any] = {
        "service_id": life.service.code,
        "fault_started_at": draft.ticket["fault_started_at"],
        **{k: fields[k] for k in ("summary", "description", "impact", "urgency", "category")},
        **{
            k: fields[k] for k in ("circuit_id", "fault_pattern", "ip_address", "logs") if fields[k]
        },
    }
    requester = _user(fields["requester_id"])
    if requester is not None and not creator.is_customer:
        data["requester"] = requester.email
    ticket = open_ticket(actor=creator, data=data, channel=fields["channel"], now=draft.created_at)
    for step, event in zip(life.steps, draft.events[1:], strict=True):
        at, actor = event["created_at"], _user(step.actor.id if step.actor else None)
        if step.kind == "status_change":
            assert step.to is not None
            if step.who is Actor.SYSTEM and step.to == TicketStatus.IN_PROGRESS:
                continue  # add_event already resumed it when the customer replied
            change_status(
                ticket, actor=actor, to=step.to, note=step.body, reason=step.reason, now=at
            )
            continue
        assert actor is not None
        if step.kind in ("comment", "phone_call", "email"):
            add_event(
                ticket, actor=actor, kind=step.kind, body=step.body, public=step.public, now=at
            )
        elif step.kind == "assignment":
            update_ticket(
                ticket, actor=actor, changes={"assignee": str(step.data["assignee_id"])}, now=at
            )
        elif step.kind == "tier_change":
            note = step.body.split(". ", 1)[1]
            update_ticket(
                ticket,
                actor=actor,
                changes={"tier": step.data["to"], "handover_note": note},
                now=at,
            )
        elif step.kind == "eta":
            eta = datetime.fromisoformat(event["data"]["to"])
            update_ticket(ticket, actor=actor, changes={"eta": eta}, now=at)
        else:  # pragma: no cover - the planner makes no other kinds
            raise AssertionError(step.kind)
    return ticket.number


def _assert_same(number: str, draft: Draft) -> None:
    db.session.expire_all()
    ticket = db.session.scalar(select(Ticket).where(Ticket.number == number))
    assert ticket is not None
    for column, value in draft.ticket.items():
        if column != "number":
            assert getattr(ticket, column) == value, (column, number)
    events = list(
        db.session.scalars(
            select(TicketEvent).where(TicketEvent.ticket_id == ticket.id).order_by(TicketEvent.id)
        )
    )
    draft.assign_number(number)
    got = [(e.kind, e.body, e.public, e.actor_id, e.data, e.created_at) for e in events]
    want = [
        (e["kind"], e["body"], e["public"], e["actor_id"], e["data"], e["created_at"])
        for e in draft.events
    ]
    assert got == want
    pause_keys = ("reason", "started_at", "ended_at", "seconds", "started_by_id", "ended_by_id")
    pauses = db.session.scalars(
        select(TicketPause).where(TicketPause.ticket_id == ticket.id).order_by(TicketPause.id)
    )
    assert [tuple(getattr(p, k) for k in pause_keys) for p in pauses] == [
        tuple(p[k] for k in pause_keys) for p in draft.pauses
    ]
