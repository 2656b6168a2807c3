"""/jobs: dispatch jobs from hardware tickets, their ranked candidates, assignment (one, or a
batch automatically), cancelling, and the engineer's field reports.

Every write is one unit of work around one service call (STYLE.md 3.1); the job returned
is read again inside it, so it shows what is committed.
"""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from fieldops.api import current_api_user
from fieldops.api.pdfs import pdf_response
from fieldops.api.permissions import (
    DISPATCH_ROLES,
    FIELD_REPORT_ROLES,
    JOB_CREATOR_ROLES,
    guard_job_blueprint,
)
from fieldops.clock import utcnow
from fieldops.db import transaction
from fieldops.dispatch import queries, services
from fieldops.dispatch.schemas import (
    AssignmentSchema,
    AutoAssignmentResultSchema,
    AutoAssignmentSchema,
    CancellationSchema,
    CandidateQuerySchema,
    CandidatesSchema,
    JobCreateSchema,
    JobListSchema,
    JobQuerySchema,
    JobSchema,
    StatusReportSchema,
    auto_assignment_payload,
    candidates_payload,
    job_payload,
)
from fieldops.documents import services as documents
from fieldops.documents.models import DocumentKind
from fieldops.documents.schemas import PaperQuerySchema
from fieldops.documents.services.rendering import check_paper
from fieldops.routing import services as routing

blp = Blueprint("jobs", __name__, description="Dispatch jobs: candidates, assignment, field")
guard_job_blueprint(
    blp,
    {
        "JobCollection": (JOB_CREATOR_ROLES, "create jobs"),
        "JobAssignment": (DISPATCH_ROLES, "assign jobs"),
        "JobAutoAssignment": (DISPATCH_ROLES, "assign jobs"),
        "JobCancellation": (DISPATCH_ROLES, "cancel jobs"),
        "JobFieldStatus": (FIELD_REPORT_ROLES, "report a job's status"),
    },
)

NUMBER = "<string(maxlength=20):number>"


def _job(number: str) -> dict[str, Any]:
    return job_payload(queries.get_job(number))


