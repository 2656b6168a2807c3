"""How the API hands out a PDF: the stored bytes, or 202 while the worker renders it."""

from __future__ import annotations

from flask import Response, jsonify

from fieldops.documents.models import RenderedDocument
from fieldops.documents.services import Pending
from fieldops.downloads import pdf_bytes


def pdf_response(result: RenderedDocument | Pending, filename: str) -> Response:
    """200 application/pdf (inline, with an ETag of its content fingerprint), or 202 with
    Retry-After and the JSON error shape's fields while it is being rendered."""
    if isinstance(result, Pending):
        response = jsonify(
            {
                "code": "rendering",
                "message": "The PDF is being prepared; ask again in a moment.",
                "errors": {},
            }
        )
        response.status_code = 202
        response.headers["Retry-After"] = str(result.retry_after_s)
        return response
    return pdf_bytes(result, filename)
