"""documents/pdf_fetcher.py: WeasyPrint may read files under reports/ and nothing else.

The end-to-end tests put hostile markup into user text and check, with a local web server
counting requests, that nothing is fetched and nothing is embedded.
"""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pypdf
import pytest
from pypdf.generic import StreamObject

from fieldops.documents import pdf
from fieldops.documents.pdf_fetcher import FetchRefusedError, ReportsFetcher
from tests.documents import samples

REPORTS = pdf.REPORTS_DIR


@pytest.fixture(scope="module")
def fetcher() -> ReportsFetcher:
    return ReportsFetcher(REPORTS)


def test_serves_a_file_under_reports(fetcher: ReportsFetcher) -> None:
    response = fetcher.fetch((REPORTS / "css" / "base.css").as_uri())
    try:
        assert response.read() == (REPORTS / "css" / "base.css").read_bytes()
        assert response.content_type == "text/css"
    finally:
        response.close()
    logo = fetcher(f"{REPORTS.as_uri()}/logo.svg")  # WeasyPrint calls the fetcher
    try:
        assert logo.content_type == "image/svg+xml"
        assert logo.read().lstrip().startswith(b"<svg")
    finally:
        logo.close()


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://127.0.0.1:9/x.png", "refused http: URL"),
        ("https://example.com/logo.svg", "refused https: URL"),
        ("HTTP://example.com/x.css", "refused http: URL"),
        ("ftp://example.com/x", "refused ftp: URL"),
        ("file:///etc/passwd", "outside reports/"),
        ("file://localhost/etc/passwd", "outside reports/"),
        ("file://otherhost/work/reports/logo.svg", "on host 'otherhost'"),
        (f"{REPORTS.as_uri()}/../pyproject.toml", "outside reports/"),
        (f"{REPORTS.as_uri()}/css/../../pyproject.toml", "outside reports/"),
        (f"{REPORTS.as_uri()}/%2e%2e/pyproject.toml", "outside reports/"),
        (f"{REPORTS.as_uri()}/missing.css", "no such file"),
        (f"{REPORTS.as_uri()}/css/", "not a regular file"),
        ("data:text/plain,hello", "refused data: URL"),
        ("data:image/png;base64,iVBORw0KGgo=", "refused data: URL"),
        ("javascript:alert(1)", "refused javascript: URL"),
        # WeasyPrint resolves relative URLs against base_url first; a bare one is refused.
        ("logo.svg", "refused relative: URL"),
    ],
)
def test_refuses_everything_else(fetcher: ReportsFetcher, url: str, why: str) -> None:
    with pytest.raises(FetchRefusedError, match=re.escape(why)):
        fetcher.fetch(url)


def test_refuses_a_symlink_out_of_the_root(tmp_path: Path) -> None:
    root = tmp_path / "reports"
    root.mkdir()
    outside = tmp_path / "secret.txt"
    outside.write_text("secret")
    (root / "inside.txt").write_text("fine")
    (root / "link.txt").symlink_to(outside)
    fetcher = ReportsFetcher(root)
    assert fetcher.fetch((root / "inside.txt").as_uri()).read() == b"fine"
    with pytest.raises(FetchRefusedError, match="outside reports/"):
        fetcher.fetch((root / "link.txt").as_uri())


def test_refusal_is_an_error_weasyprint_catches() -> None:
    """WeasyPrint stops rendering only on BaseException subclasses (FatalURLFetchingError)."""
    assert issubclass(FetchRefusedError, Exception)


# --- End to end: hostile user text ---------------------------------------------------------


class _Counter(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:
        self.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/svg+xml")
        self.end_headers()
        self.wfile.write(b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>')

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, list[str]]]:
    hits: list[str] = []
    handler = type("Handler", (_Counter,), {"hits": hits})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", hits
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def test_the_counting_server_counts(server: tuple[str, list[str]]) -> None:
    """Control: the server does see a request made to it."""
    from urllib.request import urlopen

    base, hits = server
    before = len(hits)
    with urlopen(f"{base}/control") as response:  # noqa: S310 - loopback test server
        response.read()
    assert len(hits) == before + 1


