"""Sweeps racing each other (and a customer's request) on real, committing connections: one
escalation row, one work-log line and one e-mail per (ticket, level); and the `sweep` command."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from fieldops.accounts.services import issue_token
from fieldops.clock import utcnow
from fieldops.db import db, transaction
from fieldops.outbox import OutboxMessage
from fieldops.tickets.models import Ticket, TicketEscalation, TicketEvent
from fieldops.tickets.services import escalation
from fieldops.tickets.tasks import SweepReport, run_sweep
from tests.factories import (
    DEFAULT_NOW,
    PRIORITY_INPUT,
    make_contact,
    make_current_ticket,
    make_matrix,
    make_service,
    make_ticket,
)

H = timedelta(hours=1)
M = timedelta(minutes=1)
SWEEPS = 2
# Within one sweep a level's contacts get one notice per ticket up to this many tickets.
TICKETS = escalation.DIGEST_OVER


def _run_together(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Start every worker at once, so they really race for the same rows."""
    barrier = threading.Barrier(count)

    def _go(i: int) -> Any:
        barrier.wait()
        return work(i)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(_go, range(count)))


def _world(app: Flask) -> list[int]:
    """Commit the default matrix and TICKETS open tickets of P1 and P2, opened at DEFAULT_NOW."""
    with app.app_context(), transaction():
        make_matrix()
        service = make_service()
        contact = make_contact(service.customer)
        return [
            make_ticket(
                service, contact, now=DEFAULT_NOW, **PRIORITY_INPUT["P1" if n % 2 else "P2"]
            ).id
            for n in range(TICKETS)
        ]


def test_concurrent_sweeps_escalate_log_and_mail_each_ticket_once(fresh_app: Flask) -> None:
    ids = _world(fresh_app)
    at = DEFAULT_NOW + 3 * H  # P1: level 3 (120 min), P2: level 2 (120 min)

    def _sweep(_: int) -> SweepReport:
        with fresh_app.app_context():
            return run_sweep(at)

    reports = _run_together(SWEEPS, _sweep)

    # One sweep did everything, the others found it done.
    assert sorted(r.escalated for r in reports) == [0] * (SWEEPS - 1) + [TICKETS]
    assert sorted(r.breached for r in reports) == [0] * (SWEEPS - 1) + [TICKETS]
    with fresh_app.app_context():
        levels = dict(db.session.execute(select(Ticket.id, Ticket.escalation_level)).all())
        assert sorted(levels) == sorted(ids)
        assert Counter(levels.values()) == {3: TICKETS // 2, 2: TICKETS - TICKETS // 2}
        rows = db.session.execute(select(TicketEscalation.ticket_id, TicketEscalation.level))
        assert sorted(rows) == sorted(levels.items())
        events = db.session.scalars(
            select(TicketEvent.ticket_id).where(TicketEvent.kind == "escalation")
        ).all()
        assert sorted(events) == sorted(ids)
        breaches = db.session.scalars(
            select(TicketEvent.ticket_id).where(TicketEvent.kind == "sla")
        ).all()
        assert sorted(breaches) == sorted(ids)
        mail = db.session.scalars(
            select(OutboxMessage.ticket_id).where(OutboxMessage.template == "escalated")
        ).all()
        assert sorted(mail) == sorted(ids)


def test_a_customers_request_racing_the_sweep_never_reaches_a_level_twice(
    fresh_app: Flask,
) -> None:
    with fresh_app.app_context(), transaction():
        make_matrix()
        service = make_service()
        contact = make_contact(service.customer)
        # Old enough for level 1 (30 min) by the wall clock the API reads, not yet for level 2.
        number = make_current_ticket(service, contact, ago=40 * M).number
        token = issue_token(contact, now=utcnow(), ttl=H).token
    at = utcnow()

    def _race(worker: int) -> int:
        if worker == 0:
            with fresh_app.app_context():
                return run_sweep(at).escalated
        response = fresh_app.test_client().post(
            f"/api/v1/tickets/{number}/escalations",
            json={"note": "Please hurry."},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 201, response.get_data(as_text=True)
        return int(response.get_json()["level"])

    swept, requested = _run_together(2, _race)

    with fresh_app.app_context():
        rows = db.session.execute(
            select(TicketEscalation.level, TicketEscalation.reason).order_by(TicketEscalation.level)
        ).all()
        final = db.session.scalar(select(Ticket.escalation_level))
        mail = db.session.scalars(
            select(OutboxMessage.dedupe_key).where(OutboxMessage.template == "escalated")
        ).all()
    # Whichever went first took level 1; the request then (or before) went one level higher,
    # or the sweep found level 1 already reached and did nothing.
    if swept:
        assert [tuple(r) for r in rows] == [(1, "age_threshold"), (2, "customer_request")]
        assert (requested, final) == (2, 2)
    else:
        assert [tuple(r) for r in rows] == [(1, "customer_request")]
        assert (requested, final) == (1, 1)
    assert len(mail) == len(rows) == len(set(mail))


# --- the command --------------------------------------------------------------------------


@pytest.fixture
def swept_world(session: Any) -> Ticket:
    make_matrix()
    service = make_service()
    return make_ticket(service, make_contact(service.customer), now=DEFAULT_NOW)


def test_the_sweep_command_runs_as_of_now_and_prints_the_summary(
    app: Flask, swept_world: Ticket
) -> None:
    runner = app.test_cli_runner()

    result = runner.invoke(args=["sweep", "--now", "2026-11-18T14:00:00+01:00"])
    again = runner.invoke(args=["sweep", "--now", "2026-11-18T13:00:00Z"])

    assert result.exit_code == 0, result.output
    assert result.output.strip() == (
        "sweep as of 2026-11-18T13:00:00+00:00: 1 escalated, 1 breached, 0 at risk, "
        "0 missed ETAs, 0 auto-closed, 0 RFOs overdue"
    )
    assert again.exit_code == 0, again.output
    assert "0 escalated, 0 breached" in again.output
    db.session.expire_all()
    ticket = db.session.get(Ticket, swept_world.id)
    assert ticket is not None
    assert ticket.escalation_level == 3  # three hours old: straight to the top level


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("yesterday", "not an ISO 8601 instant"),
        ("2026-13-40T10:00:00+00:00", "not an ISO 8601 instant"),
        ("2026-11-18T13:00:00", "give an offset"),
    ],
)
def test_a_bad_now_is_a_clear_error_and_sweeps_nothing(
    app: Flask, swept_world: Ticket, value: str, message: str
) -> None:
    result = app.test_cli_runner().invoke(args=["sweep", "--now", value])

    assert result.exit_code == 2
    assert "--now" in result.output
    assert message in result.output
    db.session.expire_all()
    assert db.session.scalars(select(TicketEscalation)).all() == []


def test_the_sweep_command_is_documented(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["sweep", "--help"])
    assert result.exit_code == 0
    assert "--now" in result.output
    assert "ISO 8601" in result.output
