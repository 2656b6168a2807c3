"""Marshmallow schemas for route plans and engineers' routes, and their JSON payloads.

The schemas check types and bounds; the rules (a known depot for `region`, how far ahead a
day may be planned) are the service's, so the API, the pages and the CLI refuse the same
things with the same words.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from fieldops.customers.schemas import PageQuerySchema
from fieldops.routing.models import REGION_MAX, PlanStatus, StopKind
from fieldops.routing.queries import DropView, PlanView, RouteView, StopView
from fieldops.routing.services import TIME_LIMIT_MAX_S


def _values(enum: Any) -> list[str]:
    return [member.value for member in enum]


# --- input --------------------------------------------------------------------------------


class RoutePlanCreateSchema(Schema):
    date = fields.Date(required=True, metadata={"description": "The day to plan, YYYY-MM-DD."})
    region = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(min=1, max=REGION_MAX),
        metadata={"description": "A depot's code: plan only the engineers and jobs nearest it."},
    )
    time_limit_s = fields.Integer(
        load_default=None,
        allow_none=True,
        strict=True,
        validate=validate.Range(
            min=1, max=TIME_LIMIT_MAX_S, error="Between {min} and {max} seconds."
        ),
        metadata={"description": "The search's budget; the configured default when absent."},
    )


class RoutePlanQuerySchema(PageQuerySchema):
    date = fields.Date(load_default=None, metadata={"description": "Only plans of this day."})


class RouteQuerySchema(Schema):
    date = fields.Date(required=True, metadata={"description": "The day, YYYY-MM-DD."})


# --- output --------------------------------------------------------------------------------


class StopSchema(Schema):
    seq = fields.Integer()
    kind = fields.String(metadata={"enum": _values(StopKind)})
    job_id = fields.String(
        allow_none=True, metadata={"description": "A visit's work-order number."}
    )
    for_job_id = fields.String(
        allow_none=True, metadata={"description": "A pickup: the job it collects parts for."}
    )
    depot = fields.String(allow_none=True, metadata={"description": "A pickup's depot code."})
    place_name = fields.String()
    lat = fields.Float()
    lon = fields.Float()
    priority = fields.String(allow_none=True)
    job_status = fields.String(allow_none=True)
    arrive_at = fields.AwareDateTime()
    start_at = fields.AwareDateTime()
    depart_at = fields.AwareDateTime()
    slack_min = fields.Integer(metadata={"description": "How much later it could start."})
    late_min = fields.Integer(metadata={"description": "Minutes past the job's arrive-by."})
    travel_min = fields.Integer(metadata={"description": "From the previous stop."})
    distance_km = fields.Float()


class RouteSchema(Schema):
    engineer_id = fields.Integer()
    name = fields.String()
    plan_id = fields.Integer()
    date = fields.Date(allow_none=True)
    leave_at = fields.AwareDateTime()
    back_at = fields.AwareDateTime()
    travel_min = fields.Integer()
    distance_km = fields.Float()
    start = fields.Dict(keys=fields.String(), values=fields.Float())
    end = fields.Dict(keys=fields.String(), values=fields.Float())
    stops = fields.List(fields.Nested(StopSchema))


class DropSchema(Schema):
    job_id = fields.String(metadata={"description": "The work-order number."})
    priority = fields.String()
    place_name = fields.String()
    reason = fields.String()


class RoutePlanLinksSchema(Schema):
    self = fields.String(metadata={"description": "Where to poll the plan."})


class RoutePlanSummarySchema(Schema):
    id = fields.Integer()
    date = fields.Date()
    region = fields.String(allow_none=True)
    status = fields.String(metadata={"enum": _values(PlanStatus)})
    progress_pct = fields.Integer()
    time_limit_s = fields.Integer()
    error = fields.String()
    notes = fields.String()
    created_at = fields.AwareDateTime()
    started_at = fields.AwareDateTime(allow_none=True)
    finished_at = fields.AwareDateTime(allow_none=True)
    served = fields.Integer()
    dropped_count = fields.Integer()
    travel_min = fields.Integer()
    distance_km = fields.Float()
    links = fields.Nested(RoutePlanLinksSchema)


class RoutePlanSchema(RoutePlanSummarySchema):
    routes = fields.List(
        fields.Nested(RouteSchema), metadata={"description": "Empty until the plan is done."}
    )
    dropped = fields.List(fields.Nested(DropSchema))


RoutePlanListSchema = Schema.from_dict(
    {
        "items": fields.List(fields.Nested(RoutePlanSummarySchema)),
        "total": fields.Integer(),
        "page": fields.Integer(),
        "per_page": fields.Integer(),
    },
    name="RoutePlanList",
)


def stop_payload(stop: StopView) -> dict[str, Any]:
    return {
        "seq": stop.seq,
        "kind": stop.kind,
        "job_id": stop.job_number,
        "for_job_id": stop.for_job_number,
        "depot": stop.depot_code,
        "place_name": stop.place_name,
        "lat": stop.lat,
        "lon": stop.lon,
        "priority": stop.priority,
        "job_status": stop.job_status,
        "arrive_at": stop.arrive_at,
        "start_at": stop.start_at,
        "depart_at": stop.depart_at,
        "slack_min": stop.slack_min,
        "late_min": stop.late_min,
        "travel_min": stop.travel_min,
        "distance_km": stop.distance_km,
    }


def route_payload(route: RouteView) -> dict[str, Any]:
    return {
        "engineer_id": route.engineer_id,
        "name": route.engineer_name,
        "plan_id": route.plan_id,
        "date": route.plan_on,
        "leave_at": route.leave_at,
        "back_at": route.back_at,
        "travel_min": route.travel_min,
        "distance_km": route.distance_km,
        "start": {"lat": route.start_lat, "lon": route.start_lon},
        "end": {"lat": route.end_lat, "lon": route.end_lon},
        "stops": [stop_payload(stop) for stop in route.stops],
    }


def drop_payload(drop: DropView) -> dict[str, Any]:
    return {
        "job_id": drop.job_number,
        "priority": drop.priority,
        "place_name": drop.place_name,
        "reason": drop.reason,
    }


def plan_payload(plan: PlanView) -> dict[str, Any]:
    return {
        "id": plan.id,
        "date": plan.plan_on,
        "region": plan.region,
        "status": plan.status,
        "progress_pct": plan.progress_pct,
        "time_limit_s": plan.time_limit_s,
        "error": plan.error,
        "notes": plan.notes,
        "created_at": plan.created_at,
        "started_at": plan.started_at,
        "finished_at": plan.finished_at,
        "served": plan.served,
        "dropped_count": plan.dropped_count,
        "travel_min": plan.travel_min,
        "distance_km": plan.distance_km,
        "routes": [route_payload(route) for route in plan.routes],
        "dropped": [drop_payload(drop) for drop in plan.dropped],
    }
