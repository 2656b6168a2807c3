"""Creating a dispatch job from a hardware-fault ticket, and cancelling one."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select

from fieldops.accounts.models import User
from fieldops.customers.calendars import calendar_errors
from fieldops.customers.models import Service
from fieldops.db import db
from fieldops.dispatch.models import NOTES_MAX, Job, JobPart
from fieldops.dispatch.rules import CANCELLABLE, JobStatus
from fieldops.dispatch.services.common import job_by_number, onsite_due, tell_ticket
from fieldops.errors import ConflictError, NotFoundError, RuleViolationError
from fieldops.inventory.models import PartType
from fieldops.inventory.queries import active_reservations_for
from fieldops.inventory.services import release
from fieldops.numbering import next_number
from fieldops.tickets.models import OPEN_STATUSES, Ticket

log = logging.getLogger(__name__)

SKILL_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
DURATION_MAX_MIN = 24 * 60
PARTS_MAX = 50


def _skills(value: Sequence[str]) -> list[str]:
    tags = sorted({s.strip().lower() for s in value})
    if bad := [s for s in tags if not SKILL_RE.match(s)]:
        raise RuleViolationError.on_field(
            "required_skills", f"Not a skill tag: {', '.join(bad)} (letters, digits, dashes)."
        )
    return tags


def _parts(value: Sequence[dict[str, Any]]) -> list[tuple[PartType, int]]:
    if len(value) > PARTS_MAX:
        raise RuleViolationError.on_field("parts", f"At most {PARTS_MAX} part lines.")
    errors: dict[str, list[str]] = {}
    found: dict[str, tuple[PartType, int]] = {}
    for index, line in enumerate(value):
        sku = str(line.get("sku", "")).strip().upper()
        quantity = line.get("quantity", 1)
        part = db.session.scalar(select(PartType).where(PartType.sku == sku)) if sku else None
        if part is None:
            errors[f"parts.{index}.sku"] = [f"Unknown SKU {sku[:40]!r}."]
        elif not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
            errors[f"parts.{index}.quantity"] = ["Must be a whole number of 1 or more."]
        elif sku in found:
            errors[f"parts.{index}.sku"] = [f"{sku} is listed twice; give one line."]
        else:
            found[sku] = (part, quantity)
    if errors:
        raise RuleViolationError("The job's parts are not valid.", errors)
    return list(found.values())


def create_job(
    *,
    actor: User | None,
    ticket_number: str,
    now: datetime,
    required_skills: Sequence[str] = (),
    parts: Sequence[dict[str, Any]] = (),
    duration_min: int = 60,
    access_hours: dict[str, Any] | None = None,
    review_required: bool = False,
    notes: str = "",
) -> Job:
    """A field visit for a hardware fault: its site from the ticket's service, arrive-by from
    the SLA plan's on-site target for the ticket's priority.

    Raises RuleViolationError naming the field (unknown ticket, a ticket that is not a
    hardware fault, bad skills, parts, duration or access hours) and ConflictError for a
    ticket that is resolved, closed or cancelled.
    """
    ticket = db.session.scalar(select(Ticket).where(Ticket.number == ticket_number.strip().upper()))
    if ticket is None:
        raise RuleViolationError.on_field("ticket_id", f"No ticket {ticket_number.strip()[:20]}.")
    if ticket.category != "hardware":
        raise RuleViolationError.on_field(
            "ticket_id",
            f"{ticket.number} is not a hardware fault (category {ticket.category or 'unset'}); "
            "classify it as hardware first.",
        )
    if ticket.status not in OPEN_STATUSES:
        raise ConflictError(
            f"{ticket.number} is {ticket.status}: no visit can be arranged for it.",
            {"ticket_id": [f"Is {ticket.status}."]},
        )
    skills = _skills(required_skills)
    lines = _parts(parts)
    if not 1 <= duration_min <= DURATION_MAX_MIN:
        raise RuleViolationError.on_field(
            "duration_min", f"Between 1 and {DURATION_MAX_MIN} minutes."
        )
    if access_hours is not None and (problems := calendar_errors(access_hours)):
        raise RuleViolationError("The access hours are not valid.", {"access_hours": problems})
    if len(notes) > NOTES_MAX:
        raise RuleViolationError.on_field("notes", f"At most {NOTES_MAX} characters.")
    service = db.session.get(Service, ticket.service_id)
    if service is None:  # pragma: no cover - the foreign key guarantees it
        raise NotFoundError(f"{ticket.number} has no service.")
    job = Job(
        number=next_number("WO", now.year),
        ticket_id=ticket.id,
        site_id=service.site_id,
        status=JobStatus.UNASSIGNED,
        priority=ticket.priority,
        required_skills=skills,
        duration_min=duration_min,
        arrive_by=onsite_due(ticket),
        access_hours=access_hours,
        review_required=review_required,
        notes=notes.strip(),
        created_by_id=actor.id if actor else None,
        created_at=now,
        updated_at=now,
    )
    db.session.add(job)
    db.session.flush()
    db.session.add_all(
        JobPart(job_id=job.id, part_type_id=part.id, quantity=quantity) for part, quantity in lines
    )
    db.session.flush()
    wanted = ", ".join(f"{q} x {p.sku}" for p, q in lines) or "no parts"
    tell_ticket(
        job,
        f"field visit requested ({job.priority}, {job.duration_min} min, skills "
        f"{', '.join(skills) or 'any'}, {wanted}); on site by {job.arrive_by:%Y-%m-%d %H:%M} UTC.",
        actor=actor,
        now=now,
    )
    tell_ticket(job, "An engineer visit is being arranged.", actor=actor, now=now, public=True)
    log.info("job %s created for ticket %s", job.id, ticket.id)
    return job


def release_parts(job: Job, *, actor: User | None, now: datetime) -> int:
    """Release every held or picked reservation of the job; returns how many."""
    views = active_reservations_for(job.number)
    for view in views:
        release(actor=actor, reservation_id=view.id, now=now)
    return len(views)


def cancel_job(*, actor: User | None, number: str, reason: str, now: datetime) -> Job:
    """Cancel a job not yet on site; its reserved parts go back to stock. A reason is
    required."""
    job = job_by_number(number, lock=True)
    if not reason.strip():
        raise RuleViolationError.on_field("reason", "Say why the visit is cancelled.")
    if job.status not in CANCELLABLE:
        raise ConflictError(
            f"{job.number} is {job.status.replace('_', ' ')}: it can no longer be cancelled.",
            {"status": [f"Is {job.status}."]},
        )
    released = release_parts(job, actor=actor, now=now)
    job.status = JobStatus.CANCELLED
    job.finished_at = job.updated_at = now
    db.session.flush()
    tell_ticket(
        job,
        f"cancelled: {reason.strip()} ({released} reservation(s) released).",
        actor=actor,
        now=now,
    )
    return job


def follow_up_job(failed: Job, *, actor: User | None, now: datetime) -> Job:
    """A new, unassigned job for the same ticket, site, skills, parts and duration as a
    failed one, on the same SLA arrive-by (the customer's clock did not stop)."""
    job = Job(
        number=next_number("WO", now.year),
        ticket_id=failed.ticket_id,
        site_id=failed.site_id,
        status=JobStatus.UNASSIGNED,
        priority=failed.priority,
        required_skills=list(failed.required_skills or []),
        duration_min=failed.duration_min,
        arrive_by=failed.arrive_by,
        access_hours=failed.access_hours,
        review_required=failed.review_required,
        notes=f"Follow-up of {failed.number}: {failed.failure_reason}"[:NOTES_MAX],
        follow_up_of_id=failed.id,
        created_by_id=actor.id if actor else None,
        created_at=now,
        updated_at=now,
    )
    db.session.add(job)
    db.session.flush()
    db.session.add_all(
        JobPart(job_id=job.id, part_type_id=line.part_type_id, quantity=line.quantity)
        for line in db.session.scalars(select(JobPart).where(JobPart.job_id == failed.id))
    )
    db.session.flush()
    tell_ticket(job, f"follow-up of {failed.number}, to be assigned.", actor=actor, now=now)
    return job
