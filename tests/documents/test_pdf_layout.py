"""documents/pdf.py layout: long text and many rows stay inside the page, tables break
across pages with their headers repeated."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from weasyprint.formatting_structure import boxes

from fieldops.documents import pdf
from fieldops.documents.content import LogEntry, PartLine
from tests.documents import samples
from tests.documents.pdf_text import Read

A4 = (595.28, 841.89)
LETTER = (612.0, 792.0)


WORDS = " ".join(f"w{i:04d}" for i in range(834))  # 5,003 characters
UNBROKEN = "".join(f"{i:04d}" for i in range(1250))  # 5,000 characters, no space
MARGIN_LINES = re.compile(r"^(Work order WO-\S+ TT-\S+|Generated .* Page \d+ of \d+)$", re.M)


def _walk(box: Any) -> Iterator[Any]:
    yield box
    for child in getattr(box, "children", ()):
        yield from _walk(child)


def escapes(document: Any) -> list[str]:
    """Every laid-out box (margin boxes aside) reaching outside its page's content area."""
    found = []
    for number, page in enumerate(document.pages, 1):
        page_box = page._page_box
        left, top = page_box.content_box_x(), page_box.content_box_y()
        right, bottom = left + page_box.width, top + page_box.height
        for child in page_box.children:
            if isinstance(child, boxes.MarginBox):
                continue
            for box in _walk(child):
                x0, y0 = box.position_x, box.position_y
                x1, y1 = x0 + box.margin_width(), y0 + box.margin_height()
                if x0 < left - 0.5 or x1 > right + 0.5 or y1 > bottom + 0.5:
                    found.append(
                        f"page {number}: {type(box).__name__} <{box.element_tag}> "
                        f"x {x0:.0f}..{x1:.0f} of {left:.0f}..{right:.0f}, "
                        f"bottom {y1:.0f} of {bottom:.0f}"
                    )
    return found


@pytest.fixture(scope="module")
def long_work_order() -> Any:
    parts = tuple(
        PartLine(
            sku=f"SKU-{i:05d}",
            name=f"Part number {i} with a long descriptive catalogue name",
            quantity=1 + i % 4,
            serials=tuple(f"SN{i:04d}{j:03d}" for j in range(1 + i % 5)),
            location_code="" if i % 7 == 0 else "DEP-UTR",
            location_name="" if i % 7 == 0 else "Utrecht depot",
            location_kind="" if i % 7 == 0 else "depot",
        )
        for i in range(40)
    )
    log = tuple(
        LogEntry(samples.FAULT_AT + timedelta(minutes=7 * i), "comment", "NOC", f"Entry {i}.")
        for i in range(60)
    )
    content = samples.work_order(
        fault_description=WORDS,
        access_notes=UNBROKEN,
        parts=parts,
        public_log=log,
    )
    document = pdf.layout(pdf.work_order_html(content))
    return document, Read(pdf.RenderedPdf(document.write_pdf(), len(document.pages)))


def test_long_text_and_many_rows_stay_inside_the_page(long_work_order: Any) -> None:
    document, _ = long_work_order
    assert len(document.pages) >= 4
    assert escapes(document) == []


def test_long_description_is_all_there(long_work_order: Any) -> None:
    _, text = long_work_order
    words = set(text.text.split())
    assert [w for w in WORDS.split() if w not in words] == []
    # The unbroken word spans pages: drop each page's header and footer lines to rejoin it.
    body = "".join(MARGIN_LINES.sub("", page) for page in text.pages)
    assert UNBROKEN in re.sub(r"\s+", "", body)


def test_long_tables_repeat_their_headers(long_work_order: Any) -> None:
    _, text = long_work_order
    with_parts = [page for page in text.pages if "SKU-000" in page]
    assert len(with_parts) >= 2  # 40 parts do not fit on one page
    for page in with_parts:
        assert "PICK UP FROM" in page
    assert text.text.count("not reserved — backordered") == 6  # parts 0, 7, ..., 35


def test_escape_check_catches_overflow() -> None:
    """The layout check itself: a box wider than the page is reported."""
    document = pdf.layout('<div style="width: 3000px">wide</div>')
    assert escapes(document) != []
