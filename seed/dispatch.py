"""The demo's dispatch jobs and engineer absences, played through the dispatch services.

Each job of seed/jobs.json belongs to a demo hardware ticket (seed/tickets.json, keyed by
service and customer reference) and is created, assigned, set off, completed or failed by
the same service calls a dispatcher and an engineer would make, each at its own instant, so
parts reservations, the stock ledger and the ticket's work log come out as in real use.
Assignments go to the best-ranked candidate at that instant (the rota decides who is on
shift), so the demo loads at any hour of the week. Idempotent by natural key: a ticket that
has a job already gets none, an absence is keyed by engineer and reason. Loaders flush,
never commit: `seed.loader.load_demo` owns the transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from fieldops.accounts.models import User
from fieldops.db import db
from fieldops.dispatch import queries, services
from fieldops.dispatch.models import Job
from fieldops.dispatch.scoring import DEFAULT_WEIGHTS, Candidate
from fieldops.engineers.models import Absence, Engineer
from fieldops.engineers.services import add_absence
from fieldops.inventory.queries import list_reservations
from seed.context import SeedContext
from seed.demo_tickets import find_demo_ticket

DISPATCHER = "agnieszka.wozniak@fieldops.example"


def load_dispatch(data: dict[str, Any], ctx: SeedContext) -> None:
    """Absences first (they shape who is a candidate), then each ticket's jobs."""
    for absence in data["absences"]:
        _absence(absence, ctx)
    for spec in data["jobs"]:
        ticket = find_demo_ticket(spec["ticket"]["service"], spec["ticket"]["ref"])
        if ticket is None:
            raise LookupError(f"seed: no demo ticket {spec['ticket']['ref']} for a job")
        if db.session.scalar(select(Job.id).where(Job.ticket_id == ticket.id).limit(1)):
            continue
        _play(spec, ticket.number, ctx)
        ctx.count("dispatch jobs")


def _absence(spec: dict[str, Any], ctx: SeedContext) -> None:
    engineer = db.session.scalar(select(Engineer).where(Engineer.name == spec["engineer"]))
    if engineer is None:
        raise LookupError(f"seed: absence names unknown engineer {spec['engineer']}")
    known = db.session.scalar(
        select(Absence.id).where(
            Absence.engineer_id == engineer.id, Absence.reason == spec["reason"]
        )
    )
    if known is not None:
        return
    starts = ctx.now - timedelta(hours=spec["starts_hours_ago"])
    add_absence(
        engineer.id,
        starts_at=starts,
        ends_at=starts + timedelta(hours=spec["hours"]),
        reason=spec["reason"],
    )
    ctx.count("absences")


def _user(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        raise LookupError(f"seed: a job step names unknown user {email}")
    return user


def _field_actor(number: str) -> User:
    """Who reports from the field: the engineer's own login, else the dispatcher for them."""
    user_id = db.session.scalar(
        select(Engineer.user_id)
        .join(Job, Job.engineer_id == Engineer.id)
        .where(Job.number == number)
    )
    user = db.session.get(User, user_id) if user_id is not None else None
    return user or _user(DISPATCHER)


def _play(spec: dict[str, Any], ticket_number: str, ctx: SeedContext) -> Job:
    def at(minutes_ago: int) -> datetime:
        return ctx.now - timedelta(minutes=minutes_ago)

    job = services.create_job(
        actor=_user(spec["by"]),
        ticket_number=ticket_number,
        required_skills=spec["required_skills"],
        parts=spec["parts"],
        duration_min=spec["duration_min"],
        access_hours=spec.get("access_hours"),
        notes=spec.get("notes", ""),
        now=at(spec["minutes_ago"]),
    )
    number = job.number
    for step in spec["steps"]:
        now, action = at(step["minutes_ago"]), step["action"]
        if action == "assign":
            engineer_id = _choose(number, now, from_van=step.get("from_van", False))
            services.assign_job(
                actor=_user(DISPATCHER), number=number, engineer_id=engineer_id, now=now
            )
        elif action in ("en_route", "on_site"):
            services.report_status(
                actor=_field_actor(number),
                number=number,
                status=action,
                note=step.get("note", ""),
                now=now,
            )
        elif action == "complete":
            services.complete_job(
                actor=_field_actor(number),
                number=number,
                signed_off_by=step["signed_off_by"],
                parts_used=_reserved_parts(number) if step.get("use_reserved") else (),
                parts_removed=step.get("removed", ()),
                notes=step.get("notes", ""),
                now=now,
            )
        elif action == "fail":
            services.fail_job(
                actor=_field_actor(number), number=number, reason=step["reason"], now=now
            )
        else:
            raise ValueError(f"unknown demo job action {action!r} for {spec['ticket']['ref']}")
    db.session.refresh(job)
    if job.status != spec["expect"]:
        raise RuntimeError(f"seed: {number} ended {job.status}, meant to be {spec['expect']}")
    return job


def _choose(number: str, now: datetime, *, from_van: bool) -> int:
    """The best candidate at `now`; with `from_van`, the best whose van carries every part
    the job needs (a full `parts` score), so the reservation comes from the van."""
    _, ranking = queries.candidates_for(number, now, limit=100)
    if not ranking.candidates:
        raise RuntimeError(f"seed: no engineer can take {number} at {now.isoformat()}")
    chosen: Candidate = ranking.candidates[0]
    if from_van:
        carrying = [
            c for c in ranking.candidates if c.parts.get("parts", 0) >= DEFAULT_WEIGHTS.parts_max
        ]
        if not carrying:
            raise RuntimeError(f"seed: no candidate for {number} carries its parts")
        chosen = carrying[0]
    return chosen.engineer_id


def _reserved_parts(number: str) -> list[dict[str, Any]]:
    """Every part held or picked for the job, as fitted: by serial, or the bulk quantity."""
    used: list[dict[str, Any]] = []
    for status in ("held", "picked"):
        views, _ = list_reservations(job_id=number, status=status, per_page=100)
        for view in views:
            used.append(
                {"sku": view.sku, "serials": view.serials}
                if view.serials
                else {"sku": view.sku, "quantity": view.quantity}
            )
    return used
