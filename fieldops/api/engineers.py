"""/engineers: profiles, absences and positions (staff read; dispatchers and managers write)."""

from __future__ import annotations

from typing import Any

from flask import Response, request
from flask.views import MethodView
from flask_smorest import Blueprint

from fieldops.accounts.models import Role
from fieldops.api import current_api_user
from fieldops.api.pdfs import pdf_response
from fieldops.api.permissions import ENGINEER_ADMIN_ROLES, POSITION_ROLES, READ_METHODS
from fieldops.clock import utcnow
from fieldops.db import transaction
from fieldops.documents import services as documents
from fieldops.documents.models import DocumentKind
from fieldops.documents.schemas import DaySheetQuerySchema
from fieldops.documents.services.rendering import check_paper, day_sheet_subject
from fieldops.engineers import queries, services
from fieldops.engineers.schemas import (
    AbsenceCreateSchema,
    AbsenceListSchema,
    AbsenceQuerySchema,
    AbsenceSchema,
    EngineerCreateSchema,
    EngineerListSchema,
    EngineerQuerySchema,
    EngineerSchema,
    EngineerUpdateSchema,
    PositionCreateSchema,
    absence_payload,
    engineer_payload,
)
from fieldops.errors import ForbiddenError, NotFoundError
from fieldops.inventory.services import enrol_engineer
from fieldops.routing.queries import find_engineer_route
from fieldops.routing.schemas import RouteQuerySchema, RouteSchema, route_payload

MAX_ID = 2**31 - 1  # larger ids overflow PostgreSQL's integer: nothing has them

blp = Blueprint("engineers", __name__, description="Field engineers, their absences and positions")


@blp.before_request
def _guard() -> None:
    """Checked before any input is parsed: customers get 404 on every path (they never learn
    engineers are listed here), staff read, writes need ENGINEER_ADMIN_ROLES (403 otherwise)
    except a position, which the engineer's own login or a dispatcher reports."""
    user = current_api_user()
    if user.is_customer:
        raise NotFoundError("No such resource.")
    if request.method in READ_METHODS:
        return
    if request.endpoint == f"{blp.name}.EngineerPosition":
        if user.role in POSITION_ROLES:
            return
        own = queries.find_engineer_for_user(user.id)
        if own is None or own.id != (request.view_args or {}).get("engineer_id"):
            raise ForbiddenError("Only the engineer or a dispatcher may report a position.")
        return
    if user.role not in ENGINEER_ADMIN_ROLES:
        raise ForbiddenError("Your role may not change engineers.")


def _page(items: list[dict[str, Any]], total: int, args: dict[str, Any]) -> dict[str, Any]:
    return {"items": items, "total": total, "page": args["page"], "per_page": args["per_page"]}


