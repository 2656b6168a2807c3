"""Pure dispatch rules: a job's statuses and the moves between them, and who makes them.

No Flask and no database: services check every status change against JOB_MOVES.
"""

from __future__ import annotations

from enum import StrEnum


class JobStatus(StrEnum):
    UNASSIGNED = "unassigned"
    ASSIGNED = "assigned"
    AWAITING_PARTS = "awaiting_parts"
    EN_ROUTE = "en_route"
    ON_SITE = "on_site"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


FINISHED = frozenset({JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED})
# A job holding an engineer: it counts against that engineer's capacity for its day.
HELD = frozenset(
    {JobStatus.ASSIGNED, JobStatus.AWAITING_PARTS, JobStatus.EN_ROUTE, JobStatus.ON_SITE}
)
# Statuses from which a dispatcher may (re)assign the job to an engineer.
ASSIGNABLE = frozenset({JobStatus.UNASSIGNED, JobStatus.ASSIGNED, JobStatus.AWAITING_PARTS})

# The moves an engineer reports from the phone (assignment and cancelling are the
# dispatcher's, through their own services).
FIELD_MOVES: dict[JobStatus, frozenset[JobStatus]] = {
    JobStatus.ASSIGNED: frozenset({JobStatus.EN_ROUTE}),
    JobStatus.EN_ROUTE: frozenset({JobStatus.ON_SITE, JobStatus.FAILED}),
    JobStatus.ON_SITE: frozenset({JobStatus.COMPLETED, JobStatus.FAILED}),
}
CANCELLABLE = frozenset(
    {JobStatus.UNASSIGNED, JobStatus.ASSIGNED, JobStatus.AWAITING_PARTS, JobStatus.EN_ROUTE}
)

# Who may do what (role values of accounts.Role; this module imports no models).
DISPATCH_ROLES = frozenset({"dispatcher", "manager", "admin"})
JOB_CREATOR_ROLES = frozenset({"agent", "dispatcher", "manager", "admin"})
JOB_VIEWER_ROLES = frozenset(
    {"agent", "dispatcher", "engineer", "stock_manager", "manager", "admin"}
)


def field_move_error(source: str, target: str) -> str | None:
    """Why an engineer may not move a job from `source` to `target`; None when they may."""
    allowed = FIELD_MOVES.get(JobStatus(source), frozenset())
    if JobStatus(target) in allowed:
        return None
    if not allowed:
        return f"A job that is {source.replace('_', ' ')} takes no status from the field."
    names = " or ".join(sorted(s.replace("_", " ") for s in allowed))
    return f"A job that is {source.replace('_', ' ')} can only become {names}."
