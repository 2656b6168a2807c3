"""The route-planning job: claim a queued plan, read the day, solve it outside any
transaction, store the result (STYLE 3.5). The Huey task (fieldops.worker) and
`fieldops plan-routes` call `run_route_plan`; tests call it directly.

Units of work, each short: (1) claim the plan (running) and read the snapshot; (2) while
the search runs, progress now and then, each write its own tiny transaction; (3) write every
route, stop and drop with status done at once. Any exception on the way ends the plan
failed, with the error, and nothing of it stored. Idempotent: a plan that is not queued (it
runs elsewhere, or finished) is left alone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select

from fieldops.clock import utcnow
from fieldops.db import db, transaction
from fieldops.errors import NotFoundError
from fieldops.routing.day_builder import build_day
from fieldops.routing.field_solver import plan_day
from fieldops.routing.models import RoutePlan
from fieldops.routing.services import fail_plan, record_progress, start_plan, store_plan

log = logging.getLogger(__name__)

PROGRESS_STEP_PCT = 5


class _Progress:
    """on_progress for the solver: writes the plan's progress, at most every 5 %."""

    def __init__(self, plan_id: int) -> None:
        self.plan_id = plan_id
        self.written = 0

    def __call__(self, share: float) -> None:
        pct = min(99, int(share * 100))
        if pct < self.written + PROGRESS_STEP_PCT:
            return
        self.written = pct
        try:
            with transaction():
                record_progress(self.plan_id, pct)
        except Exception:  # progress is a courtesy: it must never end the search
            log.exception("route plan %s: progress not recorded", self.plan_id)


def run_route_plan(plan_id: int, now: datetime | None = None) -> str:
    """Plan a queued route plan; returns its status afterwards (done, superseded, failed,
    or what it already was when it was not ours to run). `now` pins the clock (tests);
    otherwise each step reads it."""
    clock: Callable[[], datetime] = (lambda: now) if now is not None else utcnow
    try:
        with transaction():
            plan = start_plan(plan_id, clock())
            if plan is None:
                return _status(plan_id)
            time_limit_s = plan.time_limit_s
            snapshot = build_day(plan.plan_on, plan.region, clock())
        log.info(
            "route plan %s: %s visits, %s engineers, %s s",
            plan_id,
            len(snapshot.day.visits),
            len(snapshot.day.engineers),
            time_limit_s,
        )
        result = plan_day(snapshot.day, time_limit_s=time_limit_s, on_progress=_Progress(plan_id))
        with transaction():
            store_plan(plan_id, snapshot, result, clock())
    except Exception as error:
        log.exception("route plan %s failed", plan_id)
        try:
            with transaction():
                fail_plan(plan_id, f"{type(error).__name__}: {error}", clock())
        except NotFoundError:  # no such plan (deleted, or a stray task): nothing to mark
            pass
    return _status(plan_id)


def _status(plan_id: int) -> str:
    with transaction():  # a read, but closed at once: SQLite's BEGIN IMMEDIATE takes the lock
        status = db.session.scalar(select(RoutePlan.status).where(RoutePlan.id == plan_id))
    return str(status) if status is not None else "missing"
