"""/stock: stock lines, their limits, the movements ledger, alerts and backorders.

Every movement (POST /stock/movements and the receipts, transfers, adjustments and returns
that imply their kind) goes through `_record`: one table says which service each kind calls
and which fields it takes, so a field a kind does not use is refused rather than ignored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from fieldops.api import current_api_user
from fieldops.api.permissions import STOCK_KEEPER_ROLES, guard_stock_blueprint
from fieldops.clock import utcnow
from fieldops.db import transaction
from fieldops.errors import RuleViolationError
from fieldops.inventory import queries, services
from fieldops.inventory.rules import MovementKind
from fieldops.inventory.schemas import (
    MAX_ID,
    AlertListSchema,
    AlertQuerySchema,
    AlertSchema,
    BackorderClosureSchema,
    BackorderListSchema,
    BackorderQuerySchema,
    BackorderSchema,
    MovementBodySchema,
    MovementCreateSchema,
    MovementListSchema,
    MovementQuerySchema,
    MovementsWrittenSchema,
    StockLimitsSchema,
    StockListSchema,
    StockQuerySchema,
    StockRowSchema,
    alert_payload,
    backorder_payload,
    movement_payload,
    movement_rows,
    stock_row_payload,
)

blp = Blueprint(
    "stock_levels", __name__, description="Stock levels, the movements ledger and alerts"
)
guard_stock_blueprint(blp, STOCK_KEEPER_ROLES, "change stock")

ID = f"int(max={MAX_ID})"


@dataclass(frozen=True)
class MovementForm:
    """What one kind of movement calls, and its fields beyond sku, quantity and serials:
    required ones and optional ones, each mapped to the service's keyword."""

    call: Callable[..., Any]
    required: dict[str, str]
    optional: dict[str, str]


MOVEMENT_FORMS: dict[str, MovementForm] = {
    MovementKind.RECEIPT: MovementForm(
        services.receive, {"location": "location_code"}, {"reference": "reference"}
    ),
    MovementKind.TRANSFER: MovementForm(
        services.transfer, {"from": "from_code", "to": "to_code"}, {"reason": "reason"}
    ),
    MovementKind.ADJUST: MovementForm(
        services.adjust,
        {"location": "location_code", "direction": "direction", "reason": "reason"},
        {"condition": "condition"},
    ),
    MovementKind.RETURN: MovementForm(
        services.return_faulty, {"from": "from_code", "to": "to_code"}, {"reason": "reason"}
    ),
    MovementKind.REMOVE: MovementForm(
        services.remove_faulty, {"location": "location_code", "site": "site"}, {"reason": "reason"}
    ),
    MovementKind.SEND_TO_VENDOR: MovementForm(
        services.send_to_vendor, {"location": "location_code", "reference": "rma"}, {}
    ),
    MovementKind.RECEIVE_FROM_VENDOR: MovementForm(
        services.receive_from_vendor, {"location": "location_code", "reference": "rma"}, {}
    ),
    MovementKind.SCRAP: MovementForm(
        services.scrap,
        {"location": "location_code", "reason": "reason"},
        {"condition": "condition"},
    ),
}
COMMON_FIELDS = frozenset({"sku", "quantity", "serials"})


def _record(kind: str, body: dict[str, Any]) -> dict[str, Any]:
    """Check the body against its kind's form, then record it in one unit of work."""
    form = MOVEMENT_FORMS[kind]
    label = kind.replace("_", " ")
    errors: dict[str, list[str]] = {
        name: [f"Required for a {label}."] for name in form.required if name not in body
    }
    used = COMMON_FIELDS | form.required.keys() | form.optional.keys()
    errors.update({name: [f"Not used by a {label}."] for name in body if name not in used})
    if errors:
        problems = "; ".join(f"{name}: {' '.join(texts)}" for name, texts in errors.items())
        raise RuleViolationError(f"The {label} could not be recorded: {problems}", errors)
    keywords = {
        keyword: body[name]
        for name, keyword in (form.required | form.optional).items()
        if name in body
    }
    with transaction():
        rows = form.call(
            actor=current_api_user(),
            sku=body["sku"],
            quantity=body.get("quantity"),
            serials=body.get("serials"),
            now=utcnow(),
            **keywords,
        )
        return {"items": [movement_payload(row) for row in movement_rows(rows)]}


def _page(items: list[dict[str, Any]], total: int, args: dict[str, Any]) -> dict[str, Any]:
    return {"items": items, "total": total, "page": args["page"], "per_page": args["per_page"]}


