"""Marshmallow schemas for dispatch jobs, their candidates, assignment and field reports, and
the JSON payloads (DESIGN.md, "Stock and dispatch JSON names").

The schemas check types, shapes and bounds; the rules (skill tags, known SKUs and tickets,
which status a job may take next) are the services', so a direct caller and the API are
refused the same things with the same words.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from fieldops.customers.schemas import PageQuerySchema
from fieldops.dispatch.models import NOTES_MAX
from fieldops.dispatch.queries import JobView
from fieldops.dispatch.rules import JobStatus
from fieldops.dispatch.scoring import Candidate, Excluded, Ranking
from fieldops.dispatch.services import AutoResult
from fieldops.dispatch.services.field import SIGN_OFF_MAX
from fieldops.dispatch.services.jobs import DURATION_MAX_MIN, PARTS_MAX
from fieldops.inventory.models import SKU_MAX
from fieldops.inventory.schemas import MAX_ID, ReservationSchema, reservation_payload
from fieldops.inventory.schemas.common import count_field, enum_values, one_of, serial_list

NUMBER_MAX = 20  # a WO-/TT- number
SKILLS_MAX = 30
SKILL_MAX = 40
BATCH_MAX = 500  # jobs named in one auto-assignment
CANDIDATES_MAX = 100
FIELD_STATUSES = ("en_route", "on_site", "completed", "failed")


def _whole(*, strict: bool = True, **kwargs: Any) -> fields.Integer:
    """Strict in JSON bodies (no "3" or 3.0); query strings are text, so not there."""
    return fields.Integer(
        strict=strict, error_messages={"invalid": "Must be a whole number."}, **kwargs
    )


def _text(maximum: int, **kwargs: Any) -> fields.String:
    return fields.String(validate=validate.Length(max=maximum), **kwargs)


# --- output -------------------------------------------------------------------------------


class JobPartSchema(Schema):
    sku = fields.String()
    quantity = fields.Integer()


class JobSiteSchema(Schema):
    name = fields.String()
    address = fields.String()
    lat = fields.Float()
    lon = fields.Float()
    access_notes = fields.String()


class JobSummarySchema(Schema):
    """A job as lists show it: everything but its reservations."""

    id = fields.String(metadata={"description": "The work-order number, WO-2026-000045."})
    ticket_id = fields.String(metadata={"description": "The ticket's number, TT-2026-000123."})
    ticket_summary = fields.String()
    customer = fields.String(metadata={"description": "The customer's code."})
    status = fields.String(metadata={"enum": enum_values(JobStatus)})
    priority = fields.String()
    arrive_by = fields.AwareDateTime(metadata={"description": "The SLA on-site target."})
    engineer_id = fields.Integer(allow_none=True)
    engineer_name = fields.String(allow_none=True)
    required_skills = fields.List(fields.String())
    parts = fields.List(fields.Nested(JobPartSchema))
    duration_min = fields.Integer()
    site = fields.Nested(JobSiteSchema)
    access_hours = fields.Dict(allow_none=True)
    review_required = fields.Boolean()
    notes = fields.String()
    failure_reason = fields.String()
    signed_off_by = fields.String()
    follow_up_of = fields.String(allow_none=True, metadata={"description": "A failed job."})
    follow_up = fields.String(
        allow_none=True, metadata={"description": "The job opened when this one failed."}
    )
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class JobSchema(JobSummarySchema):
    reservations = fields.List(fields.Nested(ReservationSchema))


JobListSchema = Schema.from_dict(
    {
        "items": fields.List(fields.Nested(JobSummarySchema)),
        "total": fields.Integer(),
        "page": fields.Integer(),
        "per_page": fields.Integer(),
    },
    name="JobList",
)


class CandidateSchema(Schema):
    engineer_id = fields.Integer()
    name = fields.String()
    score = fields.Float(metadata={"description": "Higher is better: the sum of score_parts."})
    score_parts = fields.Dict(
        keys=fields.String(),
        values=fields.Float(),
        metadata={"description": "Points for travel, slack, load and parts in the van."},
    )
    travel_min = fields.Float()
    distance_km = fields.Float()
    slack_min = fields.Float(metadata={"description": "Negative: late for the arrive-by."})
    eta = fields.AwareDateTime()
    reasons = fields.List(fields.String())
    reason = fields.String(metadata={"description": "The reasons on one line."})


class ExcludedSchema(Schema):
    engineer_id = fields.Integer()
    name = fields.String()
    reasons = fields.List(fields.String())


class CandidatesSchema(Schema):
    job = fields.String()
    candidates = fields.List(fields.Nested(CandidateSchema))
    excluded = fields.List(
        fields.Nested(ExcludedSchema), metadata={"description": "Only with ?explain=1."}
    )


class AutoAssignedSchema(Schema):
    job = fields.String()
    engineer_id = fields.Integer()
    engineer_name = fields.String()
    status = fields.String()


class UnplacedSchema(Schema):
    job = fields.String()
    reason = fields.String()


class AutoAssignmentResultSchema(Schema):
    assigned = fields.List(fields.Nested(AutoAssignedSchema))
    unplaced = fields.List(fields.Nested(UnplacedSchema))


# --- input --------------------------------------------------------------------------------


class JobQuerySchema(PageQuerySchema):
    status = fields.String(validate=one_of(enum_values(JobStatus)))
    engineer_id = _whole(validate=validate.Range(min=1, max=MAX_ID), strict=False)
    ticket_id = _text(NUMBER_MAX)


class JobPartLineSchema(Schema):
    sku = fields.String(required=True, validate=validate.Length(min=1, max=SKU_MAX))
    quantity = count_field(load_default=1)


class JobCreateSchema(Schema):
    ticket_id = fields.String(required=True, validate=validate.Length(min=1, max=NUMBER_MAX))
    required_skills = fields.List(
        fields.String(validate=validate.Length(min=1, max=SKILL_MAX)),
        load_default=list,
        validate=validate.Length(max=SKILLS_MAX),
    )
    parts = fields.List(
        fields.Nested(JobPartLineSchema),
        load_default=list,
        validate=validate.Length(max=PARTS_MAX),
    )
    duration_min = _whole(
        required=True,
        validate=validate.Range(
            min=1, max=DURATION_MAX_MIN, error="Must be from {min} to {max} minutes."
        ),
    )
    access_hours = fields.Dict(
        load_default=None,
        allow_none=True,
        metadata={"description": "A calendar: {timezone, hours, holidays}; absent: any time."},
    )
    review_required = fields.Boolean(load_default=False)
    notes = _text(NOTES_MAX, load_default="")


class CandidateQuerySchema(Schema):
    explain = fields.Boolean(load_default=False)
    limit = _whole(
        strict=False, load_default=20, validate=validate.Range(min=1, max=CANDIDATES_MAX)
    )


class AssignmentSchema(Schema):
    engineer_id = _whole(required=True, validate=validate.Range(min=1, max=MAX_ID))


class AutoAssignmentSchema(Schema):
    jobs = fields.List(
        fields.String(validate=validate.Length(min=1, max=NUMBER_MAX)),
        load_default=None,
        validate=validate.Length(min=1, max=BATCH_MAX),
        metadata={"description": "Job numbers; absent: every unassigned job."},
    )


class PartUsedSchema(Schema):
    sku = fields.String(required=True, validate=validate.Length(min=1, max=SKU_MAX))
    quantity = count_field()
    serials = serial_list()


# Which fields each status takes beyond `status` (required first, then optional).
STATUS_FIELDS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "en_route": (frozenset(), frozenset({"note"})),
    "on_site": (frozenset(), frozenset({"note"})),
    "completed": (
        frozenset({"signed_off_by"}),
        frozenset({"parts_used", "parts_removed", "notes"}),
    ),
    "failed": (frozenset({"reason"}), frozenset()),
}


class StatusReportSchema(Schema):
    status = fields.String(required=True, validate=one_of(FIELD_STATUSES))
    note = _text(500, metadata={"description": "en_route / on_site: a short note."})
    signed_off_by = _text(SIGN_OFF_MAX, metadata={"description": "completed: the customer."})
    parts_used = fields.List(fields.Nested(PartUsedSchema), validate=validate.Length(max=PARTS_MAX))
    parts_removed = fields.List(
        fields.Nested(PartUsedSchema),
        validate=validate.Length(max=PARTS_MAX),
        metadata={"description": "completed: faulty parts taken out, into the van."},
    )
    notes = _text(NOTES_MAX)
    reason = _text(NOTES_MAX, metadata={"description": "failed: why the visit failed."})

    @validates_schema
    def _fields_of_status(self, data: dict[str, Any], **_: Any) -> None:
        """A field the status does not use is refused rather than ignored."""
        status = data.get("status")
        if status not in STATUS_FIELDS:
            return
        required, optional = STATUS_FIELDS[status]
        errors = {
            name: [f"Required when status is {status}."] for name in required if name not in data
        }
        errors.update(
            {
                name: [f"Not used when status is {status}."]
                for name in data
                if name != "status" and name not in required | optional
            }
        )
        if errors:
            raise ValidationError(errors)


class CancellationSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=NOTES_MAX))


# --- payloads -----------------------------------------------------------------------------


def job_payload(view: JobView, *, reservations: bool = True) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "id": view.number,
        "ticket_id": view.ticket,
        "ticket_summary": view.ticket_summary,
        "customer": view.customer,
        "status": view.status,
        "priority": view.priority,
        "arrive_by": view.arrive_by,
        "engineer_id": view.engineer_id,
        "engineer_name": view.engineer_name,
        "required_skills": view.required_skills,
        "parts": [{"sku": sku, "quantity": quantity} for sku, quantity in view.parts],
        "duration_min": view.duration_min,
        "site": {
            "name": view.site_name,
            "address": view.site_address,
            "lat": view.site_lat,
            "lon": view.site_lon,
            "access_notes": view.access_notes,
        },
        "access_hours": view.access_hours,
        "review_required": view.review_required,
        "notes": view.notes,
        "failure_reason": view.failure_reason,
        "signed_off_by": view.signed_off_by,
        "follow_up_of": view.follow_up_of,
        "follow_up": view.follow_up,
        "created_at": view.created_at,
        "updated_at": view.updated_at,
    }
    if reservations:
        payload["reservations"] = [reservation_payload(r) for r in view.reservations]
    return payload


def candidate_payload(candidate: Candidate) -> dict[str, Any]:
    return {
        "engineer_id": candidate.engineer_id,
        "name": candidate.name,
        "score": candidate.score,
        "score_parts": dict(candidate.parts),
        "travel_min": candidate.travel_min,
        "distance_km": candidate.distance_km,
        "slack_min": candidate.slack_min,
        "eta": candidate.eta,
        "reasons": list(candidate.reasons),
        "reason": candidate.reason,
    }


def excluded_payload(excluded: Excluded) -> dict[str, Any]:
    return {
        "engineer_id": excluded.engineer_id,
        "name": excluded.name,
        "reasons": list(excluded.reasons),
    }


def candidates_payload(number: str, ranking: Ranking, *, explain: bool) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "job": number,
        "candidates": [candidate_payload(c) for c in ranking.candidates],
    }
    if explain:
        payload["excluded"] = [excluded_payload(e) for e in ranking.excluded]
    return payload


def auto_assignment_payload(result: AutoResult, named: list[str] | None) -> dict[str, Any]:
    """What a batch did; a job named but not unassigned (or unknown) is listed as unplaced
    with that reason, so a typo is not silently ignored."""
    assigned = [
        {
            "job": a.job.number,
            "engineer_id": a.engineer.id,
            "engineer_name": a.engineer.name,
            "status": a.job.status,
        }
        for a in result.assigned
    ]
    unplaced = [{"job": number, "reason": reason} for number, reason in result.unplaced]
    seen = {item["job"] for item in assigned} | {item["job"] for item in unplaced}
    for number in dict.fromkeys(n.strip().upper() for n in named or []):
        if number not in seen:
            unplaced.append({"job": number, "reason": "not an unassigned job"})
    return {"assigned": assigned, "unplaced": unplaced}
