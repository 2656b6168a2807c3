"""Stop-clock reason codes are data: operators add codes and retire them without a release."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from fieldops.accounts.models import User
from fieldops.errors import RuleViolationError
from fieldops.tickets import queries
from fieldops.tickets.models import StopClockReason
from fieldops.tickets.services import change_status
from tests.factories import make_ticket


def test_the_defaults_of_the_design_are_there(session: Any) -> None:
    assert set(queries.stop_clock_codes()) == {
        "waiting_customer_info",
        "customer_unavailable",
        "third_party_fault",
        "site_access_refused",
        "observation_after_restore",
    }


def test_an_added_code_stops_the_clock(session: Any, agent: User, now: datetime) -> None:
    ticket = make_ticket(now=now)
    with pytest.raises(RuleViolationError):
        change_status(
            ticket,
            actor=agent,
            to="pending_third_party",
            reason="carrier_maintenance",
            now=now + timedelta(minutes=5),
        )
    session.add(StopClockReason(code="carrier_maintenance", label="Carrier maintenance window"))
    session.flush()
    change_status(
        ticket,
        actor=agent,
        to="pending_third_party",
        reason="carrier_maintenance",
        now=now + timedelta(minutes=5),
    )
    assert ticket.status == "pending_third_party"
    assert [p.reason for p in queries.list_pauses(ticket)] == ["carrier_maintenance"]


def test_a_retired_code_is_refused_for_new_pauses(session: Any, agent: User, now: datetime) -> None:
    retired = session.get(StopClockReason, "site_access_refused")
    retired.is_active = False
    session.flush()
    ticket = make_ticket(now=now)
    with pytest.raises(RuleViolationError) as refused:
        change_status(
            ticket,
            actor=agent,
            to="pending_customer",
            reason="site_access_refused",
            now=now + timedelta(minutes=5),
        )
    assert "reason" in refused.value.errors
    assert ticket.status == "new"
