"""Escalation matrices as data and the customer's escalation request, on both databases."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from fieldops.accounts.models import User
from fieldops.customers.models import Service
from fieldops.db import db
from fieldops.errors import ConflictError, ForbiddenError, RuleViolationError
from fieldops.outbox import OutboxMessage
from fieldops.tickets.models import (
    EscalationLevel,
    EscalationMatrix,
    Ticket,
    TicketEscalation,
    TicketEvent,
)
from fieldops.tickets.services import (
    change_status,
    confirm_resolution,
    define_matrix,
    request_escalation,
)
from fieldops.tickets.tasks import run_sweep
from tests.factories import (
    DEFAULT_NOW,
    ESCALATION_LEVELS,
    make_customer,
    make_matrix,
    make_ticket,
    make_user,
)

M = timedelta(minutes=1)
H = timedelta(hours=1)


@pytest.fixture
def ticket(service: Service, contact: User, now: datetime) -> Ticket:
    make_matrix()
    return make_ticket(service, contact, now=now)


def _escalations(ticket: Ticket) -> list[tuple[int, str]]:
    rows = db.session.execute(
        select(TicketEscalation.level, TicketEscalation.reason)
        .where(TicketEscalation.ticket_id == ticket.id)
        .order_by(TicketEscalation.level)
    )
    return [(level, reason) for level, reason in rows]


def _escalation_events(ticket: Ticket) -> list[TicketEvent]:
    return list(
        db.session.scalars(
            select(TicketEvent)
            .where(TicketEvent.ticket_id == ticket.id, TicketEvent.kind == "escalation")
            .order_by(TicketEvent.id)
        )
    )


def _notices(ticket: Ticket) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.ticket_id == ticket.id, OutboxMessage.template == "escalated")
            .order_by(OutboxMessage.id)
        )
    )


def _count(model: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


# --- the customer's request -----------------------------------------------------------------


def test_a_request_raises_one_level_logs_it_publicly_and_tells_that_level(
    ticket: Ticket, contact: User, now: datetime
) -> None:
    record = request_escalation(
        ticket, actor=contact, note="Our shop has been offline all morning.", now=now + M
    )

    assert (record.level, record.reason, record.actor_id) == (1, "customer_request", contact.id)
    assert ticket.escalation_level == 1
    [event] = _escalation_events(ticket)
    assert event.public is True
    assert event.actor_id == contact.id
    assert "level 1 (Duty engineer) at the customer's request" in event.body
    assert "Our shop has been offline all morning." in event.body
    [notice] = _notices(ticket)
    assert notice.to_addresses == ["duty@noc.example"]
    assert "Escalated to level 1 (Duty engineer)" in notice.subject
    assert "the customer asked for escalation" in notice.body_text
    assert "Our shop has been offline all morning." in notice.body_text


def test_each_request_raises_exactly_one_more_level(
    ticket: Ticket, contact: User, now: datetime
) -> None:
    for expected in (1, 2, 3):
        assert request_escalation(ticket, actor=contact, note="", now=now + M).level == expected
        assert ticket.escalation_level == expected

    assert _escalations(ticket) == [(n, "customer_request") for n in (1, 2, 3)]
    assert [n.to_addresses for n in _notices(ticket)] == [
        spec["contacts"] for spec in ESCALATION_LEVELS
    ]


def test_a_request_at_the_top_level_is_a_conflict_and_changes_nothing(
    ticket: Ticket, contact: User, now: datetime
) -> None:
    run_sweep(now + 3 * H)
    db.session.expire_all()
    assert ticket.escalation_level == 3
    events, mail = _count(TicketEvent), _count(OutboxMessage)

    with pytest.raises(ConflictError) as refused:
        request_escalation(ticket, actor=contact, note="", now=now + 3 * H + M)

    assert refused.value.status == 409
    assert "highest escalation level" in refused.value.message
    assert "escalation_level" in refused.value.errors
    assert ticket.escalation_level == 3
    assert (_count(TicketEvent), _count(OutboxMessage)) == (events, mail)


@pytest.mark.parametrize("final", ["resolved", "closed", "cancelled"])
def test_a_finished_ticket_cannot_be_escalated(
    final: str, ticket: Ticket, contact: User, agent: User, now: datetime
) -> None:
    if final == "cancelled":
        change_status(ticket, actor=contact, to="cancelled", reason="Works again.", now=now + M)
    else:
        change_status(ticket, actor=agent, to="resolved", now=now + M)
    if final == "closed":
        confirm_resolution(ticket, actor=contact, accept=True, comment="", now=now + 2 * M)

    with pytest.raises(ConflictError, match=final):
        request_escalation(ticket, actor=contact, note="", now=now + 3 * M)
    assert ticket.escalation_level == 0
    assert _escalations(ticket) == []


def test_without_any_matrix_a_request_is_a_conflict_that_says_so(
    service: Service, contact: User, now: datetime
) -> None:
    ticket = make_ticket(service, contact, now=now)

    with pytest.raises(ConflictError) as refused:
        request_escalation(ticket, actor=contact, note="", now=now + M)

    assert "no escalation matrix" in refused.value.message.lower()
    assert ticket.escalation_level == 0


def test_a_request_follows_the_customers_own_matrix(
    service: Service, contact: User, now: datetime
) -> None:
    make_matrix()
    make_matrix(
        service.customer,
        levels=[{"name": "Account manager", "contacts": ["am@own.example"], "thresholds_min": {}}],
    )
    ticket = make_ticket(service, contact, now=now)

    request_escalation(ticket, actor=contact, note="", now=now + M)

    assert [n.to_addresses for n in _notices(ticket)] == [["am@own.example"]]
    with pytest.raises(ConflictError):  # its matrix has one level; the default's do not count
        request_escalation(ticket, actor=contact, note="", now=now + 2 * M)


def test_requests_and_the_age_sweep_never_reach_one_level_twice(
    ticket: Ticket, contact: User, now: datetime
) -> None:
    request_escalation(ticket, actor=contact, note="", now=now + M)  # level 1 early
    assert run_sweep(now + 30 * M).escalated == 0  # level 1's threshold: already there
    assert run_sweep(now + 60 * M).escalated == 1  # level 2 by age
    db.session.expire_all()
    request_escalation(ticket, actor=contact, note="", now=now + 61 * M)  # level 3 on request
    assert run_sweep(now + 3 * H).escalated == 0

    assert _escalations(ticket) == [
        (1, "customer_request"),
        (2, "age_threshold"),
        (3, "customer_request"),
    ]
    assert len(_escalation_events(ticket)) == 3
    assert len(_notices(ticket)) == 3


def test_the_desk_may_escalate_on_request_too(ticket: Ticket, agent: User, now: datetime) -> None:
    request_escalation(ticket, actor=agent, note="Customer phoned.", now=now + M)

    [event] = _escalation_events(ticket)
    assert "on request" in event.body
    assert "customer's request" not in event.body


def test_field_staff_cannot_escalate(ticket: Ticket, now: datetime) -> None:
    with pytest.raises(ForbiddenError):
        request_escalation(ticket, actor=make_user(role="engineer"), note="", now=now)
    assert ticket.escalation_level == 0


def test_an_over_long_note_is_refused_naming_the_note(
    ticket: Ticket, contact: User, now: datetime
) -> None:
    with pytest.raises(RuleViolationError) as refused:
        request_escalation(ticket, actor=contact, note="x" * 2001, now=now)
    assert "note" in refused.value.errors
    assert ticket.escalation_level == 0


# --- matrices as data -----------------------------------------------------------------------


def _levels(matrix: EscalationMatrix) -> list[tuple[int, str, list[str], dict[str, int]]]:
    rows = db.session.scalars(
        select(EscalationLevel)
        .where(EscalationLevel.matrix_id == matrix.id)
        .order_by(EscalationLevel.level)
    )
    return [(lvl.level, lvl.name, lvl.contacts, lvl.thresholds_min) for lvl in rows]


def test_a_matrix_numbers_its_levels_in_the_order_given(session: Any) -> None:
    customer = make_customer()
    matrix = make_matrix(customer)

    assert matrix.customer_id == customer.id
    assert _levels(matrix) == [
        (n, spec["name"], spec["contacts"], spec["thresholds_min"])
        for n, spec in enumerate(ESCALATION_LEVELS, start=1)
    ]


def _level(name: str = "Duty", contacts: Any = None, **thresholds: Any) -> dict[str, Any]:
    return {
        "name": name,
        "contacts": ["duty@noc.example"] if contacts is None else contacts,
        "thresholds_min": thresholds or {"P1": 30},
    }


@pytest.mark.parametrize(
    ("levels", "field"),
    [
        ([], "levels"),
        ([_level(contacts=["not-an-address"])], "levels.1.contacts"),
        ([_level(contacts="duty@noc.example")], "levels.1.contacts"),
        ([_level(name=" ")], "levels.1.name"),
        ([_level(P5=30)], "levels.1.thresholds_min"),
        ([_level(P1=0)], "levels.1.thresholds_min.P1"),
        ([_level(P1="30")], "levels.1.thresholds_min.P1"),
        ([_level(P1=60), _level(P1=30)], "levels.2.thresholds_min.P1"),
        ([_level(P2=60), _level(P1=10), _level(P2=59)], "levels.3.thresholds_min.P2"),
    ],
)
def test_an_invalid_matrix_is_refused_naming_the_field_and_nothing_is_saved(
    session: Any, levels: list[dict[str, Any]], field: str
) -> None:
    with pytest.raises(RuleViolationError) as refused:
        define_matrix(code="BAD", name="Bad", levels=levels, now=DEFAULT_NOW)

    assert refused.value.status == 422
    assert field in refused.value.errors, refused.value.errors
    assert _count(EscalationMatrix) == 0


def test_a_matrix_for_an_unknown_customer_is_refused(session: Any) -> None:
    with pytest.raises(RuleViolationError) as refused:
        define_matrix(code="X", name="X", levels=[_level()], customer_code="NOPE", now=DEFAULT_NOW)
    assert refused.value.status == 422
    assert "customer" in refused.value.errors


def test_a_second_default_matrix_under_another_code_is_a_conflict(session: Any) -> None:
    make_matrix(code="DEFAULT")

    with pytest.raises(ConflictError) as refused:
        make_matrix(code="ANOTHER")

    assert refused.value.status == 409
    assert "DEFAULT" in refused.value.message
    assert _count(EscalationMatrix) == 1


def test_a_customer_has_at_most_one_matrix_but_it_does_not_block_the_default(
    session: Any,
) -> None:
    customer = make_customer()
    make_matrix(customer, code="OWN")
    make_matrix(code="DEFAULT")

    with pytest.raises(ConflictError):
        make_matrix(customer, code="OWN-2")
    assert _count(EscalationMatrix) == 2


def test_defining_a_matrix_again_under_its_code_replaces_its_levels(session: Any) -> None:
    make_matrix(code="DEFAULT")

    matrix = define_matrix(
        code="DEFAULT",
        name="Slimmer",
        levels=[_level("Duty", ["a@noc.example"], P1=45)],
        now=DEFAULT_NOW,
    )

    assert matrix.name == "Slimmer"
    assert _levels(matrix) == [(1, "Duty", ["a@noc.example"], {"P1": 45})]
    assert _count(EscalationMatrix) == 1
