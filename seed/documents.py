"""The demo's problem records and RFOs: made through the real services, after the tickets.

Each is created once (a problem keyed by its title, an RFO by its ticket), so loading twice
changes nothing. An RFO with sections is written, sent to review and published by two
different people, as the desk does it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from fieldops.accounts.models import User
from fieldops.db import db
from fieldops.documents.models import Rfo
from fieldops.documents.services import edit_rfo, request_rfo
from fieldops.problems.models import Problem
from fieldops.problems.services import record_problem, update_problem
from seed.context import SeedContext
from seed.demo_tickets import find_demo_ticket


def _user(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        raise LookupError(f"demo document names unknown user {email}")
    return user


def _ticket_number(service: str, ref: str) -> str:
    ticket = find_demo_ticket(service, ref)
    if ticket is None:
        raise LookupError(f"demo document names unknown demo ticket {service} {ref}")
    return ticket.number


def load_documents(data: dict[str, Any], ctx: SeedContext) -> None:
    def at(minutes_ago: int) -> datetime:
        return ctx.now - timedelta(minutes=minutes_ago)

    for spec in data["problems"]:
        if db.session.scalar(select(Problem.id).where(Problem.title == spec["title"])):
            continue
        actor = _user(spec["by"])
        fields = {k: spec[k] for k in ("description", "root_cause", "workaround") if k in spec}
        problem = record_problem(
            actor=actor,
            title=spec["title"],
            kind=spec["kind"],
            now=at(spec["minutes_ago"]),
            ticket_ids=[_ticket_number(s, r) for s, r in spec["incidents"]],
            fields=fields,
        )
        if spec.get("status"):
            update_problem(
                actor=actor,
                number=problem.number,
                changes={"status": spec["status"]},
                now=at(spec["minutes_ago"] - 10),
            )
        ctx.count("demo problems")
    for spec in data["rfos"]:
        ticket = find_demo_ticket(spec["service"], spec["ref"])
        if ticket is None:
            raise LookupError(f"demo RFO names unknown demo ticket {spec['ref']}")
        if db.session.scalar(select(Rfo.id).where(Rfo.ticket_id == ticket.id)):
            continue
        number = ticket.number
        request_rfo(
            actor=_user(spec["requested_by"]),
            ticket_number=number,
            now=at(spec["requested_minutes_ago"]),
        )
        if "sections" in spec:
            cited = db.session.scalar(
                select(Problem.number).where(Problem.title == spec["problem"])
            )
            changes = {**spec["sections"], "status": "in_review"}
            if cited is not None:
                changes["problem_id"] = cited
            edit_rfo(
                actor=_user(spec["submitted_by"]),
                ticket_number=number,
                changes=changes,
                now=at(spec["submitted_minutes_ago"]),
            )
            edit_rfo(
                actor=_user(spec["published_by"]),
                ticket_number=number,
                changes={"status": "published"},
                now=at(spec["published_minutes_ago"]),
            )
        ctx.count("demo RFOs")
