"""/problems: problem records (the helpdesk's): the cause behind linked incidents, or a risk
recorded before any. Customers and field staff get 404 on every path."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from fieldops.api import current_api_user
from fieldops.clock import utcnow
from fieldops.db import transaction
from fieldops.errors import NotFoundError
from fieldops.problems import queries, services
from fieldops.problems.schemas import (
    ProblemCreateSchema,
    ProblemLinkSchema,
    ProblemListSchema,
    ProblemQuerySchema,
    ProblemSchema,
    ProblemUpdateSchema,
    problem_payload,
)

blp = Blueprint("problems", __name__, description="Problem records and their incidents")


@blp.before_request
def _guard() -> None:
    if not current_api_user().is_desk:
        raise NotFoundError("No such resource.")


def _one(number: str) -> dict[str, Any]:
    return problem_payload(queries.get_problem(number))


@blp.route("")
class ProblemCollection(MethodView):
    @blp.arguments(ProblemQuerySchema, location="query")
    @blp.response(200, ProblemListSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Problems most recently changed first; filter by status, kind or linked ticket."""
        rows, total = queries.list_problems(
            page=args["page"],
            per_page=args["per_page"],
            status=args.get("status"),
            kind=args.get("kind"),
            ticket=args.get("ticket_id"),
        )
        return {
            "items": [problem_payload(v) for v in rows],
            "total": total,
            "page": args["page"],
            "per_page": args["per_page"],
        }

    @blp.arguments(ProblemCreateSchema)
    @blp.response(201, ProblemSchema)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Record a problem: reactive (linking at least one incident) or proactive."""
        with transaction():
            problem = services.record_problem(
                actor=current_api_user(),
                title=body["title"],
                kind=body["kind"],
                now=utcnow(),
                ticket_ids=body["ticket_ids"],
                fields=body,
            )
            return _one(problem.number)


@blp.route("/<number>")
class ProblemItem(MethodView):
    @blp.response(200, ProblemSchema)
    def get(self, number: str) -> dict[str, Any]:
        return _one(number)

    @blp.arguments(ProblemUpdateSchema)
    @blp.response(200, ProblemSchema)
    def patch(self, changes: dict[str, Any], number: str) -> dict[str, Any]:
        """Edit the text and move the status: investigating -> known_error -> resolved ->
        closed (a known error needs root cause and workaround; resolved a permanent fix)."""
        with transaction():
            services.update_problem(
                actor=current_api_user(), number=number, changes=changes, now=utcnow()
            )
            return _one(number)


@blp.route("/<number>/tickets")
class ProblemTickets(MethodView):
    @blp.arguments(ProblemLinkSchema)
    @blp.response(201, ProblemSchema)
    def post(self, body: dict[str, Any], number: str) -> dict[str, Any]:
        """Link an incident."""
        with transaction():
            services.link_ticket(
                actor=current_api_user(), number=number, ticket_id=body["ticket_id"], now=utcnow()
            )
            return _one(number)


@blp.route("/<number>/tickets/<ticket_id>")
class ProblemTicketItem(MethodView):
    @blp.response(200, ProblemSchema)
    def delete(self, number: str, ticket_id: str) -> dict[str, Any]:
        """Unlink an incident (a reactive problem keeps at least one)."""
        with transaction():
            services.unlink_ticket(
                actor=current_api_user(), number=number, ticket_id=ticket_id, now=utcnow()
            )
            return _one(number)