@blp.route("")
class StockCollection(MethodView):
    @blp.arguments(StockQuerySchema, location="query")
    @blp.response(200, StockListSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Stock lines in SKU then location order: on hand, reserved, available, limits."""
        rows, total = queries.list_stock(
            page=args["page"],
            per_page=args["per_page"],
            sku=args.get("sku"),
            location=args.get("location"),
            kind=args.get("kind"),
            category=args.get("category"),
            below_floor=args["below_floor"],
            alerting=args["alerting"],
        )
        return _page([stock_row_payload(r) for r in rows], total, args)


@blp.route("/limits")
class StockLimits(MethodView):
    @blp.arguments(StockLimitsSchema)
    @blp.response(200, StockRowSchema)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Set a line's reserve floor and (optionally) its own reorder point; alerts follow."""
        with transaction():
            services.set_line_limits(
                sku=body["sku"],
                location_code=body["location"],
                reserve_floor=body["reserve_floor"],
                reorder_point=body["reorder_point"],
                now=utcnow(),
            )
        rows, _ = queries.list_stock(sku=body["sku"], location=body["location"], per_page=1)
        return stock_row_payload(rows[0])


@blp.route("/movements")
class Movements(MethodView):
    @blp.arguments(MovementQuerySchema, location="query")
    @blp.response(200, MovementListSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """The ledger, newest first; `location` matches either side."""
        rows, total = queries.list_movements(
            page=args["page"],
            per_page=args["per_page"],
            sku=args.get("sku"),
            location=args.get("location"),
            kind=args.get("kind"),
            serial=args.get("serial"),
            reservation_id=args.get("reservation_id"),
        )
        return _page([movement_payload(r) for r in rows], total, args)

    @blp.arguments(MovementCreateSchema)
    @blp.response(201, MovementsWrittenSchema)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Record a movement of any kind but pick, consume and install (reservations do
        those). Returns the ledger rows written: one per unit for a serialised part."""
        kind = body.pop("kind")
        return _record(kind, body)


@blp.route("/receipts")
class Receipts(MethodView):
    @blp.arguments(MovementBodySchema)
    @blp.response(201, MovementsWrittenSchema)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Goods in from a supplier to a depot: a receipt movement."""
        return _record(MovementKind.RECEIPT, body)


@blp.route("/transfers")
class Transfers(MethodView):
    @blp.arguments(MovementBodySchema)
    @blp.response(201, MovementsWrittenSchema)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Unreserved good stock from one location to another: a transfer movement."""
        return _record(MovementKind.TRANSFER, body)


@blp.route("/adjustments")
class Adjustments(MethodView):
    @blp.arguments(MovementBodySchema)
    @blp.response(201, MovementsWrittenSchema)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """A correction after a count, in (found) or out (missing), with a reason."""
        return _record(MovementKind.ADJUST, body)


@blp.route("/returns")
class Returns(MethodView):
    @blp.arguments(MovementBodySchema)
    @blp.response(201, MovementsWrittenSchema)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Faulty units back from a van (or depot) to a depot: a return movement."""
        return _record(MovementKind.RETURN, body)


@blp.route("/alerts")
class Alerts(MethodView):
    @blp.arguments(AlertQuerySchema, location="query")
    @blp.response(200, AlertListSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Stock alerts newest first: open ones unless `all`; filter by location."""
        rows, total = queries.list_alerts(
            open_only=not args["all"],
            location=args.get("location"),
            page=args["page"],
            per_page=args["per_page"],
        )
        return _page([alert_payload(a) for a in rows], total, args)


@blp.route(f"/alerts/<{ID}:alert_id>/acknowledgement")
class AlertAcknowledgement(MethodView):
    @blp.response(200, AlertSchema)
    def post(self, alert_id: int) -> dict[str, Any]:
        """Acknowledge an emergency use of reserve stock. Level alerts clear themselves when
        stock recovers: acknowledging one is 409."""
        with transaction():
            alert = services.acknowledge_alert(
                actor=current_api_user(), alert_id=alert_id, now=utcnow()
            )
            return alert_payload(queries.get_alert(alert.id))


@blp.route("/backorders")
class Backorders(MethodView):
    @blp.arguments(BackorderQuerySchema, location="query")
    @blp.response(200, BackorderListSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Stock no location could give, newest first: open ones unless `status` says."""
        status = None if args["status"] == "all" else args["status"]
        rows, total = queries.list_backorders(
            status=status, page=args["page"], per_page=args["per_page"]
        )
        return _page([backorder_payload(b) for b in rows], total, args)


@blp.route(f"/backorders/<{ID}:backorder_id>/closure")
class BackorderClosure(MethodView):
    @blp.arguments(BackorderClosureSchema)
    @blp.response(200, BackorderSchema)
    def post(self, body: dict[str, Any], backorder_id: int) -> dict[str, Any]:
        """Close an open backorder as fulfilled or cancelled; a closed one is 409."""
        with transaction():
            backorder = services.close_backorder(
                actor=current_api_user(),
                backorder_id=backorder_id,
                status=body["status"],
                now=utcnow(),
            )
            return backorder_payload(queries.get_backorder(backorder.id))
