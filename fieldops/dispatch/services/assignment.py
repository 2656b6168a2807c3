"""Assigning jobs to engineers, one by the dispatcher's choice or a batch automatically, and
reserving their parts at once: from the engineer's van if it holds them, else the nearest
depot with available stock. A part nowhere in stock leaves the job awaiting parts, with a
backorder for the stock manager."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from fieldops.accounts.models import User
from fieldops.db import db
from fieldops.dispatch.models import Job
from fieldops.dispatch.queries.candidates import (
    DayLoads,
    JobContext,
    ShiftBook,
    absences_between,
    day_loads,
    engineer_rows,
    job_context,
    job_contexts,
    states_for,
    van_stock,
    window_end,
)
from fieldops.dispatch.rules import ASSIGNABLE, JobStatus
from fieldops.dispatch.scoring import Candidate, Excluded, assess, rank
from fieldops.dispatch.services.common import (
    TravelModel,
    job_by_number,
    tell_ticket,
    travel_model,
)
from fieldops.dispatch.services.jobs import release_parts
from fieldops.engineers.models import Engineer
from fieldops.errors import ConflictError, RuleViolationError
from fieldops.inventory.models import PartType, StockLocation
from fieldops.inventory.queries import location_of_engineer
from fieldops.inventory.services import reserve_nearest
from fieldops.tickets.models import EventKind

log = logging.getLogger(__name__)

PRIORITY_ORDER = {"P1": 0, "P2": 1, "P3": 2, "P4": 3}


@dataclass(frozen=True)
class Assignment:
    job: Job
    engineer: Engineer
    candidate: Candidate
    backordered: list[str]  # SKUs no location could give


def _reserve_parts(
    context: JobContext,
    engineer: Engineer,
    van: StockLocation | None,
    *,
    actor: User | None,
    now: datetime,
    part_types: Mapping[str, PartType] | None = None,
    flush: bool = True,
) -> tuple[list[str], list[str], dict[str, int]]:
    """Reserve every part the job needs for this engineer: from their van when it holds
    it, else the nearest location with it. Returns where each came from, the SKUs
    backordered, and what was taken from the van. P1 jobs may use reserve-floor stock."""
    job = context.job
    sources: list[str] = []
    missing: list[str] = []
    from_van: dict[str, int] = {}
    for sku, quantity in context.need.parts.items():
        outcome = reserve_nearest(
            actor=actor,
            sku=sku,
            quantity=quantity,
            point=context.site,
            prefer=van,
            job_ref=job.number,
            emergency=job.priority == "P1",
            now=now,
            part=(part_types or {}).get(sku),
            flush=flush,
        )
        if outcome.reservation is None:
            missing.append(sku)
            continue
        if van is not None and outcome.reservation.location_id == van.id:
            from_van[sku] = quantity
            code = van.code
        else:
            place = db.session.get(StockLocation, outcome.reservation.location_id)
            code = place.code if place else "stock"
        sources.append(f"{quantity} x {sku} from {code}")
    return sources, missing, from_van


def _engineer(engineer_id: int) -> Engineer:
    engineer = db.session.get(Engineer, engineer_id)
    if engineer is None or not engineer.is_active:
        raise RuleViolationError.on_field("engineer_id", f"No active engineer {engineer_id}.")
    return engineer


def _refuse(excluded: Excluded) -> None:
    reasons = "; ".join(excluded.reasons)
    message = f"{excluded.name} cannot take this job: {reasons}."
    if any(reason.startswith("lacks skills") for reason in excluded.reasons):
        raise RuleViolationError(message, {"engineer_id": excluded.reasons})
    raise ConflictError(message, {"engineer_id": excluded.reasons})


def _apply(
    context: JobContext,
    engineer: Engineer,
    candidate: Candidate,
    *,
    actor: User | None,
    now: datetime,
    van: StockLocation | None,
    part_types: Mapping[str, PartType] | None = None,
    flush: bool = True,
) -> tuple[Assignment, dict[str, int]]:
    """Give the job to the engineer, reserve its parts and tell the ticket; returns the
    assignment and what was taken from the engineer's van. `flush=False` (a batch) leaves
    the writes to one flush at the end."""
    job = context.job
    previous = job.engineer_id
    released = release_parts(job, actor=actor, now=now) if previous is not None else 0
    job.engineer_id = engineer.id
    job.assigned_at = job.updated_at = now
    sources, missing, from_van = _reserve_parts(
        context, engineer, van, actor=actor, now=now, part_types=part_types, flush=flush
    )
    job.status = JobStatus.AWAITING_PARTS if missing else JobStatus.ASSIGNED
    verb = "reassigned" if previous is not None and previous != engineer.id else "assigned"
    ticket = context.ticket
    tell_ticket(
        job,
        f"{verb} to {engineer.name} ({candidate.reason}).",
        actor=actor,
        now=now,
        kind=EventKind.ASSIGNMENT,
        ticket=ticket,
    )
    parts_line = "; ".join(sources)
    if missing:
        parts_line = f"{parts_line}; " if parts_line else ""
        parts_line += f"awaiting parts, backordered: {', '.join(missing)}"
    if parts_line or released:
        note = f" ({released} earlier reservation(s) released)" if released else ""
        tell_ticket(
            job,
            f"parts: {parts_line or 'none needed'}{note}.",
            actor=actor,
            now=now,
            kind=EventKind.PARTS,
            ticket=ticket,
        )
    tell_ticket(
        job,
        "An engineer has been assigned to your visit.",
        actor=actor,
        now=now,
        public=True,
        ticket=ticket,
    )
    if flush:
        db.session.flush()
    log.info("job %s %s to engineer %s", job.id, verb, engineer.id)
    return Assignment(job, engineer, candidate, missing), from_van


def assign_job(
    *,
    actor: User | None,
    number: str,
    engineer_id: int,
    now: datetime,
    travel: TravelModel | None = None,
) -> Assignment:
    """Give a job to an engineer and reserve its parts; assigning it to someone else
    releases what was reserved for the first engineer and reserves again.

    Refused with RuleViolationError (422) for an unknown engineer or one lacking a required
    skill, ConflictError (409) for one with no capacity that day or not on shift before the
    arrive-by, or a job that is no longer open for assignment.
    """
    job = job_by_number(number, lock=True)
    if job.status not in ASSIGNABLE:
        raise ConflictError(
            f"{job.number} is {job.status.replace('_', ' ')}: it cannot be assigned now.",
            {"status": [f"Is {job.status}."]},
        )
    engineer = _engineer(engineer_id)
    context = job_context(job)
    rows = engineer_rows([engineer.id])
    until = window_end(job, now)
    state = states_for(
        context,
        rows,
        now,
        travel or travel_model(),
        loads=day_loads(job.arrive_by, rows, exclude_job=job.id),
        shifts=ShiftBook(now, until, absences_between(now, until)),
        vans=van_stock(context.need.parts.keys()),
    )[0]
    result = assess(context.need, state, now)
    if isinstance(result, Excluded):
        _refuse(result)
    assert isinstance(result, Candidate)  # noqa: S101 - _refuse raised otherwise
    van = location_of_engineer(engineer.id)
    return _apply(context, engineer, result, actor=actor, now=now, van=van)[0]


@dataclass(frozen=True)
class AutoResult:
    assigned: list[Assignment]
    unplaced: list[tuple[str, str]]  # (job number, why no one could take it)


def auto_assign(
    *,
    actor: User | None,
    now: datetime,
    numbers: Sequence[str] | None = None,
    travel: TravelModel | None = None,
) -> AutoResult:
    """Assign unassigned jobs (all, or the numbers given) in priority then arrive-by order,
    each to its best candidate at that moment. The loads of this batch count as it goes, so
    no engineer is given more jobs than their capacity, and no job goes to an engineer
    without its skills."""
    travel = travel or travel_model()
    statement = select(Job).where(Job.status == JobStatus.UNASSIGNED)
    if numbers is not None:
        statement = statement.where(Job.number.in_([n.strip().upper() for n in numbers]))
    jobs = sorted(
        db.session.scalars(statement).all(),
        key=lambda j: (PRIORITY_ORDER.get(j.priority, 9), j.arrive_by, j.id),
    )
    if not jobs:
        return AutoResult([], [])
    rows = engineer_rows()
    engineers = {e.id: e for e in db.session.scalars(select(Engineer)).all()}
    vans_of = {
        location.engineer_id: location
        for location in db.session.scalars(
            select(StockLocation).where(StockLocation.kind == "van")
        ).all()
    }
    latest = max(window_end(job, now) for job in jobs)
    # Shifts expanded once for the batch (each job clips them), loads counted once and kept
    # up to date as the batch gives jobs out, van stock taken down as it is reserved.
    shifts = ShiftBook(now, latest, absences_between(now, latest))
    loads = DayLoads(rows, [job.arrive_by for job in jobs])
    contexts = job_contexts(jobs)
    skus = {sku for context in contexts for sku in context.need.parts}
    vans = van_stock(skus)
    part_types = {
        part.sku: part
        for part in db.session.scalars(select(PartType).where(PartType.sku.in_(skus)))
    }
    assigned: list[Assignment] = []
    unplaced: list[tuple[str, str]] = []
    # Stock changes are guarded UPDATEs that run at once; the rest of every assignment (the
    # job, its reservations, the ticket's log) waits for one flush at the end, where it is
    # written in batches instead of a few round trips per job.
    with db.session.no_autoflush:
        for context in contexts:
            job = context.job
            states = states_for(
                context,
                rows,
                now,
                travel,
                loads=loads.on(job.arrive_by),
                shifts=shifts,
                vans=vans,
                able_only=True,
            )
            ranking = rank(context.need, states, now, limit=1)
            if not ranking.candidates:
                unplaced.append((job.number, "no engineer has the skills, shift and capacity"))
                continue
            best = ranking.candidates[0]
            done, from_van = _apply(
                context,
                engineers[best.engineer_id],
                best,
                actor=actor,
                now=now,
                van=vans_of.get(best.engineer_id),
                part_types=part_types,
                flush=False,
            )
            assigned.append(done)
            loads.add(best.engineer_id, job.arrive_by)
            stock = vans.get(best.engineer_id, {})
            for sku, quantity in from_van.items():
                stock[sku] = stock.get(sku, 0) - quantity
    db.session.flush()
    return AutoResult(assigned, unplaced)
