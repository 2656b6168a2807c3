"""/tickets: intake, lists, triage, transitions, the work log and confirmation."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from fieldops import idempotency
from fieldops.accounts.models import User
from fieldops.api import current_api_user
from fieldops.clock import utcnow
from fieldops.db import transaction
from fieldops.tickets import queries, services
from fieldops.tickets.models import BODY_MAX, Channel, Ticket
from fieldops.tickets.schemas import (
    EventCreateSchema,
    EventListSchema,
    EventQuerySchema,
    EventSchema,
    TicketCreateSchema,
    TicketListSchema,
    TicketQuerySchema,
    TicketSchema,
    TicketUpdateSchema,
    TransitionSchema,
    event_payloads,
    split_list,
    ticket_payloads,
)
from fieldops.tickets.services.clocks import at_risk_share

blp = Blueprint("tickets", __name__, description="Trouble tickets and their work log")

IDEMPOTENCY_HEADER = "Idempotency-Key"


class ConfirmationSchema(Schema):
    accept = fields.Boolean(required=True)
    comment = fields.String(load_default="", validate=validate.Length(max=BODY_MAX))


def _payload(ticket: Ticket, user: User) -> dict[str, Any]:
    item = ticket_payloads(
        [ticket],
        now=utcnow(),
        at_risk_share=at_risk_share(),
        for_customer=user.is_customer,
    )[0]
    return item


@blp.route("")
class TicketCollection(MethodView):
    @blp.arguments(TicketQuerySchema, location="query")
    @blp.response(200, TicketListSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Tickets the caller may see, filtered, sorted and paginated."""
        user = current_api_user()
        filters = queries.TicketFilter(
            status=split_list(args.get("status")),
            priority=split_list(args.get("priority")),
            customer=args.get("customer"),
            service=args.get("service"),
            assignee=args.get("assignee"),
            tier=args.get("tier"),
            text=args.get("q"),
            breached=args.get("breached"),
            sort=args.get("sort") or queries.DEFAULT_SORT,
        )
        now = utcnow()
        rows, total = queries.list_tickets(
            user, filters, page=args["page"], per_page=args["per_page"], now=now
        )
        items = ticket_payloads(
            rows, now=now, at_risk_share=at_risk_share(), for_customer=user.is_customer
        )
        return {"items": items, "total": total, "page": args["page"], "per_page": args["per_page"]}

    @blp.arguments(TicketCreateSchema)
    @blp.alt_response(201, schema=TicketSchema, description="The new ticket.")
    @blp.doc(
        parameters=[
            {
                "in": "header",
                "name": IDEMPOTENCY_HEADER,
                "required": False,
                "schema": {"type": "string", "maxLength": 255},
                "description": "Repeat a POST safely: the same key and body give the same ticket.",
            }
        ]
    )
    def post(self, body: dict[str, Any]) -> Response:
        """Open a ticket. Honours Idempotency-Key."""
        user = current_api_user()
        now = utcnow()
        key = request.headers.get(IDEMPOTENCY_HEADER)
        channel = Channel.API.value
        if not user.is_customer and body.get("channel"):
            channel = body["channel"]
        with transaction():
            claim = None
            if key is not None:
                digest = idempotency.request_hash(
                    "POST", request.path, request.get_json(silent=True)
                )
                claim = idempotency.claim(user.id, key, digest, now)
                if claim.replay is not None:
                    status, stored = claim.replay
                    response = jsonify(stored)
                    response.status_code = status
                    response.headers["Idempotent-Replayed"] = "true"
                    if "id" in stored:
                        response.headers["Location"] = f"{request.path.rstrip('/')}/{stored['id']}"
                    return response
            ticket = services.open_ticket(actor=user, data=body, channel=channel, now=now)
            payload = TicketSchema().dump(_payload(ticket, user))
            if claim is not None:
                idempotency.store(claim.record_id, 201, payload)
        response = jsonify(payload)
        response.status_code = 201
        response.headers["Location"] = f"{request.path.rstrip('/')}/{payload['id']}"
        return response


