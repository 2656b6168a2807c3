"""Benchmark of dispatch: the candidates for one job among 2,000 engineers (target p95 under
50 ms) and auto-assigning 500 jobs to 300 engineers in one unit of work (target under 5 s).

For each backend: a scratch database (migrated, a dispatcher, an SLA plan, customers and
their services through the services, then the bulk world of `bench.dispatch_data` written
with Core executemany inserts), proved consistent with `verify_ledger()`, then, in process:
- `queries.candidates_for(number, now)` for a random unassigned job, all 2,000 engineers
  active (warm-up, then `--samples` timed calls, each a read-only transaction);
- `services.auto_assign` of the 500 unassigned batch jobs with only 300 engineers (and their
  vans) active, in one `transaction()`, timed with the commit; `--runs` times, each on a
  fresh copy of the database (a file copy on SQLite, CREATE DATABASE ... TEMPLATE on
  PostgreSQL). After each run (a profiled one too) the benchmark fails unless no engineer
  holds more jobs than their capacity on any local day, every assignment satisfies the
  job's skills and the ledger still balances.

    python -m bench.dispatch [--backend sqlite|postgres|both] [--quick] [--samples 200]
        [--runs 3] [--profile]

`--quick` (or FIELDOPS_BENCH_QUICK=1) uses a small world to smoke-test the benchmark;
`--profile` writes pyinstrument reports of one candidates call and one auto-assign run to
bench/results/ (pip install pyinstrument).
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import shutil
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import databases, dispatch_data
from bench.client import Sample, summarise

CANDIDATES_P95_MS = 50.0
AUTO_ASSIGN_S = 5.0
DISPATCHER = "bench.dispatch@fieldops.example"
PASSWORD = "bench-only-password-2026"
# A Wednesday, 09:00 in Warsaw: day shifts are starting, the night rota is going home.
NOW = datetime(2026, 11, 18, 8, 0, tzinfo=UTC)
PLAN: dict[str, Any] = {
    "code": "BENCH-24X7",
    "name": "Bench 24x7",
    "calendar": {
        "timezone": "Europe/Warsaw",
        "hours": {day: [["00:00", "24:00"]] for day in dispatch_data.DAYS},
        "holidays": [],
    },
    "targets": {
        "P1": {"response_min": 15, "resolution_min": 240, "onsite_min": 240},
        "P2": {"response_min": 30, "resolution_min": 480, "onsite_min": 480},
        "P3": {"response_min": 120, "resolution_min": 1440, "onsite_min": 1440},
        "P4": {"response_min": 480, "resolution_min": 4320, "onsite_min": 4320},
    },
}


@dataclass
class Row:
    backend: str
    operation: str
    n: int
    median: float
    tail: float  # p95 for the candidates (ms), max for auto-assign (s)
    unit: str
    target: str
    passed: bool
    note: str = ""


@dataclass
class Dataset:
    backend: str
    load_s: float
    balanced: bool
    counts: dict[str, int]
    runs: list[dict[str, Any]] = field(default_factory=list)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    workdir = Path(tempfile.mkdtemp(prefix="fieldops-bench-dispatch-"))
    # Set before anything imports fieldops.config: it reads the instance dir at import.
    os.environ["FIELDOPS_INSTANCE_DIR"] = str(workdir)
    os.environ.setdefault("FIELDOPS_SECRET_KEY", "bench-only-secret")
    size = dispatch_data.QUICK if args.quick else dispatch_data.FULL
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    rows: list[Row] = []
    datasets: list[Dataset] = []
    try:
        for backend in backends:
            outcome = _run_backend(backend, args, size, workdir)
            if outcome is not None:
                datasets.append(outcome[0])
                rows += outcome[1]
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    _print_table(rows, datasets, size)
    _write_json(rows, datasets, size, args)
    consistent = all(d.balanced and all(r["valid"] for r in d.runs) for d in datasets)
    return 0 if consistent and all(r.passed for r in rows) else 1


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.dispatch", description=__doc__)
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--samples", type=int, default=200, help="timed candidates calls")
    parser.add_argument("--warmup", type=int, default=20, help="untimed candidates calls")
    parser.add_argument("--runs", type=int, default=3, help="auto-assign runs (fresh copies)")
    parser.add_argument("--seed", type=int, default=42, help="seed of the job choice")
    parser.add_argument(
        "--quick",
        action="store_true",
        default=os.environ.get("FIELDOPS_BENCH_QUICK", "") == "1",
        help="a small world, to smoke-test the benchmark",
    )
    parser.add_argument("--profile", action="store_true", help="pyinstrument reports")
    databases.add_server_args(parser)
    return parser.parse_args(argv)


def _app(url: str) -> Any:
    from fieldops.app import create_app
    from fieldops.config import Config

    config = Config()
    config.SQLALCHEMY_DATABASE_URI = url
    return create_app(config)


@contextmanager
def _context(url: str) -> Iterator[Any]:
    """An app context on `url` whose connections are closed afterwards (copies need that)."""
    from fieldops.db import db

    app = _app(url)
    with app.app_context():
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


def _run_backend(
    backend: str, args: argparse.Namespace, size: dispatch_data.Size, workdir: Path
) -> tuple[Dataset, list[Row]] | None:
    return databases.on_scratch_database(
        backend,
        args.postgres_url,
        workdir / "dispatch.db",
        lambda url: _build_and_measure(backend, url, args, size, workdir),
    )


def _build_and_measure(
    backend: str, url: str, args: argparse.Namespace, size: dispatch_data.Size, workdir: Path
) -> tuple[Dataset, list[Row]]:
    dataset, loaded = _build(backend, url, size)
    if not dataset.balanced:
        databases.say(f"{backend}: the ledger does NOT balance; not measuring")
        return dataset, []
    rows = [_measure_candidates(backend, url, args, loaded, size)]
    batch = _prepare_batch(backend, url, size, loaded, args.seed)
    seconds: list[float] = []
    # A profiled run (with --profile) comes first and is not timed: the profiler slows it.
    for run in range(-1 if args.profile else 0, args.runs):
        copy = _copy(backend, url, workdir, run + 1, args.postgres_url)
        try:
            outcome = _auto_assign_once(backend, copy, batch, profile=run < 0)
        finally:
            _drop_copy(backend, copy, args.postgres_url)
        dataset.runs.append(outcome)
        if run < 0:
            databases.say(f"{backend}: profiled auto-assign run: {outcome['seconds']:.2f} s")
            continue
        seconds.append(outcome["seconds"])
        databases.say(
            f"{backend}: auto-assign run {run + 1}: {outcome['seconds']:.2f} s, "
            f"{outcome['assigned']} assigned ({outcome['awaiting_parts']} awaiting parts), "
            f"{outcome['unplaced']} unplaced; valid={outcome['valid']}"
        )
        for problem in outcome["problems"][:10]:
            databases.say(f"  violation: {problem}")
    valid = all(r["valid"] for r in dataset.runs)
    rows.append(
        Row(
            backend,
            f"auto_assign {len(batch)} jobs / {size.assign_engineers} eng + commit",
            len(seconds),
            statistics.median(seconds),
            max(seconds),
            "s",
            f"< {AUTO_ASSIGN_S:.0f} s",
            valid and max(seconds) < AUTO_ASSIGN_S,
            "" if valid else "capacity or skills violated",
        )
    )
    return dataset, rows


def _build(backend: str, url: str, size: dispatch_data.Size) -> tuple[Dataset, Any]:
    from flask_migrate import upgrade

    from fieldops.accounts.services import create_user
    from fieldops.customers.services import create_customer, create_service, create_sla_plan
    from fieldops.db import db, transaction
    from fieldops.inventory.queries import verify_ledger

    rng = random.Random(5)
    databases.say(
        f"{backend}: loading {size.engineers} engineers, {size.sites} sites, "
        f"{size.held_jobs} held and {size.candidate_jobs} open jobs"
    )
    started = time.perf_counter()
    with _context(url):
        upgrade()
        with transaction():
            create_user(email=DISPATCHER, password=PASSWORD, role="dispatcher", name="Bench",
                        now=NOW)  # fmt: skip
            create_sla_plan(now=NOW, **PLAN)
            for n in range(size.customers):
                create_customer(code=f"BC{n + 1:03d}", name=f"Bench customer {n + 1}", now=NOW)
            sites = []
            for spec in dispatch_data.make_sites(rng, size):
                service = create_service(sla_plan_code=PLAN["code"], now=NOW, **spec)
                sites.append(
                    (service.id, service.customer_id, service.site_id,
                     spec["site"]["lat"], spec["site"]["lon"])
                )  # fmt: skip
        with db.engine.connect() as connection:
            loaded = dispatch_data.load(
                connection, dict(db.metadata.tables), size=size, now=NOW, sites=sites
            )
    load_s = time.perf_counter() - started
    if backend == "postgres":
        databases.vacuum_analyze(url)
    with _context(url):
        check = verify_ledger()
    databases.say(
        f"{backend}: loaded in {load_s:.1f} s; verify_ledger: {check.movements} movements, "
        f"balanced={check.balanced}"
    )
    for problem in check.discrepancies[:10]:
        databases.say(f"  discrepancy: {problem}")
    counts = {**loaded.counts, "sites": len(sites)}
    return Dataset(backend, load_s, check.balanced, counts), loaded


def _measure_candidates(
    backend: str, url: str, args: argparse.Namespace, loaded: Any, size: dispatch_data.Size
) -> Row:
    from fieldops.db import db
    from fieldops.dispatch import queries

    rng = random.Random(args.seed)
    samples: list[Sample] = []
    found: list[int] = []
    # The world builder's own data (hundreds of thousands of dicts) stays alive in this
    # process and would make every full garbage collection scan it, a cost no server
    # request carries: set it aside, as a gunicorn worker's heap is just the app.
    gc.collect()
    gc.freeze()
    with _context(url):
        for i in range(args.warmup + args.samples):
            number = rng.choice(loaded.candidate_jobs)
            started = time.perf_counter()
            _, ranking = queries.candidates_for(number, NOW)
            ms = (time.perf_counter() - started) * 1000
            db.session.rollback()  # end the read-only transaction, as a request would
            if i >= args.warmup:
                samples.append(Sample("candidates", "candidates_for", 200, True, ms))
                found.append(len(ranking.candidates))
        if args.profile:  # over 30 calls, so one pause does not skew the picture
            numbers = rng.sample(loaded.candidate_jobs, min(30, len(loaded.candidate_jobs)))

            def _each() -> None:
                for n in numbers:
                    queries.candidates_for(n, NOW)
                    db.session.rollback()

            _profile(f"candidates-{backend}", _each)
    stats = summarise(samples)
    return Row(
        backend,
        f"candidates_for, {size.engineers} engineers",
        stats.n,
        stats.median_ms,
        stats.p95_ms,
        "ms",
        f"p95 < {CANDIDATES_P95_MS:.0f} ms",
        stats.p95_ms < CANDIDATES_P95_MS,
        f"{statistics.median(found):.0f} candidates (median)",
    )


def _prepare_batch(
    backend: str, url: str, size: dispatch_data.Size, loaded: Any, seed: int
) -> list[str]:
    """Leave only the first `assign_engineers` engineers (and their vans) active, and add
    the unassigned batch jobs; returns their numbers."""
    from sqlalchemy import update

    from fieldops.db import db
    from fieldops.engineers.models import Engineer
    from fieldops.inventory.models import StockLocation

    with _context(url), db.engine.connect() as connection:
        with connection.begin():
            connection.execute(
                update(Engineer).where(Engineer.id > size.assign_engineers).values(is_active=False)
            )
            connection.execute(
                update(StockLocation)
                .where(StockLocation.engineer_id > size.assign_engineers)
                .values(is_active=False)
            )
        rng = random.Random(seed + 1)
        jobs = dispatch_data.open_jobs(rng, size, NOW, size.batch_jobs)
        numbers = dispatch_data.write_jobs(
            connection, dict(db.metadata.tables), loaded, jobs, NOW, rng
        )
    if backend == "postgres":
        databases.vacuum_analyze(url)
    return numbers


def _copy(backend: str, url: str, workdir: Path, run: int, admin_url: str) -> str:
    """A fresh copy of the prepared database for one auto-assign run."""
    if backend == "sqlite":
        import sqlite3

        source = Path(url.removeprefix("sqlite:///"))
        with sqlite3.connect(source) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        target = workdir / f"dispatch-run-{run}.db"
        shutil.copyfile(source, target)
        return f"sqlite:///{target}"
    import psycopg
    from sqlalchemy.engine import make_url

    name = f"{make_url(url).database}_run{run}"
    with psycopg.connect(databases._dsn(admin_url), autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{make_url(url).database}"')
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def _drop_copy(backend: str, url: str, admin_url: str) -> None:
    if backend == "sqlite":
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    else:
        databases.drop_postgres_database(admin_url, url)


def _auto_assign_once(backend: str, url: str, batch: list[str], *, profile: bool) -> dict[str, Any]:
    from sqlalchemy import select

    from fieldops.accounts.models import User
    from fieldops.db import db, transaction
    from fieldops.dispatch import services

    with _context(url):
        actor = db.session.scalar(select(User).where(User.email == DISPATCHER))
        db.session.commit()

        def run() -> Any:
            with transaction():
                return services.auto_assign(actor=actor, now=NOW, numbers=batch)

        started = time.perf_counter()
        result = _profile(f"auto-assign-{backend}", run) if profile else run()
        seconds = time.perf_counter() - started
        assigned = len(result.assigned)
        awaiting = sum(bool(a.backordered) for a in result.assigned)
        unplaced = len(result.unplaced)
        db.session.remove()
        problems = check_assignments(batch)
    return {
        "seconds": seconds,
        "assigned": assigned,
        "awaiting_parts": awaiting,
        "unplaced": unplaced,
        "valid": not problems,
        "problems": problems,
        "profiled": profile,
    }


def check_assignments(batch: list[str]) -> list[str]:
    """What is wrong after auto-assign: an engineer over capacity on a local day (counting
    every job they hold), a batch job given to an engineer without its skills or inactive,
    a batch job neither placed nor left unassigned, or an unbalanced ledger."""
    from zoneinfo import ZoneInfo

    from sqlalchemy import select

    from fieldops.db import db
    from fieldops.dispatch.models import Job
    from fieldops.dispatch.rules import HELD
    from fieldops.engineers.models import Engineer
    from fieldops.inventory.queries import verify_ledger

    problems: list[str] = []
    engineers = {e.id: e for e in db.session.scalars(select(Engineer))}
    loads: dict[tuple[int, Any], int] = defaultdict(int)
    held = db.session.execute(
        select(Job.engineer_id, Job.arrive_by).where(
            Job.status.in_([str(s) for s in HELD]), Job.engineer_id.is_not(None)
        )
    )
    for engineer_id, arrive_by in held:
        engineer = engineers[engineer_id or 0]
        loads[(engineer.id, arrive_by.astimezone(ZoneInfo(engineer.timezone)).date())] += 1
    for (engineer_id, day), count in sorted(loads.items()):
        if count > engineers[engineer_id].daily_capacity:
            problems.append(
                f"engineer {engineer_id} holds {count} jobs on {day}, capacity "
                f"{engineers[engineer_id].daily_capacity}"
            )
    wanted = set(batch)
    for job in db.session.scalars(select(Job).where(Job.number.in_(batch))):
        wanted.discard(job.number)
        if job.status == "unassigned":
            continue
        if job.status not in ("assigned", "awaiting_parts") or job.engineer_id is None:
            problems.append(f"{job.number} ended {job.status}")
            continue
        engineer = engineers[job.engineer_id]
        if not set(job.required_skills) <= set(engineer.skills):
            problems.append(f"{job.number} needs {job.required_skills}, {engineer.id} lacks some")
        if not engineer.is_active:
            problems.append(f"{job.number} went to inactive engineer {engineer.id}")
    problems += [f"{number} is missing" for number in sorted(wanted)]
    check = verify_ledger()
    if not check.balanced:
        problems += [f"ledger: {d}" for d in check.discrepancies[:5]]
    return problems


def _profile(name: str, call: Callable[[], Any]) -> Any:
    try:
        from pyinstrument import Profiler
    except ImportError:
        databases.say("profile: pyinstrument is not installed (pip install pyinstrument)")
        return call()
    profiler = Profiler(interval=0.0005)
    profiler.start()
    try:
        return call()
    finally:
        profiler.stop()
        databases.RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        path = databases.RESULTS_DIR / f"profile-{name}.txt"
        path.write_text(profiler.output_text(unicode=True, color=False, show_all=False))
        databases.say(f"profile: {path.relative_to(databases.PROJECT_ROOT)}")


def _print_table(rows: list[Row], datasets: list[Dataset], size: dispatch_data.Size) -> None:
    print()
    print(
        f"Dispatch with {size.engineers} engineers ({size.assign_engineers} for auto-assign), "
        f"{size.sites} sites, {size.held_jobs} held jobs; in process; {os.cpu_count()} CPUs"
    )
    header = (
        f"{'database':<9} {'operation':<44} {'samples':>7} {'median':>10} {'p95/max':>10}"
        f"  target met"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        verdict = f"{'yes' if r.passed else 'NO'} ({r.target})"
        if r.note:
            verdict += f"; {r.note}"
        tail = "p95" if r.unit == "ms" else "max"
        print(
            f"{r.backend:<9} {r.operation:<44} {r.n:>7} {r.median:>7.1f} {r.unit:<2}"
            f" {r.tail:>7.1f} {r.unit:<2} {tail}  {verdict}"
        )
    print()
    for d in datasets:
        counts = ", ".join(f"{v} {k}" for k, v in sorted(d.counts.items()))
        print(
            f"{d.backend}: world loaded in {d.load_s:.1f} s; ledger "
            f"{'balanced' if d.balanced else 'NOT BALANCED'} ({counts})"
        )


def _write_json(
    rows: list[Row], datasets: list[Dataset], size: dispatch_data.Size, args: argparse.Namespace
) -> None:
    databases.write_results(
        "dispatch",
        {
            "now": NOW.isoformat(),
            "size": asdict(size),
            "quick": args.quick,
            "candidates_samples": args.samples,
            "auto_assign_runs": args.runs,
            "targets": {"candidates_p95_ms": CANDIDATES_P95_MS, "auto_assign_s": AUTO_ASSIGN_S},
            "datasets": [asdict(d) for d in datasets],
            "results": [asdict(r) for r in rows],
        },
    )


if __name__ == "__main__":
    started = time.perf_counter()
    code = main()
    print(f"Benchmark took {time.perf_counter() - started:.0f} s.")
    raise SystemExit(code)
