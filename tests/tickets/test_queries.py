"""What every ticket shows about its clocks (due, time left, paused, at risk, breached) and the
breached filter, on both databases, at fixed instants."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from fieldops.accounts.models import User
from fieldops.customers.models import Service
from fieldops.errors import ConflictError, ForbiddenError, RuleViolationError
from fieldops.tickets import queries
from fieldops.tickets.models import Ticket
from fieldops.tickets.services import change_status, confirm_resolution
from tests.factories import (
    CALENDAR_BUSINESS,
    make_contact,
    make_service,
    make_sla_plan,
    make_ticket,
)

H = timedelta(hours=1)
M = timedelta(minutes=1)


@pytest.fixture
def p1(service: Service, contact: User, agent: User, now: datetime) -> Ticket:
    """A 24x7 P1 opened at `now` (respond in 15 min, resolve in 4 h), acknowledged at once."""
    ticket = make_ticket(service, contact, now=now)
    change_status(ticket, actor=agent, to="acknowledged", now=now + 5 * M)
    return ticket


def _view(ticket: Ticket, at: datetime, with_pauses: bool = False) -> dict[str, Any]:
    calendar, targets = queries.calendars({ticket.service_id})[ticket.service_id]
    pauses = queries.list_pauses(ticket) if with_pauses else None
    return queries.sla_view(ticket, calendar, targets, now=at, at_risk_share=0.8, pauses=pauses)


def _breached_numbers(viewer: User, at: datetime, breached: bool = True) -> set[str]:
    rows, _ = queries.list_tickets(
        viewer, queries.TicketFilter(breached=breached), page=1, per_page=100, now=at
    )
    return {t.number for t in rows}


def test_a_fresh_ticket_has_its_whole_target_left(p1: Ticket, now: datetime) -> None:
    view = _view(p1, now + H)
    assert view["response_due_at"] == now + 15 * M
    assert view["resolution_due_at"] == now + 4 * H
    assert view["time_left_seconds"] == 3 * 3600
    assert view["paused_seconds"] == 0
    assert (view["paused"], view["at_risk"], view["breached"]) == (False, False, False)


def test_a_ticket_is_at_risk_once_most_of_its_target_is_used(p1: Ticket, now: datetime) -> None:
    assert _view(p1, now + 3 * H)["at_risk"] is False  # 75 % used
    late = _view(p1, now + 3 * H + 30 * M)  # 87.5 % used
    assert late["at_risk"] is True
    assert late["breached"] is False


def test_a_ticket_past_its_resolution_due_time_is_breached(
    p1: Ticket, agent: User, now: datetime
) -> None:
    view = _view(p1, now + 5 * H)
    assert view["breached"] is True
    assert view["resolution_breached"] is True
    assert view["at_risk"] is False  # no longer a risk: it happened
    assert view["time_left_seconds"] == -3600
    assert p1.number in _breached_numbers(agent, now + 5 * H)
    assert p1.number not in _breached_numbers(agent, now + H)
    assert p1.number in _breached_numbers(agent, now + H, breached=False)


def test_a_late_first_response_is_a_breach_for_good(
    service: Service, contact: User, agent: User, now: datetime
) -> None:
    ticket = make_ticket(service, contact, now=now)
    assert _view(ticket, now + 10 * M)["breached"] is False
    change_status(ticket, actor=agent, to="acknowledged", now=now + 20 * M)
    change_status(ticket, actor=agent, to="resolved", now=now + H)
    view = _view(ticket, now + 2 * H)
    assert view["response_breached"] is True
    assert view["resolution_breached"] is False
    assert view["breached"] is True
    assert ticket.number in _breached_numbers(agent, now + 2 * H)


def test_the_clock_stands_still_while_waiting_on_the_customer(
    p1: Ticket, agent: User, now: datetime
) -> None:
    change_status(
        p1, actor=agent, to="pending_customer", reason="waiting_customer_info", now=now + H
    )
    later = _view(p1, now + 10 * H, with_pauses=True)
    assert later["paused"] is True
    assert later["paused_seconds"] == 9 * 3600  # the open pause counts up to now
    assert later["time_left_seconds"] == 3 * 3600  # frozen at the moment it paused
    assert later["breached"] is False
    assert later["pauses"] == [
        {
            "reason": "waiting_customer_info",
            "started_at": now + H,
            "ended_at": None,
            "seconds": 9 * 3600,
        }
    ]
    assert p1.number not in _breached_numbers(agent, now + 10 * H)
    # Back to work: the due time moved by the nine paused hours.
    change_status(p1, actor=agent, to="in_progress", now=now + 10 * H)
    resumed = _view(p1, now + 10 * H)
    assert resumed["resolution_due_at"] == now + 13 * H
    assert resumed["time_left_seconds"] == 3 * 3600
    assert resumed["paused_seconds"] == 9 * 3600


def test_a_resolved_ticket_stops_its_clock(p1: Ticket, agent: User, now: datetime) -> None:
    change_status(p1, actor=agent, to="resolved", now=now + 2 * H)
    view = _view(p1, now + 30 * H)
    assert view["breached"] is False
    assert view["at_risk"] is False
    assert view["time_left_seconds"] == 2 * 3600
    assert p1.number in _breached_numbers(agent, now + 30 * H, breached=False)


def test_a_clock_that_starts_next_working_day_shows_its_whole_target(agent: User) -> None:
    service = make_service(plan=make_sla_plan(calendar=CALENDAR_BUSINESS))
    friday_night = datetime(2026, 11, 20, 21, 0, tzinfo=UTC)
    ticket = make_ticket(
        service, make_contact(service.customer), now=friday_night, impact="not_affecting"
    )
    monday_opening = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # 08:00 Warsaw
    assert ticket.sla_started_at == monday_opening
    view = _view(ticket, datetime(2026, 11, 22, 12, 0, tzinfo=UTC))  # Sunday
    assert view["started_at"] == monday_opening
    assert view["time_left_seconds"] == 72 * 3600
    assert view["breached"] is False


# --- confirmation --------------------------------------------------------------------------


def test_confirming_closes_and_rejecting_reopens(
    service: Service, contact: User, agent: User, now: datetime
) -> None:
    accepted = make_ticket(service, contact, now=now)
    change_status(accepted, actor=agent, to="resolved", now=now + H)
    confirm_resolution(accepted, actor=contact, accept=True, comment="", now=now + 2 * H)
    assert accepted.status == "closed"
    rejected = make_ticket(service, contact, now=now)
    change_status(rejected, actor=agent, to="resolved", now=now + H)
    confirm_resolution(
        rejected, actor=contact, accept=False, comment=" Still down. ", now=now + 2 * H
    )
    assert rejected.status == "in_progress"


def test_rejecting_needs_a_comment(
    service: Service, contact: User, agent: User, now: datetime
) -> None:
    ticket = make_ticket(service, contact, now=now)
    change_status(ticket, actor=agent, to="resolved", now=now + H)
    with pytest.raises(RuleViolationError) as refused:
        confirm_resolution(ticket, actor=contact, accept=False, comment="  ", now=now + 2 * H)
    assert list(refused.value.errors) == ["comment"]
    assert ticket.status == "resolved"


@pytest.mark.parametrize("accept", [True, False])
def test_there_is_nothing_to_confirm_before_the_fix(
    service: Service, contact: User, now: datetime, accept: bool
) -> None:
    ticket = make_ticket(service, contact, now=now)
    with pytest.raises(ConflictError):
        confirm_resolution(ticket, actor=contact, accept=accept, comment="why", now=now + H)
    assert ticket.status == "new"


def test_only_the_customer_confirms(
    service: Service, contact: User, agent: User, now: datetime
) -> None:
    ticket = make_ticket(service, contact, now=now)
    change_status(ticket, actor=agent, to="resolved", now=now + H)
    with pytest.raises(ForbiddenError):
        confirm_resolution(ticket, actor=agent, accept=True, comment="", now=now + 2 * H)
    assert ticket.status == "resolved"
