"""The sweep as of chosen instants, on both databases: escalation by age, breach and at-risk
flags, missed ETAs and the 24-hour auto-close. It is idempotent, never escalates down, and a
sweep for an earlier instant changes nothing that a later one decided."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from fieldops.accounts.models import User
from fieldops.customers.models import Service
from fieldops.db import db, transaction
from fieldops.outbox import OutboxMessage
from fieldops.tickets import queries
from fieldops.tickets.models import Ticket, TicketEscalation, TicketEta, TicketEvent
from fieldops.tickets.services import (
    add_event,
    change_status,
    confirm_resolution,
    escalation,
    set_eta,
    sweep,
    update_ticket,
)
from fieldops.tickets.tasks import SweepReport, run_sweep
from tests.factories import (
    ESCALATION_LEVELS,
    PRIORITY_INPUT,
    make_contact,
    make_matrix,
    make_service,
    make_ticket,
)

H = timedelta(hours=1)
M = timedelta(minutes=1)
API = "/api/v1"


@pytest.fixture
def service(session: Any) -> Service:
    """A 24x7 service: P1 responds in 15 min and resolves in 4 h, P2 30 min / 8 h."""
    return make_service()


@pytest.fixture
def contact(service: Service) -> User:
    return make_contact(service.customer, email="noc@customer.example")


@pytest.fixture
def api_clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[datetime], None]:
    """api_clock(at): the ticket API reads `at` as the current instant."""

    def _set(at: datetime) -> None:
        monkeypatch.setattr("fieldops.api.tickets.utcnow", lambda: at)

    return _set


def _p1(service: Service, contact: User, agent: User, now: datetime) -> Ticket:
    """A P1 opened at `now` and acknowledged five minutes later (responded in time)."""
    ticket = make_ticket(service, contact, now=now, fault_started_at=now - 30 * M)
    change_status(ticket, actor=agent, to="acknowledged", now=now + 5 * M)
    return ticket


def _fresh(ticket: Ticket) -> Ticket:
    db.session.expire_all()
    found = db.session.get(Ticket, ticket.id)
    assert found is not None
    return found


def _escalations(ticket: Ticket) -> list[tuple[int, str]]:
    rows = db.session.execute(
        select(TicketEscalation.level, TicketEscalation.reason)
        .where(TicketEscalation.ticket_id == ticket.id)
        .order_by(TicketEscalation.level)
    )
    return [(level, reason) for level, reason in rows]


def _events(ticket: Ticket, kind: str | None = None) -> list[TicketEvent]:
    query = select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)
    if kind is not None:
        query = query.where(TicketEvent.kind == kind)
    return list(db.session.scalars(query.order_by(TicketEvent.id)))


def _mail(template: str | None = None, ticket: Ticket | None = None) -> list[OutboxMessage]:
    query = select(OutboxMessage)
    if template is not None:
        query = query.where(OutboxMessage.template == template)
    if ticket is not None:
        query = query.where(OutboxMessage.ticket_id == ticket.id)
    return list(db.session.scalars(query.order_by(OutboxMessage.id)))


def _count(model: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def _snapshot() -> dict[str, Any]:
    """Everything a sweep can change: rows it adds and the ticket columns it sets."""
    db.session.expire_all()
    tickets = db.session.execute(
        select(
            Ticket.id,
            Ticket.status,
            Ticket.escalation_level,
            Ticket.sla_breached_at,
            Ticket.at_risk_flagged_at,
            Ticket.eta_missed_at,
            Ticket.closed_at,
            Ticket.updated_at,
        ).order_by(Ticket.id)
    ).all()
    return {
        "tickets": [tuple(row) for row in tickets],
        "escalations": _count(TicketEscalation),
        "events": _count(TicketEvent),
        "mail": _count(OutboxMessage),
        "eta_missed": list(db.session.scalars(select(TicketEta.missed_at).order_by(TicketEta.id))),
    }


def _nothing(report: SweepReport) -> bool:
    counts = (report.escalated, report.breached, report.at_risk, report.eta_missed)
    return counts == (0, 0, 0, 0) and report.auto_closed == 0


def _level(ticket: Ticket) -> int:
    return _fresh(ticket).escalation_level


# --- escalation by age ---------------------------------------------------------------------


# The default matrix when a customer has its own: slower, and told to other people.
SLOW_DEFAULT = [
    {
        "name": f"Default {spec['name']}",
        "contacts": ["default@noc.example"],
        "thresholds_min": {p: 100 * minutes for p, minutes in spec["thresholds_min"].items()},
    }
    for spec in ESCALATION_LEVELS
]


@pytest.mark.parametrize("matrix", ["default", "customer's own"])
@pytest.mark.parametrize("priority", ["P1", "P2", "P3", "P4"])
def test_each_level_is_reached_when_the_age_passes_its_threshold(
    priority: str, matrix: str, service: Service, contact: User, now: datetime
) -> None:
    if matrix == "default":
        make_matrix()
    else:
        make_matrix(levels=SLOW_DEFAULT)
        make_matrix(service.customer)
    ticket = make_ticket(service, contact, now=now, **PRIORITY_INPUT[priority])
    assert ticket.priority == priority

    for number, spec in enumerate(ESCALATION_LEVELS, start=1):
        reached_at = now + spec["thresholds_min"][priority] * M
        assert run_sweep(reached_at - M).escalated == 0
        assert _level(ticket) == number - 1
        assert run_sweep(reached_at).escalated == 1
        assert _level(ticket) == number

    assert _escalations(ticket) == [
        (1, "age_threshold"),
        (2, "age_threshold"),
        (3, "age_threshold"),
    ]
    logged = _events(ticket, "escalation")
    assert [e.data["level"] for e in logged] == [1, 2, 3]
    assert all(not e.public and e.actor_id is None for e in logged)
    assert "Shift lead" in logged[1].body
    notices = _mail("escalated", ticket)
    assert [m.to_addresses for m in notices] == [spec["contacts"] for spec in ESCALATION_LEVELS]
    assert ticket.number in notices[2].subject
    assert "level 3 (Support manager)" in notices[2].subject


def test_a_customers_own_matrix_overrides_the_default_for_that_customer_only(
    session: Any, now: datetime
) -> None:
    make_matrix()
    own_service, other_service = make_service(), make_service()
    make_matrix(
        own_service.customer,
        levels=[
            {
                "name": "Account manager",
                "contacts": ["am@own.example"],
                "thresholds_min": {"P1": 10},
            },
            {"name": "Their CTO", "contacts": ["cto@own.example"], "thresholds_min": {"P1": 20}},
        ],
    )
    own = make_ticket(own_service, now=now)
    other = make_ticket(other_service, now=now)

    run_sweep(now + 10 * M)
    assert (_level(own), _level(other)) == (1, 0)
    run_sweep(now + 20 * M)
    assert (_level(own), _level(other)) == (2, 0)
    run_sweep(now + 30 * M)  # the default's first level: the other customer only
    assert (_level(own), _level(other)) == (2, 1)
    run_sweep(now + 3 * H)
    assert (_level(own), _level(other)) == (2, 3)

    assert [m.to_addresses for m in _mail("escalated", own)] == [
        ["am@own.example"],
        ["cto@own.example"],
    ]
    assert [m.to_addresses[0] for m in _mail("escalated", other)] == [
        "duty@noc.example",
        "manager@noc.example",  # straight from level 1 to 3: level 2 was passed in between
    ]
    assert "Their CTO" in _events(own, "escalation")[-1].body


def test_a_ticket_old_enough_for_the_top_level_goes_straight_there_once(
    service: Service, contact: User, now: datetime
) -> None:
    make_matrix()
    ticket = make_ticket(service, contact, now=now)

    report = run_sweep(now + 3 * H)

    assert report.escalated == 1
    assert _level(ticket) == 3
    assert _escalations(ticket) == [(3, "age_threshold")]
    logged = _events(ticket, "escalation")
    assert len(logged) == 1
    assert "level 3 (Support manager)" in logged[0].body
    notices = _mail("escalated")
    assert len(notices) == 1
    assert notices[0].to_addresses == ["manager@noc.example", "deputy@noc.example"]
    assert notices[0].ticket_id == ticket.id


def test_a_second_sweep_at_the_same_or_a_later_instant_changes_nothing(
    service: Service, contact: User, now: datetime
) -> None:
    make_matrix()
    p1 = make_ticket(service, contact, now=now)
    p2 = make_ticket(service, contact, now=now, **PRIORITY_INPUT["P2"])
    first = run_sweep(now + 65 * M)
    assert (first.escalated, _level(p1), _level(p2)) == (2, 2, 1)
    before = _snapshot()

    for at in (now + 65 * M, now + 66 * M, now + 119 * M):
        assert _nothing(run_sweep(at)), at
        assert _snapshot() == before


def test_a_sweep_for_an_earlier_instant_changes_nothing_a_later_one_decided(
    service: Service, contact: User, agent: User, now: datetime
) -> None:
    make_matrix()
    aged = make_ticket(service, contact, now=now)
    promised = _p1(service, contact, agent, now)
    set_eta(promised, actor=agent, eta=now + 2 * H, reason="", now=now + 10 * M)
    done = _p1(service, contact, agent, now)
    change_status(done, actor=agent, to="resolved", now=now + 20 * M)
    young = make_ticket(service, contact, now=now + 20 * H)
    late = now + 30 * H
    report = run_sweep(late)
    assert (report.escalated, report.eta_missed, report.auto_closed) == (3, 1, 1)
    assert (report.breached, report.at_risk) == (3, 0)
    before = _snapshot()

    # 3 h 15 min: inside the at-risk window (80 % of 4 h), but a later sweep saw the breach.
    for earlier in (now + 35 * M, now + 3 * H, now + 3 * H + 15 * M, now + 21 * H, late - M):
        assert _nothing(run_sweep(earlier)), earlier
        assert _snapshot() == before
    assert [_level(t) for t in (aged, promised, young)] == [3, 3, 3]
    assert _fresh(aged).sla_breached_at == late
    assert _fresh(done).status == "closed"


def test_escalation_never_goes_down(
    service: Service, contact: User, agent: User, now: datetime
) -> None:
    make_matrix()
    ticket = make_ticket(service, contact, now=now)
    run_sweep(now + 65 * M)
    assert _level(ticket) == 2
    with transaction():
        update_ticket(
            _fresh(ticket),
            actor=agent,
            changes={"priority": "P4", "priority_reason": "Only a test port is down."},
            now=now + 70 * M,
        )

    assert _nothing(run_sweep(now + 3 * H))
    assert _level(ticket) == 2
    assert _escalations(ticket) == [(2, "age_threshold")]


def test_a_sweep_for_an_instant_before_the_last_update_does_not_turn_it_back(
    service: Service, contact: User, agent: User, now: datetime
) -> None:
    """A catch-up sweep (`--now` in the past) records what it finds then, but a ticket's
    last update stays the latest thing that happened to it."""
    make_matrix()
    aged = make_ticket(service, contact, now=now)
    add_event(aged, actor=agent, kind="comment", body="Still on it.", public=False, now=now + 5 * H)
    done = _p1(service, contact, agent, now)
    change_status(done, actor=agent, to="resolved", now=now + H)
    add_event(
        done, actor=contact, kind="comment", body="Looks fine.", public=True, now=now + 30 * H
    )

    report = run_sweep(now + 3 * H)
    assert report.escalated == 1
    assert run_sweep(now + 25 * H).auto_closed == 1

    assert _fresh(aged).updated_at == now + 5 * H
    assert _fresh(done).updated_at == now + 30 * H
    assert _fresh(done).closed_at == now + 25 * H


def test_more_tickets_reaching_a_level_than_the_digest_limit_get_one_digest(
    service: Service, contact: User, now: datetime
) -> None:
    make_matrix()
    count = escalation.DIGEST_OVER + 1
    tickets = [make_ticket(service, contact, now=now) for _ in range(count)]

    assert run_sweep(now + 30 * M).escalated == count

    assert all(_escalations(t) == [(1, "age_threshold")] for t in tickets)
    assert all(len(_events(t, "escalation")) == 1 for t in tickets)
    assert _mail("escalated") == []
    [digest] = _mail("escalation_digest")
    assert digest.to_addresses == ["duty@noc.example"]
    assert f"{count} tickets escalated to level 1 (Duty engineer)" in digest.subject
    assert all(t.number in digest.body_text for t in tickets)
    assert _nothing(run_sweep(now + 30 * M))
    assert len(_mail("escalation_digest")) == 1


@pytest.mark.parametrize("final", ["resolved", "closed", "cancelled"])
def test_finished_tickets_are_not_escalated(
    final: str, service: Service, contact: User, agent: User, now: datetime
) -> None:
    make_matrix()
    ticket = _p1(service, contact, agent, now)
    if final == "cancelled":
        change_status(ticket, actor=agent, to="cancelled", reason="Duplicate", now=now + 6 * M)
    else:
        change_status(ticket, actor=agent, to="resolved", now=now + 6 * M)
    if final == "closed":
        confirm_resolution(ticket, actor=contact, accept=True, comment="", now=now + 7 * M)

    assert run_sweep(now + 3 * H).escalated == 0
    assert _level(ticket) == 0
    assert _escalations(ticket) == []
    assert _mail("escalated") == []


def test_a_ticket_waiting_on_the_customer_is_still_open_and_escalates(
    service: Service, contact: User, agent: User, now: datetime
) -> None:
    make_matrix()
    ticket = _p1(service, contact, agent, now)
    change_status(
        ticket, actor=agent, to="pending_customer", reason="waiting_customer_info", now=now + 8 * M
    )
    assert run_sweep(now + 31 * M).escalated == 1
    assert _level(ticket) == 1


def test_the_step_functions_return_what_they_changed_and_nothing_the_second_time(
    service: Service, contact: User, now: datetime
) -> None:
    make_matrix()
    ticket = make_ticket(service, contact, now=now)
    at = now + 61 * M

    assert escalation.escalate_by_age(at) == [escalation.Escalated(ticket.id, 2)]
    assert sweep.flag_breaches(at) == [ticket.id]
    assert escalation.escalate_by_age(at) == []
    assert sweep.flag_breaches(at) == []
    assert sweep.flag_at_risk(at) == []
    assert sweep.mark_missed_etas(at) == []
    assert sweep.close_unconfirmed(at) == []


# --- breaches and at-risk -----------------------------------------------------------------


def test_a_breach_is_recorded_once_as_of_the_sweeps_instant(
    service: Service, contact: User, agent: User, now: datetime
) -> None:
    ticket = _p1(service, contact, agent, now)

    assert run_sweep(now + 4 * H).breached == 0  # due at exactly 4 h: not yet late
    assert _fresh(ticket).sla_breached_at is None
    assert run_sweep(now + 4 * H + M).breached == 1
    assert run_sweep(now + 5 * H).breached == 0

    assert _fresh(ticket).sla_breached_at == now + 4 * H + M
    flagged = [e for e in _events(ticket, "sla") if e.data["flag"] == "breached"]
    assert len(flagged) == 1
    assert flagged[0].created_at == now + 4 * H + M
    assert not flagged[0].public
    assert "breached" in flagged[0].body.lower()


def test_a_recorded_breach_stays_in_the_api_after_the_priority_is_lowered(
    service: Service,
    contact: User,
    agent: User,
    now: datetime,
    api_as: Callable[[User], Any],
    api_clock: Callable[[datetime], None],
) -> None:
    ticket = _p1(service, contact, agent, now)
    run_sweep(now + 5 * H)
    with transaction():
        update_ticket(
            _fresh(ticket),
            actor=agent,
            changes={"priority": "P4", "priority_reason": "The customer has a backup link."},
            now=now + 5 * H + M,
        )
    api_clock(now + 5 * H + 2 * M)

    body = api_as(contact).get(f"{API}/tickets/{ticket.number}").get_json()
    breached = api_as(agent).get(f"{API}/tickets?breached=true").get_json()

    assert body["priority"] == "P4"
    assert body["sla"]["resolution_breached"] is False  # the P4 target is days away
    assert body["sla"]["breached"] is True
    assert [item["id"] for item in breached["items"]] == [ticket.number]


def test_lowering_the_priority_of_an_overdue_ticket_keeps_its_breach(
    service: Service,
    contact: User,
    agent: User,
    now: datetime,
    api_as: Callable[[User], Any],
    api_clock: Callable[[datetime], None],
) -> None:
    """No sweep ran while it was late: the change itself must not erase the breach."""
    ticket = _p1(service, contact, agent, now)
    with transaction():
        update_ticket(
            ticket,
            actor=agent,
            changes={"priority": "P4", "priority_reason": "The customer has a backup link."},
            now=now + 5 * H,
        )
    api_clock(now + 5 * H + M)

    body = api_as(contact).get(f"{API}/tickets/{ticket.number}").get_json()

    assert body["sla"]["breached"] is True
    assert _fresh(ticket).sla_breached_at == now + 5 * H


def test_a_late_first_response_is_a_response_breach(
    service: Service,
    contact: User,
    now: datetime,
    api_as: Callable[[User], Any],
    api_clock: Callable[[datetime], None],
) -> None:
    ticket = make_ticket(service, contact, now=now)  # nobody answers

    assert run_sweep(now + 15 * M).breached == 0
    assert run_sweep(now + 16 * M).breached == 1
    api_clock(now + 17 * M)
    sla = api_as(contact).get(f"{API}/tickets/{ticket.number}").get_json()["sla"]

    assert (sla["breached"], sla["response_breached"], sla["resolution_breached"]) == (
        True,
        True,
        False,
    )
    assert "response" in _events(ticket, "sla")[0].body
    # The flag is the desk's: the customer's view of the log does not carry it.
    shown = api_as(contact).get(f"{API}/tickets/{ticket.number}/events").get_json()["items"]
    assert [e["kind"] for e in shown] == ["created"]


def test_a_late_restoration_is_a_resolution_breach(
    service: Service,
    contact: User,
    agent: User,
    now: datetime,
    api_as: Callable[[User], Any],
    api_clock: Callable[[datetime], None],
) -> None:
    ticket = _p1(service, contact, agent, now)

    assert run_sweep(now + 4 * H + M).breached == 1
    api_clock(now + 4 * H + 2 * M)
    sla = api_as(contact).get(f"{API}/tickets/{ticket.number}").get_json()["sla"]

    assert (sla["breached"], sla["response_breached"], sla["resolution_breached"]) == (
        True,
        False,
        True,
    )
    assert "resolution" in _events(ticket, "sla")[0].body


def test_a_paused_ticket_is_not_breached_while_it_waits(
    service: Service,
    contact: User,
    agent: User,
    now: datetime,
    api_as: Callable[[User], Any],
    api_clock: Callable[[datetime], None],
) -> None:
    ticket = _p1(service, contact, agent, now)
    change_status(
        ticket, actor=agent, to="pending_customer", reason="waiting_customer_info", now=now + H
    )

    assert _nothing(run_sweep(now + 6 * H))  # the 4 h target passed on the wall clock
    api_clock(now + 6 * H)
    sla = api_as(contact).get(f"{API}/tickets/{ticket.number}").get_json()["sla"]
    assert (sla["paused"], sla["breached"], sla["at_risk"]) == (True, False, False)

    with transaction():
        change_status(_fresh(ticket), actor=agent, to="in_progress", now=now + 7 * H)
    assert _fresh(ticket).resolution_due_at == now + 10 * H  # 3 h of the target were left
    assert run_sweep(now + 10 * H).breached == 0
    assert run_sweep(now + 10 * H + M).breached == 1


def test_at_risk_is_flagged_once_at_the_configured_share(
    app: Flask,
    monkeypatch: pytest.MonkeyPatch,
    service: Service,
    contact: User,
    agent: User,
    now: datetime,
    api_as: Callable[[User], Any],
    api_clock: Callable[[datetime], None],
) -> None:
    monkeypatch.setitem(app.config, "SLA_AT_RISK_SHARE", 0.5)
    ticket = _p1(service, contact, agent, now)  # 4 h target: at risk after 2 h

    assert run_sweep(now + 2 * H - M).at_risk == 0
    api_clock(now + 2 * H - M)
    assert api_as(agent).get(f"{API}/tickets/{ticket.number}").get_json()["sla"]["at_risk"] is False
    assert run_sweep(now + 2 * H).at_risk == 1
    assert run_sweep(now + 3 * H).at_risk == 0

    assert _fresh(ticket).at_risk_flagged_at == now + 2 * H
    flagged = _events(ticket, "sla")
    assert [e.data["flag"] for e in flagged] == ["at_risk"]
    assert "at risk" in flagged[0].body.lower()
    api_clock(now + 2 * H)
    assert api_as(agent).get(f"{API}/tickets/{ticket.number}").get_json()["sla"]["at_risk"] is True


# --- missed ETAs ----------------------------------------------------------------------------


def test_a_missed_eta_tells_the_customer_asks_the_desk_and_shows_on_the_ticket(
    service: Service,
    contact: User,
    agent: User,
    now: datetime,
    api_as: Callable[[User], Any],
    api_clock: Callable[[datetime], None],
) -> None:
    ticket = _p1(service, contact, agent, now)
    set_eta(ticket, actor=agent, eta=now + 2 * H, reason="Engineer on the way.", now=now + 10 * M)
    promised_mail = len(_mail())

    assert run_sweep(now + 2 * H).eta_missed == 0  # due at 2 h: not missed yet
    assert run_sweep(now + 2 * H + M).eta_missed == 1
    assert run_sweep(now + 2 * H + 2 * M).eta_missed == 0

    missed_at = now + 2 * H + M
    assert _fresh(ticket).eta_missed_at == missed_at
    assert [r.missed_at for r in db.session.scalars(select(TicketEta))] == [missed_at]
    logged = [e for e in _events(ticket, "eta") if e.created_at == missed_at]
    assert [e.public for e in logged] == [True, False]
    assert "has passed" in logged[0].body
    assert "set a new ETA" in logged[1].body
    notices = _mail()[promised_mail:]
    assert [(m.template, m.to_addresses) for m in notices] == [
        ("eta_extended", ["noc@customer.example"])
    ]
    assert "Estimated restoration time passed" in notices[0].subject
    assert "will send you a new estimate" in notices[0].body_text
    api_clock(missed_at + M)
    assert api_as(contact).get(f"{API}/tickets/{ticket.number}").get_json()["eta_missed"] is True

    with transaction():
        set_eta(
            _fresh(ticket),
            actor=agent,
            eta=now + 4 * H,
            reason="The spare part is delayed.",
            now=now + 2 * H + 5 * M,
        )

    api_clock(now + 2 * H + 6 * M)
    body = api_as(contact).get(f"{API}/tickets/{ticket.number}").get_json()
    assert body["eta_missed"] is False
    extended = _mail("eta_extended")[-1]
    assert "extended to Wed 18 Nov 2026, 14:00 UTC" in extended.subject
    assert "The spare part is delayed." in extended.body_text
    history = list(db.session.scalars(select(TicketEta).order_by(TicketEta.id)))
    assert [(h.previous_eta, h.eta) for h in history] == [
        (None, now + 2 * H),
        (now + 2 * H, now + 4 * H),
    ]
    assert history[1].customer_notified_at == now + 2 * H + 5 * M
    assert run_sweep(now + 3 * H).eta_missed == 0


def test_each_missed_eta_is_told_once(
    service: Service, contact: User, agent: User, now: datetime
) -> None:
    ticket = _p1(service, contact, agent, now)
    set_eta(ticket, actor=agent, eta=now + H, reason="", now=now + 10 * M)
    run_sweep(now + H + M)
    with transaction():
        set_eta(_fresh(ticket), actor=agent, eta=now + 2 * H, reason="", now=now + H + 2 * M)

    assert run_sweep(now + 2 * H + M).eta_missed == 1
    assert run_sweep(now + 2 * H + 2 * M).eta_missed == 0

    passed = [m for m in _mail("eta_extended") if "passed" in m.subject]
    assert len(passed) == 2
    assert "Wed 18 Nov 2026, 11:00 UTC" in passed[0].body_text
    assert "Wed 18 Nov 2026, 12:00 UTC" in passed[1].body_text
    missed = db.session.scalars(select(TicketEta.missed_at).order_by(TicketEta.id)).all()
    assert missed == [now + H + M, now + 2 * H + M]


def test_an_eta_met_by_a_restoration_is_not_missed(
    service: Service, contact: User, agent: User, now: datetime
) -> None:
    ticket = _p1(service, contact, agent, now)
    set_eta(ticket, actor=agent, eta=now + 2 * H, reason="", now=now + 10 * M)
    change_status(ticket, actor=agent, to="resolved", now=now + H)

    assert run_sweep(now + 3 * H).eta_missed == 0
    assert _fresh(ticket).eta_missed_at is None
    assert _mail("eta_extended") == []


# --- 24 h auto-close -------------------------------------------------------------------------


def test_a_resolution_nobody_answers_closes_after_24_hours(
    service: Service, contact: User, agent: User, now: datetime
) -> None:
    ticket = _p1(service, contact, agent, now)
    resolved_at = now + H
    change_status(ticket, actor=agent, to="resolved", note="Replaced the optic.", now=resolved_at)

    assert run_sweep(resolved_at + 23 * H + 59 * M).auto_closed == 0
    assert _fresh(ticket).status == "resolved"
    assert run_sweep(resolved_at + 24 * H).auto_closed == 1
    assert run_sweep(resolved_at + 25 * H).auto_closed == 0

    closed = _fresh(ticket)
    assert (closed.status, closed.closed_at) == ("closed", resolved_at + 24 * H)
    change = _events(ticket, "status_change")[-1]
    assert (change.public, change.actor_id) == (True, None)
    assert (change.data["from"], change.data["to"]) == ("resolved", "closed")
    assert "Closed automatically" in change.body
    notices = _mail("auto_closed", ticket)
    assert [m.to_addresses for m in notices] == [["noc@customer.example"]]
    assert ticket.number in notices[0].subject


def test_a_closed_ticket_leaves_the_default_queue_and_stays_searchable(
    service: Service, contact: User, agent: User, now: datetime
) -> None:
    ticket = _p1(service, contact, agent, now)
    other = make_ticket(service, contact, now=now, summary="Packet loss in Gdansk")
    change_status(ticket, actor=agent, to="resolved", now=now + H)
    run_sweep(now + 25 * H)

    def numbers(**filters: Any) -> list[str]:
        rows, _ = queries.list_tickets(
            agent, queries.TicketFilter(**filters), page=1, per_page=50, now=now + 25 * H
        )
        return [t.number for t in rows]

    assert numbers(open_only=True) == [other.number]
    assert numbers(status=["closed"]) == [ticket.number]
    assert numbers(text="warsaw") == [ticket.number]
    assert numbers(text=ticket.number) == [ticket.number]


def test_a_rejected_fix_is_not_closed_by_the_sweep(
    service: Service, contact: User, agent: User, now: datetime
) -> None:
    ticket = _p1(service, contact, agent, now)
    change_status(ticket, actor=agent, to="resolved", now=now + H)
    confirm_resolution(
        ticket, actor=contact, accept=False, comment="Still dropping packets.", now=now + 2 * H
    )

    assert run_sweep(now + 26 * H).auto_closed == 0
    assert _fresh(ticket).status == "in_progress"


# --- every effect is logged -----------------------------------------------------------------


def test_every_effect_of_a_sweep_is_a_work_log_event(
    service: Service, contact: User, agent: User, now: datetime
) -> None:
    make_matrix()
    tickets = [make_ticket(service, contact, now=now) for _ in range(2)]
    promised = _p1(service, contact, agent, now)
    set_eta(promised, actor=agent, eta=now + 30 * M, reason="", now=now + 10 * M)
    done = _p1(service, contact, agent, now - 2 * H)
    change_status(done, actor=agent, to="resolved", now=now - H)
    at = now + 23 * H
    events_before = _count(TicketEvent)

    report = run_sweep(at)

    new = list(db.session.scalars(select(TicketEvent).where(TicketEvent.created_at == at)))
    assert len(new) == _count(TicketEvent) - events_before
    by_kind: dict[str, int] = {}
    for event in new:
        by_kind[event.kind] = by_kind.get(event.kind, 0) + 1
    assert report.escalated == 3 == by_kind["escalation"]
    assert report.breached + report.at_risk == 3 == by_kind["sla"]
    assert report.eta_missed == 1
    assert by_kind["eta"] == 2  # the customer's line and the desk's
    assert report.auto_closed == 1 == by_kind["status_change"]
    assert {e.ticket_id for e in new} == {t.id for t in [*tickets, promised, done]}
    assert report.summary() == (
        f"sweep as of {at.isoformat()}: 3 escalated, 3 breached, 0 at risk, 1 missed ETAs, "
        "1 auto-closed"
    )
