"""A logged-in web (HTML) client for benchmarks: form login with the CSRF token, the session
cookie kept as the server renews it, and timed page loads."""

from __future__ import annotations

import http.client
import re
import time
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from bench.client import Sample

CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class WebSession:
    """A browser-like keep-alive client: logs in through the form (CSRF token from the
    page), keeps the session cookie as the server renews it, and times page loads."""

    def __init__(self, host: str, port: int) -> None:
        self.connection = http.client.HTTPConnection(host, port, timeout=30)
        self.cookies: dict[str, str] = {}

    def _send(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, bytes, http.client.HTTPResponse]:
        sent = {"Accept": "text/html", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.connection.request(method, path, body=body, headers=sent)
        response = self.connection.getresponse()
        data = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, data, response

    def login(self, email: str, password: str) -> None:
        status, page, _ = self._send("GET", "/login")
        token = CSRF_FIELD.search(page.decode(errors="replace"))
        if status != 200 or token is None:
            raise RuntimeError(f"GET /login gave {status} and no CSRF token")
        form = urlencode({"csrf_token": token.group(1), "email": email, "password": password})
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        status, data, _ = self._send("POST", "/login", form.encode(), headers)
        if status not in (302, 303):
            raise RuntimeError(f"web login as {email} failed: {status} {data[:200]!r}")

    def timed(self, op: str, path: str) -> Sample:
        started = time.perf_counter()
        status, data, response = self._send("GET", path)
        ms = (time.perf_counter() - started) * 1000
        if status in (301, 302, 303) and "/login" in (response.getheader("Location") or ""):
            raise RuntimeError(f"GET {path}: the web session was logged out")
        if status not in (200, 404):
            print(f"  unexpected {status} for GET {path}: {data[:300]!r}")
        return Sample(op, path.split("?")[0], status, status == 200, ms)

    def close(self) -> None:
        self.connection.close()
