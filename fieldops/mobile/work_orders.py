"""The engineer's paperwork on the phone: a job's work order, and today's work orders in
route order as one PDF to print or keep offline. Only the engineer's own jobs (404 else).
"""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from flask import abort

from fieldops.clock import utcnow
from fieldops.dispatch import queries
from fieldops.documents import services as documents
from fieldops.documents.models import DocumentKind
from fieldops.documents.services.rendering import day_sheet_subject
from fieldops.downloads import paper_arg, pdf_download
from fieldops.mobile import me, mobile_bp


@mobile_bp.get("/jobs/<number>/work-order.pdf")
def job_work_order(number: str) -> Any:
    if queries.job_engineer_id(number) != me().id:
        abort(404)
    job = queries.get_job(number)
    result = documents.document_for(DocumentKind.WORK_ORDER, job.number, paper_arg(), utcnow())
    return pdf_download(result, f"{job.number}.pdf", f"work order {job.number}")


@mobile_bp.get("/work-orders.pdf")
def today_work_orders() -> Any:
    engineer = me()
    now = utcnow()
    day: date = now.astimezone(ZoneInfo(engineer.timezone)).date()
    subject = day_sheet_subject(engineer.id, day)
    result = documents.document_for(DocumentKind.DAY_SHEET, subject, paper_arg(), now)
    return pdf_download(result, f"work-orders-{day}.pdf", "today's work orders")
