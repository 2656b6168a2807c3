"""/reservations: stock held for a job or a purpose, at a named location or the nearest one
that has it; picking, consuming and releasing it."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from fieldops.api import current_api_user
from fieldops.api.permissions import RESERVING_ROLES, guard_stock_blueprint
from fieldops.clock import utcnow
from fieldops.db import transaction
from fieldops.errors import BackorderedError
from fieldops.geo import Point
from fieldops.inventory import queries, services
from fieldops.inventory.schemas import (
    MAX_ID,
    ConsumptionSchema,
    PickSchema,
    ReservationCreateSchema,
    ReservationListSchema,
    ReservationQuerySchema,
    ReservationSchema,
    reservation_payload,
)

blp = Blueprint("reservations", __name__, description="Stock reservations")
guard_stock_blueprint(blp, RESERVING_ROLES, "reserve stock")

ID = f"int(max={MAX_ID})"


def _reserve_at(body: dict[str, Any]) -> dict[str, Any]:
    """At the named location only: too little there is 409 and records nothing."""
    with transaction():
        reservation = services.reserve(
            actor=current_api_user(),
            sku=body["sku"],
            quantity=body.get("quantity"),
            location_code=body["location"],
            job_ref=body.get("job_id"),
            purpose=body.get("purpose"),
            emergency=body["emergency"],
            serials=body.get("serials"),
            now=utcnow(),
        )
        return reservation_payload(queries.get_reservation(reservation.id))


def _reserve_nearest(body: dict[str, Any]) -> dict[str, Any]:
    """At the nearest location that can give it all (the preferred one first). When none
    can, the backorder the service records is committed, so the stock manager sees the
    demand, and the caller gets 409 "backordered"."""
    with transaction():
        outcome = services.reserve_nearest(
            actor=current_api_user(),
            sku=body["sku"],
            quantity=body.get("quantity"),
            point=Point(body["lat"], body["lon"]),
            prefer_location_code=body.get("prefer_location"),
            job_ref=body.get("job_id"),
            purpose=body.get("purpose"),
            emergency=body["emergency"],
            now=utcnow(),
        )
        if outcome.reservation is not None:
            view = queries.get_reservation(outcome.reservation.id)
            return reservation_payload(view, distance_km=outcome.distance_km)
        backorder = outcome.backorder
        if backorder is None:  # pragma: no cover - reserve_nearest returns one or the other
            raise RuntimeError("neither a reservation nor a backorder")
        backorder_id = backorder.id
    raise BackorderedError(
        f"{outcome.shortfall.rstrip('.')}: backorder {backorder_id} recorded for the stock "
        "manager.",
        {"quantity": [outcome.shortfall]},
    )


@blp.route("")
class ReservationCollection(MethodView):
    @blp.arguments(ReservationQuerySchema, location="query")
    @blp.response(200, ReservationListSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Reservations newest first; filter by status, SKU, location, job."""
        rows, total = queries.list_reservations(
            page=args["page"],
            per_page=args["per_page"],
            status=args.get("status"),
            sku=args.get("sku"),
            location=args.get("location"),
            job_id=args.get("job_id"),
        )
        return {
            "items": [reservation_payload(r) for r in rows],
            "total": total,
            "page": args["page"],
            "per_page": args["per_page"],
        }

    @blp.arguments(ReservationCreateSchema)
    @blp.response(201, ReservationSchema)
    @blp.alt_response(409, schema="Error", description="Not enough stock, or backordered.")
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Hold stock for a job (job_id) or a purpose. With `location`, there only; without
        it, the nearest location to lat/lon that has it, or a backorder (409 backordered).
        Reserve-floor stock needs `emergency`."""
        if body.get("location"):
            return _reserve_at(body)
        return _reserve_nearest(body)


@blp.route(f"/<{ID}:reservation_id>")
class ReservationItem(MethodView):
    @blp.response(200, ReservationSchema)
    def get(self, reservation_id: int) -> dict[str, Any]:
        return reservation_payload(queries.get_reservation(reservation_id))

    @blp.response(200, ReservationSchema)
    def delete(self, reservation_id: int) -> dict[str, Any]:
        """Release a held or picked reservation: its stock is available again."""
        with transaction():
            services.release(actor=current_api_user(), reservation_id=reservation_id, now=utcnow())
            return reservation_payload(queries.get_reservation(reservation_id))


@blp.route(f"/<{ID}:reservation_id>/pick")
class ReservationPick(MethodView):
    @blp.arguments(PickSchema)
    @blp.response(200, ReservationSchema)
    def post(self, body: dict[str, Any], reservation_id: int) -> dict[str, Any]:
        """The engineer takes the stock; from a depot into `van`, it moves there."""
        with transaction():
            services.pick(
                actor=current_api_user(),
                reservation_id=reservation_id,
                van_code=body["van"],
                now=utcnow(),
            )
            return reservation_payload(queries.get_reservation(reservation_id))


@blp.route(f"/<{ID}:reservation_id>/consumption")
class ReservationConsumption(MethodView):
    @blp.arguments(ConsumptionSchema)
    @blp.response(200, ReservationSchema)
    def post(self, body: dict[str, Any], reservation_id: int) -> dict[str, Any]:
        """Record what was used (a quantity, or the serials fitted at `site`); the rest is
        released. Serials the reservation does not hold are 409."""
        with transaction():
            services.consume(
                actor=current_api_user(),
                reservation_id=reservation_id,
                quantity=body.get("quantity"),
                serials=body.get("serials"),
                site=body["site"],
                now=utcnow(),
            )
            return reservation_payload(queries.get_reservation(reservation_id))
