"""A keep-alive HTTP client for /api/v1 that times each request, and latency statistics."""

from __future__ import annotations

import http.client
import json
import math
import statistics
import time
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Sample:
    op: str
    label: str
    status: int
    expected: bool
    ms: float


@dataclass(frozen=True)
class Stats:
    n: int
    median_ms: float
    p95_ms: float
    max_ms: float
    errors: int


def summarise(samples: list[Sample]) -> Stats:
    """Median, nearest-rank p95 and max of the samples' latencies; errors are counted."""
    times = sorted(s.ms for s in samples)
    if not times:
        return Stats(0, 0.0, 0.0, 0.0, 0)
    p95 = times[max(0, math.ceil(0.95 * len(times)) - 1)]
    errors = sum(not s.expected for s in samples)
    return Stats(len(times), statistics.median(times), p95, times[-1], errors)


class ApiClient:
    """One persistent connection; `timed` measures request plus full response read."""

    def __init__(self, host: str, port: int) -> None:
        self.connection = http.client.HTTPConnection(host, port, timeout=30)
        self.token = ""

    def _send(
        self, method: str, path: str, body: dict[str, Any] | None, headers: dict[str, str]
    ) -> tuple[int, bytes]:
        sent = {"Accept": "application/json", **headers}
        if self.token:
            sent["Authorization"] = f"Bearer {self.token}"
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        self.connection.request(method, path, body=payload, headers=sent)
        response = self.connection.getresponse()
        return response.status, response.read()

    def login(self, email: str, password: str) -> None:
        status, data = self._send(
            "POST", "/api/v1/auth/token", {"email": email, "password": password}, {}
        )
        if status != 201:
            raise RuntimeError(f"login as {email} failed: {status} {data[:200]!r}")
        self.token = json.loads(data)["token"]

    def get_json(self, path: str) -> Any:
        status, data = self._send("GET", path, None, {})
        if status != 200:
            raise RuntimeError(f"GET {path} failed: {status} {data[:200]!r}")
        return json.loads(data)

    def timed(
        self,
        op: str,
        label: str,
        method: str,
        path: str,
        body: dict[str, Any] | None,
        headers: dict[str, str],
    ) -> Sample:
        started = time.perf_counter()
        status, data = self._send(method, path, body, headers)
        ms = (time.perf_counter() - started) * 1000
        expected = status == (201 if method == "POST" else 200)
        if not expected:
            print(f"  unexpected {status} for {method} {path}: {data[:300]!r}")
        return Sample(op, label, status, expected, ms)

    def close(self) -> None:
        self.connection.close()
