"""Field builders and limits the inventory schemas share."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from marshmallow import Schema, fields, validate

from fieldops.inventory.rules import MovementKind

# Ids and quantities beyond these would overflow a 32-bit column on PostgreSQL (a 500).
MAX_ID = 2**31 - 1
MAX_QUANTITY = 1_000_000
MAX_SERIALS = 1000
CODE_MAX = 40
# Recorded through /reservations (pick, consumption), never posted as a bare movement.
RESERVATION_KINDS = frozenset({MovementKind.PICK, MovementKind.CONSUME, MovementKind.INSTALL})
POSTABLE_KINDS = tuple(k.value for k in MovementKind if k not in RESERVATION_KINDS)


def one_of(choices: Sequence[str]) -> validate.OneOf:
    return validate.OneOf(list(choices), error="Must be one of: {choices}.")


def enum_values(enum: Any) -> list[str]:
    return [member.value for member in enum]


def count_field(*, minimum: int = 1, strict: bool = True, **kwargs: Any) -> fields.Integer:
    return fields.Integer(
        strict=strict,
        validate=validate.Range(
            min=minimum, max=MAX_QUANTITY, error="Must be a whole number from {min} to {max}."
        ),
        error_messages={"invalid": "Must be a whole number."},
        **kwargs,
    )


def code_field(**kwargs: Any) -> fields.String:
    return fields.String(validate=validate.Length(min=1, max=CODE_MAX), **kwargs)


def serial_list() -> fields.List:
    return fields.List(
        fields.String(),
        validate=validate.Length(max=MAX_SERIALS),
        metadata={"description": "Serial numbers, for a serialised part."},
    )


def page_of(item: type[Schema], name: str) -> type[Schema]:
    return Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item)),
            "total": fields.Integer(),
            "page": fields.Integer(),
            "per_page": fields.Integer(),
        },
        name=name,
    )
