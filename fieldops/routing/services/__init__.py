"""Routing use cases. They flush, never commit; each call is one unit of work's change."""

from fieldops.routing.services.assignment import assign_job, auto_assign
from fieldops.routing.services.plans import (
    DEFAULT_TIME_LIMIT_S,
    TIME_LIMIT_MAX_S,
    fail_plan,
    record_progress,
    register_plan_runner,
    request_route_plan,
    start_plan,
    store_plan,
)
from fieldops.routing.services.reschedule import reschedule_after_assignment

__all__ = [
    "DEFAULT_TIME_LIMIT_S",
    "TIME_LIMIT_MAX_S",
    "assign_job",
    "auto_assign",
    "fail_plan",
    "record_progress",
    "register_plan_runner",
    "request_route_plan",
    "reschedule_after_assignment",
    "start_plan",
    "store_plan",
]
