"""Background work on Huey: the queue instance, its tasks, the minute sweep and the consumer.

A wiring module like cli.py (it may import domains). The Huey instance is built at import
from the environment (`FIELDOPS_QUEUE_URL`, `FIELDOPS_QUEUE_NAME`, `FIELDOPS_QUEUE_IMMEDIATE`)
because `huey_consumer fieldops.worker.huey` loads it before any app exists:

- unset or `sqlite:///path`: SqliteHuey (default `instance/huey.db`), no server needed;
- `redis://...`: RedisHuey, for several consumers on several machines.

Tasks only carry ids (a route plan's; otherwise nothing), re-read the database and are
idempotent; they are enqueued after commit (fieldops.outbox kicks `deliver_outbox` from an
after-commit hook, a requested route plan kicks `route_plan` the same way).
Exactly one consumer should run the periodic scheduler; start the others with
`--no-periodic`. Huey never catches up missed periodic runs, which is fine because the sweep
and the sender are queries over due times.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from flask import Flask, current_app, has_app_context
from huey import Huey, RedisHuey, SqliteHuey, crontab

from fieldops.clock import utcnow
from fieldops.config import queue_immediate, queue_name, queue_url
from fieldops.mailer import deliver_due

log = logging.getLogger(__name__)

REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
SQLITE_PREFIX = "sqlite:///"


def build_huey(url: str, name: str, *, immediate: bool = False) -> Huey:
    """A Huey instance for a queue URL: `sqlite:///path` (relative to the cwd) or `redis://`."""
    if url.startswith(REDIS_SCHEMES):
        return RedisHuey(name, url=url, results=False, immediate=immediate)
    if url.startswith(SQLITE_PREFIX):
        path = Path(url.removeprefix(SQLITE_PREFIX))
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey(name, filename=str(path), results=False, immediate=immediate)
    raise ValueError("FIELDOPS_QUEUE_URL must start with sqlite:/// or redis://")


huey = build_huey(queue_url(), queue_name(), immediate=queue_immediate())


# --- the app a consumer runs tasks in ---------------------------------------------------------

_app: Flask | None = None
_app_lock = threading.Lock()


def use_app(app: Flask) -> None:
    """Run tasks in this app (the `fieldops worker` command passes its own)."""
    global _app
    _app = app


def get_app() -> Flask:
    """The consumer process's app, created once on first use (`huey_consumer` path)."""
    global _app
    with _app_lock:
        if _app is None:
            from fieldops.app import create_app

            _app = create_app()
            _ensure_logging()
        return _app


def _ensure_logging() -> None:
    """Under huey_consumer only Huey's logger has a handler: show fieldops' INFO lines too."""
    fieldops_log = logging.getLogger("fieldops")
    if not fieldops_log.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("[%(asctime)s] %(levelname)s:%(name)s:%(message)s"))
        fieldops_log.addHandler(handler)
        fieldops_log.setLevel(logging.INFO)


@contextmanager
def app_scope() -> Iterator[Flask]:
    """The current app when there is one (immediate mode, tests), else the consumer's app."""
    if has_app_context():
        yield current_app._get_current_object()  # type: ignore[attr-defined]
        return
    app = get_app()
    with app.app_context():
        yield app


@huey.on_startup()
def _create_app_on_startup() -> None:
    get_app()  # fail at start, not at the first task, when the configuration is wrong


# --- periodic sweeps ----------------------------------------------------------------------------

Sweep = Callable[[datetime], object]
_registered_sweeps: list[Sweep] = []
# Sweeps found by name, so the wiring exists before the code does. Each is called as
# func(now) inside an app context and commits its own unit(s) of work, exactly as the
# `fieldops sweep` command calls it. Once it exists, import it here and register it.
NAMED_SWEEPS = ("fieldops.tickets.tasks:run_sweep", "fieldops.documents.tasks:run_rfo_sweep")


def register_periodic_sweep(func: Sweep) -> Sweep:
    """Add a function the every-minute task calls with `now`; registering twice is a no-op."""
    if func not in _registered_sweeps:
        _registered_sweeps.append(func)
    return func


