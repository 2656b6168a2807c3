"""The ticket status machine, checked against a table written out here by hand (pure).

The table below is the documentation: every allowed move, who may make it and what it needs.
Every (from, to, actor) combination of the 8 statuses x 8 targets x 3 actors is checked
against it, so adding, dropping or widening a move in lifecycle.py fails a test here.
"""

from __future__ import annotations

from itertools import product

import pytest

from fieldops.tickets.lifecycle import (
    DEFAULT_STOP_CLOCK_REASONS,
    Actor,
    Needs,
    TicketStatus,
    TransitionRefusedError,
    allowed_targets,
    check_move,
)

STATUSES = (
    "new",
    "acknowledged",
    "in_progress",
    "pending_customer",
    "pending_third_party",
    "resolved",
    "closed",
    "cancelled",
)
ACTORS = ("desk", "customer", "system")

DESK = frozenset({"desk"})
DESK_CUSTOMER = frozenset({"desk", "customer"})
DESK_SYSTEM = frozenset({"desk", "system"})
CUSTOMER_SYSTEM = frozenset({"customer", "system"})

NONE, STOP, WRITTEN = "nothing", "stop_clock_reason", "written_reason"

# (from, to) -> (who may, what the move needs). Anything absent is illegal for everyone.
EXPECTED: dict[tuple[str, str], tuple[frozenset[str], str]] = {
    # Intake and pick-up: only the desk acknowledges and starts work.
    ("new", "acknowledged"): (DESK, NONE),
    ("new", "in_progress"): (DESK, NONE),
    ("new", "pending_customer"): (DESK, STOP),
    ("new", "pending_third_party"): (DESK, STOP),
    ("new", "resolved"): (DESK_SYSTEM, NONE),
    # A customer may withdraw a ticket nobody has started on, with a reason.
    ("new", "cancelled"): (DESK_CUSTOMER, WRITTEN),
    ("acknowledged", "in_progress"): (DESK, NONE),
    ("acknowledged", "pending_customer"): (DESK, STOP),
    ("acknowledged", "pending_third_party"): (DESK, STOP),
    ("acknowledged", "resolved"): (DESK_SYSTEM, NONE),
    ("acknowledged", "cancelled"): (DESK_CUSTOMER, WRITTEN),
    # Working: stopping the clock needs a stop-clock code; cancelling needs a written reason.
    ("in_progress", "pending_customer"): (DESK, STOP),
    ("in_progress", "pending_third_party"): (DESK, STOP),
    ("in_progress", "resolved"): (DESK_SYSTEM, NONE),
    ("in_progress", "cancelled"): (DESK, WRITTEN),
    # Waiting: the desk or the system (the customer's reply, the carrier's answer) resumes.
    ("pending_customer", "in_progress"): (DESK_SYSTEM, NONE),
    ("pending_customer", "pending_third_party"): (DESK, STOP),
    ("pending_customer", "resolved"): (DESK_SYSTEM, NONE),
    ("pending_customer", "cancelled"): (DESK, WRITTEN),
    ("pending_third_party", "in_progress"): (DESK_SYSTEM, NONE),
    ("pending_third_party", "pending_customer"): (DESK, STOP),
    ("pending_third_party", "resolved"): (DESK_SYSTEM, NONE),
    ("pending_third_party", "cancelled"): (DESK, WRITTEN),
    # Closure: the customer confirms or the 24 h sweep closes; never the desk. Reopen needs
    # a written reason and may come from the customer (reject) or the desk.
    ("resolved", "closed"): (CUSTOMER_SYSTEM, NONE),
    ("resolved", "in_progress"): (DESK_CUSTOMER, WRITTEN),
    # closed and cancelled are terminal: no entries.
}

ALL_COMBINATIONS = list(product(STATUSES, STATUSES, ACTORS))


def _good_reason(needs: str) -> str | None:
    if needs == STOP:
        return "waiting_customer_info"
    if needs == WRITTEN:
        return "The customer says the link is still down."
    return None


def test_the_table_covers_exactly_the_eight_statuses() -> None:
    assert tuple(s.value for s in TicketStatus) == STATUSES
    assert {a.value for a in Actor} == set(ACTORS)


@pytest.mark.parametrize(("source", "target", "actor"), ALL_COMBINATIONS)
def test_every_move_is_allowed_or_refused_as_the_table_says(
    source: str, target: str, actor: str
) -> None:
    expected = EXPECTED.get((source, target))
    reason = _good_reason(expected[1]) if expected else "waiting_customer_info"
    if expected is None:
        with pytest.raises(TransitionRefusedError) as refused:
            check_move(source, target, Actor(actor), reason)
        assert refused.value.kind == "illegal"
        assert source in refused.value.message
        assert target in refused.value.message
    elif actor not in expected[0]:
        with pytest.raises(TransitionRefusedError) as refused:
            check_move(source, target, Actor(actor), reason)
        assert refused.value.kind == "forbidden"
    else:
        move = check_move(source, target, Actor(actor), reason)
        assert move.source == source
        assert move.target == target
        assert move.needs == Needs(expected[1])


@pytest.mark.parametrize(("source", "target", "actor"), ALL_COMBINATIONS)
def test_allowed_targets_match_the_table(source: str, target: str, actor: str) -> None:
    expected = EXPECTED.get((source, target))
    offered = allowed_targets(source, Actor(actor))
    assert (target in offered) == bool(expected and actor in expected[0])


@pytest.mark.parametrize(("source", "actor"), list(product(STATUSES, ACTORS)))
def test_allowed_targets_lists_each_target_once(source: str, actor: str) -> None:
    offered = allowed_targets(source, Actor(actor))
    assert len(offered) == len(set(offered))
    assert source not in offered


