"""Marshmallow schemas for engineers, their absences and positions, and the JSON payloads.

The schemas check types and shapes; the rules (ranges, shifts, time zones, skill tags) are
the services', so a direct caller and the API refuse the same things with the same words.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from fieldops.customers.schemas import PageQuerySchema
from fieldops.engineers.models import Absence
from fieldops.engineers.queries import MAX_ID, EngineerRow
from fieldops.engineers.services import SKILL_RE


def _list_of(item: type[Schema], name: str) -> type[Schema]:
    return Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item)),
            "total": fields.Integer(),
            "page": fields.Integer(),
            "per_page": fields.Integer(),
        },
        name=name,
    )


def _whole(**kwargs: Any) -> fields.Integer:
    return fields.Integer(
        strict=True, error_messages={"invalid": "Must be a whole number."}, **kwargs
    )


class PositionSchema(Schema):
    lat = fields.Float()
    lon = fields.Float()
    at = fields.AwareDateTime()


class EngineerSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    skills = fields.List(fields.String())
    home_lat = fields.Float()
    home_lon = fields.Float()
    van = fields.String(allow_none=True, metadata={"description": "The van's location code."})
    timezone = fields.String()
    shifts = fields.Dict(
        metadata={"description": 'Weekly local spans: {"mon": [["08:00", "16:00"]], ...}.'}
    )
    daily_capacity = fields.Integer()
    position = fields.Nested(PositionSchema, allow_none=True)
    active = fields.Boolean()
    user = fields.String(allow_none=True, metadata={"description": "The login's e-mail."})
    user_id = fields.Integer(allow_none=True)
    created_at = fields.AwareDateTime()


EngineerListSchema = _list_of(EngineerSchema, "EngineerList")


class EngineerQuerySchema(PageQuerySchema):
    skill = fields.String(
        validate=validate.Regexp(SKILL_RE, error="Not a skill tag (letters, digits, dashes).")
    )
    active = fields.Boolean()


class EngineerCreateSchema(Schema):
    name = fields.String(required=True)
    home_lat = fields.Float(required=True)
    home_lon = fields.Float(required=True)
    skills = fields.List(fields.String(), load_default=list)
    timezone = fields.String(load_default="Europe/Warsaw")
    shifts = fields.Dict(load_default=None)
    daily_capacity = _whole(load_default=6)
    user_id = _whole(
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=1, max=MAX_ID, error="No such user."),
    )
    van = fields.String(
        load_default=None,
        allow_none=True,
        metadata={"description": "The van's location code; VAN-<engineer id> when absent."},
    )
    city = fields.String(load_default="", validate=validate.Length(max=120))


class EngineerUpdateSchema(Schema):
    skills = fields.List(fields.String())
    shifts = fields.Dict()
    timezone = fields.String()
    daily_capacity = _whole()
    active = fields.Boolean()


class AbsenceSchema(Schema):
    id = fields.Integer()
    engineer_id = fields.Integer()
    starts_at = fields.AwareDateTime()
    ends_at = fields.AwareDateTime()
    reason = fields.String()


AbsenceListSchema = _list_of(AbsenceSchema, "AbsenceList")


class AbsenceCreateSchema(Schema):
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(required=True)
    reason = fields.String(load_default="")


class AbsenceQuerySchema(PageQuerySchema):
    since = fields.AwareDateTime(
        data_key="from", metadata={"description": "Absences ending after this instant."}
    )
    until = fields.AwareDateTime(metadata={"description": "Absences starting before this."})


class PositionCreateSchema(Schema):
    lat = fields.Float(required=True)
    lon = fields.Float(required=True)


def engineer_payload(row: EngineerRow) -> dict[str, Any]:
    engineer = row.engineer
    position = None
    if engineer.position_lat is not None and engineer.position_lon is not None:
        position = {
            "lat": engineer.position_lat,
            "lon": engineer.position_lon,
            "at": engineer.position_at,
        }
    return {
        "id": engineer.id,
        "name": engineer.name,
        "skills": list(engineer.skills or []),
        "home_lat": engineer.home_lat,
        "home_lon": engineer.home_lon,
        "van": row.van,
        "timezone": engineer.timezone,
        "shifts": engineer.shifts,
        "daily_capacity": engineer.daily_capacity,
        "position": position,
        "active": engineer.is_active,
        "user": row.user_email,
        "user_id": engineer.user_id,
        "created_at": engineer.created_at,
    }


def absence_payload(absence: Absence) -> dict[str, Any]:
    return {
        "id": absence.id,
        "engineer_id": absence.engineer_id,
        "starts_at": absence.starts_at,
        "ends_at": absence.ends_at,
        "reason": absence.reason,
    }
