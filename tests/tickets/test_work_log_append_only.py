"""The work log is append-only: no API route edits or deletes an event, and the database
itself refuses UPDATE and DELETE on ticket_events (both backends)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError

from fieldops.accounts.models import User
from fieldops.tickets.models import Ticket, TicketEvent
from fieldops.tickets.services import add_event
from tests.factories import make_ticket

API = "/api/v1"


@pytest.fixture
def ticket(session: Any) -> Ticket:
    ticket = make_ticket()
    session.commit()
    return ticket


def _first_event(session: Any, ticket: Ticket) -> TicketEvent:
    event = session.scalar(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id))
    assert event is not None
    return event


def _refused(session: Any, statement: Any, params: dict[str, Any] | None = None) -> str:
    """Run a statement in a SAVEPOINT, expect the database to refuse it, return the error.

    The SAVEPOINT keeps the test's transaction usable afterwards (PostgreSQL aborts the
    whole transaction on an error otherwise).
    """
    with pytest.raises(DBAPIError) as refused, session.begin_nested():
        session.execute(statement, params or {})
    return str(refused.value)


def _snapshot(session: Any, ticket: Ticket) -> list[tuple[Any, ...]]:
    session.expire_all()
    return [
        tuple(row)
        for row in session.execute(
            select(TicketEvent.id, TicketEvent.kind, TicketEvent.body, TicketEvent.public)
            .where(TicketEvent.ticket_id == ticket.id)
            .order_by(TicketEvent.id)
        )
    ]


def test_raw_sql_update_of_an_event_is_refused(session: Any, ticket: Ticket) -> None:
    before = _snapshot(session, ticket)
    event_id = before[0][0]
    message = _refused(
        session,
        text("UPDATE ticket_events SET body = 'rewritten' WHERE id = :id"),
        {"id": event_id},
    )
    assert "append-only" in message
    assert _snapshot(session, ticket) == before


def test_raw_sql_update_of_the_visibility_is_refused(session: Any, ticket: Ticket) -> None:
    before = _snapshot(session, ticket)
    _refused(session, text("UPDATE ticket_events SET public = :p"), {"p": False})
    assert _snapshot(session, ticket) == before


def test_raw_sql_delete_of_an_event_is_refused(session: Any, ticket: Ticket) -> None:
    before = _snapshot(session, ticket)
    message = _refused(
        session, text("DELETE FROM ticket_events WHERE id = :id"), {"id": before[0][0]}
    )
    assert "append-only" in message
    assert _snapshot(session, ticket) == before


def test_deleting_the_whole_log_is_refused(session: Any, ticket: Ticket) -> None:
    before = _snapshot(session, ticket)
    _refused(session, delete(TicketEvent))
    assert _snapshot(session, ticket) == before


def test_an_orm_update_is_refused(session: Any, ticket: Ticket) -> None:
    before = _snapshot(session, ticket)
    _refused(
        session, update(TicketEvent).values(body="edited").where(TicketEvent.ticket_id == ticket.id)
    )
    assert _snapshot(session, ticket) == before


def test_editing_a_loaded_event_fails_at_flush(session: Any, ticket: Ticket) -> None:
    before = _snapshot(session, ticket)
    event = _first_event(session, ticket)
    savepoint = session.begin_nested()
    event.body = "quietly edited"
    with pytest.raises(DBAPIError):
        session.flush()
    savepoint.rollback()
    assert _snapshot(session, ticket) == before


def test_deleting_a_ticket_with_a_log_is_refused(session: Any, ticket: Ticket) -> None:
    _refused(session, text("DELETE FROM tickets WHERE id = :id"), {"id": ticket.id})
    assert session.get(Ticket, ticket.id) is not None


def test_appending_still_works_after_a_refusal(session: Any, ticket: Ticket, agent: User) -> None:
    _refused(session, text("DELETE FROM ticket_events"))
    event = add_event(
        ticket,
        actor=agent,
        kind="comment",
        body="Still logging.",
        public=False,
        now=ticket.created_at,
    )
    session.flush()
    assert [row[2] for row in _snapshot(session, ticket)][-1] == "Still logging."
    assert event.id is not None


# --- no API route changes the log ---------------------------------------------------------


@pytest.fixture
def desk(api_as: Callable[[User], Any], agent: User, session: Any) -> Any:
    client = api_as(agent)
    session.commit()
    return client


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_the_events_collection_takes_only_get_and_post(
    desk: Any, ticket: Ticket, session: Any, method: str
) -> None:
    before = _snapshot(session, ticket)
    send = getattr(desk.client, method)
    response = send(
        f"{API}/tickets/{ticket.number}/events",
        json={"kind": "comment", "body": "edited", "public": True},
        headers={"Authorization": f"Bearer {desk.token}"},
    )
    assert response.status_code == 405
    body = response.get_json()
    assert body["code"] == "method_not_allowed"
    assert set(body) == {"code", "message", "errors"}
    allowed = {m.strip() for m in response.headers["Allow"].split(",")}
    assert {"GET", "POST"} <= allowed
    assert not allowed & {"PUT", "PATCH", "DELETE"}
    assert _snapshot(session, ticket) == before


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_there_is_no_route_to_a_single_event(
    desk: Any, ticket: Ticket, session: Any, method: str
) -> None:
    before = _snapshot(session, ticket)
    event_id = before[0][0]
    response = getattr(desk.client, method)(
        f"{API}/tickets/{ticket.number}/events/{event_id}",
        json={"body": "edited"},
        headers={"Authorization": f"Bearer {desk.token}"},
    )
    assert response.status_code in (404, 405)
    assert _snapshot(session, ticket) == before


def test_a_ticket_cannot_be_deleted_through_the_api(
    desk: Any, ticket: Ticket, session: Any
) -> None:
    response = desk.delete(f"{API}/tickets/{ticket.number}")
    assert response.status_code == 405
    assert session.get(Ticket, ticket.id) is not None
