"""Document jobs: render one PDF in the background, and the RFO sweep.

The Huey tasks (fieldops.worker) and `fieldops sweep` call these; tests call them directly.
Both are idempotent: a render whose content is already stored stores nothing, and an RFO is
flagged overdue once.
"""

from __future__ import annotations

import logging
from datetime import datetime

from fieldops.clock import ensure_utc, utcnow
from fieldops.db import transaction
from fieldops.documents.services import flag_overdue_rfos, render_and_store
from fieldops.errors import NotFoundError

log = logging.getLogger(__name__)


def render_document(kind: str, subject: str, paper: str, now: datetime | None = None) -> bool:
    """Render and keep the document as it is now; False when it no longer exists (a job
    deleted, an RFO never asked for), which is nothing to retry."""
    try:
        render_and_store(kind, subject, paper, now or utcnow())
    except NotFoundError:
        log.info("render %s %s: nothing to render", kind, subject)
        return False
    return True


def run_rfo_sweep(now: datetime) -> int:
    """Flag the RFOs past due and unpublished as of `now`, in one unit of work."""
    with transaction():
        return flag_overdue_rfos(ensure_utc(now))
