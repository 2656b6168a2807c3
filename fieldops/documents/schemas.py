"""Marshmallow schemas for RFOs (DESIGN.md: status, requested_at, due_at, overdue, summary,
impact, timeline, root_cause, resolution, preventive_actions, problem_id) and PDF queries."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from fieldops.customers.schemas import PageQuerySchema
from fieldops.documents.content import PAPER_SIZES
from fieldops.documents.models import RFO_TEXT_MAX
from fieldops.documents.queries import RfoView
from fieldops.documents.rfo_rules import TEXT_FIELDS, RfoStatus

STATUSES = [status.value for status in RfoStatus]


class PaperQuerySchema(Schema):
    paper = fields.String(
        validate=validate.OneOf(list(PAPER_SIZES), error="Must be one of: {choices}."),
        metadata={"description": "a4 (the default) or letter."},
    )


class DaySheetQuerySchema(PaperQuerySchema):
    date = fields.Date(required=True, metadata={"description": "The engineer's local day."})


class TimelineEntrySchema(Schema):
    at = fields.AwareDateTime()
    kind = fields.String()
    actor = fields.String()
    body = fields.String()


class RfoSchema(Schema):
    ticket_id = fields.String()
    status = fields.String(metadata={"enum": STATUSES})
    requested_at = fields.AwareDateTime()
    due_at = fields.AwareDateTime(
        metadata={"description": "The close of the 5th working day after the request."}
    )
    overdue = fields.Boolean()
    summary = fields.String(allow_none=True)
    impact = fields.String(allow_none=True)
    timeline = fields.List(fields.Nested(TimelineEntrySchema))
    root_cause = fields.String(allow_none=True)
    resolution = fields.String(allow_none=True)
    preventive_actions = fields.String(allow_none=True)
    problem_id = fields.String(allow_none=True)
    published_at = fields.AwareDateTime(allow_none=True)
    updated_at = fields.AwareDateTime()


class RfoListSchema(Schema):
    items = fields.List(fields.Nested(RfoSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


def _section() -> fields.String:
    return fields.String(validate=validate.Length(max=RFO_TEXT_MAX))


class RfoUpdateSchema(Schema):
    summary = _section()
    impact = _section()
    root_cause = _section()
    resolution = _section()
    preventive_actions = _section()
    status = fields.String(validate=validate.OneOf(STATUSES, error="Must be one of: {choices}."))
    problem_id = fields.String(
        allow_none=True,
        validate=validate.Length(max=20),
        metadata={"description": "The problem this RFO cites (PRB-...), or null for none."},
    )


class RfoQuerySchema(PageQuerySchema):
    status = fields.String(validate=validate.OneOf(STATUSES, error="Must be one of: {choices}."))
    overdue = fields.Boolean()


def rfo_payload(view: RfoView, *, for_customer: bool) -> dict[str, Any]:
    """A customer sees an unpublished RFO's status and due time, not its drafts."""
    hidden = for_customer and not view.is_published
    payload: dict[str, Any] = {
        "ticket_id": view.ticket,
        "status": view.status,
        "requested_at": view.requested_at,
        "due_at": view.due_at,
        "overdue": view.overdue,
        "published_at": view.published_at,
        "updated_at": view.updated_at,
        "problem_id": None if hidden else view.problem_id,
        "timeline": []
        if hidden
        else [
            {"at": e.at, "kind": e.kind, "actor": e.actor, "body": e.body} for e in view.timeline
        ],
    }
    for name in TEXT_FIELDS:
        payload[name] = None if hidden else getattr(view, name)
    return payload
