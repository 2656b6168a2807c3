"""Turning a drawn ticket life into its rows by the ticket services' rules (pure).

`realize` replays the steps of a `seed.timeline.Life` from an opening instant the way
`fieldops.tickets.services` would: each status move is checked by `lifecycle.check_move`,
the clock starts at the next working instant for faults that affect nothing, pauses record
the working time they removed, `responded_at` is the first desk status move or public desk
message, `updated_at` the last event, and the due times are computed on the plan's calendar
with every ended pause (`sla.due_at`). `fit` moves the opening so that the whole life lies
before `now` (and a resolved ticket still awaits confirmation, i.e. was resolved in the
last day). Nothing here reads the clock or the database.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fieldops.tickets import lifecycle, sla
from fieldops.tickets.lifecycle import Actor
from fieldops.tickets.lifecycle import TicketStatus as S
from fieldops.tickets.services.clocks import DEFAULT_AT_RISK_SHARE as AT_RISK_SHARE
from seed.shapes import AUTO_CLOSE_NOTE, Draft, Life, Step

MINUTE = timedelta(minutes=1)
_ZERO = timedelta(0)
_STAMPS = {
    S.ACKNOWLEDGED: "acknowledged_at",
    S.RESOLVED: "resolved_at",
    S.CLOSED: "closed_at",
    S.CANCELLED: "cancelled_at",
}


def realize(life: Life, opened: datetime) -> Draft:
    """The ticket row, events and pauses of `life` opened at `opened` (aware UTC)."""
    plan = life.service.plan
    cal = plan.calendar
    fields = life.fields
    target = plan.targets[fields["priority"]]
    start = opened
    if fields["impact"] == "not_affecting":
        start = sla.next_working_instant(plan.business, opened)
    ticket: dict[str, Any] = {
        **fields,
        "status": S.NEW.value,
        "tier": "L1",
        "assignee_id": None,
        "eta": None,
        "fault_started_at": opened - timedelta(minutes=life.fault_lead_min),
        "created_at": opened,
        "acknowledged_at": None,
        "resolved_at": None,
        "closed_at": None,
        "cancelled_at": None,
        "sla_started_at": start,
        "responded_at": None,
        "paused_since": None,
        "paused_seconds": 0,
    }
    events: list[dict[str, Any]] = [
        _event(
            "created",
            "",
            True,
            fields["created_by_id"],
            opened,
            {"channel": fields["channel"], "priority": fields["priority"]},
        )
    ]
    pauses: list[dict[str, Any]] = []
    ended: list[tuple[datetime, datetime | None]] = []
    anchor_at, anchor_clock, paused_clock = start, _ZERO, _ZERO
    open_pause: dict[str, Any] | None = None
    status, at = S.NEW, opened
    for step in life.steps:
        if step.clock is not None and open_pause is None:
            run = max(timedelta(minutes=step.clock) - anchor_clock, _ZERO)
            at = max(at, sla.add_working_time(cal, anchor_at, run))
        else:
            at = at + timedelta(minutes=step.wall or 0)
        actor_id = step.actor.id if step.actor else None
        body, data = step.body, dict(step.data)
        if step.kind == "status_change":
            target_status = _checked(status, step)
            if open_pause is not None:
                seconds = int(
                    sla.working_time_between(cal, open_pause["started_at"], at).total_seconds()
                )
                open_pause.update(ended_at=at, seconds=seconds, ended_by_id=actor_id)
                ended.append((open_pause["started_at"], at))
                ticket["paused_seconds"] += seconds
                ticket["paused_since"] = None
                anchor_at, anchor_clock, open_pause = at, paused_clock, None
            if target_status in lifecycle.PAUSED_STATUSES:
                paused_clock = anchor_clock + sla.working_time_between(cal, anchor_at, at)
                open_pause = {
                    "reason": step.reason,
                    "started_at": at,
                    "ended_at": None,
                    "seconds": None,
                    "started_by_id": actor_id,
                    "ended_by_id": None,
                }
                pauses.append(open_pause)
                ticket["paused_since"] = at
            if target_status in _STAMPS:
                ticket[_STAMPS[target_status]] = at
            if step.who is Actor.DESK and ticket["responded_at"] is None:
                ticket["responded_at"] = at
            body = body.strip() or (step.reason or "")
            data = {"from": status.value, "to": target_status.value, "reason": step.reason}
            status = target_status
        elif step.kind in ("comment", "phone_call", "email"):
            if step.who is Actor.DESK and step.public and ticket["responded_at"] is None:
                ticket["responded_at"] = at
        elif step.kind == "assignment":
            ticket["assignee_id"] = data["assignee_id"]
        elif step.kind == "tier_change":
            ticket["tier"] = data["to"]
        elif step.kind == "eta":
            eta = at + timedelta(minutes=data.pop("eta_minutes"))
            previous = ticket["eta"]
            ticket["eta"] = eta
            body = f"ETA set to {eta.isoformat()}."
            data = {"from": previous.isoformat() if previous else None, "to": eta.isoformat()}
        events.append(_event(step.kind, body, step.public, actor_id, at, data))
    resolution = timedelta(minutes=target["resolution_min"])
    ticket["status"] = status.value
    ticket["updated_at"] = at
    ticket["response_due_at"] = sla.add_working_time(
        cal, start, timedelta(minutes=target["response_min"])
    )
    ticket["resolution_due_at"] = (
        sla.due_at(cal, start, resolution, ended, at)
        if ended
        else sla.add_working_time(cal, start, resolution)
    )
    ticket["at_risk_at"] = sla.due_at(cal, start, resolution * AT_RISK_SHARE, ended, at)
    ticket["sla_breached_at"] = _stopped_late(ticket)
    ticket["at_risk_flagged_at"] = None
    ticket["eta_missed_at"] = None
    return Draft(ticket, events, pauses, life.service.code)


def _stopped_late(ticket: dict[str, Any]) -> datetime | None:
    """When a clock that has stopped ran out first, as the ticket services record it: the
    instant it stopped late (resolved, cancelled, paused or answered after its due time)."""
    late: list[datetime] = []
    stop = ticket["resolved_at"] or ticket["cancelled_at"] or ticket["paused_since"]
    if stop is not None and stop > ticket["resolution_due_at"]:
        late.append(stop)
    answered = ticket["responded_at"] or ticket["cancelled_at"]
    if answered is not None and answered > ticket["response_due_at"]:
        late.append(answered)
    return min(late) if late else None


def fit(life: Life, opened: datetime, now: datetime) -> Draft:
    """Realize `life`, moving its opening earlier until every step lies before `now`.

    A resolved ticket must also have been resolved within the last day (the auto-close sweep
    closes it 24 h after); when that cannot be arranged, it closed itself 24 h after the fix.
    """
    limit = now - MINUTE
    for _ in range(12):
        draft = realize(life, opened)
        last = draft.ticket["updated_at"]
        if last > limit:
            opened -= (last - limit) + 5 * MINUTE
            continue
        resolved_at = draft.ticket["resolved_at"]
        if life.final == S.RESOLVED and resolved_at < now - timedelta(hours=23, minutes=30):
            opened += now - timedelta(hours=12) - resolved_at
            continue
        return draft
    if life.final == S.RESOLVED:
        life.steps.append(
            Step(
                "status_change",
                Actor.SYSTEM,
                None,
                AUTO_CLOSE_NOTE,
                public=True,
                to=S.CLOSED,
                wall=24 * 60 + 7,
            )
        )
        life.final = S.CLOSED
    # Moving the opening earlier never moves a step later; an extra day per round gets any
    # opening out of a long closed stretch (weekend, holidays) of a business-hours plan.
    for _ in range(400):
        draft = realize(life, opened)
        last = draft.ticket["updated_at"]
        if last <= limit:
            return draft
        opened -= (last - limit) + timedelta(days=1)
    raise RuntimeError("could not fit a generated ticket before now")


def _checked(status: S, step: Step) -> S:
    if step.to is None:  # pragma: no cover - the planner always names the target
        raise ValueError("a status step needs a target")
    move = lifecycle.check_move(status.value, step.to.value, step.who, step.reason)
    return move.target


def _event(
    kind: str,
    body: str,
    public: bool,
    actor_id: int | None,
    at: datetime,
    data: dict[str, Any],
) -> dict[str, Any]:
    return {
        "kind": kind,
        "body": body,
        "public": public,
        "actor_id": actor_id,
        "data": data,
        "created_at": at,
    }
