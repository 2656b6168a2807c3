"""Schemas for stock lines and their limits, the movements ledger, alerts and backorders."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate

from fieldops.customers.schemas import PageQuerySchema
from fieldops.inventory.models import REASON_MAX, REFERENCE_MAX, SKU_MAX
from fieldops.inventory.rules import BackorderStatus, Condition, LocationKind, MovementKind
from fieldops.inventory.schemas.common import (
    MAX_ID,
    POSTABLE_KINDS,
    RESERVATION_KINDS,
    code_field,
    count_field,
    enum_values,
    one_of,
    page_of,
    serial_list,
)
from fieldops.inventory.services import CATEGORIES


class StockRowSchema(Schema):
    sku = fields.String()
    part_name = fields.String()
    category = fields.String()
    serialised = fields.Boolean()
    location = fields.String()
    location_kind = fields.String()
    on_hand = fields.Integer()
    reserved = fields.Integer()
    available = fields.Integer()
    reserve_floor = fields.Integer()
    faulty = fields.Integer()
    reorder_point = fields.Integer(allow_none=True)
    below_floor = fields.Boolean()
    below_reorder_point = fields.Boolean()


class StockQuerySchema(PageQuerySchema):
    sku = fields.String(validate=validate.Length(max=SKU_MAX))
    location = code_field()
    kind = fields.String(validate=one_of(enum_values(LocationKind)))
    category = fields.String(validate=one_of(CATEGORIES))
    below_floor = fields.Boolean(load_default=False)
    alerting = fields.Boolean(
        load_default=False, metadata={"description": "Under the reserve floor or reorder point."}
    )


class StockLimitsSchema(Schema):
    sku = fields.String(required=True, validate=validate.Length(min=1, max=SKU_MAX))
    location = code_field(required=True)
    reserve_floor = count_field(minimum=0, required=True)
    reorder_point = count_field(
        minimum=0,
        allow_none=True,
        load_default=None,
        metadata={"description": "This line's own; null: the part type's (none for a van)."},
    )


# --- the movements ledger ------------------------------------------------------------------

# "from" is a Python keyword, so the schemas that carry it are built from dicts.
MovementSchema = Schema.from_dict(
    {
        "id": fields.Integer(),
        "kind": fields.String(),
        "sku": fields.String(),
        "quantity": fields.Integer(),
        "condition": fields.String(),
        "from": fields.String(allow_none=True),
        "to": fields.String(allow_none=True),
        "serial": fields.String(allow_none=True),
        "reservation_id": fields.Integer(allow_none=True),
        "reason": fields.String(),
        "reference": fields.String(),
        "actor": fields.String(allow_none=True, metadata={"description": "The user's e-mail."}),
        "created_at": fields.AwareDateTime(),
    },
    name="MovementSchema",
)


def _movement_fields() -> dict[str, fields.Field]:
    return {
        "sku": fields.String(required=True, validate=validate.Length(min=1, max=SKU_MAX)),
        "quantity": count_field(metadata={"description": "Optional when serials are listed."}),
        "serials": serial_list(),
        "location": code_field(),
        "from": code_field(),
        "to": code_field(),
        "reason": fields.String(validate=validate.Length(max=REASON_MAX)),
        "reference": fields.String(
            validate=validate.Length(max=REFERENCE_MAX),
            metadata={"description": "Delivery note; the RMA number for the vendor."},
        ),
        "direction": fields.String(
            validate=one_of(("in", "out")), metadata={"description": "adjust: found or missing."}
        ),
        "condition": fields.String(validate=one_of(enum_values(Condition))),
        "site": fields.String(
            validate=validate.Length(max=REFERENCE_MAX),
            metadata={"description": "remove: the site the faulty part came out of."},
        ),
    }


def _postable_kind(value: str) -> None:
    if value in RESERVATION_KINDS:
        raise ValidationError("Picks, consumption and installs are recorded through /reservations.")
    if value not in POSTABLE_KINDS:
        raise ValidationError(f"Must be one of: {', '.join(POSTABLE_KINDS)}.")


# The body of a convenience endpoint whose path implies the kind (/stock/receipts, ...).
MovementBodySchema = Schema.from_dict(_movement_fields(), name="MovementBodySchema")
MovementCreateSchema = Schema.from_dict(
    {
        "kind": fields.String(
            required=True, validate=_postable_kind, metadata={"enum": list(POSTABLE_KINDS)}
        ),
        **_movement_fields(),
    },
    name="MovementCreateSchema",
)


class MovementQuerySchema(PageQuerySchema):
    sku = fields.String(validate=validate.Length(max=SKU_MAX))
    location = code_field(metadata={"description": "Either side of the movement."})
    kind = fields.String(validate=one_of(enum_values(MovementKind)))
    serial = fields.String(validate=validate.Length(max=80))
    reservation_id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))


# --- alerts and backorders -----------------------------------------------------------------


class AlertSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    sku = fields.String()
    part_name = fields.String()
    location = fields.String()
    detail = fields.String()
    open = fields.Boolean()
    raised_at = fields.AwareDateTime()
    cleared_at = fields.AwareDateTime(allow_none=True)
    available_now = fields.Integer(metadata={"description": "The line's available stock now."})


class AlertQuerySchema(PageQuerySchema):
    all = fields.Boolean(load_default=False, metadata={"description": "Cleared ones too."})
    location = code_field()


class BackorderSchema(Schema):
    id = fields.Integer()
    sku = fields.String()
    part_name = fields.String()
    quantity = fields.Integer()
    status = fields.String()
    job_id = fields.String(allow_none=True)
    purpose = fields.String(allow_none=True)
    lat = fields.Float(allow_none=True)
    lon = fields.Float(allow_none=True)
    created_at = fields.AwareDateTime()
    closed_at = fields.AwareDateTime(allow_none=True)


class BackorderQuerySchema(PageQuerySchema):
    status = fields.String(
        load_default=BackorderStatus.OPEN.value,
        validate=one_of([*enum_values(BackorderStatus), "all"]),
    )


class BackorderClosureSchema(Schema):
    status = fields.String(
        required=True,
        validate=one_of([BackorderStatus.FULFILLED.value, BackorderStatus.CANCELLED.value]),
    )


StockListSchema = page_of(StockRowSchema, "StockListSchema")
MovementListSchema = page_of(MovementSchema, "MovementListSchema")
AlertListSchema = page_of(AlertSchema, "AlertListSchema")
BackorderListSchema = page_of(BackorderSchema, "BackorderListSchema")
MovementsWrittenSchema = Schema.from_dict(
    {"items": fields.List(fields.Nested(MovementSchema))}, name="MovementsWrittenSchema"
)
