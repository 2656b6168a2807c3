"""Dispatch use cases. They flush, never commit; each call is one unit of work's change."""

from fieldops.dispatch.services.assignment import (
    Assignment,
    AutoResult,
    assign_job,
    auto_assign,
)
from fieldops.dispatch.services.common import TravelModel, travel_model
from fieldops.dispatch.services.field import complete_job, fail_job, report_status
from fieldops.dispatch.services.jobs import cancel_job, create_job

__all__ = [
    "Assignment",
    "AutoResult",
    "TravelModel",
    "assign_job",
    "auto_assign",
    "cancel_job",
    "complete_job",
    "create_job",
    "fail_job",
    "report_status",
    "travel_model",
]
