"""Assigning jobs with the day's stored route plans kept true: dispatch's use cases, then the
schedule they change, in the caller's one unit of work.

Every surface that assigns (one job, or auto-assign of many) calls these rather than
dispatch's directly, so no assign path can leave a stored plan behind (dispatch cannot call
routing: the domains are ranked).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select

from fieldops.accounts.models import User
from fieldops.db import db
from fieldops.dispatch import services as dispatch
from fieldops.routing.models import PlanStatus, RoutePlan
from fieldops.routing.services.reschedule import reschedule_after_assignment


def assign_job(*, actor: User, number: str, engineer_id: int, now: datetime) -> dispatch.Assignment:
    """dispatch.assign_job, then the job moved into its engineer's stored route."""
    done = dispatch.assign_job(actor=actor, number=number, engineer_id=engineer_id, now=now)
    reschedule_after_assignment(done.job.id, now)
    return done


def auto_assign(
    *, actor: User | None, now: datetime, numbers: Sequence[str] | None = None
) -> dispatch.AutoResult:
    """dispatch.auto_assign, then each assigned job moved into its engineer's stored route;
    one query and nothing more when no plan is stored at all (the usual case)."""
    result = dispatch.auto_assign(actor=actor, now=now, numbers=numbers)
    if result.assigned and db.session.scalar(
        select(RoutePlan.id).where(RoutePlan.status == PlanStatus.DONE).limit(1)
    ):
        for done in result.assigned:
            reschedule_after_assignment(done.job.id, now)
    return result
