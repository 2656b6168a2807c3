"""RFO use cases: a customer (or the desk for them) asks; the desk writes, reviews and
publishes; the sweep flags the late ones.

Steps of a unit of work (STYLE §3): they flush, never commit, and raise DomainErrors that
name what is wrong. Every change is a line in the ticket's work log: the request and the
publication publicly (the customer sees them), the rest internally.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from fieldops.accounts.models import User
from fieldops.customers.models import Service
from fieldops.db import db
from fieldops.documents.models import RFO_TEXT_MAX, Rfo
from fieldops.documents.queries.rfos import frozen_timeline
from fieldops.documents.rfo_rules import (
    TEXT_FIELDS,
    RfoStatus,
    can_move,
    due_at,
    ineligibility,
    missing_for_review,
)
from fieldops.errors import ConflictError, ForbiddenError, NotFoundError, RuleViolationError
from fieldops.problems.models import Problem
from fieldops.problems.services import clean_texts, ensure_linked, problem_by_number
from fieldops.tickets.models import EventKind, Ticket
from fieldops.tickets.queries import calendar_of, get_ticket, get_ticket_for_update
from fieldops.tickets.services.common import log_event
from fieldops.tickets.services.notify import tell_customer

log = logging.getLogger(__name__)


def _calendar(ticket: Ticket) -> Any:
    service = db.session.get_one(Service, ticket.service_id)
    return calendar_of(service.sla_plan.calendar)


def request_rfo(*, actor: User, ticket_number: str, now: datetime) -> Rfo:
    """Ask for the RFO of a resolved P1/P2 incident: the ticket's contact or the desk.

    Due at the close of the fifth working day after the request on the service's SLA
    calendar. Refused (409): a ticket not P1/P2 or not resolved, an RFO already asked for.
    """
    ticket = get_ticket_for_update(actor, ticket_number)  # 404 for whoever may not see it
    if not (actor.is_customer or actor.is_desk):
        raise ForbiddenError("Only the customer's contacts and the helpdesk ask for RFOs.")
    why_not = ineligibility(ticket.priority, ticket.status)
    if why_not:
        raise ConflictError(why_not)
    if db.session.scalar(select(Rfo.id).where(Rfo.ticket_id == ticket.id)) is not None:
        raise ConflictError(f"An RFO for {ticket.number} has already been requested.")
    rfo = Rfo(
        ticket_id=ticket.id,
        status=RfoStatus.REQUESTED.value,
        requested_at=now,
        requested_by_id=actor.id,
        due_at=due_at(_calendar(ticket), now),
        created_at=now,
        updated_at=now,
    )
    db.session.add(rfo)
    log_event(
        ticket,
        kind=EventKind.RFO,
        body="Reason For Outage report requested.",
        public=True,
        actor=actor,
        now=now,
        data={"rfo": "requested"},
    )
    db.session.flush()
    log.info("rfo %s requested for ticket %s", rfo.id, ticket.id)
    return rfo


def _rfo_for_update(ticket: Ticket) -> Rfo:
    rfo = db.session.scalar(select(Rfo).where(Rfo.ticket_id == ticket.id).with_for_update())
    if rfo is None:
        raise NotFoundError(f"No RFO has been requested for {ticket.number}.")
    return rfo


def _problem(changes: Mapping[str, Any]) -> tuple[bool, Problem | None]:
    """Whether the change cites (or un-cites) a problem, and which; 422 for an unknown one."""
    if "problem_id" not in changes:
        return False, None
    number = changes["problem_id"]
    if number in (None, ""):
        return True, None
    try:
        return True, problem_by_number(str(number))
    except NotFoundError as missing:
        raise RuleViolationError.on_field("problem_id", missing.message) from None


def edit_rfo(*, actor: User, ticket_number: str, changes: Mapping[str, Any], now: datetime) -> Rfo:
    """The desk writes the RFO's sections, cites a problem, and moves it along.

    The first edit of a requested RFO makes it a draft. Going to review needs every section
    written (422 naming the empty ones); publishing is done by a reviewer other than the one
    who sent it to review or last rewrote it (409), freezes the timeline, and tells the
    customer in the work log. A published RFO is final (409); an illegal move is 409.
    Citing a problem links this incident to it.
    """
    if not actor.is_desk:
        raise ForbiddenError("Only the helpdesk writes RFOs.")
    ticket = get_ticket(actor, ticket_number)
    rfo = _rfo_for_update(ticket)
    if rfo.status == RfoStatus.PUBLISHED:
        raise ConflictError(f"The RFO for {ticket.number} is published and can no longer change.")
    text = clean_texts(changes, TEXT_FIELDS, RFO_TEXT_MAX, "sections")
    cites, problem = _problem(changes)
    target = changes.get("status")
    if target is not None and target not in set(RfoStatus):
        raise RuleViolationError.on_field(
            "status", f"Must be one of: {', '.join(s.value for s in RfoStatus)}."
        )
    current = rfo.status
    if (text or cites) and current == RfoStatus.REQUESTED and target in (None, "draft"):
        target = RfoStatus.DRAFT.value
    if target is not None and target != current:
        if current == RfoStatus.REQUESTED and target == RfoStatus.IN_REVIEW:
            pass  # requested -> draft -> in review in one step, when the text is all there
        elif not can_move(current, target):
            raise ConflictError(
                f"An RFO cannot go from {current} to {target}.",
                {"status": [f"Not allowed from {current}."]},
            )
        if target in (RfoStatus.IN_REVIEW, RfoStatus.PUBLISHED):
            merged = {name: getattr(rfo, name) for name in TEXT_FIELDS} | text
            missing = missing_for_review(merged)
            if missing:
                raise RuleViolationError(
                    f"Write every section first: {', '.join(m.replace('_', ' ') for m in missing)} "
                    "still empty.",
                    {name: ["Must not be empty."] for name in missing},
                )
    # Whoever last wrote the text under review answers for it: a reviewer who rewrites it
    # becomes its author, and someone else must then publish it.
    rewritten = any(value != getattr(rfo, name) for name, value in text.items())
    author = actor.id if rewritten else rfo.submitted_by_id
    if target == RfoStatus.PUBLISHED and current != target and author == actor.id:
        raise ConflictError(
            "A second person reviews an RFO: someone other than who last wrote it or sent "
            "it to review publishes it.",
            {"status": ["You wrote or sent this version to review."]},
        )
    for name, value in text.items():
        setattr(rfo, name, value)
    if rewritten and current == RfoStatus.IN_REVIEW:
        rfo.submitted_by_id = actor.id
    if cites:
        rfo.problem_id = problem.id if problem else None
        if problem is not None:
            ensure_linked(problem, ticket, actor, now)
    if target is not None and target != current:
        _move(rfo, ticket, target, actor, now)
    rfo.updated_at = now
    db.session.flush()
    return rfo


def _move(rfo: Rfo, ticket: Ticket, target: str, actor: User, now: datetime) -> None:
    rfo.status = target
    if target == RfoStatus.IN_REVIEW:
        rfo.submitted_by_id = actor.id
    if target == RfoStatus.PUBLISHED:
        rfo.published_at = now
        rfo.published_by_id = actor.id
        rfo.published_timeline = frozen_timeline(ticket.id)
        tell_customer(ticket, "rfo_published", now, key="rfo", published_at=now)
        log_event(
            ticket,
            kind=EventKind.RFO,
            body="Reason For Outage report published.",
            public=True,
            actor=actor,
            now=now,
            data={"rfo": "published"},
        )
    else:
        log_event(
            ticket,
            kind=EventKind.RFO,
            body=f"RFO moved to {target.replace('_', ' ')}.",
            public=False,
            actor=actor,
            now=now,
            data={"rfo": target},
        )
    log.info("rfo %s now %s", rfo.id, target)


def flag_overdue_rfos(now: datetime) -> int:
    """Flag every unpublished RFO past its due time as of `now`, once each (the sweep).

    One guarded UPDATE per RFO: a flag once set is never set again, so two sweeps (or one
    re-run for an earlier instant) change nothing that one already decided. Each flag
    writes an internal line in the ticket's log for the desk. Returns how many it flagged.
    """
    due = list(
        db.session.execute(
            select(Rfo.id, Rfo.ticket_id).where(
                Rfo.status != RfoStatus.PUBLISHED.value,
                Rfo.overdue_flagged_at.is_(None),
                Rfo.due_at <= now,
            )
        ).all()
    )
    flagged = 0
    for rfo_id, ticket_id in due:
        claimed = db.session.scalar(
            update(Rfo)
            .where(Rfo.id == rfo_id, Rfo.overdue_flagged_at.is_(None))
            .values(overdue_flagged_at=now)
            .returning(Rfo.id)
        )
        if claimed is None:
            continue
        ticket = db.session.get(Ticket, ticket_id)
        if ticket is not None:
            log_event(
                ticket,
                kind=EventKind.RFO,
                body="RFO overdue: not published by its due time.",
                public=False,
                actor=None,
                now=now,
                data={"rfo": "overdue"},
            )
        flagged += 1
    if flagged:
        db.session.flush()
        log.info("rfo sweep: %s overdue flagged", flagged)
    return flagged
