"""The ticket status machine: one table of allowed moves and who may make each (pure).

Actors are classes of user, not users: `desk` (agents, support managers, admins), `customer`
(a contact of the ticket's customer) and `system` (the sweep, inbound mail). A move that stops
the SLA clock needs a stop-clock reason code; cancelling and reopening need a written reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum


class TicketStatus(StrEnum):
    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    PENDING_CUSTOMER = "pending_customer"
    PENDING_THIRD_PARTY = "pending_third_party"
    RESOLVED = "resolved"
    CLOSED = "closed"
    CANCELLED = "cancelled"


S = TicketStatus


class Actor(StrEnum):
    DESK = "desk"
    CUSTOMER = "customer"
    SYSTEM = "system"


class Needs(StrEnum):
    NOTHING = "nothing"
    STOP_CLOCK_REASON = "stop_clock_reason"
    WRITTEN_REASON = "written_reason"


DEFAULT_STOP_CLOCK_REASONS = (
    "waiting_customer_info",
    "customer_unavailable",
    "third_party_fault",
    "site_access_refused",
    "observation_after_restore",
)

# A resolved ticket the customer neither confirms nor rejects closes by itself after this.
CONFIRMATION_WINDOW = timedelta(hours=24)

PAUSED_STATUSES = frozenset({S.PENDING_CUSTOMER, S.PENDING_THIRD_PARTY})


@dataclass(frozen=True)
class Move:
    source: S
    target: S
    who: frozenset[Actor]
    needs: Needs = Needs.NOTHING


def _moves() -> dict[tuple[S, S], Move]:
    desk = frozenset({Actor.DESK})
    desk_or_customer = frozenset({Actor.DESK, Actor.CUSTOMER})
    desk_or_system = frozenset({Actor.DESK, Actor.SYSTEM})
    working = (S.NEW, S.ACKNOWLEDGED, S.IN_PROGRESS, S.PENDING_CUSTOMER, S.PENDING_THIRD_PARTY)
    table: list[Move] = [
        Move(S.NEW, S.ACKNOWLEDGED, desk),
        Move(S.NEW, S.IN_PROGRESS, desk),
        Move(S.ACKNOWLEDGED, S.IN_PROGRESS, desk),
        Move(S.PENDING_CUSTOMER, S.IN_PROGRESS, desk_or_system),
        Move(S.PENDING_THIRD_PARTY, S.IN_PROGRESS, desk_or_system),
        # Confirm closes, the 24 h sweep closes; an agent never closes on the customer's behalf.
        Move(S.RESOLVED, S.CLOSED, frozenset({Actor.CUSTOMER, Actor.SYSTEM})),
        Move(S.RESOLVED, S.IN_PROGRESS, desk_or_customer, Needs.WRITTEN_REASON),
    ]
    for source in working:
        for pending in PAUSED_STATUSES:
            if source != pending:
                table.append(Move(source, pending, desk, Needs.STOP_CLOCK_REASON))
        # A completed field job resolves its ticket as the system (dispatch, unless an agent
        # asked to review the engineer's result first).
        table.append(Move(source, S.RESOLVED, desk_or_system))
        # A customer may withdraw a ticket nobody has started working on.
        who = desk_or_customer if source in (S.NEW, S.ACKNOWLEDGED) else desk
        table.append(Move(source, S.CANCELLED, who, Needs.WRITTEN_REASON))
    return {(m.source, m.target): m for m in table}


MOVES: dict[tuple[S, S], Move] = _moves()


class TransitionRefusedError(Exception):
    """Why a move was refused: `illegal` (no such move), `forbidden` (not this actor),
    `reason_required` or `bad_reason`."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


def allowed_targets(source: str, actor: Actor) -> list[S]:
    """The statuses this actor may move a ticket to from `source`, in table order."""
    return [m.target for (s, _), m in MOVES.items() if s == source and actor in m.who]


def check_move(
    source: str,
    target: str,
    actor: Actor,
    reason: str | None,
    stop_clock_reasons: tuple[str, ...] = DEFAULT_STOP_CLOCK_REASONS,
) -> Move:
    """Return the move, or raise TransitionRefusedError saying why it is refused."""
    try:
        move = MOVES[(S(source), S(target))]
    except (KeyError, ValueError):
        raise TransitionRefusedError(
            "illegal", f"A ticket cannot move from {source} to {target}."
        ) from None
    if actor not in move.who:
        raise TransitionRefusedError(
            "forbidden", f"Moving a ticket from {source} to {target} is not yours to do."
        )
    reason = (reason or "").strip()
    if move.needs is Needs.STOP_CLOCK_REASON:
        if not reason:
            raise TransitionRefusedError(
                "reason_required",
                f"Moving to {target} stops the SLA clock and needs a reason code: "
                + ", ".join(stop_clock_reasons)
                + ".",
            )
        if reason not in stop_clock_reasons:
            raise TransitionRefusedError(
                "bad_reason",
                f"Unknown stop-clock reason {reason!r}; use one of: "
                + ", ".join(stop_clock_reasons)
                + ".",
            )
    if move.needs is Needs.WRITTEN_REASON and not reason:
        raise TransitionRefusedError("reason_required", f"Moving to {target} needs a reason.")
    return move
