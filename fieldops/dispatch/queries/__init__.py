"""Dispatch reads: jobs, an engineer's day, and the ranked candidates for a job."""

from fieldops.dispatch.queries.candidates import candidates_for
from fieldops.dispatch.queries.jobs import JobView, engineer_day, get_job, list_jobs

__all__ = ["JobView", "candidates_for", "engineer_day", "get_job", "list_jobs"]
