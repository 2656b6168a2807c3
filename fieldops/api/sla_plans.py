"""/sla-plans: SLA plans with their calendars and targets (staff only)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from fieldops.accounts.models import STAFF_ROLES
from fieldops.api import current_api_user
from fieldops.api.permissions import PLAN_ADMIN_ROLES, require_role
from fieldops.clock import utcnow
from fieldops.customers import queries, services
from fieldops.customers.schemas import (
    PageQuerySchema,
    SlaPlanCreateSchema,
    SlaPlanSchema,
    sla_plan_payload,
)
from fieldops.db import transaction
from fieldops.errors import NotFoundError

blp = Blueprint("sla_plans", __name__, description="SLA plans")


class SlaPlanListSchema(Schema):
    items = fields.List(fields.Nested(SlaPlanSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


@blp.route("")
class SlaPlanCollection(MethodView):
    @blp.arguments(PageQuerySchema, location="query")
    @blp.response(200, SlaPlanListSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """SLA plans by code, paginated (staff)."""
        if current_api_user().role not in STAFF_ROLES:
            raise NotFoundError("No such resource.")
        plans, total = queries.page_sla_plans(page=args["page"], per_page=args["per_page"])
        return {
            "items": [sla_plan_payload(p) for p in plans],
            "total": total,
            "page": args["page"],
            "per_page": args["per_page"],
        }

    @blp.arguments(SlaPlanCreateSchema)
    @blp.response(201, SlaPlanSchema)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Create an SLA plan (support managers and admins)."""
        user = current_api_user()
        if user.role not in STAFF_ROLES:
            raise NotFoundError("No such resource.")
        require_role(user, PLAN_ADMIN_ROLES, "create SLA plans")
        with transaction():
            plan = services.create_sla_plan(
                code=body["code"],
                name=body["name"],
                calendar=body["calendar"],
                targets=body["targets"],
                priority_matrix=body.get("priority_matrix"),
                now=utcnow(),
            )
            return sla_plan_payload(plan)
