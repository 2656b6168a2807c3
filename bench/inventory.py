"""Benchmark of stock: the depot stock page, GET /api/v1/stock and reserve_nearest, with
10,000 part types, 200 locations and 1,000,000 ledger rows. Target: p95 under 50 ms.

For each backend: a scratch database (migrated, one stock manager, then the bulk dataset of
`bench.inventory_data` written with Core executemany inserts), proved consistent with
`verify_ledger()` (the benchmark fails when it is not balanced), then timed:
- over HTTP through one real gunicorn process (one gthread worker, one thread), one
  keep-alive connection: `GET /stock/locations/<code>` logged in through the web form as
  the stock manager, and `GET /api/v1/stock?location=<code>` with a bearer token, varying
  depot and page; a route that does not exist (yet) is reported as skipped, not failed;
- in process: `services.reserve_nearest` of one unit of a random part type for a random point
  in the country, each call its own committed transaction (timed with the commit), each
  followed by releasing it in its own transaction (reported, not judged).

    python -m bench.inventory [--backend sqlite|postgres|both] [--quick] [--requests 300]

`--quick` (or FIELDOPS_BENCH_QUICK=1) uses a small dataset to smoke-test the benchmark.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import databases, inventory_data
from bench.client import ApiClient, Sample, summarise
from bench.server import serving
from bench.web_client import WebSession

TARGET_P95_MS = 50.0
MANAGER = "bench.stock@fieldops.example"
PASSWORD = "bench-only-password-2026"
PER_PAGE = 50


@dataclass
class Row:
    backend: str
    operation: str
    n: int
    median_ms: float
    p95_ms: float
    max_ms: float
    errors: int
    judged: bool
    passed: bool
    note: str = ""


@dataclass
class Dataset:
    backend: str
    load_s: float
    verify_s: float
    balanced: bool
    counts: dict[str, int]


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    workdir = Path(tempfile.mkdtemp(prefix="fieldops-bench-inventory-"))
    # Set before anything imports fieldops.config: it reads the instance dir at import.
    os.environ["FIELDOPS_INSTANCE_DIR"] = str(workdir)
    os.environ.setdefault("FIELDOPS_SECRET_KEY", "bench-only-secret")
    size = inventory_data.QUICK if args.quick else inventory_data.FULL
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    rows: list[Row] = []
    datasets: list[Dataset] = []
    failed = False
    try:
        for backend in backends:
            outcome = _run_backend(backend, args, size, workdir)
            if outcome is None:
                continue
            dataset, backend_rows = outcome
            datasets.append(dataset)
            rows += backend_rows
            failed |= not dataset.balanced
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    _print_table(rows, datasets, size)
    _write_json(rows, datasets, size, args)
    return 1 if failed or not all(r.passed for r in rows if r.judged) else 0


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.inventory", description=__doc__)
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--requests", type=int, default=300, help="timed samples per operation")
    parser.add_argument("--warmup", type=int, default=30, help="untimed samples per operation")
    parser.add_argument("--seed", type=int, default=42, help="seed of the request mix")
    parser.add_argument(
        "--quick",
        action="store_true",
        default=os.environ.get("FIELDOPS_BENCH_QUICK", "") == "1",
        help="a small dataset, to smoke-test the benchmark",
    )
    databases.add_server_args(parser)
    return parser.parse_args(argv)


def _run_backend(
    backend: str, args: argparse.Namespace, size: inventory_data.Size, workdir: Path
) -> tuple[Dataset, list[Row]] | None:
    return databases.on_scratch_database(
        backend,
        args.postgres_url,
        workdir / "inventory.db",
        lambda url: _build_and_measure(backend, url, args, size, workdir),
    )


def _build_and_measure(
    backend: str, url: str, args: argparse.Namespace, size: inventory_data.Size, workdir: Path
) -> tuple[Dataset, list[Row]]:
    dataset, loaded = _build(backend, url, size)
    if not dataset.balanced:
        databases.say(f"{backend}: the ledger does NOT balance; not measuring")
        return dataset, []
    rows = _measure_http(backend, url, args, size, loaded, workdir)
    rows += _measure_reserve(backend, url, args, loaded)
    return dataset, rows


def _app(url: str) -> Any:
    from fieldops.app import create_app
    from fieldops.config import Config

    config = Config()
    config.SQLALCHEMY_DATABASE_URI = url
    return create_app(config)


def _build(
    backend: str, url: str, size: inventory_data.Size
) -> tuple[Dataset, inventory_data.Loaded]:
    from flask_migrate import upgrade

    from fieldops.accounts.services import create_user
    from fieldops.db import db, transaction
    from fieldops.inventory.queries import verify_ledger

    now = datetime.now(UTC)
    app = _app(url)
    with app.app_context():
        upgrade()
        with transaction():
            user = create_user(
                email=MANAGER, password=PASSWORD, role="stock_manager", name="Bench", now=now
            )
            actor_id = user.id
        databases.say(
            f"{backend}: loading {size.part_types} part types, {size.depots + size.vans} "
            f"locations, {size.movements} ledger rows"
        )
        started = time.perf_counter()
        with db.engine.connect() as connection:
            loaded = inventory_data.load(
                connection,
                dict(db.metadata.tables),
                size=size,
                now=now,
                actor_id=actor_id,
                say=databases.say,
            )
        load_s = time.perf_counter() - started
        db.session.remove()
        db.engine.dispose()
    if backend == "postgres":
        databases.vacuum_analyze(url)
    with app.app_context():
        started = time.perf_counter()
        check = verify_ledger()
        verify_s = time.perf_counter() - started
        db.session.remove()
        db.engine.dispose()
    databases.say(
        f"{backend}: loaded in {load_s:.1f} s; verify_ledger: {check.lines} lines, "
        f"{check.movements} movements, balanced={check.balanced} in {verify_s:.1f} s"
    )
    for problem in check.discrepancies[:10]:
        databases.say(f"  discrepancy: {problem}")
    counts = {**loaded.counts, "stock_movements": check.movements}
    return Dataset(backend, load_s, verify_s, check.balanced, counts), loaded


def _measure_http(
    backend: str,
    url: str,
    args: argparse.Namespace,
    size: inventory_data.Size,
    loaded: inventory_data.Loaded,
    workdir: Path,
) -> list[Row]:
    rng = random.Random(args.seed)
    pages = max(1, size.depot_lines // PER_PAGE)

    def pick() -> tuple[str, int]:
        return rng.choice(loaded.depot_codes), rng.randint(1, pages)

    rows: list[Row] = []
    with serving(url, workdir) as port:
        databases.say(f"{backend}: server on port {port}")
        # Each operation logs in on its own connection just before it runs: gunicorn closes
        # a keep-alive connection idle for 2 s.
        web = WebSession("127.0.0.1", port)
        web.login(MANAGER, PASSWORD)
        rows.append(_http_op(backend, "stock page (web)", lambda: _web_sample(web, *pick()), args))
        web.close()
        api = ApiClient("127.0.0.1", port)
        api.login(MANAGER, PASSWORD)
        rows.append(_http_op(backend, "GET /api/v1/stock", lambda: _api_sample(api, *pick()), args))
        api.close()
    return rows


def _http_op(backend: str, op: str, take: Callable[[], Sample], args: argparse.Namespace) -> Row:
    """Probe the route (a 404 means it is not there yet: skipped), warm up, then sample."""
    probe = take()
    if probe.status == 404:
        note = "route not there (404): skipped"
        databases.say(f"{backend}: {op}: {note}")
        return Row(backend, op, 0, 0, 0, 0, 0, False, True, note)
    for _ in range(args.warmup):
        take()
    return _row(backend, op, [take() for _ in range(args.requests)])


def _web_sample(web: WebSession, code: str, page: int) -> Sample:
    return web.timed("stock page", f"/stock/locations/{code}?page={page}")


def _api_sample(api: ApiClient, code: str, page: int) -> Sample:
    path = f"/api/v1/stock?location={code}&page={page}&per_page={PER_PAGE}"
    return api.timed("api stock", "GET /api/v1/stock?location=", "GET", path, None, {})


def _row(backend: str, op: str, samples: list[Sample], *, judged: bool = True) -> Row:
    stats = summarise(samples)
    passed = stats.errors == 0 and stats.p95_ms < TARGET_P95_MS
    return Row(
        backend,
        op,
        stats.n,
        stats.median_ms,
        stats.p95_ms,
        stats.max_ms,
        stats.errors,
        judged,
        passed or not judged,
    )


def _measure_reserve(
    backend: str, url: str, args: argparse.Namespace, loaded: inventory_data.Loaded
) -> list[Row]:
    from sqlalchemy import select

    from fieldops.accounts.models import User
    from fieldops.clock import utcnow
    from fieldops.db import db, transaction
    from fieldops.geo import Point
    from fieldops.inventory import services

    rng = random.Random(args.seed + 1)
    reserves: list[Sample] = []
    releases: list[Sample] = []
    backorders = 0
    app = _app(url)
    with app.app_context():
        actor = db.session.scalar(select(User).where(User.email == MANAGER))
        for i in range(args.warmup + args.requests):
            sku = rng.choice(loaded.skus)
            point = Point(
                rng.uniform(*inventory_data.LAT_RANGE), rng.uniform(*inventory_data.LON_RANGE)
            )
            started = time.perf_counter()
            with transaction():
                outcome = services.reserve_nearest(
                    actor=actor, sku=sku, quantity=1, point=point, now=utcnow(), purpose="Bench"
                )
                reservation_id = outcome.reservation.id if outcome.reservation else None
            ms = (time.perf_counter() - started) * 1000
            timed = i >= args.warmup
            if timed:
                reserves.append(Sample("reserve", "reserve_nearest", 200, True, ms))
            if reservation_id is None:
                backorders += timed
                continue
            started = time.perf_counter()
            with transaction():
                services.release(actor=actor, reservation_id=reservation_id, now=utcnow())
            ms = (time.perf_counter() - started) * 1000
            if timed:
                releases.append(Sample("release", "release", 200, True, ms))
        db.session.remove()
        db.engine.dispose()
    reserve_row = _row(backend, "reserve_nearest + commit", reserves)
    if backorders:
        reserve_row.note = f"{backorders} of {len(reserves)} became backorders"
    return [reserve_row, _row(backend, "release + commit", releases, judged=False)]


def _print_table(rows: list[Row], datasets: list[Dataset], size: inventory_data.Size) -> None:
    print()
    print(
        f"Inventory with {size.part_types} part types, {size.depots} depots + {size.vans} vans, "
        f"{size.movements} ledger rows; one gunicorn gthread worker, one thread; "
        f"{os.cpu_count()} CPUs"
    )
    header = (
        f"{'database':<9} {'operation':<26} {'samples':>7} {'median ms':>10} {'p95 ms':>8}"
        f" {'max ms':>8}  target met"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        if r.n == 0:
            verdict = f"SKIPPED: {r.note}"
        elif not r.judged:
            verdict = "(not judged)"
        else:
            verdict = f"{'yes' if r.passed else 'NO'} (p95 < {TARGET_P95_MS:.0f} ms)"
            if r.errors:
                verdict += f" ({r.errors} errors)"
            if r.note:
                verdict += f"; {r.note}"
        print(
            f"{r.backend:<9} {r.operation:<26} {r.n:>7} {r.median_ms:>10.1f} {r.p95_ms:>8.1f}"
            f" {r.max_ms:>8.1f}  {verdict}"
        )
    print()
    for d in datasets:
        counts = ", ".join(f"{v} {k}" for k, v in sorted(d.counts.items()))
        print(
            f"{d.backend}: dataset loaded in {d.load_s:.1f} s; verify_ledger "
            f"{'balanced' if d.balanced else 'NOT BALANCED'} in {d.verify_s:.1f} s ({counts})"
        )


def _write_json(
    rows: list[Row], datasets: list[Dataset], size: inventory_data.Size, args: argparse.Namespace
) -> None:
    databases.write_results(
        "inventory",
        {
            "size": asdict(size),
            "quick": args.quick,
            "samples_per_operation": args.requests,
            "target_p95_ms": TARGET_P95_MS,
            "datasets": [asdict(d) for d in datasets],
            "results": [asdict(r) for r in rows],
        },
    )


if __name__ == "__main__":
    started = time.perf_counter()
    code = main()
    print(f"Benchmark took {time.perf_counter() - started:.0f} s.")
    raise SystemExit(code)