def _hostile(base: str) -> list[str]:
    return [
        "<b>x</b>",
        f'<img src="{base}/summary.png">',
        '<link rel=attachment href="file:///etc/passwd">',
        "javascript:alert(1) file:///etc/passwd",
    ]


def _inflated(reader: pypdf.PdfReader) -> Iterator[bytes]:
    """Every stream in the PDF, decompressed: an embedded file would be one of them."""
    size: Any = reader.trailer["/Size"]
    for number in range(1, int(size)):
        obj = reader.get_object(number)
        if isinstance(obj, StreamObject):
            yield obj.get_data()


def _no_attachment(data: bytes) -> None:
    reader = pypdf.PdfReader(io.BytesIO(data))
    names = reader.root_object.get("/Names")
    assert names is None or "/EmbeddedFiles" not in names.get_object()
    assert reader.attachments == {}
    assert b"root:x:0:0" not in data
    assert not any(b"root:x:0:0" in stream for stream in _inflated(reader))


def test_hostile_text_in_a_work_order_is_printed_not_obeyed(
    server: tuple[str, list[str]],
) -> None:
    base, hits = server
    before = list(hits)
    summary, image, link, words = _hostile(base)
    content = samples.work_order(
        fault_summary=f"{summary} {image}",
        fault_description=link,
        notes=words,
        contact_name=f'<img src="{base}/contact.png">',
    )
    rendered = pdf.render_work_order(content)
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(rendered.data)).pages)
    flat = " ".join(text.split())
    assert "<b>x</b>" in flat
    assert f'<img src="{base}/summary.png">' in flat
    assert '<link rel=attachment href="file:///etc/passwd">' in flat
    assert "javascript:alert(1) file:///etc/passwd" in flat
    assert hits == before
    _no_attachment(rendered.data)


def test_hostile_ticket_summary_in_an_rfo(server: tuple[str, list[str]]) -> None:
    base, hits = server
    before = list(hits)
    summary, image, link, _ = _hostile(base)
    rendered = pdf.render_rfo(samples.rfo(ticket_summary=f"{image} {link}", summary=summary))
    text = pypdf.PdfReader(io.BytesIO(rendered.data)).pages[0].extract_text()
    assert f'<img src="{base}/summary.png">' in " ".join(text.split())
    assert hits == before
    _no_attachment(rendered.data)


def test_raw_markup_reaching_weasyprint_fetches_nothing(
    server: tuple[str, list[str]], caplog: pytest.LogCaptureFixture
) -> None:
    """The second wall: even unescaped markup (a template bug) gets nothing past the fetcher."""
    base, hits = server
    before = list(hits)
    markup = (
        f'<img src="{base}/raw.png"><link rel=stylesheet href="{base}/raw.css">'
        '<link rel=attachment href="file:///etc/passwd">'
        '<img src="../pyproject.toml"><img src="data:image/png;base64,iVBORw0KGgo=">'
        "<p>still renders</p>"
    )
    with caplog.at_level("ERROR", logger="weasyprint"):
        document = pdf.layout(markup)
        data = document.write_pdf()
    assert hits == before
    _no_attachment(data)
    assert "still renders" in pypdf.PdfReader(io.BytesIO(data)).pages[0].extract_text()
    refusals = [r.getMessage() for r in caplog.records if "FetchRefusedError" in r.getMessage()]
    assert len(refusals) == 5, refusals


def test_control_default_fetcher_would_leak(server: tuple[str, list[str]], tmp_path: Path) -> None:
    """Control for the checks above: WeasyPrint's own fetcher fetches and embeds."""
    import weasyprint

    base, hits = server
    before = len(hits)
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0 (a stand-in)")
    markup = f'<img src="{base}/leak.svg"><link rel=attachment href="{secret.as_uri()}">'
    data = weasyprint.HTML(string=markup).write_pdf()
    assert len(hits) == before + 1
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert reader.attachments != {}
    assert any(b"root:x:0:0" in stream for stream in _inflated(reader))
