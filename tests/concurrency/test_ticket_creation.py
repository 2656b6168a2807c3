"""Concurrent ticket creation on real, committing connections: unique IDs, one ticket per key."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from fieldops.accounts.services import issue_token
from fieldops.clock import utcnow
from fieldops.db import db, transaction
from fieldops.tickets.models import Ticket
from fieldops.tickets.services import open_ticket
from tests.factories import make_contact, make_service

THREADS = 16


def _world(app: Flask) -> tuple[str, int]:
    """Commit a service and a contact; return the service code and the contact's id."""
    with app.app_context(), transaction():
        service = make_service()
        contact = make_contact(service.customer)
        return service.code, contact.id


def _body(service_code: str) -> dict[str, Any]:
    return {
        "service_id": service_code,
        "fault_started_at": (utcnow() - timedelta(minutes=5)).isoformat(),
        "summary": "Packet loss towards the core",
        "impact": "degraded",
    }


def _run_together(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Start every worker at once, so they really race for the same rows."""
    barrier = threading.Barrier(count)

    def _go(i: int) -> Any:
        barrier.wait()
        return work(i)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(_go, range(count)))


def test_concurrent_creation_gives_every_ticket_a_unique_number(fresh_app: Flask) -> None:
    service_code, contact_id = _world(fresh_app)

    def _open(_: int) -> str:
        with fresh_app.app_context():
            from fieldops.accounts.models import User

            with transaction():
                actor = db.session.get(User, contact_id)
                assert actor is not None
                ticket = open_ticket(
                    actor=actor,
                    data={
                        **_body(service_code),
                        "fault_started_at": utcnow() - timedelta(minutes=5),
                    },
                    channel="api",
                    now=utcnow(),
                )
                return ticket.number

    numbers = _run_together(THREADS, _open)
    assert len(set(numbers)) == THREADS
    year = utcnow().year
    assert sorted(numbers) == [f"TT-{year}-{n:06d}" for n in range(1, THREADS + 1)]


def test_concurrent_posts_with_one_idempotency_key_make_one_ticket(fresh_app: Flask) -> None:
    service_code, contact_id = _world(fresh_app)
    with fresh_app.app_context(), transaction():
        from fieldops.accounts.models import User

        user = db.session.get(User, contact_id)
        assert user is not None
        token = issue_token(user, now=utcnow(), ttl=timedelta(hours=1)).token
    body = _body(service_code)

    def _post(_: int) -> tuple[int, str | None]:
        response = fresh_app.test_client().post(
            "/api/v1/tickets",
            json=body,
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "retry-42"},
        )
        return response.status_code, (response.get_json() or {}).get("id")

    results = _run_together(THREADS, _post)
    assert {status for status, _ in results} == {201}
    assert len({ticket_id for _, ticket_id in results}) == 1
    with fresh_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Ticket)) == 1
