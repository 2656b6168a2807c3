"""Dispatch reads: jobs, an engineer's day, and the ranked candidates for a job."""

from fieldops.dispatch.queries.board import (
    Contact,
    EngineerDay,
    EngineerJobs,
    board_day,
    engineer_jobs,
    job_contact,
    job_engineer_id,
    ticket_status_of,
)
from fieldops.dispatch.queries.candidates import candidates_for
from fieldops.dispatch.queries.jobs import JobView, engineer_day, get_job, list_jobs

__all__ = [
    "Contact",
    "EngineerDay",
    "EngineerJobs",
    "JobView",
    "board_day",
    "candidates_for",
    "engineer_day",
    "engineer_jobs",
    "get_job",
    "job_contact",
    "job_engineer_id",
    "list_jobs",
    "ticket_status_of",
]
