"""Reads of tickets, their work log and SLA state, scoped to what the viewer may see.

A package by topic (STYLE: split past 400 lines); everything is re-exported here, so callers
keep writing `queries.list_tickets(...)`.
"""

from fieldops.tickets.queries.clocks import (
    sla_view,
)
from fieldops.tickets.queries.lookups import (
    calendar_of,
    calendars,
    service_codes,
    user_names,
    user_names_and_roles,
)
from fieldops.tickets.queries.records import (
    list_events,
    list_pauses,
    page_events,
    pauses_by_ticket,
)
from fieldops.tickets.queries.settings import (
    escalation_matrices,
    escalation_matrix_payload,
    eta_history,
    levels_for_customer,
    stop_clock_codes,
    stop_clock_reasons,
)
from fieldops.tickets.queries.tickets import (
    DEFAULT_SORT,
    EPOCH,
    IDS_PER_QUERY,
    SORTS,
    TicketFilter,
    breached_clause,
    find_ticket,
    get_ticket,
    get_ticket_for_update,
    list_tickets,
    not_breached_clause,
    recorded_breach_clause,
    tickets_by_ids,
    unrecorded_breach_clause,
)

__all__ = [
    "DEFAULT_SORT",
    "EPOCH",
    "IDS_PER_QUERY",
    "SORTS",
    "TicketFilter",
    "breached_clause",
    "calendar_of",
    "calendars",
    "escalation_matrices",
    "escalation_matrix_payload",
    "eta_history",
    "find_ticket",
    "get_ticket",
    "get_ticket_for_update",
    "levels_for_customer",
    "list_events",
    "list_pauses",
    "list_tickets",
    "not_breached_clause",
    "page_events",
    "pauses_by_ticket",
    "recorded_breach_clause",
    "service_codes",
    "sla_view",
    "stop_clock_codes",
    "stop_clock_reasons",
    "tickets_by_ids",
    "unrecorded_breach_clause",
    "user_names",
    "user_names_and_roles",
]