@blp.route("")
class EngineerCollection(MethodView):
    @blp.arguments(EngineerQuerySchema, location="query")
    @blp.response(200, EngineerListSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Engineers in name order; filter by one skill tag and by active."""
        rows, total = queries.list_engineers(
            skill=args.get("skill"),
            active=args.get("active"),
            page=args["page"],
            per_page=args["per_page"],
        )
        return _page([engineer_payload(row) for row in rows], total, args)

    @blp.arguments(EngineerCreateSchema)
    @blp.response(201, EngineerSchema)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Enrol an engineer with their van (code `van`, else VAN-<id>) at the home base."""
        with transaction():
            engineer, _van = enrol_engineer(
                name=body["name"],
                home_lat=body["home_lat"],
                home_lon=body["home_lon"],
                skills=body["skills"],
                timezone=body["timezone"],
                shifts=body["shifts"],
                daily_capacity=body["daily_capacity"],
                user_id=body["user_id"],
                van_code=body["van"],
                city=body["city"],
                now=utcnow(),
            )
            return engineer_payload(queries.get_engineer_row(engineer.id))


@blp.route("/<int:engineer_id>")
class EngineerItem(MethodView):
    @blp.response(200, EngineerSchema)
    def get(self, engineer_id: int) -> dict[str, Any]:
        return engineer_payload(queries.get_engineer_row(engineer_id))

    @blp.arguments(EngineerUpdateSchema)
    @blp.response(200, EngineerSchema)
    def patch(self, body: dict[str, Any], engineer_id: int) -> dict[str, Any]:
        """Change skills, shifts, timezone, daily_capacity or active."""
        with transaction():
            services.update_engineer(
                engineer_id,
                skills=body.get("skills"),
                shifts=body.get("shifts"),
                timezone=body.get("timezone"),
                daily_capacity=body.get("daily_capacity"),
                is_active=body.get("active"),
            )
            return engineer_payload(queries.get_engineer_row(engineer_id))


@blp.route("/<int:engineer_id>/absences")
class EngineerAbsences(MethodView):
    @blp.arguments(AbsenceQuerySchema, location="query")
    @blp.response(200, AbsenceListSchema)
    def get(self, args: dict[str, Any], engineer_id: int) -> dict[str, Any]:
        """Absences overlapping [from, until), in start order."""
        queries.get_engineer(engineer_id)
        rows, total = queries.list_absences(
            engineer_id,
            since=args.get("since"),
            until=args.get("until"),
            page=args["page"],
            per_page=args["per_page"],
        )
        return _page([absence_payload(a) for a in rows], total, args)

    @blp.arguments(AbsenceCreateSchema)
    @blp.response(201, AbsenceSchema)
    def post(self, body: dict[str, Any], engineer_id: int) -> dict[str, Any]:
        """Record an absence; one overlapping another is 409."""
        with transaction():
            absence = services.add_absence(
                engineer_id,
                starts_at=body["starts_at"],
                ends_at=body["ends_at"],
                reason=body["reason"],
            )
            return absence_payload(absence)


@blp.route("/<int:engineer_id>/absences/<int:absence_id>")
class EngineerAbsence(MethodView):
    @blp.response(204)
    def delete(self, engineer_id: int, absence_id: int) -> None:
        with transaction():
            services.remove_absence(engineer_id, absence_id)


@blp.route("/<int:engineer_id>/position")
class EngineerPosition(MethodView):
    @blp.arguments(PositionCreateSchema)
    @blp.response(200, EngineerSchema)
    def post(self, body: dict[str, Any], engineer_id: int) -> dict[str, Any]:
        """The engineer's phone (or a dispatcher) reports where they are now."""
        with transaction():
            services.report_position(engineer_id, lat=body["lat"], lon=body["lon"], now=utcnow())
            return engineer_payload(queries.get_engineer_row(engineer_id))


@blp.route("/<int:engineer_id>/route")
class EngineerRouteItem(MethodView):
    @blp.arguments(RouteQuerySchema, location="query")
    @blp.response(200, RouteSchema)
    @blp.alt_response(404, schema="Error", description="No plan routes them that day.")
    def get(self, args: dict[str, Any], engineer_id: int) -> dict[str, Any]:
        """The engineer's route on `date` from that day's current plan: when they leave, each
        stop (visit or depot pickup) with its times, when they are back. 404 when no plan
        routes them that day; an engineer may read only their own route (another's is 404)."""
        user = current_api_user()
        if engineer_id > MAX_ID:
            raise NotFoundError("No such route.")
        if user.role == Role.ENGINEER:
            own = queries.find_engineer_for_user(user.id)
            if own is None or own.id != engineer_id:
                raise NotFoundError("No such route.")
        route = find_engineer_route(engineer_id, args["date"])
        if route is None:
            raise NotFoundError(f"No planned route for engineer {engineer_id} on {args['date']}.")
        return route_payload(route)


@blp.route("/<int:engineer_id>/work-orders.pdf")
class EngineerDaySheet(MethodView):
    @blp.arguments(DaySheetQuerySchema, location="query")
    @blp.response(200, content_type="application/pdf")
    @blp.alt_response(202, schema="Error", description="Being rendered: retry after a moment.")
    def get(self, args: dict[str, Any], engineer_id: int) -> Response:
        """Every open work order of the engineer's local `date` as one PDF, in the order of
        the day's route plan, after a page listing the day. An engineer may print only
        their own day (another's is 404)."""
        user = current_api_user()
        if engineer_id > MAX_ID:
            raise NotFoundError("No such engineer.")
        if user.role == Role.ENGINEER:
            own = queries.find_engineer_for_user(user.id)
            if own is None or own.id != engineer_id:
                raise NotFoundError("No such engineer.")
        queries.get_engineer(engineer_id)
        paper = check_paper(args.get("paper"))
        subject = day_sheet_subject(engineer_id, args["date"])
        result = documents.document_for(DocumentKind.DAY_SHEET, subject, paper, utcnow())
        return pdf_response(result, f"work-orders-{engineer_id}-{args['date']}.pdf")
