"""The problem record's kinds, statuses and the moves between them (pure: no Flask, no db).

The life of a problem follows ITIL's problem management: it is investigated until its root
cause and a workaround are known (a known error: agents can apply the workaround to new
incidents at once), then resolved once a permanent fix is in place, then closed. A resolved
problem whose fix did not hold is reopened for investigation.
"""

from __future__ import annotations

from enum import StrEnum


class ProblemKind(StrEnum):
    REACTIVE = "reactive"  # found from incidents that share a cause: at least one is linked
    PROACTIVE = "proactive"  # a risk recorded before it bites: incidents are optional


class ProblemStatus(StrEnum):
    INVESTIGATING = "investigating"
    KNOWN_ERROR = "known_error"
    RESOLVED = "resolved"
    CLOSED = "closed"


MOVES: dict[ProblemStatus, frozenset[ProblemStatus]] = {
    ProblemStatus.INVESTIGATING: frozenset({ProblemStatus.KNOWN_ERROR, ProblemStatus.RESOLVED}),
    ProblemStatus.KNOWN_ERROR: frozenset({ProblemStatus.INVESTIGATING, ProblemStatus.RESOLVED}),
    ProblemStatus.RESOLVED: frozenset({ProblemStatus.CLOSED, ProblemStatus.INVESTIGATING}),
    ProblemStatus.CLOSED: frozenset(),
}

# What a status needs written down first: a known error is one whose cause and workaround
# are known; a problem is resolved only by a permanent fix (a root cause is always needed).
REQUIRED_FIELDS: dict[ProblemStatus, tuple[str, ...]] = {
    ProblemStatus.KNOWN_ERROR: ("root_cause", "workaround"),
    ProblemStatus.RESOLVED: ("root_cause", "permanent_fix"),
}


def can_move(current: str, to: str) -> bool:
    try:
        return ProblemStatus(to) in MOVES[ProblemStatus(current)]
    except ValueError:
        return False


def missing_for(status: str, fields: dict[str, str]) -> list[str]:
    """The fields that must be filled in before a problem may take `status`."""
    try:
        needed = REQUIRED_FIELDS.get(ProblemStatus(status), ())
    except ValueError:
        return []
    return [name for name in needed if not (fields.get(name) or "").strip()]


def is_open(status: str) -> bool:
    return status in (ProblemStatus.INVESTIGATING, ProblemStatus.KNOWN_ERROR)