@blp.route("/<ticket_id>")
class TicketItem(MethodView):
    @blp.response(200, TicketSchema)
    def get(self, ticket_id: str) -> dict[str, Any]:
        """One ticket by its human-readable ID, with its SLA state and pauses."""
        user = current_api_user()
        return _payload(queries.get_ticket(user, ticket_id), user)

    @blp.arguments(TicketUpdateSchema)
    @blp.response(200, TicketSchema)
    def patch(self, changes: dict[str, Any], ticket_id: str) -> dict[str, Any]:
        """Triage and hand-over: category, impact, urgency, priority override, tier, assignee,
        ETA (helpdesk staff)."""
        user = current_api_user()
        now = utcnow()
        with transaction():
            ticket = queries.get_ticket_for_update(user, ticket_id)
            services.update_ticket(ticket, actor=user, changes=changes, now=now)
            return _payload(ticket, user)


@blp.route("/<ticket_id>/transitions")
class TicketTransitions(MethodView):
    @blp.arguments(TransitionSchema)
    @blp.response(200, TicketSchema)
    def post(self, body: dict[str, Any], ticket_id: str) -> dict[str, Any]:
        """Move the ticket to another status; an illegal move is 409 and changes nothing."""
        user = current_api_user()
        with transaction():
            ticket = queries.get_ticket_for_update(user, ticket_id)
            services.change_status(
                ticket,
                actor=user,
                to=body["to"],
                note=body.get("note", ""),
                reason=body.get("reason"),
                now=utcnow(),
            )
            return _payload(ticket, user)


@blp.route("/<ticket_id>/confirmation")
class TicketConfirmation(MethodView):
    @blp.arguments(ConfirmationSchema)
    @blp.response(200, TicketSchema)
    def post(self, body: dict[str, Any], ticket_id: str) -> dict[str, Any]:
        """The customer confirms the fix (closes) or rejects it (reopens, comment required)."""
        user = current_api_user()
        with transaction():
            ticket = queries.get_ticket_for_update(user, ticket_id)
            services.confirm_resolution(
                ticket, actor=user, accept=body["accept"], comment=body["comment"], now=utcnow()
            )
            return _payload(ticket, user)


class EscalationRequestSchema(Schema):
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class EscalationSchema(Schema):
    level = fields.Integer()
    reason = fields.String()
    created_at = fields.AwareDateTime()


@blp.route("/<ticket_id>/escalations")
class TicketEscalations(MethodView):
    @blp.arguments(EscalationRequestSchema)
    @blp.response(201, EscalationSchema)
    def post(self, body: dict[str, Any], ticket_id: str) -> dict[str, Any]:
        """Ask for escalation: the ticket rises exactly one level at once, and that level's
        contacts are told. 409 when it is closed or already at the top level."""
        user = current_api_user()
        with transaction():
            ticket = queries.get_ticket_for_update(user, ticket_id)
            record = services.request_escalation(
                ticket, actor=user, note=body["note"], now=utcnow()
            )
            return {"level": record.level, "reason": record.reason, "created_at": record.created_at}


@blp.route("/<ticket_id>/events")
class TicketEvents(MethodView):
    @blp.arguments(EventQuerySchema, location="query")
    @blp.response(200, EventListSchema)
    def get(self, args: dict[str, Any], ticket_id: str) -> dict[str, Any]:
        """The work log, oldest first, paginated; customers see public events only."""
        user = current_api_user()
        ticket = queries.get_ticket(user, ticket_id)
        rows, total = queries.page_events(
            user, ticket, page=args["page"], per_page=args["per_page"]
        )
        return {
            "items": event_payloads(rows, for_customer=user.is_customer),
            "total": total,
            "page": args["page"],
            "per_page": args["per_page"],
        }

    @blp.arguments(EventCreateSchema)
    @blp.response(201, EventSchema)
    def post(self, body: dict[str, Any], ticket_id: str) -> dict[str, Any]:
        """Append a comment, phone call or e-mail record. Events are never edited or deleted."""
        user = current_api_user()
        with transaction():
            ticket = queries.get_ticket_for_update(user, ticket_id)
            event = services.add_event(
                ticket,
                actor=user,
                kind=body["kind"],
                body=body["body"],
                public=body["public"],
                now=utcnow(),
            )
            return event_payloads([event], for_customer=user.is_customer)[0]
