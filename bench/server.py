"""One real HTTP server process for a benchmark: gunicorn, one gthread worker, one thread.

The app runs exactly as in production (`fieldops:create_app()` under gunicorn), pointed at
a scratch database by environment variables; its log goes to a file in the scratch dir.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _gunicorn() -> str:
    candidate = Path(sys.executable).with_name("gunicorn")
    if not candidate.exists():
        raise RuntimeError(f"gunicorn not found next to {sys.executable}")
    return str(candidate)


@contextmanager
def serving(database_url: str, workdir: Path, *, threads: int = 1) -> Iterator[int]:
    """Start the app on a free loopback port, wait until it answers, yield the port.

    If the body raises, the tail of the server's log is printed first (a 500 says little).
    """
    port = free_port()
    env = os.environ.copy()
    env.update(
        FIELDOPS_DATABASE_URL=database_url,
        FIELDOPS_INSTANCE_DIR=str(workdir),
        FIELDOPS_SECRET_KEY="bench-only-secret",
    )
    command = [
        _gunicorn(),
        "-w", "1",
        "-k", "gthread",
        "--threads", str(threads),
        "-b", f"127.0.0.1:{port}",
        "--log-level", "warning",
        "fieldops:create_app()",
    ]  # fmt: skip
    log_path = workdir / f"server-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            _wait_until_up(port, process, log_path)
            yield port
        except Exception:
            tail = log_path.read_text(errors="replace").splitlines()[-40:]
            print("--- server log (last lines) ---", *tail, sep="\n", file=sys.stderr)
            raise
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_up(port: int, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early; see {log_path}:\n{log_path.read_text()}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/api/v1/openapi.json")
            response = connection.getresponse()
            response.read()
            connection.close()
            if response.status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server did not answer within 60 s; see {log_path}")