def unregister_periodic_sweep(func: Sweep) -> None:
    if func in _registered_sweeps:
        _registered_sweeps.remove(func)


def _named_sweep(spec: str) -> Sweep | None:
    module_name, _, attribute = spec.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name == module_name:
            return None  # not built yet: nothing to run
        raise
    found: Sweep | None = getattr(module, attribute, None)
    return found


def periodic_sweeps() -> list[Sweep]:
    named = [func for spec in NAMED_SWEEPS if (func := _named_sweep(spec)) is not None]
    return [*named, *(func for func in _registered_sweeps if func not in named)]


def run_periodic(now: datetime) -> None:
    """Every minute: each sweep as of `now`, then the mail they (or anyone) left due."""
    with app_scope():
        for sweep in periodic_sweeps():
            try:
                sweep(now)
            except Exception:  # one broken sweep must not stop the others or the mail
                log.exception("periodic sweep %s failed", getattr(sweep, "__name__", sweep))
        report = deliver_due(now)
        if report.claimed:
            log.info("periodic delivery: %s", report)


# --- tasks ---------------------------------------------------------------------------------------


def _deliver_outbox() -> None:
    """Send every outbox message that is due now; safe to run any number of times at once."""
    with app_scope():
        report = deliver_due(utcnow())
        if report.claimed:
            log.info("outbox delivery: %s", report)


def _every_minute() -> None:
    run_periodic(utcnow())


def _run_route_plan(plan_id: int) -> None:
    """Plan one requested day (routing.tasks.run_route_plan: idempotent, stores or fails)."""
    from fieldops.routing.tasks import run_route_plan

    with app_scope():
        status = run_route_plan(plan_id)
        log.info("route plan %s: %s", plan_id, status)


def _render_document(kind: str, subject: str, paper: str) -> None:
    """Render one PDF (documents.tasks.render_document: idempotent, by content)."""
    from fieldops.documents.tasks import render_document

    with app_scope():
        render_document(kind, subject, paper)


deliver_outbox = huey.task(name="deliver_outbox")(_deliver_outbox)
render_pdf = huey.task(name="render_document")(_render_document)
every_minute = huey.periodic_task(crontab(minute="*"), name="every_minute")(_every_minute)
route_plan = huey.task(name="run_route_plan")(_run_route_plan)


def kick_delivery() -> None:
    """Enqueue one delivery run; called after a commit that queued mail."""
    deliver_outbox()


def kick_render(kind: str, subject: str, paper: str) -> None:
    """Enqueue the rendering of a PDF a request found missing (documents.services wires it)."""
    render_pdf(kind, subject, paper)


def kick_route_plan(plan_id: int) -> None:
    """Enqueue the planning of one requested route plan; called after the commit that
    requested it (routing.services.register_plan_runner wires it)."""
    route_plan(plan_id)


# --- the consumer ------------------------------------------------------------------------------


def run_consumer(
    app: Flask, *, workers: int = 1, periodic: bool = True, max_delay: float = 2.0
) -> None:
    """Run a Huey consumer in this process until SIGINT (graceful) or SIGTERM.

    Worker threads run tasks in `app`. `max_delay` bounds how long an idle SQLite-queue
    worker sleeps between polls (Redis workers block on the queue instead).
    """
    if huey.immediate:
        raise RuntimeError("FIELDOPS_QUEUE_IMMEDIATE=1 runs tasks inline: nothing to consume")
    use_app(app)
    huey_log = logging.getLogger("huey")
    if not huey_log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(
            logging.Formatter("[%(asctime)s] %(levelname)s:%(name)s:%(threadName)s:%(message)s")
        )
        huey_log.addHandler(handler)
        huey_log.setLevel(logging.INFO)
    _ensure_logging()
    consumer = huey.create_consumer(
        workers=workers, periodic=periodic, worker_type="thread", max_delay=max_delay
    )
    consumer.run()
