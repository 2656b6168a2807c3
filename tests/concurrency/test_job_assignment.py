"""Dispatchers racing to assign one job: it ends with one engineer and one set of
reserved parts, nothing leaked (SQLite and PostgreSQL, real committing connections)."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from fieldops.clock import utcnow
from fieldops.db import db, transaction
from fieldops.dispatch.models import Job
from fieldops.dispatch.services import assign_job, create_job
from fieldops.errors import DomainError
from fieldops.inventory.models import StockLevel
from fieldops.inventory.queries import verify_ledger
from tests.concurrency.test_stock_reservations import _run_together
from tests.dispatch.conftest import ROUND_THE_CLOCK
from tests.factories import (
    make_depot,
    make_engineer,
    make_part_type,
    make_service,
    make_ticket,
    make_van,
    stock_up,
)

RACERS = 8


def test_racing_assignments_leave_one_engineer_and_one_reservation(fresh_app: Flask) -> None:
    with fresh_app.app_context(), transaction():
        service = make_service()
        ticket = make_ticket(service, now=utcnow(), category="hardware")
        part = make_part_type()
        stock_up(part, make_depot(), 5)
        engineers = []
        for i in range(RACERS):
            engineer = make_engineer(name=f"Racer {i}", shifts=ROUND_THE_CLOCK, timezone="UTC")
            make_van(engineer)
            engineers.append(engineer.id)
        job = create_job(
            actor=None,
            ticket_number=ticket.number,
            parts=[{"sku": part.sku, "quantity": 1}],
            now=utcnow(),
        )
        number = job.number

    def _assign(i: int) -> str:
        with fresh_app.app_context():
            try:
                with transaction():
                    assign_job(actor=None, number=number, engineer_id=engineers[i], now=utcnow())
                return "assigned"
            except DomainError as refusal:
                return type(refusal).__name__

    results = _run_together(RACERS, _assign)
    assert results.count("assigned") >= 1
    with fresh_app.app_context():
        assert db.session.scalar(select(func.sum(StockLevel.reserved))) == 1
        final = db.session.scalar(select(Job).where(Job.number == number))
        assert final is not None
        assert final.engineer_id in engineers
        assert final.status == "assigned"
        assert verify_ledger().balanced
