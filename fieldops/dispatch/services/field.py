"""What the engineer reports from the phone: on the way, on site, done (parts used, faulty
parts removed, notes, the customer's sign-off) or failed (with a follow-up job)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from fieldops.accounts.models import User
from fieldops.db import db
from fieldops.dispatch.models import NOTES_MAX, Job
from fieldops.dispatch.rules import DISPATCH_ROLES, JobStatus, field_move_error
from fieldops.dispatch.services.common import job_by_number, site_of, tell_ticket, ticket_of
from fieldops.dispatch.services.jobs import follow_up_job, release_parts
from fieldops.engineers.models import Engineer
from fieldops.errors import ConflictError, ForbiddenError, RuleViolationError
from fieldops.inventory.queries import (
    active_reservations_for,
    list_reservations,
    location_of_engineer,
)
from fieldops.inventory.services import consume, pick, release, remove_faulty
from fieldops.tickets.lifecycle import TicketStatus
from fieldops.tickets.models import OPEN_STATUSES, EventKind
from fieldops.tickets.services import change_status

log = logging.getLogger(__name__)

SIGN_OFF_MAX = 200


def _check_actor(job: Job, actor: User | None) -> None:
    """The job's own engineer (their login) reports from the field; a dispatcher may record
    it for them. Anyone else is refused."""
    if actor is None or actor.role in DISPATCH_ROLES:
        return
    engineer = db.session.get(Engineer, job.engineer_id) if job.engineer_id else None
    if engineer is None or engineer.user_id != actor.id:
        raise ForbiddenError(f"{job.number} is not your job.")


def _move(job: Job, to: JobStatus) -> None:
    if problem := field_move_error(job.status, to):
        raise ConflictError(f"{job.number}: {problem}", {"status": [problem]})


def report_status(
    *, actor: User | None, number: str, status: str, now: datetime, note: str = ""
) -> Job:
    """The engineer sets off (en_route) or arrives (on_site). Setting off picks every
    reserved part into the engineer's van: they carry it from then on."""
    job = job_by_number(number, lock=True)
    _check_actor(job, actor)
    try:
        target = JobStatus(status)
    except ValueError:
        raise RuleViolationError.on_field(
            "status", "en_route, on_site, completed or failed."
        ) from None
    if target not in (JobStatus.EN_ROUTE, JobStatus.ON_SITE):
        raise RuleViolationError.on_field(
            "status", "Completing or failing a job records its result: use those actions."
        )
    _move(job, target)
    if target == JobStatus.EN_ROUTE:
        van = location_of_engineer(job.engineer_id) if job.engineer_id else None
        held, _ = list_reservations(job_id=job.number, status="held", per_page=100)
        for reservation in held:
            pick(actor=actor, reservation_id=reservation.id, now=now,
                 van_code=van.code if van else None)  # fmt: skip
        job.en_route_at = now
        public = "The engineer is on the way."
    else:
        job.on_site_at = now
        public = "The engineer has arrived on site."
    job.status = target
    job.updated_at = now
    db.session.flush()
    detail = f" ({note.strip()[:500]})" if note.strip() else ""
    tell_ticket(job, f"{target.replace('_', ' ')}{detail}.", actor=actor, now=now)
    tell_ticket(job, public, actor=actor, now=now, public=True)
    return job


def _used(job: Job, lines: Sequence[dict[str, Any]], site: str, actor: User | None,
          now: datetime) -> list[str]:  # fmt: skip
    """Consume the reservations the parts used came from; release the rest."""
    active = active_reservations_for(job.number)
    by_sku: dict[str, list[Any]] = {}
    for view in active:
        by_sku.setdefault(view.sku, []).append(view)
    done: list[str] = []
    consumed: set[int] = set()
    for index, line in enumerate(lines):
        sku = str(line.get("sku", "")).strip().upper()
        serials = [str(s) for s in line.get("serials") or []]
        options = [v for v in by_sku.get(sku, []) if v.id not in consumed]
        if serials:
            options = [v for v in options if set(serials) <= set(v.serials)]
        if not options:
            raise ConflictError(
                f"{sku or 'That part'} was not reserved for {job.number}"
                + (f" with serials {', '.join(serials)}" if serials else "")
                + ": only reserved parts can be recorded as used.",
                {f"parts_used.{index}": ["Not reserved for this job."]},
            )
        reservation = options[0]
        consume(
            actor=actor,
            reservation_id=reservation.id,
            now=now,
            site=site,
            quantity=line.get("quantity"),
            serials=serials or None,
        )
        consumed.add(reservation.id)
        done.append(f"{line.get('quantity') or len(serials) or reservation.quantity} x {sku}"
                    + (f" ({', '.join(serials)})" if serials else ""))  # fmt: skip
    for view in active:
        if view.id not in consumed:
            release(actor=actor, reservation_id=view.id, now=now)
    return done


