"""Full, realistic document contents for the PDF tests, built without a database.

Each builder takes keyword overrides (dataclasses.replace), so a test states only what
matters to it: `work_order(fault_description="x" * 5000)`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fieldops.documents.content import (
    DaySheetContent,
    LogEntry,
    PartLine,
    PartRecord,
    ProblemRef,
    RfoContent,
    WorkOrderContent,
)

# 1 December 2026 is a Tuesday; Amsterdam is on CET (UTC+1) then.
ZONE = "Europe/Amsterdam"
GENERATED_AT = datetime(2026, 12, 1, 6, 30, tzinfo=UTC)
FAULT_AT = datetime(2026, 11, 30, 21, 12, tzinfo=UTC)
ARRIVE_BY = datetime(2026, 12, 1, 13, 5, tzinfo=UTC)  # 14:05 CET

PUBLIC_LOG = (
    LogEntry(FAULT_AT + timedelta(minutes=3), "opened", "", "Ticket opened from monitoring alarm."),
    LogEntry(
        FAULT_AT + timedelta(minutes=18),
        "comment",
        "Anna de Vries",
        "Remote checks: loss of light on the customer-side port, router reachable over LTE.",
    ),
    LogEntry(
        FAULT_AT + timedelta(hours=9),
        "dispatched",
        "Dispatch desk",
        "Engineer assigned; replacement optic reserved at the Utrecht depot.",
    ),
)

PARTS = (
    PartLine(
        sku="SFP-10G-LR",
        name="10GBASE-LR SFP+ optic, 1310 nm",
        quantity=2,
        serials=("FNS21440AB1", "FNS21440AB7"),
        location_code="DEP-UTR",
        location_name="Utrecht depot",
        location_kind="depot",
        status="held",
    ),
    PartLine(
        sku="PATCH-LC-3M",
        name="LC/LC duplex single-mode patch lead, 3 m",
        quantity=4,
        location_code="VAN-17",
        location_name="Van 17 (J. Bakker)",
        location_kind="van",
        status="picked",
    ),
    PartLine(sku="PSU-ASR-750", name="ASR 920 750 W power supply", quantity=1),
)

CHECKLIST = (
    "Call the on-site contact 30 minutes before arrival",
    "Photograph the rack before touching anything",
    "Clean and inspect both fibre end faces",
    "Swap the optic and confirm light levels within -1 to -8 dBm",
    "Confirm service restored with the NOC before leaving",
)


def work_order(**overrides: Any) -> WorkOrderContent:
    """A P1 optic swap at a data-centre site, assigned, parts reserved, nothing recorded yet."""
    content = WorkOrderContent(
        number="WO-2026-000045",
        ticket="TT-2026-000123",
        priority="P1",
        status="assigned",
        arrive_by=ARRIVE_BY,
        duration_min=90,
        required_skills=("fibre", "routing"),
        timezone=ZONE,
        generated_at=GENERATED_AT,
        customer_code="ACME",
        customer_name="Acme Logistics B.V.",
        service_code="SVC-ACME-0042",
        service_type="Ethernet 10G",
        circuit_id="AMS-ETH-10G-004217",
        site_name="Acme DC Amsterdam-West",
        site_address="Kabelweg 37\nHall B, rack row 4",
        site_city="Amsterdam",
        site_lat=52.38873,
        site_lon=4.83784,
        access_notes="Report to security at gate 2 with photo ID. Escort required in hall B.",
        access_hours="Mon-Fri 08:00-18:00",
        contact_name="Pieter Jansen",
        contact_phone="+31 20 555 0142",
        contact_email="p.jansen@acme-logistics.example",
        engineer_name="Jan Bakker",
        fault_summary="Loss of light on 10G uplink",
        fault_description=(
            "The 10G uplink from the customer router to our access switch went down at "
            "22:12.\nMonitoring shows LOS on the customer-side port; the far end is clean."
        ),
        fault_started_at=FAULT_AT,
        impact="Warehouse management system unreachable from head office.",
        public_log=PUBLIC_LOG,
        parts=PARTS,
        checklist=CHECKLIST,
    )
    return replace(content, **overrides)


def completed_work_order(**overrides: Any) -> WorkOrderContent:
    """The same job once finished: times, fitted and removed serials, signed off."""
    on_site = ARRIVE_BY - timedelta(minutes=20)
    done = dict(
        status="completed",
        installed=(PartRecord("SFP-10G-LR", "FNS21440AB1"),),
        removed=(PartRecord("SFP-10G-LR", "FNS19020ZZ9"),),
        en_route_at=on_site - timedelta(minutes=40),
        on_site_at=on_site,
        finished_at=on_site + timedelta(minutes=75),
        signed_off_by="Marieke Visser",
        notes="Old optic had a cracked ferrule. Light levels now -3.1 dBm both ways.",
    )
    return work_order(**{**done, **overrides})


def day_sheet(jobs: int = 4, **overrides: Any) -> DaySheetContent:
    """Jan Bakker's day: `jobs` work orders an hour apart, each with a planned arrival."""
    orders = tuple(
        work_order(
            number=f"WO-2026-{45 + i:06d}",
            ticket=f"TT-2026-{123 + i:06d}",
            priority=("P1", "P2", "P3", "P4")[i % 4],
            arrive_by=ARRIVE_BY + timedelta(hours=i),
            customer_name=f"Customer {i + 1} B.V.",
            site_name=f"Site {i + 1}",
        )
        for i in range(jobs)
    )
    content = DaySheetContent(
        engineer_name="Jan Bakker",
        day=date(2026, 12, 1),
        timezone=ZONE,
        generated_at=GENERATED_AT,
        work_orders=orders,
        planned_arrivals={
            wo.number: wo.arrive_by - timedelta(minutes=30) for wo in orders[: max(jobs - 1, 0)]
        },
    )
    return replace(content, **overrides)


def rfo(**overrides: Any) -> RfoContent:
    """A published RFO for the optic fault, citing the problem record."""
    resolved = ARRIVE_BY + timedelta(minutes=55)
    content = RfoContent(
        ticket="TT-2026-000123",
        status="published",
        customer_code="ACME",
        customer_name="Acme Logistics B.V.",
        service_code="SVC-ACME-0042",
        service_type="Ethernet 10G",
        site_name="Acme DC Amsterdam-West",
        site_city="Amsterdam",
        priority="P1",
        ticket_summary="Loss of light on 10G uplink",
        timezone=ZONE,
        generated_at=GENERATED_AT + timedelta(days=2),
        requested_at=resolved + timedelta(hours=1),
        due_at=resolved + timedelta(days=5),
        fault_started_at=FAULT_AT,
        resolved_at=resolved,
        published_at=GENERATED_AT + timedelta(days=2),
        summary="The 10G uplink at Amsterdam-West was down for 16 h 48 min.",
        impact="Head office could not reach the warehouse management system.",
        root_cause="A cracked ferrule on the customer-side optic after a rack move.",
        resolution="The optic was replaced and light levels verified at both ends.",
        preventive_actions="- Inspect optics after every rack move.\n- Alarm on light levels.",
        timeline=PUBLIC_LOG,
        problem=ProblemRef(
            number="PRB-2026-000007",
            title="Optic damage after rack moves",
            status="known_error",
            root_cause="Rack moves without fibre handling procedure.",
        ),
    )
    return replace(content, **overrides)
