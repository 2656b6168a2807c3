"""/escalation-matrices: the management levels tickets climb as they age (staff read them,
support managers and admins define them)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from fieldops.accounts.models import STAFF_ROLES
from fieldops.api import current_api_user
from fieldops.api.permissions import PLAN_ADMIN_ROLES, require_role
from fieldops.clock import utcnow
from fieldops.db import transaction
from fieldops.errors import NotFoundError
from fieldops.tickets import queries
from fieldops.tickets.services import define_matrix

blp = Blueprint("escalation_matrices", __name__, description="Escalation matrices")


class LevelSchema(Schema):
    level = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    contacts = fields.List(fields.Email(), load_default=list)
    thresholds_min = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        required=True,
        metadata={"description": "Minutes since the ticket was opened, per priority P1..P4."},
    )


class MatrixSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=40))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    customer = fields.String(
        allow_none=True,
        load_default=None,
        metadata={"description": "A customer's code; null for the default matrix."},
    )
    levels = fields.List(
        fields.Nested(LevelSchema), required=True, validate=validate.Length(min=1, max=10)
    )


class MatrixListSchema(Schema):
    items = fields.List(fields.Nested(MatrixSchema))
    total = fields.Integer()


def _staff() -> Any:
    user = current_api_user()
    if user.role not in STAFF_ROLES:
        raise NotFoundError("No such resource.")
    return user


@blp.route("")
class MatrixCollection(MethodView):
    @blp.response(200, MatrixListSchema)
    def get(self) -> dict[str, Any]:
        """Every escalation matrix with its levels (staff)."""
        _staff()
        items = queries.escalation_matrices()
        return {"items": items, "total": len(items)}

    @blp.arguments(MatrixSchema)
    @blp.response(201, MatrixSchema)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Define a matrix, or replace the levels of the one with this code (support managers
        and admins). 422 for bad levels, 409 when the customer or the default already has
        another matrix."""
        require_role(_staff(), PLAN_ADMIN_ROLES, "define escalation matrices")
        with transaction():
            matrix = define_matrix(
                code=body["code"],
                name=body["name"],
                customer_code=body["customer"],
                levels=body["levels"],
                now=utcnow(),
            )
            return queries.escalation_matrix_payload(matrix)
