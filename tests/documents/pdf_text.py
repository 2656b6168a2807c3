"""Reading PDFs back in tests: their text (pypdf) and page sizes."""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import cached_property

from pypdf import PdfReader

from fieldops.documents import pdf


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF"), data[:20]
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def flat(text: str) -> str:
    """Text with every run of whitespace made one space (PDF lines wrap anywhere)."""
    return " ".join(text.split())


def page_sizes(data: bytes) -> list[tuple[int, int]]:
    reader = PdfReader(io.BytesIO(data))
    return [(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in reader.pages]


class Read:
    """A rendered PDF, the text of each of its pages (extracted once, when first asked for)
    and what WeasyPrint logged at WARNING or above while rendering it."""

    def __init__(self, rendered: pdf.RenderedPdf, log: Sequence[str] = ()) -> None:
        self.rendered = rendered
        self.reader = PdfReader(io.BytesIO(rendered.data))
        self.log = list(log)

    @cached_property
    def pages(self) -> list[str]:
        return [page.extract_text() for page in self.reader.pages]

    @property
    def text(self) -> str:
        return "\n".join(self.pages)
