"""Rendered PDFs: found by what they show, rendered once, kept, handed out.

A PDF is keyed by its content fingerprint: a hash of everything it prints (less the
"generated at" stamp), the paper size and the templates. Asking again for an unchanged
document serves the stored bytes; any change in the job, the ticket's public log or the
templates is a new fingerprint and a new render. Rendering is slow CPU work (~0.3-0.6 s a
page set), so with PDF_BACKGROUND on (the default) a missing PDF is handed to the
background worker and the caller answers "being prepared" (the API 202 with Retry-After,
pages a refresh), keeping request threads free (STYLE §3.5: read, end the transaction,
compute, write in a short one). With it off, or with no worker wired, the request renders
it itself. Only the newest KEEP_REVISIONS renders per document and paper are kept.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import time
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from flask import Flask, current_app
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from fieldops.db import db, transaction
from fieldops.documents import pdf
from fieldops.documents.content import PAPER_SIZES
from fieldops.documents.models import DocumentKind, RenderedDocument
from fieldops.documents.queries import (
    day_sheet_content,
    find_rendered,
    rfo_content,
    work_order_content,
)
from fieldops.errors import NotFoundError, RuleViolationError
from fieldops.tickets.models import Ticket

log = logging.getLogger(__name__)

KEEP_REVISIONS = 3
RENDERER_EXTENSION = "fieldops.documents.renderer"
# The "generated at" stamp changes on every read: it is printed, not part of the identity.
_UNHASHED = frozenset({"generated_at"})


@dataclasses.dataclass(frozen=True)
class Pending:
    """The PDF is being rendered in the background: ask again in `retry_after_s`."""

    kind: str
    subject: str
    paper: str
    retry_after_s: int = 2


def register_renderer(app: Flask, runner: Callable[[str, str, str], None]) -> None:
    """Wire what renders a missing PDF in the background (the wiring layer enqueues a Huey
    task with the document's kind, subject and paper)."""
    app.extensions[RENDERER_EXTENSION] = runner


def day_sheet_subject(engineer_id: int, day: date) -> str:
    return f"{engineer_id}:{day.isoformat()}"


def check_paper(paper: str | None) -> str:
    chosen = (paper or current_app.config.get("PDF_PAPER", "a4")).strip().lower()
    if chosen not in PAPER_SIZES:
        raise RuleViolationError.on_field("paper", f"Must be one of: {', '.join(PAPER_SIZES)}.")
    return chosen


def _content(kind: str, subject: str, now: datetime) -> Any:
    if kind == DocumentKind.WORK_ORDER:
        return work_order_content(subject, now)
    if kind == DocumentKind.DAY_SHEET:
        engineer, _, day = subject.partition(":")
        return day_sheet_content(int(engineer), date.fromisoformat(day), now)
    if kind == DocumentKind.RFO:
        ticket = db.session.scalar(select(Ticket).where(Ticket.number == subject))
        if ticket is None:
            raise NotFoundError(f"No ticket {subject}.")
        return rfo_content(ticket, now, current_app.config.get("BRAND_NAME", "fieldops"))
    raise ValueError(f"unknown document kind {kind!r}")


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _plain(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.name not in _UNHASHED
        }
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def fingerprint(content: Any, paper: str) -> str:
    """What identifies a render: the content (less its stamp), the paper, the templates."""
    payload = json.dumps(
        {"content": _plain(content), "paper": paper, "templates": pdf.template_fingerprint()},
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _render(kind: str, content: Any, paper: str) -> pdf.RenderedPdf:
    if kind == DocumentKind.WORK_ORDER:
        return pdf.render_work_order(content, paper)
    if kind == DocumentKind.DAY_SHEET:
        return pdf.render_day_sheet(content, paper)
    return pdf.render_rfo(content, paper)


def render_and_store(kind: str, subject: str, paper: str, now: datetime) -> RenderedDocument:
    """Render the document as it is now and keep it (idempotent: an existing render for the
    same fingerprint is returned as is). Reads in one short transaction, renders outside
    any, stores in another; a concurrent render of the same content wins harmlessly."""
    with transaction():
        content = _content(kind, subject, now)
        key = fingerprint(content, paper)
        found = find_rendered(kind, subject, paper, key)
        if found is not None:
            return found
    started = time.perf_counter()
    rendered = _render(kind, content, paper)
    render_ms = int((time.perf_counter() - started) * 1000)
    try:
        with transaction():
            row = RenderedDocument(
                kind=kind,
                subject=subject,
                paper=paper,
                fingerprint=key,
                content=rendered.data,
                pages=rendered.pages,
                size_bytes=len(rendered.data),
                render_ms=render_ms,
                rendered_at=now,
            )
            db.session.add(row)
            db.session.flush()
            _prune(kind, subject, paper, keep_id=row.id)
    except IntegrityError:  # another worker stored this very render first
        stored = find_rendered(kind, subject, paper, key)
        if stored is None:
            raise
        return stored
    log.info(
        "rendered %s %s (%s, %s pages, %s ms)", kind, subject, paper, rendered.pages, render_ms
    )
    return row


def _prune(kind: str, subject: str, paper: str, keep_id: int) -> None:
    keep = list(
        db.session.scalars(
            select(RenderedDocument.id)
            .where(
                RenderedDocument.kind == kind,
                RenderedDocument.subject == subject,
                RenderedDocument.paper == paper,
            )
            .order_by(RenderedDocument.rendered_at.desc(), RenderedDocument.id.desc())
            .limit(KEEP_REVISIONS)
        )
    )
    db.session.execute(
        delete(RenderedDocument).where(
            RenderedDocument.kind == kind,
            RenderedDocument.subject == subject,
            RenderedDocument.paper == paper,
            RenderedDocument.id.not_in([*keep, keep_id]),
        )
    )


def document_for(kind: str, subject: str, paper: str, now: datetime) -> RenderedDocument | Pending:
    """The stored PDF of the document as it is now, or Pending once it is handed to the
    background renderer. The caller has checked the viewer may see it."""
    runner = current_app.extensions.get(RENDERER_EXTENSION)
    if runner is None or not current_app.config.get("PDF_BACKGROUND", True):
        return render_and_store(kind, subject, paper, now)  # reads, then renders if missing
    key = fingerprint(_content(kind, subject, now), paper)
    found = find_rendered(kind, subject, paper, key)
    if found is not None:
        return found
    runner(kind, subject, paper)
    # An immediate-mode queue (FIELDOPS_QUEUE_IMMEDIATE=1) has rendered it already.
    return find_rendered(kind, subject, paper, key) or Pending(kind, subject, paper)
