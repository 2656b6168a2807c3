"""How the page surfaces (desk, portal, dispatch, phone) hand out a PDF: the stored bytes,
or, while the background worker renders it, a small page that says so and reloads itself
until it is there. Shared by the surfaces, which may not import each other.
"""

from __future__ import annotations

from flask import Response, make_response, render_template, request

from fieldops.documents.content import PAPER_SIZES
from fieldops.documents.models import RenderedDocument
from fieldops.documents.services import Pending


def paper_arg(default: str = "a4") -> str:
    """The `paper` query argument (a4 or letter); anything else falls back to `default`,
    as a link with a mistyped size should still give the engineer a work order."""
    paper = (request.args.get("paper") or default).strip().lower()
    return paper if paper in PAPER_SIZES else default


def pdf_download(result: RenderedDocument | Pending, filename: str, title: str) -> Response:
    if isinstance(result, Pending):
        page = render_template(
            "web/pdf_pending.html", title=title, retry_after_s=result.retry_after_s
        )
        response = make_response(page, 202)
        response.headers["Retry-After"] = str(result.retry_after_s)
        response.headers["Cache-Control"] = "no-store"
        return response
    return pdf_bytes(result, filename)


def pdf_bytes(document: RenderedDocument, filename: str) -> Response:
    """A stored PDF, inline, with an ETag of its content fingerprint (the API's too)."""
    response = Response(document.content, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["ETag"] = f'"{document.fingerprint}"'
    response.headers["Cache-Control"] = "private, no-cache"
    return response
