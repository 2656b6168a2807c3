"""What each PDF shows, as plain frozen dataclasses (pure: no Flask, no database).

The queries gather these from the database; documents/pdf.py renders them. Everything a
template prints is here, already chosen and ordered, so a template holds layout only and a
test can build a document without a database. Datetimes are aware UTC; `timezone` names the
zone the document prints local times in (the service's SLA calendar zone).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

PAPER_SIZES = ("a4", "letter")


@dataclass(frozen=True)
class LogEntry:
    """One public line of a ticket's work log, as the customer saw it."""

    at: datetime
    kind: str
    actor: str  # "" when the system wrote it
    body: str


@dataclass(frozen=True)
class PartLine:
    """A part the job needs: what was reserved where, or that nothing could be."""

    sku: str
    name: str
    quantity: int
    serials: tuple[str, ...] = ()
    location_code: str = ""  # "" when nothing is reserved (backordered)
    location_name: str = ""
    location_kind: str = ""  # "depot" | "van" | ""
    status: str = ""  # reservation status: held | picked | consumed | released | ""


@dataclass(frozen=True)
class PartRecord:
    """A part recorded on the visit: fitted (installed) or taken out (removed)."""

    sku: str
    serial: str
    quantity: int = 1


@dataclass(frozen=True)
class WorkOrderContent:
    number: str  # WO-2026-000045
    ticket: str  # TT-2026-000123
    priority: str  # P1..P4
    status: str  # the job's status
    arrive_by: datetime
    duration_min: int
    required_skills: tuple[str, ...]
    timezone: str
    generated_at: datetime
    customer_code: str
    customer_name: str
    service_code: str
    service_type: str
    circuit_id: str
    site_name: str
    site_address: str
    site_city: str
    site_lat: float
    site_lon: float
    access_notes: str
    access_hours: str  # already worded ("Mon-Fri 08:00-18:00"), "" for any time
    contact_name: str  # the on-site contact, else the ticket's reporter
    contact_phone: str
    contact_email: str
    engineer_name: str  # "" while unassigned
    fault_summary: str
    fault_description: str
    fault_started_at: datetime
    impact: str
    public_log: tuple[LogEntry, ...]
    parts: tuple[PartLine, ...]
    checklist: tuple[str, ...]
    installed: tuple[PartRecord, ...] = ()  # recorded on completion; blank lines otherwise
    removed: tuple[PartRecord, ...] = ()
    en_route_at: datetime | None = None
    on_site_at: datetime | None = None
    finished_at: datetime | None = None
    signed_off_by: str = ""
    notes: str = ""


@dataclass(frozen=True)
class DaySheetContent:
    """One engineer's day: every work order in the order the engineer will drive them."""

    engineer_name: str
    day: date
    timezone: str
    generated_at: datetime
    work_orders: tuple[WorkOrderContent, ...]
    # Planned arrival per work order number, when a stored route plan has one.
    planned_arrivals: dict[str, datetime] = field(default_factory=dict)


@dataclass(frozen=True)
class ProblemRef:
    number: str  # PRB-2026-000007
    title: str
    status: str
    root_cause: str


@dataclass(frozen=True)
class RfoContent:
    ticket: str
    status: str  # requested | draft | in_review | published: anything else prints DRAFT
    customer_code: str
    customer_name: str
    service_code: str
    service_type: str
    site_name: str
    site_city: str
    priority: str
    ticket_summary: str
    timezone: str
    generated_at: datetime
    requested_at: datetime
    due_at: datetime
    fault_started_at: datetime
    resolved_at: datetime | None
    published_at: datetime | None
    summary: str
    impact: str
    root_cause: str
    resolution: str
    preventive_actions: str
    timeline: tuple[LogEntry, ...]
    problem: ProblemRef | None = None
    brand: str = "fieldops"

    @property
    def is_published(self) -> bool:
        return self.status == "published"
