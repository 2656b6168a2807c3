"""The RFO's statuses, who may ask for one, when it is due and what publishing needs (pure).

An RFO (Reason For Outage) is the customer's written account of a serious outage. It is
asked for on a resolved P1 or P2 incident, due within 5 working days of the request on the
service's SLA calendar (the close of the fifth working day after the day of the request,
tickets/sla.close_of_working_day), and written by the desk: requested -> draft (the first
edit) -> in review -> published, with a reviewer sending it back to draft when it needs
more work. Publishing is final: the customer may have forwarded it.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from fieldops.tickets import sla

DUE_WORKING_DAYS = 5
ELIGIBLE_PRIORITIES = frozenset({"P1", "P2"})
ELIGIBLE_TICKET_STATUSES = frozenset({"resolved", "closed"})
TEXT_FIELDS = ("summary", "impact", "root_cause", "resolution", "preventive_actions")


class RfoStatus(StrEnum):
    REQUESTED = "requested"
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    PUBLISHED = "published"


MOVES: dict[RfoStatus, frozenset[RfoStatus]] = {
    RfoStatus.REQUESTED: frozenset({RfoStatus.DRAFT}),
    RfoStatus.DRAFT: frozenset({RfoStatus.IN_REVIEW}),
    RfoStatus.IN_REVIEW: frozenset({RfoStatus.DRAFT, RfoStatus.PUBLISHED}),
    RfoStatus.PUBLISHED: frozenset(),
}


def ineligibility(priority: str, ticket_status: str) -> str | None:
    """Why this ticket cannot have an RFO, or None when it can."""
    if priority not in ELIGIBLE_PRIORITIES:
        return f"An RFO is written for P1 and P2 incidents; this one is {priority}."
    if ticket_status not in ELIGIBLE_TICKET_STATUSES:
        return f"An RFO is written once the incident is resolved; this one is {ticket_status}."
    return None


def due_at(calendar: sla.Calendar, requested_at: datetime) -> datetime:
    return sla.close_of_working_day(calendar, requested_at, DUE_WORKING_DAYS)


def can_move(current: str, to: str) -> bool:
    try:
        return RfoStatus(to) in MOVES[RfoStatus(current)]
    except ValueError:
        return False


def missing_for_review(fields: dict[str, str]) -> list[str]:
    """The sections still empty: an RFO goes to review, and is published, only complete."""
    return [name for name in TEXT_FIELDS if not (fields.get(name) or "").strip()]


def is_overdue(status: str, due: datetime, now: datetime) -> bool:
    return status != RfoStatus.PUBLISHED and now >= due