@pytest.mark.parametrize("terminal", ["closed", "cancelled"])
def test_closed_and_cancelled_are_terminal_for_everyone(terminal: str) -> None:
    for actor in Actor:
        assert allowed_targets(terminal, actor) == []


STOP_MOVES = sorted((s, t) for (s, t), (_, needs) in EXPECTED.items() if needs == STOP)
WRITTEN_MOVES = sorted((s, t) for (s, t), (_, needs) in EXPECTED.items() if needs == WRITTEN)
PLAIN_MOVES = sorted((s, t) for (s, t), (_, needs) in EXPECTED.items() if needs == NONE)


def _an_actor(source: str, target: str) -> Actor:
    return Actor(sorted(EXPECTED[(source, target)][0])[0])


def test_the_clock_stops_only_on_the_way_into_a_pending_status() -> None:
    assert {t for _, t in STOP_MOVES} == {"pending_customer", "pending_third_party"}
    assert all(t.startswith("pending_") for _, t in STOP_MOVES)
    assert {t for _, t in WRITTEN_MOVES} == {"cancelled", "in_progress"}


@pytest.mark.parametrize(("source", "target"), STOP_MOVES)
@pytest.mark.parametrize("missing", [None, "", "   "])
def test_stopping_the_clock_without_a_reason_code_is_refused(
    source: str, target: str, missing: str | None
) -> None:
    with pytest.raises(TransitionRefusedError) as refused:
        check_move(source, target, Actor.DESK, missing)
    assert refused.value.kind == "reason_required"
    for code in DEFAULT_STOP_CLOCK_REASONS:
        assert code in refused.value.message  # the message lists the codes to choose from


@pytest.mark.parametrize(("source", "target"), STOP_MOVES)
def test_stopping_the_clock_with_free_text_instead_of_a_code_is_refused(
    source: str, target: str
) -> None:
    with pytest.raises(TransitionRefusedError) as refused:
        check_move(source, target, Actor.DESK, "customer is on holiday")
    assert refused.value.kind == "bad_reason"


@pytest.mark.parametrize("code", DEFAULT_STOP_CLOCK_REASONS)
def test_every_default_stop_clock_code_is_accepted(code: str) -> None:
    assert check_move("in_progress", "pending_customer", Actor.DESK, code).target == (
        "pending_customer"
    )
    assert check_move("in_progress", "pending_third_party", Actor.DESK, f" {code} ")


def test_the_default_stop_clock_codes_are_the_documented_ones() -> None:
    assert set(DEFAULT_STOP_CLOCK_REASONS) == {
        "waiting_customer_info",
        "customer_unavailable",
        "third_party_fault",
        "site_access_refused",
        "observation_after_restore",
    }


def test_stop_clock_codes_are_data_and_can_be_extended() -> None:
    codes = (*DEFAULT_STOP_CLOCK_REASONS, "carrier_maintenance")
    move = check_move(
        "in_progress", "pending_third_party", Actor.DESK, "carrier_maintenance", codes
    )
    assert move.target == "pending_third_party"
    with pytest.raises(TransitionRefusedError) as refused:
        check_move("in_progress", "pending_third_party", Actor.DESK, "carrier_maintenance")
    assert refused.value.kind == "bad_reason"


@pytest.mark.parametrize(("source", "target"), WRITTEN_MOVES)
@pytest.mark.parametrize("missing", [None, "", "  \n "])
def test_cancel_and_reopen_without_a_written_reason_are_refused(
    source: str, target: str, missing: str | None
) -> None:
    with pytest.raises(TransitionRefusedError) as refused:
        check_move(source, target, _an_actor(source, target), missing)
    assert refused.value.kind == "reason_required"


@pytest.mark.parametrize(("source", "target"), WRITTEN_MOVES)
def test_cancel_and_reopen_take_any_written_reason(source: str, target: str) -> None:
    move = check_move(source, target, _an_actor(source, target), "Out of scope: a new order.")
    assert move.needs is Needs.WRITTEN_REASON


@pytest.mark.parametrize(("source", "target"), PLAIN_MOVES)
def test_plain_moves_need_no_reason_and_ignore_one(source: str, target: str) -> None:
    actor = _an_actor(source, target)
    assert check_move(source, target, actor, None).target == target
    assert check_move(source, target, actor, "free text").target == target


def test_an_actor_lacking_the_right_is_refused_before_the_reason_is_checked() -> None:
    with pytest.raises(TransitionRefusedError) as refused:
        check_move("in_progress", "pending_customer", Actor.CUSTOMER, None)
    assert refused.value.kind == "forbidden"


@pytest.mark.parametrize(("source", "target"), [("bogus", "new"), ("new", "bogus"), ("", "")])
def test_unknown_statuses_are_illegal(source: str, target: str) -> None:
    with pytest.raises(TransitionRefusedError) as refused:
        check_move(source, target, Actor.DESK, "x")
    assert refused.value.kind == "illegal"


def test_customer_targets_document_what_the_portal_offers() -> None:
    assert set(allowed_targets("new", Actor.CUSTOMER)) == {"cancelled"}
    assert set(allowed_targets("in_progress", Actor.CUSTOMER)) == set()
    assert set(allowed_targets("resolved", Actor.CUSTOMER)) == {"closed", "in_progress"}
    assert set(allowed_targets("resolved", Actor.DESK)) == {"in_progress"}
    assert set(allowed_targets("pending_customer", Actor.SYSTEM)) == {"in_progress", "resolved"}
