"""Scratch databases for benchmarks: a cached SQLite file or a throwaway PostgreSQL database.

Building one means running the migrations, loading the demo world and adding N history
tickets with `seed`, in this process. A built SQLite file is cached under bench/results/cache
(gitignored) per N, keyed by a hash of the migrations, the models and the seed package, and
copied for each run (runs write to it). PostgreSQL databases are created on the admin
connection's server, named `fieldops_bench_<random>`, and dropped afterwards.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import psycopg
from sqlalchemy.engine import make_url

T = TypeVar("T")

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CACHE_DIR = PROJECT_ROOT / "bench" / "results" / "cache"
DEFAULT_POSTGRES_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

Say = Callable[[str], None]


def content_key(tickets: int) -> str:
    """A hash of everything that shapes the built database: schema, seed code and data, N."""
    digest = hashlib.sha256(f"tickets={tickets}".encode())
    for folder, pattern in (("migrations/versions", "*.py"), ("seed", "*.py"), ("seed", "*.json")):
        for path in sorted((PROJECT_ROOT / folder).glob(pattern)):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    for path in sorted((PROJECT_ROOT / "fieldops").rglob("models.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def build(url: str, tickets: int, say: Say) -> float:
    """Migrate the empty database at `url`, load the demo world and `tickets` history tickets.

    Returns the seconds the history took. Runs in this process with a throwaway app.
    """
    from flask_migrate import upgrade

    from fieldops.app import create_app
    from fieldops.config import Config
    from fieldops.db import db
    from seed.loader import load_demo, make_history

    config = Config()
    config.SQLALCHEMY_DATABASE_URI = url
    app = create_app(config)
    with app.app_context():
        upgrade()
        load_demo(echo=lambda _line: None)
        started = time.perf_counter()
        make_history(tickets, echo=say, progress=False)
        seconds = time.perf_counter() - started
        db.session.remove()
        db.engine.dispose()
    return seconds


def sqlite_database(
    workdir: Path, tickets: int, say: Say, *, use_cache: bool
) -> tuple[str, float | None]:
    """A SQLite file with the demo world and `tickets` history tickets, in `workdir`.

    Returns its URL and the seconds seeding took (None when it came from the cache).
    """
    target = workdir / "bench.db"
    cached = CACHE_DIR / f"sqlite-{tickets}-{content_key(tickets)}.db"
    if use_cache and cached.exists():
        say(f"sqlite: using cached database {cached.name}")
        shutil.copyfile(cached, target)
        return f"sqlite:///{target}", None
    say(f"sqlite: building a database with {tickets} tickets")
    seconds = build(f"sqlite:///{target}", tickets, say)
    _checkpoint(target)
    if use_cache:
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        for stale in CACHE_DIR.glob(f"sqlite-{tickets}-*.db"):  # built by older code
            stale.unlink()
        shutil.copyfile(target, cached)
    return f"sqlite:///{target}", seconds


def _checkpoint(path: Path) -> None:
    """Fold the WAL into the main file so one file is a complete copy."""
    import sqlite3

    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def postgres_reachable(admin_url: str) -> str | None:
    """None when the admin connection works, else why not."""
    try:
        with psycopg.connect(_dsn(admin_url), connect_timeout=3) as connection:
            connection.execute("SELECT 1")
    except psycopg.Error as error:
        return str(error).strip().splitlines()[0]
    return None


def create_postgres_database(admin_url: str) -> str:
    name = f"fieldops_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_dsn(admin_url), autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def vacuum_analyze(url: str) -> None:
    """What autovacuum does within a minute or two of a bulk load: statistics for the
    planner and a visibility map for index-only scans. Done at once so runs are comparable."""
    with psycopg.connect(_dsn(url), autocommit=True) as connection:
        connection.execute("VACUUM (ANALYZE)")


def drop_postgres_database(admin_url: str, url: str) -> None:
    name = make_url(url).database
    with psycopg.connect(_dsn(admin_url), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def add_server_args(parser: argparse.ArgumentParser) -> None:
    """The options every benchmark that serves a scratch database over HTTP takes."""
    parser.add_argument("--keep", action="store_true", help="keep the scratch dir (server logs)")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("FIELDOPS_BENCH_POSTGRES_URL", DEFAULT_POSTGRES_ADMIN_URL),
        help="admin connection used to CREATE and DROP the scratch database",
    )


def say(line: str) -> None:
    """Progress and results, printed at once (runs are long and often piped)."""
    print(line, flush=True)


def on_scratch_database(
    backend: str, postgres_url: str, sqlite_path: Path, work: Callable[[str], T]
) -> T | None:
    """Run `work(url)` on a scratch database of the backend: a SQLite file at `sqlite_path`,
    or a PostgreSQL database made for it and dropped afterwards. None (and a line saying
    why) when PostgreSQL is unreachable."""
    if backend == "sqlite":
        return work(f"sqlite:///{sqlite_path}")
    problem = postgres_reachable(postgres_url)
    if problem is not None:
        say(f"postgres: skipped, {postgres_url} is unreachable ({problem})")
        return None
    url = create_postgres_database(postgres_url)
    try:
        return work(url)
    finally:
        drop_postgres_database(postgres_url, url)


RESULTS_DIR = PROJECT_ROOT / "bench" / "results"


def write_results(benchmark: str, fields: dict[str, Any]) -> Path:
    """Write a run's results to bench/results/<benchmark>-<UTC stamp>.json (git-ignored),
    with the benchmark's name, the time of the run and the machine, and say where."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    document = {
        "benchmark": benchmark,
        "run_at": stamp,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        **fields,
    }
    path = RESULTS_DIR / f"{benchmark}-{stamp}.json"
    path.write_text(json.dumps(document, indent=2, default=str) + "\n")
    say(f"Results written to {path.relative_to(PROJECT_ROOT)}")
    return path
