"""Schemas for the parts catalogue, serialised units and stock locations."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from fieldops.customers.schemas import PageQuerySchema
from fieldops.inventory.models import SKU_MAX
from fieldops.inventory.rules import LocationKind, UnitStatus
from fieldops.inventory.schemas.common import (
    MAX_ID,
    code_field,
    count_field,
    enum_values,
    one_of,
    page_of,
)
from fieldops.inventory.services import CATEGORIES, UNITS


class PartTypeSchema(Schema):
    sku = fields.String()
    name = fields.String()
    category = fields.String()
    serialised = fields.Boolean()
    manufacturer = fields.String()
    unit = fields.String()
    reorder_point = fields.Integer(metadata={"description": "Default for every depot's line."})
    created_at = fields.AwareDateTime()


class PartTypeCreateSchema(Schema):
    sku = fields.String(required=True, validate=validate.Length(min=1, max=SKU_MAX))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    category = fields.String(required=True, validate=one_of(CATEGORIES))
    serialised = fields.Boolean(required=True)
    manufacturer = fields.String(load_default="", validate=validate.Length(max=120))
    unit = fields.String(load_default="each", validate=one_of(UNITS))
    reorder_point = count_field(minimum=0, load_default=0)


class PartTypeQuerySchema(PageQuerySchema):
    category = fields.String(validate=one_of(CATEGORIES))
    q = fields.String(
        validate=validate.Length(max=200),
        metadata={"description": "The start of the SKU or any part of the name."},
    )


class UnitSchema(Schema):
    serial = fields.String()
    status = fields.String()
    location = fields.String(allow_none=True, metadata={"description": "None when not ours."})
    whereabouts = fields.String(metadata={"description": "The site or RMA when not ours."})
    reservation_id = fields.Integer(allow_none=True)
    updated_at = fields.AwareDateTime()


class UnitQuerySchema(PageQuerySchema):
    status = fields.String(validate=one_of(enum_values(UnitStatus)))


class LocationSchema(Schema):
    code = fields.String()
    kind = fields.String()
    name = fields.String()
    lat = fields.Float()
    lon = fields.Float()
    address = fields.String()
    city = fields.String()
    engineer_id = fields.Integer(allow_none=True)
    active = fields.Boolean()
    created_at = fields.AwareDateTime()
    summary = fields.Dict(metadata={"description": "Stock totals (one location's page only)."})


class LocationCreateSchema(Schema):
    code = code_field(required=True)
    kind = fields.String(required=True, validate=one_of(enum_values(LocationKind)))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    lat = fields.Float(required=True, validate=validate.Range(min=-90, max=90))
    lon = fields.Float(required=True, validate=validate.Range(min=-180, max=180))
    address = fields.String(load_default="", validate=validate.Length(max=500))
    city = fields.String(load_default="", validate=validate.Length(max=120))
    engineer_id = fields.Integer(
        strict=True,
        allow_none=True,
        load_default=None,
        validate=validate.Range(min=1, max=MAX_ID),
        metadata={"description": "The engineer whose van this is (vans only)."},
    )


class LocationQuerySchema(PageQuerySchema):
    kind = fields.String(validate=one_of(enum_values(LocationKind)))


PartTypeListSchema = page_of(PartTypeSchema, "PartTypeListSchema")
UnitListSchema = page_of(UnitSchema, "UnitListSchema")
LocationListSchema = page_of(LocationSchema, "LocationListSchema")
