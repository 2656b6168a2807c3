"""Reading PDFs back in tests: their text (pypdf) and page sizes."""

from __future__ import annotations

import io

from pypdf import PdfReader


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
