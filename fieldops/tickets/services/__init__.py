"""Ticket use cases: intake, status moves, the work log, triage, ETAs and escalation.

Every function here is one step of a unit of work: it flushes, never commits, and raises a
DomainError that names what is wrong. The caller wraps it in `transaction()`.
"""

from fieldops.tickets.services.common import actor_of
from fieldops.tickets.services.escalation import define_matrix, request_escalation
from fieldops.tickets.services.eta import set_eta
from fieldops.tickets.services.intake import FUTURE_TOLERANCE, attach_file, open_ticket
from fieldops.tickets.services.status import change_status, confirm_resolution
from fieldops.tickets.services.triage import update_ticket
from fieldops.tickets.services.worklog import add_event, log_field_event

__all__ = [
    "FUTURE_TOLERANCE",
    "actor_of",
    "add_event",
    "attach_file",
    "change_status",
    "confirm_resolution",
    "define_matrix",
    "log_field_event",
    "open_ticket",
    "request_escalation",
    "set_eta",
    "update_ticket",
]
