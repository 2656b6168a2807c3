"""The dispatcher's paperwork: a job's work order, and an engineer's day of work orders in
route order, as PDFs (A4 by default, ?paper=letter). Rendered once per content and kept;
while the background worker renders one, a page says so and reloads (fieldops.downloads).
"""

from __future__ import annotations

from typing import Any

from flask import abort, request

from fieldops.backoffice.dispatch import dispatch_bp
from fieldops.backoffice.dispatch.routes import parse_day
from fieldops.clock import utcnow
from fieldops.dispatch import queries
from fieldops.documents import services as documents
from fieldops.documents.models import DocumentKind
from fieldops.documents.services.rendering import day_sheet_subject
from fieldops.downloads import paper_arg, pdf_download
from fieldops.engineers.queries import get_engineer
from fieldops.errors import RuleViolationError

ID_MAX = 2**31 - 1


@dispatch_bp.get("/jobs/<number>/work-order.pdf")
def job_work_order(number: str) -> Any:
    job = queries.get_job(number)
    result = documents.document_for(DocumentKind.WORK_ORDER, job.number, paper_arg(), utcnow())
    return pdf_download(result, f"{job.number}.pdf", f"work order {job.number}")


@dispatch_bp.get("/engineers/<int:engineer_id>/work-orders.pdf")
def engineer_work_orders(engineer_id: int) -> Any:
    if engineer_id > ID_MAX:
        abort(404)
    engineer = get_engineer(engineer_id)
    try:
        day = parse_day(request.args.get("date", ""))
    except RuleViolationError:
        abort(404)
    subject = day_sheet_subject(engineer.id, day)
    result = documents.document_for(DocumentKind.DAY_SHEET, subject, paper_arg(), utcnow())
    return pdf_download(
        result, f"work-orders-{engineer.id}-{day}.pdf", f"{engineer.name}'s work orders"
    )
