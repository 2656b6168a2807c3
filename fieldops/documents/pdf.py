"""PDF rendering of work orders, day sheets and RFO reports: the one module that imports WeasyPrint.

A pure rule module (STYLE 2.2): it takes the frozen dataclasses of documents/content.py and
returns bytes; no Flask, no database, no clock (the generated time is in the content). The
caller reads a snapshot, ends its transaction, renders, then stores the result (STYLE 3.5):
a work order takes 0.15-0.3 s of CPU and a day sheet of 8 jobs about 2 s, far too long to
hold a transaction open. The same content and templates give the same bytes (no random
/ID, no creation date), so a re-run job stores nothing new.

Templates are reports/*.html (Jinja2, autoescaped, StrictUndefined so a renamed field fails
loudly instead of printing nothing); their CSS, the logo and nothing else are served to
WeasyPrint by the locked-down fetcher in pdf_fetcher.py. Fonts come from fontconfig
("DejaVu Sans", Debian fonts-dejavu-core); no font files are shipped.

`template_fingerprint()` changes whenever anything that shapes the output does (a file under
reports/, these renderer modules, the WeasyPrint or segno version), so a stored PDF keyed by
(content, fingerprint) is never served stale.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import segno
import weasyprint
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from weasyprint.text.fonts import FontConfiguration

from fieldops.documents.content import PAPER_SIZES, DaySheetContent, RfoContent, WorkOrderContent
from fieldops.documents.pdf_fetcher import FetchRefusedError, ReportsFetcher
from fieldops.documents.pdf_filters import FILTERS

__all__ = [
    "REPORTS_DIR",
    "FetchRefusedError",
    "RenderedPdf",
    "day_sheet_html",
    "layout",
    "render_day_sheet",
    "render_html",
    "render_rfo",
    "render_work_order",
    "rfo_html",
    "template_fingerprint",
    "work_order_html",
]

# Same idea as fieldops.config.PROJECT_ROOT, without importing config (and with it Flask).
PROJECT_ROOT = Path(__file__).resolve().parents[2]
REPORTS_DIR = PROJECT_ROOT / "reports"

# CSS `@page { size }` per paper argument: A4 is 595x842 pt, Letter 612x792 pt.
_PAGE_SIZES = {"a4": "A4 portrait", "letter": "letter portrait"}


@dataclass(frozen=True)
class RenderedPdf:
    """A rendered document: the PDF bytes and how many pages they hold."""

    data: bytes
    pages: int


_per_thread = threading.local()


def _font_config() -> FontConfiguration:
    """This thread's fontconfig/Pango set-up, reused across renders (about 15 ms each saved).

    One per thread because Pango font maps are not thread-safe. The templates declare no
    @font-face, so it holds only the system fonts and does not grow from render to render.
    """
    config: FontConfiguration | None = getattr(_per_thread, "font_config", None)
    if config is None:
        config = _per_thread.font_config = FontConfiguration()
    return config


@cache
def _environment() -> Environment:
    # auto_reload off: templates are read once per process, like the fingerprint.
    environment = Environment(
        loader=FileSystemLoader(REPORTS_DIR),
        autoescape=select_autoescape(["html"], default_for_string=True, default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    environment.filters.update(FILTERS)
    return environment


def _page_size(paper: str) -> str:
    try:
        return _PAGE_SIZES[paper]
    except KeyError:
        raise ValueError(f"unknown paper {paper!r}: expected one of {PAPER_SIZES}") from None


def render_html(template: str, paper: str, **context: Any) -> str:
    """Render reports/`template` with `context` for `paper` ("a4" or "letter").

    Raises ValueError for any other paper, jinja2.UndefinedError for a missing field.
    """
    page_size = _page_size(paper)
    return _environment().get_template(template).render(page_size=page_size, **context)


def work_order_html(content: WorkOrderContent, paper: str = "a4") -> str:
    """The HTML of one work order (what render_work_order lays out)."""
    return render_html("work_order.html", paper, wo=content)


def day_sheet_html(content: DaySheetContent, paper: str = "a4") -> str:
    """The HTML of an engineer's day: route summary, then each work order on a new page."""
    return render_html("day_sheet.html", paper, sheet=content)


def rfo_html(content: RfoContent, paper: str = "a4") -> str:
    """The HTML of a Reason For Outage report; DRAFT on every page unless published."""
    return render_html("rfo.html", paper, rfo=content)


def layout(html: str) -> weasyprint.Document:
    """Lay out `html` (from a *_html function) into a weasyprint.Document.

    Relative URLs resolve against reports/, and only files there are fetched; a refused
    resource is logged by WeasyPrint and left out, the document still renders. Tests walk
    the returned Document's pages to check that nothing runs off the page.
    """
    source = weasyprint.HTML(
        string=html, base_url=f"{REPORTS_DIR.as_uri()}/", url_fetcher=ReportsFetcher(REPORTS_DIR)
    )
    return source.render(font_config=_font_config())


def _pdf(html: str) -> RenderedPdf:
    document = layout(html)
    return RenderedPdf(data=document.write_pdf(), pages=len(document.pages))


def render_work_order(content: WorkOrderContent, paper: str = "a4") -> RenderedPdf:
    """One work order as a PDF. Raises ValueError for a paper other than "a4"/"letter"."""
    return _pdf(work_order_html(content, paper))


def render_day_sheet(content: DaySheetContent, paper: str = "a4") -> RenderedPdf:
    """An engineer's day as one PDF: a route summary page, then every work order from a new
    page, in route order. Raises ValueError for an unknown paper."""
    return _pdf(day_sheet_html(content, paper))


def render_rfo(content: RfoContent, paper: str = "a4") -> RenderedPdf:
    """A Reason For Outage report as a PDF. Raises ValueError for an unknown paper."""
    return _pdf(rfo_html(content, paper))


@cache
def template_fingerprint() -> str:
    """A sha256 (hex) over every file under reports/ and everything else shaping the output.

    Computed once per process: templates are not reloaded either, so a deploy that changes
    them restarts the process and gets a new fingerprint.
    """
    digest = hashlib.sha256(
        f"weasyprint {weasyprint.__version__} segno {segno.__version__}\n".encode()
    )
    renderer = [Path(__file__).with_name(n) for n in ("pdf.py", "pdf_fetcher.py", "pdf_filters.py")]
    files = sorted(p for p in REPORTS_DIR.rglob("*") if p.is_file())
    for path in [*files, *renderer]:
        digest.update(f"{path.relative_to(PROJECT_ROOT).as_posix()}\n".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()
