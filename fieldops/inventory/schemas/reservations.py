"""Schemas for reservations: holding, picking and consuming stock."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from fieldops.customers.schemas import PageQuerySchema
from fieldops.inventory.models import REFERENCE_MAX, SKU_MAX
from fieldops.inventory.rules import ReservationStatus
from fieldops.inventory.schemas.common import (
    code_field,
    count_field,
    enum_values,
    one_of,
    page_of,
    serial_list,
)


class ReservationSchema(Schema):
    id = fields.Integer()
    sku = fields.String()
    quantity = fields.Integer()
    status = fields.String()
    location = fields.String()
    location_kind = fields.String()
    serials = fields.List(fields.String())
    job_id = fields.String(allow_none=True)
    purpose = fields.String(allow_none=True)
    emergency = fields.Boolean()
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()
    distance_km = fields.Float(metadata={"description": "Only when chosen as the nearest."})


class ReservationCreateSchema(Schema):
    sku = fields.String(required=True, validate=validate.Length(min=1, max=SKU_MAX))
    quantity = count_field(metadata={"description": "Optional when serials are listed."})
    location = code_field(metadata={"description": "Absent: the nearest location to lat/lon."})
    lat = fields.Float(validate=validate.Range(min=-90, max=90))
    lon = fields.Float(validate=validate.Range(min=-180, max=180))
    prefer_location = code_field(metadata={"description": "Tried first (an engineer's van)."})
    job_id = fields.String(validate=validate.Length(max=20))
    purpose = fields.String(validate=validate.Length(max=REFERENCE_MAX))
    emergency = fields.Boolean(
        load_default=False, metadata={"description": "May use stock under the reserve floor."}
    )
    serials = serial_list()

    @validates_schema
    def _nearest_or_named(self, data: dict[str, Any], **_: Any) -> None:
        errors: dict[str, list[str]] = {}
        if data.get("location"):
            for name in ("lat", "lon", "prefer_location"):
                if name in data:
                    errors[name] = ["Only used to find the nearest location, and one is named"]
        else:
            for name in ("lat", "lon"):
                if name not in data:
                    errors[name] = ["Required to find the nearest location, unless one is named"]
            if data.get("serials"):
                errors["serials"] = ["Name the location that holds these serials."]
        if errors:
            raise ValidationError(errors)


class ReservationQuerySchema(PageQuerySchema):
    status = fields.String(validate=one_of(enum_values(ReservationStatus)))
    sku = fields.String(validate=validate.Length(max=SKU_MAX))
    location = code_field()
    job_id = fields.String(validate=validate.Length(max=20))


class PickSchema(Schema):
    van = code_field(
        load_default=None, metadata={"description": "The van a depot reservation goes into."}
    )


class ConsumptionSchema(Schema):
    quantity = count_field(metadata={"description": "Absent: all of it (or the serials listed)."})
    serials = serial_list()
    site = fields.String(load_default="", validate=validate.Length(max=REFERENCE_MAX))


ReservationListSchema = page_of(ReservationSchema, "ReservationListSchema")
