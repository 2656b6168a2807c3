"""Portal pages for RFOs: the customer asks for the Reason For Outage report of a resolved
P1/P2 incident, follows it, and downloads it once published.

The RFO is shown on the ticket page (tickets.py renders it); these views take the request
and serve the PDF. A refusal (not eligible, asked already) re-renders the ticket page with
the message and its status code; an unpublished RFO's PDF is 404, as if it did not exist.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, url_for
from flask_login import current_user

from fieldops.clock import utcnow
from fieldops.db import transaction
from fieldops.documents import queries as documents
from fieldops.documents import services as document_services
from fieldops.documents.models import DocumentKind
from fieldops.downloads import paper_arg, pdf_download
from fieldops.errors import DomainError
from fieldops.portal import portal_bp
from fieldops.portal.tickets import render_detail
from fieldops.tickets import queries


@portal_bp.post("/tickets/<number>/rfo")
def ticket_rfo_request(number: str) -> Any:
    try:
        with transaction():
            document_services.request_rfo(actor=current_user, ticket_number=number, now=utcnow())
    except DomainError as refused:
        if refused.status == 404:
            raise
        errors = {"_form": [f"No RFO requested: {refused.message}"]}
        return render_detail(number, errors=errors, status=refused.status)
    flash("RFO requested: we publish it within 5 working days.", "success")
    return redirect(url_for("portal.ticket_detail", number=number.strip().upper()) + "#rfo")


@portal_bp.get("/tickets/<number>/rfo.pdf")
def ticket_rfo_pdf(number: str) -> Any:
    now = utcnow()
    ticket = queries.get_ticket(current_user, number)
    rfo = documents.find_rfo(ticket, now)
    if rfo is None or not rfo.is_published:
        abort(404)
    result = document_services.document_for(DocumentKind.RFO, ticket.number, paper_arg(), now)
    return pdf_download(result, f"RFO-{ticket.number}.pdf", f"the RFO for {ticket.number}")
