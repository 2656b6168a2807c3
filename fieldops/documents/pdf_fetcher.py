"""The locked-down WeasyPrint URL fetcher: it serves files under reports/ and nothing else.

Why: WeasyPrint's default fetcher follows every URL a document names. Tried here, it
embedded /etc/passwd from `<link rel=attachment href="file:///etc/passwd">` and fetched from
a local web server. Templates escape user text, so such markup should never reach the
engine; this fetcher is the second wall in case it ever does (a template bug, a `|safe`).

The contract: `ReportsFetcher(root).fetch(url)` returns the bytes of an existing regular
file when `url` is a `file:` URL (no host, or `localhost`) whose path, with every symlink
resolved, stays inside `root`. Everything else raises `FetchRefusedError`: http(s), ftp,
data: and any other scheme, `file:` paths outside `root` (`../` or a symlink out),
directories and missing files. Nothing touches the network and nothing is redirected.
WeasyPrint catches the error, logs it at ERROR on the "weasyprint" logger and renders the
document without that resource.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from weasyprint.urls import URLFetcher, URLFetcherResponse

__all__ = ["FetchRefusedError", "ReportsFetcher"]

# Types the templates use; anything else is served as bytes with a guessed type.
_TYPES = {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png"}


class FetchRefusedError(ValueError):
    """A document asked for a resource the fetcher will not serve (the URL is in the text)."""


class ReportsFetcher(URLFetcher):
    """Serve files under `root` (the reports/ directory) to WeasyPrint, refuse all else."""

    def __init__(self, root: Path) -> None:
        # allowed_protocols and allow_redirects also lock the parent's urllib machinery,
        # though fetch() below never calls into it.
        super().__init__(allowed_protocols=("file",), allow_redirects=False, timeout=1)
        self.root = root.resolve(strict=True)

    def resolve(self, url: str) -> Path:
        """The file `url` names under root, or FetchRefusedError saying why not."""
        try:
            parts = urlsplit(url)
        except ValueError as error:
            raise FetchRefusedError(f"refused malformed URL {url[:200]!r}") from error
        if parts.scheme.lower() != "file":
            # Truncated: a data: URL can be megabytes long and the message is logged.
            raise FetchRefusedError(f"refused {parts.scheme or 'relative'}: URL {url[:200]!r}")
        if parts.netloc not in ("", "localhost"):
            raise FetchRefusedError(f"refused file: URL on host {parts.netloc!r}")
        raw = Path(url2pathname(unquote(parts.path)))
        try:
            path = raw.resolve(strict=True)
        except (OSError, RuntimeError) as error:
            raise FetchRefusedError(f"refused {url!r}: no such file under reports/") from error
        if not path.is_relative_to(self.root):
            raise FetchRefusedError(f"refused {url!r}: outside reports/")
        if not path.is_file():
            raise FetchRefusedError(f"refused {url!r}: not a regular file")
        return path

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        """WeasyPrint's entry point (also reached through __call__ and open)."""
        path = self.resolve(url)
        content_type = _TYPES.get(path.suffix.lower()) or (
            mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        )
        if content_type.startswith("text/"):
            content_type += "; charset=utf-8"
        return URLFetcherResponse(
            path.as_uri(), body=path.read_bytes(), headers={"Content-Type": content_type}
        )
