"""/tickets/{id}/rfo: the Reason For Outage report of a resolved P1/P2 incident; /rfos: the
desk's worklist of RFOs by due time.

A customer asks for one (POST) and reads it (GET: its status and due time until it is
published, then all of it, and the PDF); the helpdesk writes, reviews and publishes it
(PATCH). Anyone else, or another customer, gets 404 as for the ticket itself.
"""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from fieldops.api import current_api_user
from fieldops.api.pdfs import pdf_response
from fieldops.clock import utcnow
from fieldops.db import transaction
from fieldops.documents import queries, services
from fieldops.documents.models import DocumentKind
from fieldops.documents.schemas import (
    PaperQuerySchema,
    RfoListSchema,
    RfoQuerySchema,
    RfoSchema,
    RfoUpdateSchema,
    rfo_payload,
)
from fieldops.documents.services.rendering import check_paper
from fieldops.errors import ForbiddenError, NotFoundError
from fieldops.tickets.queries import get_ticket

blp = Blueprint("rfos", __name__, description="RFO (Reason For Outage) reports")
list_blp = Blueprint("rfo_list", __name__, description="RFOs by due time (helpdesk)")


def _payload(ticket_id: str) -> dict[str, Any]:
    user = current_api_user()
    now = utcnow()
    ticket = get_ticket(user, ticket_id)
    return rfo_payload(queries.get_rfo(ticket, now), for_customer=user.is_customer)


@blp.route("/<ticket_id>/rfo")
class RfoItem(MethodView):
    @blp.response(200, RfoSchema)
    def get(self, ticket_id: str) -> dict[str, Any]:
        """The ticket's RFO; a customer sees the text once it is published."""
        return _payload(ticket_id)

    @blp.response(201, RfoSchema)
    @blp.alt_response(409, schema="Error", description="Not a resolved P1/P2, or asked already.")
    def post(self, ticket_id: str) -> dict[str, Any]:
        """Ask for the RFO of a resolved P1 or P2 incident: due 5 working days later on the
        service's SLA calendar."""
        user = current_api_user()
        with transaction():
            services.request_rfo(actor=user, ticket_number=ticket_id, now=utcnow())
            return _payload(ticket_id)

    @blp.arguments(RfoUpdateSchema)
    @blp.response(200, RfoSchema)
    def patch(self, changes: dict[str, Any], ticket_id: str) -> dict[str, Any]:
        """Write sections, cite a problem, and move it: draft -> in_review -> published
        (helpdesk; the publisher is not the one who sent it to review)."""
        user = current_api_user()
        if user.is_customer:
            get_ticket(user, ticket_id)  # another customer's ticket stays a 404
            raise ForbiddenError("Only the helpdesk writes RFOs.")
        with transaction():
            services.edit_rfo(actor=user, ticket_number=ticket_id, changes=changes, now=utcnow())
            return _payload(ticket_id)


@blp.route("/<ticket_id>/rfo.pdf")
class RfoPdf(MethodView):
    @blp.arguments(PaperQuerySchema, location="query")
    @blp.response(200, content_type="application/pdf")
    @blp.alt_response(202, schema="Error", description="Being rendered: retry after a moment.")
    def get(self, args: dict[str, Any], ticket_id: str) -> Response:
        """The RFO as a PDF (a customer: once published; the desk: drafts marked DRAFT)."""
        user = current_api_user()
        now = utcnow()
        ticket = get_ticket(user, ticket_id)
        view = queries.get_rfo(ticket, now)
        if user.is_customer and not view.is_published:
            raise NotFoundError(f"The RFO for {ticket.number} is not published yet.")
        paper = check_paper(args.get("paper"))
        result = services.document_for(DocumentKind.RFO, ticket.number, paper, now)
        return pdf_response(result, f"RFO-{ticket.number}.pdf")


@list_blp.route("")
class RfoCollection(MethodView):
    @list_blp.arguments(RfoQuerySchema, location="query")
    @list_blp.response(200, RfoListSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Every RFO soonest due first; filter by status and overdue (helpdesk only)."""
        user = current_api_user()
        if not user.is_desk:
            raise NotFoundError("No such resource.")
        rows, total = queries.list_rfos(
            utcnow(),
            page=args["page"],
            per_page=args["per_page"],
            status=args.get("status"),
            overdue=args.get("overdue"),
        )
        return {
            "items": [rfo_payload(v, for_customer=False) for v in rows],
            "total": total,
            "page": args["page"],
            "per_page": args["per_page"],
        }
