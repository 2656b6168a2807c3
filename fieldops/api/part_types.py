"""/part-types: the parts catalogue and each serialised part's units (stock staff read it,
stock keepers add to it)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from fieldops.api.permissions import STOCK_KEEPER_ROLES, guard_stock_blueprint
from fieldops.clock import utcnow
from fieldops.db import transaction
from fieldops.inventory import queries, services
from fieldops.inventory.schemas import (
    PartTypeCreateSchema,
    PartTypeListSchema,
    PartTypeQuerySchema,
    PartTypeSchema,
    UnitListSchema,
    UnitQuerySchema,
    part_type_payload,
    unit_payload,
)

blp = Blueprint("part_types", __name__, description="The parts catalogue")
guard_stock_blueprint(blp, STOCK_KEEPER_ROLES, "change the parts catalogue")


@blp.route("")
class PartTypeCollection(MethodView):
    @blp.arguments(PartTypeQuerySchema, location="query")
    @blp.response(200, PartTypeListSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """The catalogue in SKU order; filter by category, search SKU prefix or name."""
        rows, total = queries.list_part_types(
            page=args["page"],
            per_page=args["per_page"],
            category=args.get("category"),
            q=args.get("q"),
        )
        return {
            "items": [part_type_payload(p) for p in rows],
            "total": total,
            "page": args["page"],
            "per_page": args["per_page"],
        }

    @blp.arguments(PartTypeCreateSchema)
    @blp.response(201, PartTypeSchema)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Add a part type (stock keepers). A SKU in use is 409."""
        with transaction():
            part = services.create_part_type(
                sku=body["sku"],
                name=body["name"],
                category=body["category"],
                serialised=body["serialised"],
                manufacturer=body["manufacturer"],
                unit=body["unit"],
                reorder_point=body["reorder_point"],
                now=utcnow(),
            )
            return part_type_payload(part)


# `path`: a SKU may hold a slash (PSU/750W).
@blp.route("/<path:sku>")
class PartTypeItem(MethodView):
    @blp.response(200, PartTypeSchema)
    def get(self, sku: str) -> dict[str, Any]:
        return part_type_payload(queries.get_part_type(sku))


@blp.route("/<path:sku>/units")
class PartTypeUnits(MethodView):
    @blp.arguments(UnitQuerySchema, location="query")
    @blp.response(200, UnitListSchema)
    def get(self, args: dict[str, Any], sku: str) -> dict[str, Any]:
        """A serialised part's units in serial order: status, location or whereabouts."""
        part = queries.get_part_type(sku)
        rows, total = queries.list_units(
            part, page=args["page"], per_page=args["per_page"], status=args.get("status")
        )
        return {
            "items": [unit_payload(unit, code) for unit, code in rows],
            "total": total,
            "page": args["page"],
            "per_page": args["per_page"],
        }
