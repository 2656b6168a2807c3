"""documents/pdf.py: what the PDFs say, their paper, pages and layout, read back with pypdf.

Renders are shared through module-scoped fixtures (about 0.3 s each); the asserts read text
pypdf extracts from the PDF, so they test what a reader sees, margin boxes included.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import segno

from fieldops.documents import pdf
from fieldops.documents.content import PAPER_SIZES, LogEntry
from tests.documents import samples
from tests.documents.pdf_text import Read

A4 = (595.28, 841.89)
LETTER = (612.0, 792.0)


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def render(make: Callable[[], pdf.RenderedPdf]) -> Read:
    """Render with a handler on WeasyPrint's logger: a CSS typo or a refused asset shows up."""
    handler = _Records()
    logger = logging.getLogger("weasyprint")
    level = logger.level
    logger.setLevel(logging.WARNING)  # whatever the root logger's level is
    logger.addHandler(handler)
    try:
        rendered = make()
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    return Read(rendered, handler.messages)


@pytest.fixture(scope="module")
def work_order() -> Read:
    return render(lambda: pdf.render_work_order(samples.work_order()))


@pytest.fixture(scope="module")
def completed_letter() -> Read:
    return render(lambda: pdf.render_work_order(samples.completed_work_order(), paper="letter"))


@pytest.fixture(scope="module")
def rfo_published() -> Read:
    return render(lambda: pdf.render_rfo(samples.rfo()))


@pytest.fixture(scope="module")
def rfo_draft() -> Read:
    # A long timeline, so the draft runs to several pages and "every page" means something.
    timeline = tuple(
        LogEntry(samples.FAULT_AT + timedelta(minutes=5 * i), "comment", "NOC", f"Check {i}.")
        for i in range(40)
    )
    return render(lambda: pdf.render_rfo(samples.rfo(status="in_review", timeline=timeline)))


@pytest.fixture(scope="module")
def day_sheet() -> tuple[Read, Any]:
    content = samples.day_sheet(jobs=3)
    return render(lambda: pdf.render_day_sheet(content)), content


def test_pdf_header_and_page_count(work_order: Read) -> None:
    assert work_order.rendered.data.startswith(b"%PDF-")
    assert work_order.rendered.pages == len(work_order.reader.pages) >= 2
    last = work_order.rendered.pages
    assert f"Page {last} of {last}" in work_order.pages[-1]


def test_same_content_gives_the_same_bytes(work_order: Read) -> None:
    assert pdf.render_work_order(samples.work_order()).data == work_order.rendered.data


def test_work_order_shows_the_job(work_order: Read) -> None:
    text = work_order.text
    for expected in (
        "WO-2026-000045",
        "TT-2026-000123",
        "P1",
        "Tue 1 Dec 2026 14:05",  # arrive-by, 13:05 UTC printed in Amsterdam
        "Acme Logistics B.V.",
        "Kabelweg 37",
        "Report to security at gate 2",
        "Mon-Fri 08:00-18:00",
        "Pieter Jansen",
        "+31 20 555 0142",
        "p.jansen@acme-logistics.example",
        "Jan Bakker",
        "AMS-ETH-10G-004217",
        "Loss of light on 10G uplink",
        "Warehouse management system unreachable",
        "Swap the optic and confirm light levels",
    ):
        assert expected in text, expected


def test_every_page_names_the_work_order_and_ticket(work_order: Read) -> None:
    for number, page in enumerate(work_order.pages, 1):
        assert "Work order WO-2026-000045" in page
        assert "TT-2026-000123" in page
        assert f"Page {number} of {len(work_order.pages)}" in page
        assert "Generated Tue 1 Dec 2026 07:30 CET" in page


def test_public_log_is_printed_in_local_time(work_order: Read) -> None:
    assert "Remote checks: loss of light on the customer-side port" in work_order.text
    assert "Anna de Vries" in work_order.text
    assert "Mon 30 Nov 2026 22:30" in work_order.text  # 21:30 UTC


def test_reserved_parts_show_serials_and_where_to_pick_up(work_order: Read) -> None:
    text = work_order.text
    assert "FNS21440AB1" in text
    assert "FNS21440AB7" in text
    assert "DEP-UTR Utrecht depot" in text
    assert "VAN-17" in text
    assert "not reserved — backordered" in text


def test_unsigned_work_order_leaves_sign_off_and_times_blank(work_order: Read) -> None:
    assert "Marieke Visser" not in work_order.text
    assert "Tue 1 Dec 2026 15:00" not in work_order.text  # no finished time yet


def test_completed_work_order_prints_what_was_recorded(completed_letter: Read) -> None:
    text = completed_letter.text
    assert "Marieke Visser" in text  # signed off by
    assert "FNS19020ZZ9" in text  # removed serial
    assert "Tue 1 Dec 2026 13:45" in text  # on site
    assert "Tue 1 Dec 2026 15:00" in text  # finished
    assert "cracked ferrule" in text


def _sizes(document: Read) -> set[tuple[float, float]]:
    return {(float(p.mediabox.width), float(p.mediabox.height)) for p in document.reader.pages}


def test_a4_is_595_by_842_points(work_order: Read) -> None:
    [(width, height)] = _sizes(work_order)
    assert (width, height) == (pytest.approx(A4[0], abs=1), pytest.approx(A4[1], abs=1))


def test_letter_is_612_by_792_points(completed_letter: Read) -> None:
    [(width, height)] = _sizes(completed_letter)
    assert (width, height) == (pytest.approx(LETTER[0], abs=1), pytest.approx(LETTER[1], abs=1))


def test_every_paper_content_names_has_a_page_size() -> None:
    sizes = {paper: pdf.work_order_html(samples.work_order(), paper) for paper in PAPER_SIZES}
    assert "@page { size: A4 portrait; }" in sizes["a4"]
    assert "@page { size: letter portrait; }" in sizes["letter"]


