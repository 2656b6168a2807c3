"""Escalation: matrices of management levels as data, the age sweep and customer requests.

A ticket climbs to the highest level whose age threshold (minutes since it was opened, per
priority) it has passed; never down, never twice to one level (UNIQUE(ticket, level)). A
customer's request raises it exactly one level at once. Each step is a work-log event and a
notice to that level's contacts.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, true, update

from fieldops.accounts.models import User
from fieldops.customers.models import Customer
from fieldops.customers.priority import PRIORITIES
from fieldops.db import db
from fieldops.errors import ConflictError, RuleViolationError
from fieldops.outbox import queue_email
from fieldops.tickets.models import (
    OPEN_STATUSES,
    EscalationLevel,
    EscalationMatrix,
    EventKind,
    Ticket,
    TicketEscalation,
    TicketEvent,
)
from fieldops.tickets.queries import levels_for_customer, tickets_by_ids
from fieldops.tickets.services import notify
from fieldops.tickets.services.common import actor_of, log_event, updated_as_of

log = logging.getLogger(__name__)

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
CUSTOMER_REQUEST = "customer_request"
AGE_THRESHOLD = "age_threshold"
NOTE_MAX = 2000
# More tickets than this reaching one level in one sweep are told as one digest e-mail.
DIGEST_OVER = 10
DIGEST_SHOWN = 200


@dataclass(frozen=True)
class Escalated:
    ticket_id: int
    level: int


def _level_errors(levels: Any) -> dict[str, list[str]]:
    if not isinstance(levels, list) or not levels:
        return {"levels": ["Give at least one level."]}
    errors: dict[str, list[str]] = {}
    previous: dict[str, int] = {}
    for position, spec in enumerate(levels, start=1):
        where = f"levels.{position}"
        if not isinstance(spec, dict):
            errors[where] = ["Must be an object with name, contacts and thresholds_min."]
            continue
        if not str(spec.get("name", "")).strip():
            errors[f"{where}.name"] = ["Required."]
        contacts = spec.get("contacts", [])
        if not isinstance(contacts, list) or not all(
            isinstance(c, str) and EMAIL_RE.match(c) for c in contacts
        ):
            errors[f"{where}.contacts"] = ["Must be a list of e-mail addresses."]
        thresholds = spec.get("thresholds_min", {})
        if not isinstance(thresholds, dict) or set(thresholds) - set(PRIORITIES):
            errors[f"{where}.thresholds_min"] = ["Must map P1..P4 to minutes."]
            continue
        for priority, minutes in thresholds.items():
            if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes <= 0:
                errors[f"{where}.thresholds_min.{priority}"] = ["Must be a positive integer."]
            elif priority in previous and minutes < previous[priority]:
                errors[f"{where}.thresholds_min.{priority}"] = [
                    "A higher level cannot be reached sooner than the level below it."
                ]
            else:
                previous[priority] = minutes
    return errors


def define_matrix(
    *,
    code: str,
    name: str,
    levels: list[dict[str, Any]],
    now: datetime,
    customer_code: str | None = None,
) -> EscalationMatrix:
    """Create or replace a matrix: levels numbered 1..n in the order given.

    `customer_code` None is the default matrix. Raises RuleViolationError for bad levels or an
    unknown customer, ConflictError when that customer or the default already has another one.
    """
    errors = _level_errors(levels)
    customer_id: int | None = None
    if customer_code is not None:
        customer_id = db.session.scalar(
            select(Customer.id).where(Customer.code == customer_code.upper())
        )
        if customer_id is None:
            errors["customer"] = [f"No customer {customer_code}."]
    if errors:
        raise RuleViolationError("The escalation matrix is not valid.", errors)
    matrix = db.session.scalar(select(EscalationMatrix).where(EscalationMatrix.code == code))
    holder = db.session.scalar(
        select(EscalationMatrix).where(
            EscalationMatrix.customer_id == customer_id
            if customer_id is not None
            else EscalationMatrix.customer_id.is_(None)
        )
    )
    if holder is not None and holder.code != code:
        whose = customer_code or "the default"
        raise ConflictError(
            f"{whose} already has escalation matrix {holder.code}.", {"code": ["Taken."]}
        )
    if matrix is None:
        matrix = EscalationMatrix(code=code, name=name, customer_id=customer_id, created_at=now)
        db.session.add(matrix)
    else:
        matrix.name = name
        matrix.customer_id = customer_id
        for old in db.session.scalars(
            select(EscalationLevel).where(EscalationLevel.matrix_id == matrix.id)
        ):
            db.session.delete(old)
    db.session.flush()
    for number, spec in enumerate(levels, start=1):
        db.session.add(
            EscalationLevel(
                matrix_id=matrix.id,
                level=number,
                name=str(spec["name"]).strip(),
                contacts=list(spec.get("contacts", [])),
                thresholds_min=dict(spec.get("thresholds_min", {})),
            )
        )
    db.session.flush()
    return matrix


def _tell_level(
    ticket: Ticket, level: EscalationLevel, reason: str, now: datetime, note: str = ""
) -> None:
    customer = db.session.get(Customer, ticket.customer_id)
    notify.tell_staff(
        ticket,
        list(level.contacts),
        "escalated",
        now,
        key=f"level:{level.level}",
        customer_name=customer.name if customer else "",
        priority=ticket.priority,
        status=ticket.status,
        level=level.level,
        level_name=level.name,
        opened_at=ticket.created_at,
        age=now - ticket.created_at,
        reason=reason,
        note=note,
    )


def request_escalation(
    ticket: Ticket, *, actor: User, note: str, now: datetime
) -> TicketEscalation:
    """Raise the ticket exactly one level now, at the customer's (or desk's) request.

    Raises ConflictError when the ticket is not open, already at the top level or has no
    matrix to climb, and RuleViolationError for an over-long note.
    """
    actor_of(actor)
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise RuleViolationError.on_field("note", f"At most {NOTE_MAX} characters.")
    if ticket.status not in OPEN_STATUSES:
        raise ConflictError(f"Ticket {ticket.number} is {ticket.status}; it cannot be escalated.")
    levels = {lvl.level: lvl for lvl in levels_for_customer(ticket.customer_id)}
    if not levels:
        # Not "already at the top": there is no one to escalate to, which the desk must fix.
        raise ConflictError(
            f"No escalation matrix applies to ticket {ticket.number}: there is no level to "
            "escalate to. Please call the service desk.",
            {"escalation_level": ["No escalation levels are defined for this customer."]},
        )
    target = ticket.escalation_level + 1
    if target not in levels:
        top = max(levels, default=0)
        raise ConflictError(
            f"Ticket {ticket.number} is already at the highest escalation level ({top}).",
            {"escalation_level": [f"The highest level is {top}."]},
        )
    level = levels[target]
    record = TicketEscalation(
        ticket_id=ticket.id,
        level=target,
        reason=CUSTOMER_REQUEST,
        actor_id=actor.id,
        created_at=now,
    )
    db.session.add(record)
    ticket.escalation_level = target
    body = f"Escalated to level {target} ({level.name}) at the customer's request."
    if not actor.is_customer:
        body = f"Escalated to level {target} ({level.name}) on request."
    log_event(
        ticket,
        kind=EventKind.ESCALATION,
        body=body + (f" {note}" if note else ""),
        public=True,
        actor=actor,
        now=now,
        data={"level": target, "reason": CUSTOMER_REQUEST},
    )
    db.session.flush()
    _tell_level(ticket, level, CUSTOMER_REQUEST, now, note)
    log.info("ticket %s escalated to level %s on request", ticket.number, target)
    return record


def escalate_by_age(now: datetime) -> list[Escalated]:
    """Raise every open ticket to the highest level whose threshold its age has passed.

    Set-based: one guarded UPDATE ... RETURNING per (matrix, level, priority), highest level
    first, so the work grows with the matrices' size, not the number of tickets. The guard
    `escalation_level < level` makes it idempotent and, under PostgreSQL's row locks,
    safe against a concurrent sweep. Each statement's tickets share one work-log text, so
    the records are bulk inserts; only the tickets named in notices are loaded.
    """
    matrices = list(db.session.scalars(select(EscalationMatrix)))
    custom_customers = [m.customer_id for m in matrices if m.customer_id is not None]
    done: list[Escalated] = []
    reached: dict[int, list[int]] = {}  # EscalationLevel.id -> ticket ids, P1 first
    level_by_id: dict[int, EscalationLevel] = {}
    for matrix in matrices:
        if matrix.customer_id is not None:
            # `+ 0` keeps a planner without statistics (a fresh SQLite) off the customer index,
            # which holds every ticket the customer ever had; the sweep index is the narrow one.
            scope = (Ticket.customer_id + 0) == matrix.customer_id
        elif custom_customers:
            scope = Ticket.customer_id.not_in(custom_customers)
        else:
            scope = true()
        levels = db.session.scalars(
            select(EscalationLevel)
            .where(EscalationLevel.matrix_id == matrix.id)
            .order_by(EscalationLevel.level.desc())
        )
        for level in levels:
            level_by_id[level.id] = level
            for priority, minutes in sorted(level.thresholds_min.items()):
                raised = list(
                    db.session.scalars(
                        update(Ticket)
                        .where(
                            scope,
                            Ticket.status.in_([s.value for s in OPEN_STATUSES]),
                            Ticket.priority == priority,
                            Ticket.created_at <= now - timedelta(minutes=minutes),
                            Ticket.escalation_level < level.level,
                        )
                        .values(escalation_level=level.level, updated_at=updated_as_of(now))
                        .returning(Ticket.id)
                        .execution_options(synchronize_session=False)
                    ).all()
                )
                if not raised:
                    continue
                _record(raised, level, priority, minutes, now)
                reached.setdefault(level.id, []).extend(raised)
                done.extend(Escalated(ticket_id, level.level) for ticket_id in raised)
    for level_id, ticket_ids in reached.items():
        level = level_by_id[level_id]
        if len(ticket_ids) <= DIGEST_OVER:
            for ticket in tickets_by_ids(ticket_ids):
                _tell_level(ticket, level, AGE_THRESHOLD, now)
        else:
            _tell_level_digest(level, ticket_ids, now)
    if done:
        log.info("sweep escalated %s tickets", len(done))
    return done


def _record(
    ticket_ids: list[int], level: EscalationLevel, priority: str, minutes: int, now: datetime
) -> None:
    """The escalation rows and one internal work-log line per ticket, as two bulk inserts."""
    db.session.execute(
        insert(TicketEscalation),
        [
            {
                "ticket_id": i,
                "level": level.level,
                "reason": AGE_THRESHOLD,
                "actor_id": None,
                "created_at": now,
            }
            for i in ticket_ids
        ],
    )
    body = (
        f"Escalated to level {level.level} ({level.name}): open longer than the {priority} "
        f"threshold of {minutes} min."
    )
    data = {"level": level.level, "reason": AGE_THRESHOLD}
    db.session.execute(
        insert(TicketEvent),
        [
            {
                "ticket_id": i,
                "kind": EventKind.ESCALATION.value,
                "body": body,
                "public": False,
                "actor_id": None,
                "data": data,
                "created_at": now,
            }
            for i in ticket_ids
        ],
    )


def _tell_level_digest(level: EscalationLevel, ticket_ids: list[int], now: datetime) -> None:
    """One e-mail naming the first DIGEST_SHOWN tickets (most urgent priority first)."""
    if not level.contacts:
        return
    group = sorted(
        tickets_by_ids(ticket_ids[:DIGEST_SHOWN]), key=lambda t: (t.priority, t.created_at)
    )
    names = dict(
        db.session.execute(
            select(Customer.id, Customer.name).where(
                Customer.id.in_({t.customer_id for t in group})
            )
        ).all()
    )
    shown = [
        {
            "number": t.number,
            "priority": t.priority,
            "customer": names.get(t.customer_id, ""),
            "summary": t.summary,
            "age": now - t.created_at,
        }
        for t in group
    ]
    queue_email(
        to=list(level.contacts),
        template="escalation_digest",
        context={
            "level": level.level,
            "level_name": level.name,
            "count": len(ticket_ids),
            "tickets": shown,
            "desk_url": "/desk/tickets?sort=resolution_due_at",
        },
        now=now,
        dedupe_key=f"digest:{level.id}:{now.isoformat()}",
        load=False,
    )