@blp.route("")
class JobCollection(MethodView):
    @blp.arguments(JobQuerySchema, location="query")
    @blp.response(200, JobListSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Jobs soonest arrive-by first; filter by status, engineer and ticket."""
        rows, total = queries.list_jobs(
            page=args["page"],
            per_page=args["per_page"],
            status=args.get("status"),
            engineer_id=args.get("engineer_id"),
            ticket=args.get("ticket_id"),
        )
        return {
            "items": [job_payload(row, reservations=False) for row in rows],
            "total": total,
            "page": args["page"],
            "per_page": args["per_page"],
        }

    @blp.arguments(JobCreateSchema)
    @blp.response(201, JobSchema)
    @blp.alt_response(409, schema="Error", description="The ticket is no longer open.")
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """A field visit for a hardware-fault ticket: site from its service, arrive-by from
        its SLA plan's on-site target. Unknown ticket or SKU, or a ticket that is not a
        hardware fault, is 422 naming the field."""
        with transaction():
            job = services.create_job(
                actor=current_api_user(),
                ticket_number=body["ticket_id"],
                required_skills=body["required_skills"],
                parts=body["parts"],
                duration_min=body["duration_min"],
                access_hours=body["access_hours"],
                review_required=body["review_required"],
                notes=body["notes"],
                now=utcnow(),
            )
            return _job(job.number)


@blp.route("/auto-assignment")
class JobAutoAssignment(MethodView):
    @blp.arguments(AutoAssignmentSchema)
    @blp.response(200, AutoAssignmentResultSchema)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Assign unassigned jobs (all, or those named) in priority then arrive-by order,
        each to its best candidate; never past an engineer's capacity, never to one
        without the skills. Jobs no one can take are listed as unplaced, with why."""
        with transaction():
            result = routing.auto_assign(
                actor=current_api_user(), numbers=body["jobs"], now=utcnow()
            )
            return auto_assignment_payload(result, body["jobs"])


@blp.route(f"/{NUMBER}")
class JobItem(MethodView):
    @blp.response(200, JobSchema)
    def get(self, number: str) -> dict[str, Any]:
        """A job with its site, parts and reservations."""
        return _job(number)


@blp.route(f"/{NUMBER}/candidates")
class JobCandidates(MethodView):
    @blp.arguments(CandidateQuerySchema, location="query")
    @blp.response(200, CandidatesSchema)
    def get(self, args: dict[str, Any], number: str) -> dict[str, Any]:
        """Engineers who can take the job, best first, each with its score's parts and
        reasons; `explain=1` adds everyone excluded and why."""
        job, ranking = queries.candidates_for(
            number, utcnow(), limit=args["limit"], explain=args["explain"]
        )
        return candidates_payload(job.number, ranking, explain=args["explain"])


@blp.route(f"/{NUMBER}/assignment")
class JobAssignment(MethodView):
    @blp.arguments(AssignmentSchema)
    @blp.response(200, JobSchema)
    @blp.alt_response(409, schema="Error", description="No capacity or shift, or not open.")
    def post(self, body: dict[str, Any], number: str) -> dict[str, Any]:
        """Give the job to an engineer and reserve its parts (their van first, else the
        nearest depot); a part nowhere in stock leaves it awaiting_parts with a backorder.
        Reassigning releases the first engineer's reservations. An unknown engineer or one
        lacking a skill is 422. The day's current route plan, if there is one, moves the job
        into the engineer's route."""
        with transaction():
            now = utcnow()
            # Through routing: the day's stored route plan follows the dispatcher's choice.
            assignment = routing.assign_job(
                actor=current_api_user(),
                number=number,
                engineer_id=body["engineer_id"],
                now=now,
            )
            return _job(assignment.job.number)


@blp.route(f"/{NUMBER}/status")
class JobFieldStatus(MethodView):
    @blp.arguments(StatusReportSchema)
    @blp.response(200, JobSchema)
    @blp.alt_response(409, schema="Error", description="Not a move the job can make now.")
    def post(self, body: dict[str, Any], number: str) -> dict[str, Any]:
        """The job's engineer (or a dispatcher for them) reports en_route or on_site;
        completed records parts used and removed, notes and the customer's sign-off and
        resolves the ticket unless review was asked for; failed needs a reason and opens a
        follow-up job. Another engineer's job is 403."""
        actor, now, status = current_api_user(), utcnow(), body["status"]
        with transaction():
            if status == "completed":
                job = services.complete_job(
                    actor=actor,
                    number=number,
                    signed_off_by=body["signed_off_by"],
                    parts_used=body.get("parts_used", []),
                    parts_removed=body.get("parts_removed", []),
                    notes=body.get("notes", ""),
                    now=now,
                )
            elif status == "failed":
                job = services.fail_job(actor=actor, number=number, reason=body["reason"], now=now)
            else:
                job = services.report_status(
                    actor=actor, number=number, status=status, note=body.get("note", ""), now=now
                )
            return _job(job.number)


@blp.route(f"/{NUMBER}/cancellation")
class JobCancellation(MethodView):
    @blp.arguments(CancellationSchema)
    @blp.response(200, JobSchema)
    @blp.alt_response(409, schema="Error", description="Already on site or finished.")
    def post(self, body: dict[str, Any], number: str) -> dict[str, Any]:
        """Cancel a job not yet on site, with a reason; its reservations are released."""
        with transaction():
            job = services.cancel_job(
                actor=current_api_user(), number=number, reason=body["reason"], now=utcnow()
            )
            return _job(job.number)


@blp.route(f"/{NUMBER}/work-order.pdf")
class JobWorkOrder(MethodView):
    @blp.arguments(PaperQuerySchema, location="query")
    @blp.response(200, content_type="application/pdf")
    @blp.alt_response(202, schema="Error", description="Being rendered: retry after a moment.")
    def get(self, args: dict[str, Any], number: str) -> Response:
        """The job's work order as a PDF (A4 or Letter): ticket, site, contact, parts with
        serials and pick-up places, checklist, sign-off."""
        job = queries.get_job(number)
        paper = check_paper(args.get("paper"))
        result = documents.document_for(DocumentKind.WORK_ORDER, job.number, paper, utcnow())
        return pdf_response(result, f"{job.number}.pdf")