@pytest.mark.parametrize("render", [pdf.render_work_order, pdf.work_order_html])
def test_unknown_paper_is_refused_by_name(render: Any) -> None:
    with pytest.raises(ValueError, match="'a5'"):
        render(samples.work_order(), paper="a5")


def test_fonts_are_dejavu_from_fontconfig(work_order: Read) -> None:
    resources: Any = work_order.reader.pages[0]["/Resources"]
    fonts = resources["/Font"]
    names = {str(fonts[key].get_object()["/BaseFont"]).split("+")[-1] for key in fonts}
    assert "DejaVu-Sans" in names


def test_qr_code_holds_ticket_and_work_order_as_inline_svg() -> None:
    html = pdf.work_order_html(samples.work_order())
    expected = segno.make_qr("TT-2026-000123 WO-2026-000045", error="m")
    path = re.search(r'd="([^"]+)"', expected.svg_inline(border=2, omitsize=True))
    assert path is not None
    assert '<svg viewBox="0 0 29 29" class="qr">' in html
    assert path.group(1) in html  # the very modules of that payload
    assert "data:" not in html


def test_user_text_is_escaped_in_the_html() -> None:
    html = pdf.work_order_html(
        samples.work_order(fault_summary="<b>x</b>", notes='<img src="http://127.0.0.1:9/x">')
    )
    assert "&lt;b&gt;x&lt;/b&gt;" in html
    assert "<b>x</b>" not in html
    assert "<img" not in html


def test_day_sheet_holds_every_work_order_each_from_a_new_page(
    day_sheet: tuple[Read, Any],
) -> None:
    document, content = day_sheet
    summary = document.pages[0]
    assert "Jan Bakker — Tue 1 Dec 2026" in summary
    numbers = [wo.number for wo in content.work_orders]
    # Route order with planned arrivals (30 min before arrive-by); the last has none.
    assert [n for n in numbers if n in summary] == numbers
    assert "13:35" in summary  # planned arrivals
    assert "14:35" in summary
    assert "14:05" in summary  # first arrive-by, on the sheet's day: the time alone
    assert "2026 14:05" not in summary
    starts = []
    for wo in content.work_orders:
        heading = f"WORK ORDER\n{wo.number}"
        found = [i for i, page in enumerate(document.pages) if heading in page]
        assert len(found) == 1, wo.number
        starts.append(found[0])
        # The heading opens its page: nothing of the previous document precedes it.
        assert document.pages[found[0]].lstrip().startswith("WORK ORDER"), wo.number
    assert starts[0] == 1
    assert starts == sorted(starts)
    for start, wo in zip(starts, content.work_orders, strict=True):
        assert f"Work order {wo.number}" in document.pages[start]  # the page header follows


def test_day_sheet_dates_an_arrive_by_on_another_day() -> None:
    late = samples.work_order(arrive_by=samples.ARRIVE_BY + timedelta(days=1))
    html = pdf.day_sheet_html(samples.day_sheet(jobs=0, work_orders=(late,)))
    assert "Wed 2 Dec 2026 14:05 CET" in html


def test_draft_rfo_says_draft_on_every_page(rfo_draft: Read) -> None:
    assert len(rfo_draft.pages) >= 2
    for page in rfo_draft.pages:
        assert "DRAFT — not for distribution" in page


def test_published_rfo_has_no_draft_mark(rfo_published: Read) -> None:
    assert "DRAFT" not in rfo_published.text


def test_rfo_sections_and_facts(rfo_published: Read) -> None:
    text = rfo_published.text
    for expected in (
        "Reason For Outage",
        "TT-2026-000123",
        "Acme Logistics B.V.",
        "SVC-ACME-0042",
        "Acme DC Amsterdam-West, Amsterdam",
        "P1",
        "Mon 30 Nov 2026 22:12 CET",  # fault start
        "Tue 1 Dec 2026 15:00 CET",  # resolved
        "16 h 48 min",  # outage duration
        "Summary",
        "Impact",
        "Timeline",
        "Root cause",
        "A cracked ferrule",
        "Resolution",
        "Preventive actions",
        "Inspect optics after every rack move.",
        "PRB-2026-000007",
        "Optic damage after rack moves",
        "known_error",
        "Remote checks: loss of light",  # a public log entry in the timeline
    ):
        assert expected in text, expected


def test_rfo_header_carries_the_brand_on_every_page(rfo_draft: Read) -> None:
    for page in rfo_draft.pages:
        assert "fieldops · Reason For Outage" in page
        assert "TT-2026-000123" in page


def test_rfo_without_problem_or_resolution() -> None:
    html = pdf.rfo_html(samples.rfo(problem=None, resolved_at=None, status="draft"))
    assert "PRB-" not in html
    assert "not yet resolved" in html
    assert "ongoing" in html


def test_templates_log_no_weasyprint_warnings(
    work_order: Read,
    completed_letter: Read,
    rfo_published: Read,
    rfo_draft: Read,
    day_sheet: tuple[Read, Any],
) -> None:
    """A CSS typo, an unsupported property or a refused asset (the logo, a stylesheet) is
    a WeasyPrint log line: every template renders without one."""
    for document in (work_order, completed_letter, rfo_published, rfo_draft, day_sheet[0]):
        assert document.log == []


def test_fingerprint_is_stable_and_covers_reports() -> None:
    first = pdf.template_fingerprint()
    assert re.fullmatch(r"[0-9a-f]{64}", first)
    assert pdf.template_fingerprint() == first
    pdf.template_fingerprint.cache_clear()
    assert pdf.template_fingerprint() == first  # recomputed from the same files
