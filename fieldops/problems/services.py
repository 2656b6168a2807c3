"""Problem use cases: record, edit, move through its statuses, link and unlink incidents.

Steps of a unit of work (STYLE §3): they flush, never commit, and raise DomainErrors naming
what is wrong. Only the helpdesk (agents, managers, admins) manages problems. Linking an
incident writes an internal line in that ticket's work log, so the desk sees the link from
the ticket too.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select

from fieldops.accounts.models import User
from fieldops.db import db
from fieldops.errors import ConflictError, ForbiddenError, NotFoundError, RuleViolationError
from fieldops.numbering import next_number
from fieldops.problems.models import TEXT_MAX, TITLE_MAX, Problem, ProblemTicket
from fieldops.problems.rules import ProblemKind, ProblemStatus, can_move, missing_for
from fieldops.tickets.models import EventKind, Ticket
from fieldops.tickets.queries import get_ticket
from fieldops.tickets.services.common import log_event

log = logging.getLogger(__name__)

PREFIX = "PRB"
TEXT_FIELDS = ("description", "root_cause", "workaround", "permanent_fix")
MAX_LINKED_AT_ONCE = 100


def _require_desk(actor: User) -> None:
    if not actor.is_desk:
        raise ForbiddenError("Only the helpdesk manages problem records.")


def clean_texts(
    fields: Mapping[str, Any], names: Sequence[str], maximum: int, what: str = "fields"
) -> dict[str, str]:
    """The named free-text fields present in `fields`, stripped; 422 naming every one longer
    than `maximum` (RFO sections share this)."""
    cleaned = {
        name: str(fields[name]).strip()
        for name in names
        if name in fields and fields[name] is not None
    }
    errors = {
        name: [f"At most {maximum} characters."]
        for name, value in cleaned.items()
        if len(value) > maximum
    }
    if errors:
        raise RuleViolationError(f"Some {what} are too long.", errors)
    return cleaned


def _title(value: Any) -> str:
    title = str(value or "").strip()
    if not title:
        raise RuleViolationError.on_field("title", "Must not be empty.")
    if len(title) > TITLE_MAX:
        raise RuleViolationError.on_field("title", f"At most {TITLE_MAX} characters.")
    return title


def record_problem(
    *,
    actor: User,
    title: str,
    kind: str,
    now: datetime,
    ticket_ids: Sequence[str] = (),
    fields: Mapping[str, Any] | None = None,
) -> Problem:
    """A new problem, investigating. A reactive one comes from incidents and must link at
    least one; a proactive one may link none (422 otherwise, and nothing is recorded)."""
    _require_desk(actor)
    clean_title = _title(title)
    if kind not in set(ProblemKind):
        raise RuleViolationError.on_field("kind", "Must be reactive or proactive.")
    numbers = list(dict.fromkeys(str(n).strip().upper() for n in ticket_ids if str(n).strip()))
    if kind == ProblemKind.REACTIVE and not numbers:
        raise RuleViolationError.on_field(
            "ticket_ids", "A reactive problem links the incidents that share its cause."
        )
    if len(numbers) > MAX_LINKED_AT_ONCE:
        raise RuleViolationError.on_field("ticket_ids", f"At most {MAX_LINKED_AT_ONCE}.")
    tickets = _tickets(actor, numbers)
    text = clean_texts(fields or {}, TEXT_FIELDS, TEXT_MAX)
    problem = Problem(
        number=next_number(PREFIX, now.year),
        title=clean_title,
        kind=kind,
        status=ProblemStatus.INVESTIGATING.value,
        created_by_id=actor.id,
        created_at=now,
        updated_at=now,
        **text,
    )
    db.session.add(problem)
    db.session.flush()
    for ticket in tickets:
        _link(problem, ticket, actor, now)
    log.info("problem %s recorded (%s, %s incidents)", problem.id, kind, len(tickets))
    return problem


def _tickets(actor: User, numbers: Sequence[str]) -> list[Ticket]:
    found, missing = [], []
    for number in numbers:
        try:
            found.append(get_ticket(actor, number))
        except NotFoundError:
            missing.append(number)
    if missing:
        raise RuleViolationError.on_field("ticket_ids", f"No ticket {', '.join(missing)}.")
    return found


def problem_by_number(number: str, *, lock: bool = False) -> Problem:
    statement = select(Problem).where(Problem.number == number.strip().upper())
    if lock:
        statement = statement.with_for_update()
    problem = db.session.scalar(statement)
    if problem is None:
        raise NotFoundError(f"No problem {number.strip()[:20]}.")
    return problem


def update_problem(
    *, actor: User, number: str, changes: Mapping[str, Any], now: datetime
) -> Problem:
    """Change a problem's title, text fields and/or status in one step. A status needs its
    fields (a known error: root cause and workaround; resolved: root cause and permanent
    fix), counting those in the same change; an illegal move or a closed problem is 409."""
    _require_desk(actor)
    problem = problem_by_number(number, lock=True)
    if problem.status == ProblemStatus.CLOSED:
        raise ConflictError(f"Problem {problem.number} is closed.")
    text = clean_texts(changes, TEXT_FIELDS, TEXT_MAX)
    title = _title(changes["title"]) if changes.get("title") is not None else None
    status = changes.get("status")
    if status is not None and status != problem.status:
        if status not in set(ProblemStatus):
            raise RuleViolationError.on_field(
                "status", f"Must be one of: {', '.join(s.value for s in ProblemStatus)}."
            )
        if not can_move(problem.status, status):
            raise ConflictError(
                f"A problem cannot go from {problem.status} to {status}.",
                {"status": [f"Not allowed from {problem.status}."]},
            )
        merged = {name: getattr(problem, name) for name in TEXT_FIELDS} | text
        missing = missing_for(status, merged)
        if missing:
            raise RuleViolationError(
                f"A {status.replace('_', ' ')} problem needs "
                f"{' and '.join(m.replace('_', ' ') for m in missing)}.",
                {name: ["Required for this status."] for name in missing},
            )
    if title is not None:
        problem.title = title
    for name, value in text.items():
        setattr(problem, name, value)
    if status is not None and status != problem.status:
        problem.status = status
        if status == ProblemStatus.RESOLVED:
            problem.resolved_at = now
        elif status == ProblemStatus.CLOSED:
            problem.closed_at = now
        elif status == ProblemStatus.INVESTIGATING:
            problem.resolved_at = None
        log.info("problem %s now %s", problem.id, status)
    problem.updated_at = now
    db.session.flush()
    return problem


def link_ticket(*, actor: User, number: str, ticket_id: str, now: datetime) -> Problem:
    """Link an incident to a problem; already linked is 409, a closed problem 409."""
    _require_desk(actor)
    problem = problem_by_number(number, lock=True)
    if problem.status == ProblemStatus.CLOSED:
        raise ConflictError(f"Problem {problem.number} is closed.")
    ticket = _tickets(actor, [ticket_id.strip().upper()])[0]
    if _link_row(problem, ticket) is not None:
        raise ConflictError(f"{ticket.number} is already linked to {problem.number}.")
    _link(problem, ticket, actor, now)
    problem.updated_at = now
    db.session.flush()
    return problem


def ensure_linked(problem: Problem, ticket: Ticket, actor: User | None, now: datetime) -> None:
    """Link the incident unless it already is (an RFO citing the problem does this)."""
    if _link_row(problem, ticket) is None:
        _link(problem, ticket, actor, now)


def unlink_ticket(*, actor: User, number: str, ticket_id: str, now: datetime) -> Problem:
    """Take an incident off a problem. A reactive problem keeps at least one (409)."""
    _require_desk(actor)
    problem = problem_by_number(number, lock=True)
    ticket = _tickets(actor, [ticket_id.strip().upper()])[0]
    row = _link_row(problem, ticket)
    if row is None:
        raise NotFoundError(f"{ticket.number} is not linked to {problem.number}.")
    remaining = db.session.scalar(
        select(db.func.count())
        .select_from(ProblemTicket)
        .where(ProblemTicket.problem_id == problem.id)
    )
    if problem.kind == ProblemKind.REACTIVE and (remaining or 0) <= 1:
        raise ConflictError(
            f"{problem.number} is reactive: it keeps at least one incident.",
            {"ticket_id": ["The last linked incident."]},
        )
    db.session.delete(row)
    log_event(
        ticket,
        kind=EventKind.PROBLEM,
        body=f"Unlinked from problem {problem.number}.",
        public=False,
        actor=actor,
        now=now,
        data={"problem": problem.number},
    )
    problem.updated_at = now
    db.session.flush()
    return problem


def _link_row(problem: Problem, ticket: Ticket) -> ProblemTicket | None:
    return db.session.scalar(
        select(ProblemTicket).where(
            ProblemTicket.problem_id == problem.id, ProblemTicket.ticket_id == ticket.id
        )
    )


def _link(problem: Problem, ticket: Ticket, actor: User | None, now: datetime) -> None:
    db.session.add(
        ProblemTicket(
            problem_id=problem.id,
            ticket_id=ticket.id,
            linked_by_id=actor.id if actor else None,
            linked_at=now,
        )
    )
    log_event(
        ticket,
        kind=EventKind.PROBLEM,
        body=f"Linked to problem {problem.number}: {problem.title}",
        public=False,
        actor=actor,
        now=now,
        data={"problem": problem.number},
    )
