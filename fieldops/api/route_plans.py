"""/route-plans: ask for a day's routes to be planned (202: the planner runs in the
background), list the plans, and poll one for its progress and, once done, its routes with
timed stops and the jobs it could not fit.

Only dispatchers, managers and admins plan or read plans; anyone else gets 403 before any
input is parsed (the resource's existence is public in the OpenAPI document; no plan's is
revealed, as the refusal comes before any lookup). An engineer reads their own route at
/engineers/{id}/route.
"""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from fieldops.api import current_api_user
from fieldops.api.permissions import DISPATCH_ROLES
from fieldops.clock import utcnow
from fieldops.db import transaction
from fieldops.errors import ForbiddenError
from fieldops.routing import queries, services
from fieldops.routing.queries import PlanView
from fieldops.routing.schemas import (
    RoutePlanCreateSchema,
    RoutePlanListSchema,
    RoutePlanQuerySchema,
    RoutePlanSchema,
    plan_payload,
)

blp = Blueprint("route_plans", __name__, description="Planned routes of a day, with ETAs")


@blp.before_request
def _guard() -> None:
    if current_api_user().role not in DISPATCH_ROLES:
        raise ForbiddenError("Your role may not plan or read route plans.")


def _payload(plan: PlanView, *, details: bool = True) -> dict[str, Any]:
    payload = plan_payload(plan)
    payload["links"] = {"self": url_for("route_plans.RoutePlanItem", plan_id=plan.id)}
    if not details:
        del payload["routes"], payload["dropped"]
    return payload


@blp.route("")
class RoutePlanCollection(MethodView):
    @blp.arguments(RoutePlanQuerySchema, location="query")
    @blp.response(200, RoutePlanListSchema)
    @blp.alt_response(403, schema="Error", description="Not a dispatcher, manager or admin.")
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Plans newest first, of one day with `date`; without their routes."""
        plans, total = queries.list_plans(
            args.get("date"), page=args["page"], per_page=args["per_page"]
        )
        return {
            "items": [_payload(plan, details=False) for plan in plans],
            "total": total,
            "page": args["page"],
            "per_page": args["per_page"],
        }

    @blp.arguments(RoutePlanCreateSchema)
    @blp.response(202, RoutePlanSchema)
    @blp.alt_response(403, schema="Error", description="Not a dispatcher, manager or admin.")
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Queue the planning of a day (all engineers, or a depot's region); poll the plan's
        link for its progress. A day more than one day past or over a year ahead, an unknown
        region or a time limit outside 1-300 s is 422 naming the field. When it is done, the
        day's previous plan is superseded."""
        with transaction():
            plan = services.request_route_plan(
                body["date"],
                body.get("region"),
                current_api_user(),
                utcnow(),
                time_limit_s=body.get("time_limit_s"),
            )
            return _payload(queries.get_plan(plan.id))


@blp.route("/<int(max=2147483647):plan_id>")
class RoutePlanItem(MethodView):
    @blp.response(200, RoutePlanSchema)
    @blp.alt_response(403, schema="Error", description="Not a dispatcher, manager or admin.")
    @blp.alt_response(404, schema="Error", description="No such plan.")
    def get(self, plan_id: int) -> dict[str, Any]:
        """A plan's status and progress; once done, each engineer's route with timed stops
        (visits and depot pickups) and the jobs left out with why."""
        return _payload(queries.get_plan(plan_id))
