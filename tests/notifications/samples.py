"""Sample contexts for every mail template, with exactly the keys each documents as required."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

NOW = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
TICKET = "TT-2026-000123"
TICKET_URL = f"http://127.0.0.1:5000/portal/tickets/{TICKET}"

_COMMON: dict[str, Any] = {
    "ticket_number": TICKET,
    "summary": "Link down at the Warsaw PoP",
    "ticket_url": TICKET_URL,
}

REQUIRED: dict[str, dict[str, Any]] = {
    "ticket_acknowledged": {"service_code": "SVC-10023", "priority": "P1", "created_at": NOW},
    "status_changed": {"old_status": "acknowledged", "new_status": "in_progress"},
    "eta_set": {"eta": NOW + timedelta(hours=4)},
    "eta_extended": {"old_eta": NOW, "new_eta": NOW + timedelta(hours=2)},
    "restored": {"restored_at": NOW, "resolution": "Replaced the failed SFP module."},
    "confirm_request": {"confirm_by": NOW + timedelta(hours=24)},
    "auto_closed": {"resolved_at": NOW, "closed_at": NOW + timedelta(hours=24)},
    "escalated": {
        "customer_name": "ACME Networks",
        "priority": "P1",
        "status": "in_progress",
        "level": 2,
        "level_name": "Shift lead",
        "opened_at": NOW - timedelta(hours=4),
        "age": timedelta(hours=4, minutes=10),
        "reason": "age_threshold",
    },
}

TEMPLATES = sorted(REQUIRED)


def context(template: str, **overrides: Any) -> dict[str, Any]:
    return {**_COMMON, **REQUIRED[template], **overrides}


def sample_sweep(now: datetime) -> None:
    """A stand-in for fieldops.tickets.tasks.run_sweep, found by name in the worker tests."""
    CALLS.append(now)


CALLS: list[datetime] = []
