"""/locations: depots and engineers' vans (stock staff read them, stock keepers add them)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from fieldops.api.permissions import STOCK_KEEPER_ROLES, guard_stock_blueprint
from fieldops.clock import utcnow
from fieldops.db import transaction
from fieldops.inventory import queries, services
from fieldops.inventory.schemas import (
    LocationCreateSchema,
    LocationListSchema,
    LocationQuerySchema,
    LocationSchema,
    location_payload,
)

blp = Blueprint("locations", __name__, description="Stock locations: depots and vans")
guard_stock_blueprint(blp, STOCK_KEEPER_ROLES, "add stock locations")


@blp.route("")
class LocationCollection(MethodView):
    @blp.arguments(LocationQuerySchema, location="query")
    @blp.response(200, LocationListSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Active locations, depots first, in code order; filter by kind."""
        rows, total = queries.list_locations(
            page=args["page"], per_page=args["per_page"], kind=args.get("kind")
        )
        return {
            "items": [location_payload(location) for location in rows],
            "total": total,
            "page": args["page"],
            "per_page": args["per_page"],
        }

    @blp.arguments(LocationCreateSchema)
    @blp.response(201, LocationSchema)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Add a depot, or an engineer's van (one per engineer). A code in use is 409."""
        with transaction():
            location = services.create_location(
                code=body["code"],
                kind=body["kind"],
                name=body["name"],
                lat=body["lat"],
                lon=body["lon"],
                address=body["address"],
                city=body["city"],
                engineer_id=body["engineer_id"],
                now=utcnow(),
            )
            return location_payload(location)


@blp.route("/<code>")
class LocationItem(MethodView):
    @blp.response(200, LocationSchema)
    def get(self, code: str) -> dict[str, Any]:
        """One location with its stock totals."""
        location = queries.get_location(code)
        summary = queries.location_summary(location.id)
        return {**location_payload(location), "summary": summary._asdict()}
