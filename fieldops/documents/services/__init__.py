"""Document use cases: the RFO's request, editing and review, and rendered PDFs (found,
rendered in the request or handed to the background worker, stored, pruned)."""

from fieldops.documents.services.rendering import (
    Pending,
    document_for,
    register_renderer,
    render_and_store,
)
from fieldops.documents.services.rfos import edit_rfo, flag_overdue_rfos, request_rfo

__all__ = [
    "Pending",
    "document_for",
    "edit_rfo",
    "flag_overdue_rfos",
    "register_renderer",
    "render_and_store",
    "request_rfo",
]
