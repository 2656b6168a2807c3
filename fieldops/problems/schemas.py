"""Marshmallow schemas for problem records and the JSON payloads.

Shapes and bounds only; the rules (a reactive problem links incidents, what a status needs)
are the services', so direct callers and the API are refused the same things.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from fieldops.customers.schemas import PageQuerySchema
from fieldops.problems.models import TEXT_MAX, TITLE_MAX
from fieldops.problems.queries import ProblemView
from fieldops.problems.rules import ProblemKind, ProblemStatus

KINDS = [kind.value for kind in ProblemKind]
STATUSES = [status.value for status in ProblemStatus]


def _choice(choices: list[str]) -> validate.OneOf:
    return validate.OneOf(choices, error="Must be one of: {choices}.")


class LinkedIncidentSchema(Schema):
    ticket_id = fields.String()
    summary = fields.String()
    status = fields.String()
    priority = fields.String()
    linked_at = fields.AwareDateTime()


class ProblemSchema(Schema):
    id = fields.String(metadata={"description": "The problem's number, PRB-2026-000007."})
    title = fields.String()
    kind = fields.String(metadata={"enum": KINDS})
    status = fields.String(metadata={"enum": STATUSES})
    description = fields.String()
    root_cause = fields.String()
    workaround = fields.String()
    permanent_fix = fields.String()
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()
    resolved_at = fields.AwareDateTime(allow_none=True)
    closed_at = fields.AwareDateTime(allow_none=True)
    incidents = fields.List(fields.Nested(LinkedIncidentSchema))


class ProblemListSchema(Schema):
    items = fields.List(fields.Nested(ProblemSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


def _text(**kwargs: Any) -> fields.String:
    return fields.String(validate=validate.Length(max=TEXT_MAX), **kwargs)


class ProblemCreateSchema(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=TITLE_MAX))
    kind = fields.String(required=True, validate=_choice(KINDS))
    description = _text(load_default="")
    root_cause = _text(load_default="")
    workaround = _text(load_default="")
    permanent_fix = _text(load_default="")
    ticket_ids = fields.List(
        fields.String(validate=validate.Length(min=1, max=20)),
        load_default=list,
        validate=validate.Length(max=100),
        metadata={"description": "Incidents that share the cause (at least one if reactive)."},
    )


class ProblemUpdateSchema(Schema):
    title = fields.String(validate=validate.Length(min=1, max=TITLE_MAX))
    status = fields.String(validate=_choice(STATUSES))
    description = _text()
    root_cause = _text()
    workaround = _text()
    permanent_fix = _text()


class ProblemLinkSchema(Schema):
    ticket_id = fields.String(required=True, validate=validate.Length(min=1, max=20))


class ProblemQuerySchema(PageQuerySchema):
    status = fields.String(validate=_choice(STATUSES))
    kind = fields.String(validate=_choice(KINDS))
    ticket_id = fields.String(validate=validate.Length(max=20))


def problem_payload(view: ProblemView) -> dict[str, Any]:
    return {
        "id": view.number,
        "title": view.title,
        "kind": view.kind,
        "status": view.status,
        "description": view.description,
        "root_cause": view.root_cause,
        "workaround": view.workaround,
        "permanent_fix": view.permanent_fix,
        "created_at": view.created_at,
        "updated_at": view.updated_at,
        "resolved_at": view.resolved_at,
        "closed_at": view.closed_at,
        "incidents": [
            {
                "ticket_id": i.ticket,
                "summary": i.summary,
                "status": i.status,
                "priority": i.priority,
                "linked_at": i.linked_at,
            }
            for i in view.incidents
        ],
    }
