"""Reads of problem records with their linked incidents (the helpdesk's view)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from fieldops.db import db
from fieldops.errors import NotFoundError
from fieldops.problems.models import Problem, ProblemTicket
from fieldops.tickets.models import Ticket


@dataclass(frozen=True)
class LinkedIncident:
    ticket: str
    summary: str
    status: str
    priority: str
    linked_at: datetime


@dataclass(frozen=True)
class ProblemView:
    number: str
    title: str
    kind: str
    status: str
    description: str
    root_cause: str
    workaround: str
    permanent_fix: str
    created_at: datetime
    updated_at: datetime
    resolved_at: datetime | None
    closed_at: datetime | None
    incidents: tuple[LinkedIncident, ...]


def _incidents(problem_ids: list[int]) -> dict[int, list[LinkedIncident]]:
    found: dict[int, list[LinkedIncident]] = defaultdict(list)
    if not problem_ids:
        return found
    rows = db.session.execute(
        select(
            ProblemTicket.problem_id,
            Ticket.number,
            Ticket.summary,
            Ticket.status,
            Ticket.priority,
            ProblemTicket.linked_at,
        )
        .join(Ticket, Ticket.id == ProblemTicket.ticket_id)
        .where(ProblemTicket.problem_id.in_(problem_ids))
        .order_by(ProblemTicket.linked_at, Ticket.number)
    )
    for problem_id, number, summary, status, priority, linked_at in rows:
        found[problem_id].append(LinkedIncident(number, summary, status, priority, linked_at))
    return found


def _view(problem: Problem, incidents: list[LinkedIncident]) -> ProblemView:
    return ProblemView(
        number=problem.number,
        title=problem.title,
        kind=problem.kind,
        status=problem.status,
        description=problem.description,
        root_cause=problem.root_cause,
        workaround=problem.workaround,
        permanent_fix=problem.permanent_fix,
        created_at=problem.created_at,
        updated_at=problem.updated_at,
        resolved_at=problem.resolved_at,
        closed_at=problem.closed_at,
        incidents=tuple(incidents),
    )


def get_problem(number: str) -> ProblemView:
    problem = db.session.scalar(select(Problem).where(Problem.number == number.strip().upper()))
    if problem is None:
        raise NotFoundError(f"No problem {number.strip()[:20]}.")
    return _view(problem, _incidents([problem.id])[problem.id])


def find_problem_id(number: str) -> int | None:
    return db.session.scalar(select(Problem.id).where(Problem.number == number.strip().upper()))


def list_problems(
    *,
    page: int = 1,
    per_page: int = 50,
    status: str | None = None,
    kind: str | None = None,
    ticket: str | None = None,
) -> tuple[list[ProblemView], int]:
    """Problems most recently changed first; filter by status, kind or a linked ticket."""
    statement = select(Problem)
    if status:
        statement = statement.where(Problem.status == status)
    if kind:
        statement = statement.where(Problem.kind == kind)
    if ticket:
        statement = statement.where(
            Problem.id.in_(
                select(ProblemTicket.problem_id)
                .join(Ticket, Ticket.id == ProblemTicket.ticket_id)
                .where(Ticket.number == ticket.strip().upper())
            )
        )
    total = db.session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    problems = list(
        db.session.scalars(
            statement.order_by(Problem.updated_at.desc(), Problem.id.desc())
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    )
    incidents = _incidents([p.id for p in problems])
    return [_view(p, incidents[p.id]) for p in problems], int(total)


def problems_of_ticket(ticket_id: int) -> list[tuple[str, str, str]]:
    """(number, title, status) of every problem the ticket is linked to."""
    rows = db.session.execute(
        select(Problem.number, Problem.title, Problem.status)
        .join(ProblemTicket, ProblemTicket.problem_id == Problem.id)
        .where(ProblemTicket.ticket_id == ticket_id)
        .order_by(Problem.number)
    )
    return [(number, title, status) for number, title, status in rows]