def complete_job(
    *,
    actor: User | None,
    number: str,
    signed_off_by: str,
    now: datetime,
    parts_used: Sequence[dict[str, Any]] = (),
    parts_removed: Sequence[dict[str, Any]] = (),
    notes: str = "",
) -> Job:
    """Record the visit's result. Parts used leave stock through the ledger (consumed, or
    fitted at the site by serial); faulty parts removed go into the engineer's van as
    faulty, to be returned; reserved parts not used are released. The ticket's work log gets
    the result and the ticket is resolved, unless an agent asked to review it first.

    Refused: a job not on site (409), no sign-off name (422), a part used that was not
    reserved for the job (409) — nothing is recorded then.
    """
    job = job_by_number(number, lock=True)
    _check_actor(job, actor)
    _move(job, JobStatus.COMPLETED)
    name = signed_off_by.strip()
    if not name:
        raise RuleViolationError.on_field("signed_off_by", "The customer's name, as sign-off.")
    if len(name) > SIGN_OFF_MAX or len(notes) > NOTES_MAX:
        raise RuleViolationError(
            "Too long.",
            {"signed_off_by" if len(name) > SIGN_OFF_MAX else "notes": ["Too long."]},
        )
    site = site_of(job)
    where = f"{site.name}, {site.address}"[:200]
    used = _used(job, parts_used, where, actor, now)
    van = location_of_engineer(job.engineer_id) if job.engineer_id else None
    removed: list[str] = []
    for index, line in enumerate(parts_removed):
        if van is None:
            raise ConflictError(
                "The engineer has no van to carry faulty parts back.",
                {f"parts_removed.{index}": ["No van."]},
            )
        serials = [str(s) for s in line.get("serials") or []]
        remove_faulty(
            actor=actor,
            sku=str(line.get("sku", "")),
            location_code=van.code,
            site=where,
            now=now,
            quantity=line.get("quantity"),
            serials=serials or None,
            reason=f"removed on {job.number}",
        )
        removed.append(f"{str(line.get('sku', '')).upper()}"
                       + (f" ({', '.join(serials)})" if serials else ""))  # fmt: skip
    job.status = JobStatus.COMPLETED
    job.signed_off_by = name
    job.notes = "\n\n".join(t for t in (job.notes, notes.strip()) if t)
    job.finished_at = job.updated_at = now
    db.session.flush()
    summary = (
        f"completed, signed off by {name}. Parts used: {', '.join(used) or 'none'}. "
        f"Faulty parts removed: {', '.join(removed) or 'none'}."
        + (f" Notes: {notes.strip()}" if notes.strip() else "")
    )
    tell_ticket(
        job, summary, actor=actor, now=now, kind=EventKind.PARTS if used else EventKind.DISPATCH
    )
    ticket = ticket_of(job)
    if job.review_required:
        tell_ticket(job, "result awaits an agent's review before the ticket is resolved.",
                    actor=actor, now=now)  # fmt: skip
    elif ticket.status in OPEN_STATUSES:
        change_status(
            ticket,
            actor=None,
            to=TicketStatus.RESOLVED,
            now=now,
            note=f"Resolved on site by the field engineer ({job.number}).",
        )
    log.info("job %s completed", job.id)
    return job


def fail_job(*, actor: User | None, number: str, reason: str, now: datetime) -> Job:
    """The visit could not fix the fault: the job fails with the reason, its reserved parts
    go back, and a follow-up job (same skills, parts and duration, unassigned) is opened."""
    job = job_by_number(number, lock=True)
    _check_actor(job, actor)
    _move(job, JobStatus.FAILED)
    text = reason.strip()
    if not text:
        raise RuleViolationError.on_field("reason", "Say why the visit failed.")
    if len(text) > NOTES_MAX:
        raise RuleViolationError.on_field("reason", f"At most {NOTES_MAX} characters.")
    released = release_parts(job, actor=actor, now=now)
    job.status = JobStatus.FAILED
    job.failure_reason = text
    job.finished_at = job.updated_at = now
    db.session.flush()
    follow_up = follow_up_job(job, actor=actor, now=now)
    tell_ticket(
        job,
        f"failed: {text} ({released} reservation(s) released); follow-up {follow_up.number}.",
        actor=actor,
        now=now,
    )
    return job
