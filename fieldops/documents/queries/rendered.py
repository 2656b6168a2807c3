"""The PDFs already rendered, found by what they show (the content fingerprint)."""

from __future__ import annotations

from sqlalchemy import select

from fieldops.db import db
from fieldops.documents.models import RenderedDocument


def find_rendered(kind: str, subject: str, paper: str, fingerprint: str) -> RenderedDocument | None:
    return db.session.scalar(
        select(RenderedDocument).where(
            RenderedDocument.kind == kind,
            RenderedDocument.subject == subject,
            RenderedDocument.paper == paper,
            RenderedDocument.fingerprint == fingerprint,
        )
    )
