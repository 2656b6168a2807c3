"""Ticket use cases on both databases: intake, status moves, the work log, triage."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from fieldops.accounts.models import User
from fieldops.customers.models import Service
from fieldops.db import db
from fieldops.errors import ConflictError, ForbiddenError, RuleViolationError
from fieldops.tickets.models import Ticket, TicketEvent, TicketPause
from fieldops.tickets.services import add_event, change_status, open_ticket, update_ticket
from tests.factories import (
    CALENDAR_BUSINESS,
    make_contact,
    make_customer,
    make_service,
    make_sla_plan,
    make_user,
    ticket_input,
)

H = timedelta(hours=1)
M = timedelta(minutes=1)
# now (fixture) is Wednesday 2026-11-18 10:00 UTC, 11:00 in Warsaw.
WED_EVENING = datetime(2026, 11, 18, 17, 30, tzinfo=UTC)  # 18:30 Warsaw: after hours
THU_OPENING = datetime(2026, 11, 19, 7, 0, tzinfo=UTC)  # 08:00 Warsaw


def _events(ticket: Ticket, kind: str | None = None) -> list[TicketEvent]:
    query = select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)
    if kind is not None:
        query = query.where(TicketEvent.kind == kind)
    return list(db.session.scalars(query.order_by(TicketEvent.id)))


def _pauses(ticket: Ticket) -> list[TicketPause]:
    return list(
        db.session.scalars(
            select(TicketPause).where(TicketPause.ticket_id == ticket.id).order_by(TicketPause.id)
        )
    )


def _ticket_count() -> int:
    return db.session.scalar(select(func.count(Ticket.id))) or 0


@pytest.fixture
def business_service(session: Any) -> Service:
    return make_service(plan=make_sla_plan(calendar=CALENDAR_BUSINESS))


def _open(service: Service, actor: User, now: datetime, **data: Any) -> Ticket:
    return open_ticket(actor=actor, data=ticket_input(service, **data), channel="portal", now=now)


# --- open_ticket ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("impact", "urgency", "category", "priority"),
    [
        ("service_affecting", None, None, "P1"),
        ("service_affecting", "low", None, "P2"),
        ("degraded", None, None, "P2"),
        ("degraded", "low", "network", "P3"),
        ("not_affecting", None, None, "P4"),
        ("not_affecting", "high", None, "P3"),
        ("not_affecting", "low", "configuration_change", "P2"),
    ],
)
def test_priority_comes_from_the_default_matrix(
    service: Service,
    contact: User,
    now: datetime,
    impact: str,
    urgency: str | None,
    category: str | None,
    priority: str,
) -> None:
    extra = {k: v for k, v in (("urgency", urgency), ("category", category)) if v}
    ticket = _open(service, contact, now, impact=impact, **extra)
    assert ticket.priority == priority
    assert not ticket.priority_overridden


@pytest.mark.parametrize(
    ("impact", "urgency"),
    [("service_affecting", "high"), ("degraded", "medium"), ("not_affecting", "low")],
)
def test_a_missing_urgency_defaults_from_the_impact(
    service: Service, contact: User, now: datetime, impact: str, urgency: str
) -> None:
    assert _open(service, contact, now, impact=impact).urgency == urgency


def test_priority_comes_from_the_plans_own_matrix(now: datetime, session: Any) -> None:
    matrix = {
        "matrix": {
            "service_affecting": {"high": "P1", "medium": "P1", "low": "P1"},
            "degraded": {"high": "P1", "medium": "P1", "low": "P1"},
            "not_affecting": {"high": "P2", "medium": "P2", "low": "P2"},
        }
    }
    service = make_service(plan=make_sla_plan(priority_matrix=matrix))
    contact = make_contact(service.customer)
    assert _open(service, contact, now, impact="degraded").priority == "P1"
    # Without a pin in this plan, configuration changes follow its matrix.
    changed = _open(service, contact, now, impact="not_affecting", category="configuration_change")
    assert changed.priority == "P2"


def test_a_new_ticket_gets_a_readable_id_status_tier_and_clocks_from_the_targets(
    service: Service, contact: User, now: datetime
) -> None:
    ticket = _open(service, contact, now, impact="service_affecting")
    assert ticket.number.startswith("TT-2026-")
    assert len(ticket.number) == len("TT-2026-000123")
    assert ticket.status == "new"
    assert ticket.tier == "L1"
    assert ticket.escalation_level == 0
    assert ticket.customer_id == service.customer_id
    assert ticket.requester_id == contact.id
    assert ticket.sla_started_at == now
    # 24x7 P1: respond in 15 min, resolve in 4 h (tests/factories.TARGETS_24X7).
    assert ticket.response_due_at == now + 15 * M
    assert ticket.resolution_due_at == now + 4 * H
    assert ticket.paused_seconds == 0


def test_each_ticket_gets_its_own_number(service: Service, contact: User, now: datetime) -> None:
    numbers = {_open(service, contact, now).number for _ in range(3)}
    assert len(numbers) == 3


def test_due_times_follow_the_priority_targets(
    service: Service, contact: User, now: datetime
) -> None:
    ticket = _open(service, contact, now, impact="not_affecting")  # P4
    assert ticket.response_due_at == now + 8 * H
    assert ticket.resolution_due_at == now + 72 * H


def test_opening_logs_a_public_created_event(
    service: Service, contact: User, now: datetime
) -> None:
    ticket = _open(service, contact, now)
    [created] = _events(ticket)
    assert created.kind == "created"
    assert created.public is True
    assert ticket.number in created.body
    assert created.actor_id == contact.id
    assert created.created_at == now


def test_a_not_affecting_fault_reported_after_hours_starts_its_clock_next_working_day(
    business_service: Service,
) -> None:
    contact = make_contact(business_service.customer)
    ticket = _open(business_service, contact, WED_EVENING, impact="not_affecting")
    assert ticket.priority == "P4"
    assert ticket.created_at == WED_EVENING
    assert ticket.sla_started_at == THU_OPENING
    # P4: 8 working hours to respond -> Thursday 16:00 Warsaw.
    assert ticket.response_due_at == datetime(2026, 11, 19, 15, 0, tzinfo=UTC)
    # 72 working hours = 8 days of 9 h: Thu, Fri, Mon..Fri, Mon -> Mon 30 Nov 17:00 Warsaw.
    assert ticket.resolution_due_at == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)


def test_on_a_24x7_plan_a_not_affecting_fault_out_of_office_hours_waits_for_them(
    service: Service,
) -> None:
    """A 24x7 plan is always open, so "outside business hours" means office hours:
    Mon-Fri 08:00-17:00 in the plan's zone. Saturday night's report starts Monday 08:00."""
    contact = make_contact(service.customer)
    saturday_night = datetime(2026, 11, 21, 22, 0, tzinfo=UTC)
    monday_opening = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # the factory plan is UTC
    waiting = _open(service, contact, saturday_night, impact="not_affecting")
    assert waiting.sla_started_at == monday_opening
    # From there the 24x7 targets count round the clock: P4 responds within 8 hours.
    assert waiting.response_due_at == monday_opening + 8 * 60 * M
    urgent = _open(service, contact, saturday_night, impact="degraded")
    assert urgent.sla_started_at == saturday_night


def test_an_affecting_fault_reported_after_hours_starts_its_clock_at_once(
    business_service: Service,
) -> None:
    contact = make_contact(business_service.customer)
    ticket = _open(business_service, contact, WED_EVENING, impact="service_affecting")
    assert ticket.sla_started_at == WED_EVENING
    # The clock started, but no working time passes until 08:00: P1 response 15 min later.
    assert ticket.response_due_at == THU_OPENING + 15 * M


def test_a_not_affecting_fault_in_hours_starts_its_clock_at_once(
    business_service: Service, now: datetime
) -> None:
    contact = make_contact(business_service.customer)
    ticket = _open(business_service, contact, now, impact="not_affecting")
    assert ticket.sla_started_at == now


def test_a_fault_starting_in_the_future_is_refused(
    service: Service, contact: User, now: datetime
) -> None:
    with pytest.raises(RuleViolationError) as refused:
        _open(service, contact, now, fault_started_at=now + H)
    assert "fault_started_at" in refused.value.errors
    assert _ticket_count() == 0


def test_a_fault_start_a_moment_ahead_is_clock_skew_and_accepted(
    service: Service, contact: User, now: datetime
) -> None:
    ticket = _open(service, contact, now, fault_started_at=now + 2 * M)
    assert ticket.fault_started_at == now + 2 * M


def test_a_circuit_not_on_the_service_is_refused(
    service: Service, contact: User, now: datetime
) -> None:
    with pytest.raises(RuleViolationError) as refused:
        _open(service, contact, now, circuit_id="CID-999")
    assert "CID-1" in refused.value.errors["circuit_id"][0]
    assert _open(service, contact, now, circuit_id="CID-2").circuit_id == "CID-2"


def test_a_contact_cannot_open_a_ticket_for_another_customers_service(
    service: Service, now: datetime
) -> None:
    stranger = make_contact(make_customer())
    with pytest.raises(RuleViolationError) as refused:
        _open(service, stranger, now)
    assert "service_id" in refused.value.errors
    assert _ticket_count() == 0


def test_an_unknown_service_is_refused_exactly_like_a_foreign_one(
    service: Service, now: datetime
) -> None:
    stranger = make_contact(make_customer())
    with pytest.raises(RuleViolationError) as foreign:
        _open(service, stranger, now)
    ghost = ticket_input(service, service_id="SVC-99999999")
    with pytest.raises(RuleViolationError) as unknown:
        open_ticket(actor=stranger, data=ghost, channel="portal", now=now)
    assert foreign.value.message.replace(service.code, "X") == unknown.value.message.replace(
        "SVC-99999999", "X"
    )


def test_an_agent_records_a_phone_call_for_a_named_contact(
    service: Service, contact: User, agent: User, now: datetime
) -> None:
    ticket = open_ticket(
        actor=agent,
        data=ticket_input(service, requester=contact.email),
        channel="phone",
        now=now,
    )
    assert ticket.channel == "phone"
    assert ticket.requester_id == contact.id
    assert ticket.created_by_id == agent.id


def test_an_agent_cannot_name_another_customers_contact_as_requester(
    service: Service, agent: User, now: datetime
) -> None:
    stranger = make_contact(make_customer())
    with pytest.raises(RuleViolationError) as refused:
        open_ticket(
            actor=agent,
            data=ticket_input(service, requester=stranger.email),
            channel="phone",
            now=now,
        )
    assert "requester" in refused.value.errors


def test_a_technical_only_contact_cannot_open_a_billing_ticket(
    service: Service, now: datetime
) -> None:
    technical = make_contact(service.customer, can_technical=True, can_billing=False)
    with pytest.raises(ForbiddenError) as refused:
        _open(service, technical, now, category="billing")
    assert "category" in refused.value.errors
    assert _open(service, technical, now, category="hardware").category == "hardware"
    assert _open(service, technical, now).category is None


def test_a_billing_only_contact_cannot_open_a_technical_ticket(
    service: Service, now: datetime
) -> None:
    billing = make_contact(service.customer, can_technical=False, can_billing=True)
    for category in (None, "hardware", "network", "configuration_change"):
        data = {"category": category} if category else {}
        with pytest.raises(ForbiddenError):
            _open(service, billing, now, **data)
    assert _open(service, billing, now, category="billing").category == "billing"
    assert _ticket_count() == 1


@pytest.mark.parametrize(
    ("can_technical", "can_billing", "category"),
    [(True, False, "billing"), (False, True, None), (False, True, "hardware")],
)
def test_an_agent_cannot_open_for_a_contact_what_the_contact_may_not(
    service: Service,
    agent: User,
    now: datetime,
    can_technical: bool,
    can_billing: bool,
    category: str | None,
) -> None:
    """The requester is verified on every channel: a phone call does not widen permissions."""
    caller = make_contact(service.customer, can_technical=can_technical, can_billing=can_billing)
    data = ticket_input(service, requester=caller.email)
    if category:
        data["category"] = category
    with pytest.raises(RuleViolationError) as refused:
        open_ticket(actor=agent, data=data, channel="phone", now=now)
    assert "requester" in refused.value.errors
    assert _ticket_count() == 0


def test_field_staff_cannot_open_tickets(service: Service, now: datetime) -> None:
    with pytest.raises(ForbiddenError):
        _open(service, make_user(role="dispatcher"), now)


# --- change_status -------------------------------------------------------------------------


def test_acknowledging_stamps_the_time_and_counts_as_the_first_response(
    service: Service, contact: User, agent: User, now: datetime
) -> None:
    ticket = _open(service, contact, now)
    change_status(ticket, actor=agent, to="acknowledged", now=now + 5 * M)
    assert ticket.status == "acknowledged"
    assert ticket.acknowledged_at == now + 5 * M
    assert ticket.responded_at == now + 5 * M
    [event] = _events(ticket, "status_change")
    assert event.public is True
    assert event.actor_id == agent.id
    assert event.data["from"] == "new"
    assert event.data["to"] == "acknowledged"


def test_resolve_then_confirm_stamps_resolved_and_closed(
    service: Service, contact: User, agent: User, now: datetime
) -> None:
    ticket = _open(service, contact, now)
    change_status(ticket, actor=agent, to="in_progress", now=now + M)
    change_status(ticket, actor=agent, to="resolved", now=now + H, note="Replaced the SFP.")
    assert ticket.resolved_at == now + H
    change_status(ticket, actor=contact, to="closed", now=now + 2 * H)
    assert ticket.status == "closed"
    assert ticket.closed_at == now + 2 * H
    assert [e.data["to"] for e in _events(ticket, "status_change")] == [
        "in_progress",
        "resolved",
        "closed",
    ]


def test_the_system_closes_a_resolved_ticket_nobody_answered(
    service: Service, contact: User, agent: User, now: datetime
) -> None:
    ticket = _open(service, contact, now)
    change_status(ticket, actor=agent, to="resolved", now=now + H)
    change_status(ticket, actor=None, to="closed", now=now + 25 * H, note="No answer in 24 h.")
    assert ticket.status == "closed"
    assert _events(ticket, "status_change")[-1].actor_id is None


def test_cancelling_stamps_the_time_and_logs_the_reason(
    service: Service, contact: User, now: datetime
) -> None:
    ticket = _open(service, contact, now)
    change_status(ticket, actor=contact, to="cancelled", now=now + M, reason="Opened twice.")
    assert ticket.cancelled_at == now + M
    event = _events(ticket, "status_change")[-1]
    assert event.body == "Opened twice."
    assert event.data["reason"] == "Opened twice."


def test_an_illegal_move_is_a_conflict_and_changes_nothing(
    service: Service, contact: User, agent: User, now: datetime
) -> None:
    ticket = _open(service, contact, now)
    with pytest.raises(ConflictError) as refused:
        change_status(ticket, actor=agent, to="closed", now=now + M)
    assert "to" in refused.value.errors
    assert ticket.status == "new"
    assert _events(ticket, "status_change") == []


def test_a_move_that_is_not_the_customers_is_forbidden(
    service: Service, contact: User, now: datetime
) -> None:
    ticket = _open(service, contact, now)
    with pytest.raises(ForbiddenError):
        change_status(ticket, actor=contact, to="resolved", now=now + M)
    assert ticket.status == "new"


@pytest.mark.parametrize(
    ("to", "reason"),
    [("pending_customer", None), ("pending_third_party", "it is the carrier"), ("cancelled", "")],
)
def test_a_missing_or_unknown_reason_is_refused_naming_the_reason(
    service: Service, contact: User, agent: User, now: datetime, to: str, reason: str | None
) -> None:
    ticket = _open(service, contact, now)
    with pytest.raises(RuleViolationError) as refused:
        change_status(ticket, actor=agent, to=to, reason=reason, now=now + M)
    assert "reason" in refused.value.errors
    assert ticket.status == "new"
    assert _pauses(ticket) == []


def test_waiting_on_the_customer_pauses_the_clock_and_pushes_the_due_time(
    service: Service, contact: User, agent: User, now: datetime
) -> None:
    ticket = _open(service, contact, now)
    response_due = ticket.response_due_at
    resolution_due = ticket.resolution_due_at
    change_status(ticket, actor=agent, to="in_progress", now=now + M)
    change_status(
        ticket, actor=agent, to="pending_customer", reason="waiting_customer_info", now=now + H
    )
    assert ticket.paused_since == now + H
    [pause] = _pauses(ticket)
    assert (pause.reason, pause.started_at, pause.ended_at) == (
        "waiting_customer_info",
        now + H,
        None,
    )
    assert _events(ticket, "status_change")[-1].data["reason"] == "waiting_customer_info"

    change_status(ticket, actor=agent, to="in_progress", now=now + 3 * H)
    assert pause.ended_at == now + 3 * H
    assert pause.seconds == 2 * 3600
    assert pause.ended_by_id == agent.id
    assert ticket.paused_since is None
    assert ticket.paused_seconds == 2 * 3600
    # The resolution clock stood still for two hours; the first-response target did not move.
    assert ticket.resolution_due_at == resolution_due + 2 * H
    assert ticket.response_due_at == response_due


def test_a_pause_counts_only_working_time_on_a_business_hours_plan(
    business_service: Service, agent: User, now: datetime
) -> None:
    contact = make_contact(business_service.customer)
    ticket = _open(business_service, contact, now, impact="degraded")  # P2: 8 working hours
    due = ticket.resolution_due_at
    # Wed 16:00 Warsaw = 15:00 UTC: paused until Thu 10:00 Warsaw = 09:00 UTC.
    change_status(
        ticket,
        actor=agent,
        to="pending_third_party",
        reason="third_party_fault",
        now=datetime(2026, 11, 18, 15, 0, tzinfo=UTC),
    )
    change_status(
        ticket, actor=agent, to="in_progress", now=datetime(2026, 11, 19, 9, 0, tzinfo=UTC)
    )
    [pause] = _pauses(ticket)
    # Wed 16:00-17:00 plus Thu 08:00-10:00: three working hours, not eighteen real ones.
    assert pause.seconds == 3 * 3600
    assert ticket.paused_seconds == 3 * 3600
    # Due Thu 10:00 Warsaw (11:00 + 8 working h); pushed by 3 working hours -> Thu 13:00.
    assert due == datetime(2026, 11, 19, 9, 0, tzinfo=UTC)
    assert ticket.resolution_due_at == datetime(2026, 11, 19, 12, 0, tzinfo=UTC)


def test_a_stop_clock_code_is_stored_without_stray_whitespace(
    service: Service, contact: User, agent: User, now: datetime
) -> None:
    ticket = _open(service, contact, now)
    change_status(
        ticket, actor=agent, to="pending_third_party", reason=" third_party_fault\n", now=now + H
    )
    [pause] = _pauses(ticket)
    assert pause.reason == "third_party_fault"
    event = _events(ticket, "status_change")[-1]
    assert event.data["reason"] == "third_party_fault"
    assert event.body == "third_party_fault"


def test_moving_between_two_waits_closes_one_pause_and_opens_the_next(
    service: Service, contact: User, agent: User, now: datetime
) -> None:
    ticket = _open(service, contact, now)
    due = ticket.resolution_due_at
    change_status(
        ticket, actor=agent, to="pending_customer", reason="customer_unavailable", now=now + H
    )
    change_status(
        ticket, actor=agent, to="pending_third_party", reason="third_party_fault", now=now + 2 * H
    )
    first, second = _pauses(ticket)
    assert (first.reason, first.seconds) == ("customer_unavailable", 3600)
    assert (second.reason, second.ended_at) == ("third_party_fault", None)
    assert ticket.paused_since == now + 2 * H
    change_status(ticket, actor=None, to="in_progress", now=now + 4 * H)
    assert ticket.paused_seconds == 3 * 3600
    assert ticket.resolution_due_at == due + 3 * H


def test_resolving_while_waiting_ends_the_pause(
    service: Service, contact: User, agent: User, now: datetime
) -> None:
    ticket = _open(service, contact, now)
    change_status(
        ticket, actor=agent, to="pending_customer", reason="observation_after_restore", now=now + H
    )
    change_status(ticket, actor=agent, to="resolved", now=now + 2 * H)
    [pause] = _pauses(ticket)
    assert pause.ended_at == now + 2 * H
    assert ticket.paused_since is None
    assert ticket.resolved_at == now + 2 * H


def test_rejecting_the_fix_reopens_and_the_wait_for_confirmation_does_not_count(
    service: Service, contact: User, agent: User, now: datetime
) -> None:
    ticket = _open(service, contact, now)
    due = ticket.resolution_due_at
    change_status(ticket, actor=agent, to="resolved", now=now + H)
    change_status(
        ticket,
        actor=contact,
        to="in_progress",
        reason="Still dropping packets.",
        now=now + 3 * H,
    )
    assert ticket.status == "in_progress"
    assert ticket.resolved_at is None
    [pause] = _pauses(ticket)
    assert (pause.started_at, pause.ended_at, pause.seconds) == (now + H, now + 3 * H, 7200)
    assert ticket.resolution_due_at == due + 2 * H
    reopen = _events(ticket, "status_change")[-1]
    assert reopen.data == {
        "from": "resolved",
        "to": "in_progress",
        "reason": "Still dropping packets.",
    }
    assert reopen.public is True


def test_reopening_without_a_reason_is_refused(
    service: Service, contact: User, agent: User, now: datetime
) -> None:
    ticket = _open(service, contact, now)
    change_status(ticket, actor=agent, to="resolved", now=now + H)
    with pytest.raises(RuleViolationError):
        change_status(ticket, actor=contact, to="in_progress", now=now + 2 * H)
    assert ticket.status == "resolved"


def test_nothing_moves_a_closed_ticket(
    service: Service, contact: User, agent: User, now: datetime
) -> None:
    ticket = _open(service, contact, now)
    change_status(ticket, actor=agent, to="resolved", now=now + H)
    change_status(ticket, actor=contact, to="closed", now=now + 2 * H)
    for target in ("in_progress", "resolved", "cancelled", "new"):
        with pytest.raises(ConflictError):
            change_status(ticket, actor=agent, to=target, reason="x", now=now + 3 * H)
    assert ticket.status == "closed"


# --- add_event -----------------------------------------------------------------------------


def test_a_customers_comment_is_always_public(
    service: Service, contact: User, now: datetime
) -> None:
    ticket = _open(service, contact, now)
    event = add_event(
        ticket, actor=contact, kind="comment", body="Any news?", public=False, now=now
    )
    assert event.public is True
    assert event.actor_id == contact.id


@pytest.mark.parametrize("kind", ["phone_call", "email", "status_change", "created", "eta"])
def test_a_customer_may_only_comment(
    service: Service, contact: User, now: datetime, kind: str
) -> None:
    ticket = _open(service, contact, now)
    with pytest.raises(RuleViolationError) as refused:
        add_event(ticket, actor=contact, kind=kind, body="x", public=True, now=now)
    assert "kind" in refused.value.errors


@pytest.mark.parametrize("kind", ["comment", "phone_call", "email"])
def test_the_desk_logs_comments_calls_and_emails_internal_or_public(
    service: Service, contact: User, agent: User, now: datetime, kind: str
) -> None:
    ticket = _open(service, contact, now)
    internal = add_event(ticket, actor=agent, kind=kind, body="note", public=False, now=now + M)
    assert internal.public is False
    assert ticket.responded_at is None  # an internal note is not a response to the customer
    public = add_event(ticket, actor=agent, kind=kind, body="Hello", public=True, now=now + 2 * M)
    assert public.public is True
    assert ticket.responded_at == now + 2 * M


@pytest.mark.parametrize("kind", ["status_change", "assignment", "escalation", "priority_change"])
def test_the_desk_cannot_forge_system_entries(
    service: Service, contact: User, agent: User, now: datetime, kind: str
) -> None:
    ticket = _open(service, contact, now)
    with pytest.raises(RuleViolationError) as refused:
        add_event(ticket, actor=agent, kind=kind, body="forged", public=True, now=now)
    assert "kind" in refused.value.errors


def test_a_blank_comment_is_refused(service: Service, contact: User, now: datetime) -> None:
    ticket = _open(service, contact, now)
    with pytest.raises(RuleViolationError) as refused:
        add_event(ticket, actor=contact, kind="comment", body=" \n ", public=True, now=now)
    assert "body" in refused.value.errors


@pytest.mark.parametrize("final", ["closed", "cancelled"])
def test_a_finished_tickets_log_takes_no_more_entries(
    service: Service, contact: User, agent: User, now: datetime, final: str
) -> None:
    ticket = _open(service, contact, now)
    if final == "closed":
        change_status(ticket, actor=agent, to="resolved", now=now + M)
        change_status(ticket, actor=contact, to="closed", now=now + 2 * M)
    else:
        change_status(ticket, actor=agent, to="cancelled", reason="Duplicate.", now=now + M)
    count = len(_events(ticket))
    for actor in (contact, agent):
        with pytest.raises(ConflictError):
            add_event(ticket, actor=actor, kind="comment", body="hi", public=True, now=now + H)
    assert len(_events(ticket)) == count


def test_the_customers_reply_brings_a_waiting_ticket_back_to_work(
    service: Service, contact: User, agent: User, now: datetime
) -> None:
    ticket = _open(service, contact, now)
    due = ticket.resolution_due_at
    change_status(
        ticket, actor=agent, to="pending_customer", reason="waiting_customer_info", now=now + H
    )
    add_event(
        ticket, actor=contact, kind="comment", body="Serial is X123.", public=True, now=now + 2 * H
    )
    assert ticket.status == "in_progress"
    assert ticket.paused_since is None
    assert ticket.paused_seconds == 3600
    assert ticket.resolution_due_at == due + H
    comment, resumed = _events(ticket)[-2:]
    assert comment.kind == "comment"
    assert resumed.kind == "status_change"
    assert resumed.actor_id is None  # the system moved it
    assert resumed.data["to"] == "in_progress"


def test_a_customer_comment_on_a_third_party_wait_does_not_resume_the_clock(
    service: Service, contact: User, agent: User, now: datetime
) -> None:
    ticket = _open(service, contact, now)
    change_status(
        ticket, actor=agent, to="pending_third_party", reason="third_party_fault", now=now + H
    )
    add_event(ticket, actor=contact, kind="comment", body="Any news?", public=True, now=now + 2 * H)
    assert ticket.status == "pending_third_party"
    assert ticket.paused_since == now + H


# --- update_ticket -------------------------------------------------------------------------


def test_reclassifying_recomputes_priority_and_due_times_from_the_matrix(
    service: Service, contact: User, agent: User, now: datetime
) -> None:
    ticket = _open(service, contact, now, impact="not_affecting")  # P4
    update_ticket(
        ticket, actor=agent, changes={"impact": "service_affecting", "urgency": "high"}, now=now + H
    )
    assert ticket.priority == "P1"
    assert not ticket.priority_overridden
    # Clocks still run from the ticket's start, now with the P1 targets.
    assert ticket.response_due_at == now + 15 * M
    assert ticket.resolution_due_at == now + 4 * H
    [classification] = _events(ticket, "classification")
    assert classification.public is False
    assert classification.data["before"] == {"impact": "not_affecting", "urgency": "low"}
    [change] = _events(ticket, "priority_change")
    assert change.data == {"from": "P4", "to": "P1", "override": False}


def test_categorising_as_a_configuration_change_makes_it_p2(
    service: Service, contact: User, agent: User, now: datetime
) -> None:
    ticket = _open(service, contact, now, impact="not_affecting")
    update_ticket(ticket, actor=agent, changes={"category": "configuration_change"}, now=now)
    assert ticket.category == "configuration_change"
    assert ticket.priority == "P2"


def test_overriding_the_priority_needs_a_reason(
    service: Service, contact: User, agent: User, now: datetime
) -> None:
    ticket = _open(service, contact, now, impact="degraded")
    for blank in ({}, {"priority_reason": "   "}):
        with pytest.raises(RuleViolationError) as refused:
            update_ticket(ticket, actor=agent, changes={"priority": "P1", **blank}, now=now)
        assert "priority_reason" in refused.value.errors
    assert _events(ticket, "priority_change") == []


def test_an_override_is_logged_with_its_reason_and_sticks(
    service: Service, contact: User, agent: User, now: datetime
) -> None:
    ticket = _open(service, contact, now, impact="degraded")  # P2
    update_ticket(
        ticket,
        actor=agent,
        changes={"priority": "P1", "priority_reason": "Hospital site."},
        now=now + M,
    )
    assert ticket.priority == "P1"
    assert ticket.priority_overridden
    assert ticket.resolution_due_at == now + 4 * H
    [override] = _events(ticket, "priority_change")
    assert override.data["reason"] == "Hospital site."
    assert override.data["override"] is True
    assert override.actor_id == agent.id
    assert "Hospital site." in override.body
    # Later triage no longer recomputes an overridden priority.
    update_ticket(ticket, actor=agent, changes={"impact": "not_affecting"}, now=now + H)
    assert ticket.priority == "P1"


def test_a_tier_hand_over_is_logged_with_its_note(
    service: Service, contact: User, agent: User, now: datetime
) -> None:
    ticket = _open(service, contact, now)
    update_ticket(
        ticket, actor=agent, changes={"tier": "L2", "handover_note": "Needs BGP."}, now=now
    )
    assert ticket.tier == "L2"
    [handover] = _events(ticket, "tier_change")
    assert handover.data == {"from": "L1", "to": "L2"}
    assert "Needs BGP." in handover.body
    assert handover.public is False


def test_assigning_an_agent_is_logged_and_unassigning_too(
    service: Service, contact: User, agent: User, now: datetime
) -> None:
    ticket = _open(service, contact, now)
    colleague = make_user(role="agent", tier="L2")
    update_ticket(ticket, actor=agent, changes={"assignee": colleague.email}, now=now)
    assert ticket.assignee_id == colleague.id
    update_ticket(ticket, actor=agent, changes={"assignee": str(colleague.id)}, now=now)
    update_ticket(ticket, actor=agent, changes={"assignee": None}, now=now + M)
    assert ticket.assignee_id is None
    assert [e.data["assignee_id"] for e in _events(ticket, "assignment")] == [colleague.id, None]


@pytest.mark.parametrize("role", ["customer", "dispatcher", "engineer", "stock_manager"])
def test_assigning_someone_who_is_not_an_agent_is_refused(
    service: Service, contact: User, agent: User, now: datetime, role: str
) -> None:
    ticket = _open(service, contact, now)
    other = contact if role == "customer" else make_user(role=role)
    with pytest.raises(RuleViolationError) as refused:
        update_ticket(ticket, actor=agent, changes={"assignee": other.email}, now=now)
    assert "assignee" in refused.value.errors
    assert ticket.assignee_id is None


def test_an_unknown_assignee_is_refused(
    service: Service, contact: User, agent: User, now: datetime
) -> None:
    ticket = _open(service, contact, now)
    with pytest.raises(RuleViolationError) as refused:
        update_ticket(ticket, actor=agent, changes={"assignee": "nobody@example.test"}, now=now)
    assert "assignee" in refused.value.errors


def test_setting_and_extending_the_eta_is_logged_publicly(
    service: Service, contact: User, agent: User, now: datetime
) -> None:
    ticket = _open(service, contact, now)
    update_ticket(ticket, actor=agent, changes={"eta": now + 2 * H}, now=now)
    update_ticket(ticket, actor=agent, changes={"eta": now + 5 * H}, now=now + H)
    assert ticket.eta == now + 5 * H
    first, extended = _events(ticket, "eta")
    assert first.public
    assert extended.public
    assert extended.data == {"from": (now + 2 * H).isoformat(), "to": (now + 5 * H).isoformat()}


@pytest.mark.parametrize("offset", [timedelta(0), -H])
def test_an_eta_that_is_not_in_the_future_is_refused(
    service: Service, contact: User, agent: User, now: datetime, offset: timedelta
) -> None:
    ticket = _open(service, contact, now)
    with pytest.raises(RuleViolationError) as refused:
        update_ticket(ticket, actor=agent, changes={"eta": now + offset}, now=now)
    assert "eta" in refused.value.errors
    assert ticket.eta is None


def test_customers_cannot_triage(service: Service, contact: User, now: datetime) -> None:
    ticket = _open(service, contact, now, impact="degraded")
    with pytest.raises(ForbiddenError):
        update_ticket(
            ticket, actor=contact, changes={"priority": "P1", "priority_reason": "x"}, now=now
        )
    assert ticket.priority == "P2"


def test_a_closed_ticket_cannot_be_triaged(
    service: Service, contact: User, agent: User, now: datetime
) -> None:
    ticket = _open(service, contact, now)
    change_status(ticket, actor=agent, to="resolved", now=now + M)
    change_status(ticket, actor=contact, to="closed", now=now + 2 * M)
    with pytest.raises(ConflictError):
        update_ticket(ticket, actor=agent, changes={"tier": "L2"}, now=now + H)
    assert ticket.tier == "L1"
