"""Generated document contents for the PDF benchmark: work orders, day sheets and RFOs of the
size the product prints (a P1-P4 job in the Warsaw region with a public log of 4-8 entries,
2-5 reserved parts, one of them sometimes backordered, a 6-item checklist).

Seeded: the same seed and index give the same document. No database: the benchmark times
the renderer, not the queries that gather its input.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from fieldops.documents.content import (
    DaySheetContent,
    LogEntry,
    PartLine,
    ProblemRef,
    RfoContent,
    WorkOrderContent,
)

ZONE = "Europe/Warsaw"
DAY = date(2026, 12, 1)
START = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)  # 08:00 in Warsaw
TOWNS = (
    ("Warszawa", 52.2297, 21.0122),
    ("Piaseczno", 52.0733, 21.0239),
    ("Pruszków", 52.1706, 20.8120),
    ("Legionowo", 52.4010, 20.9268),
)
PARTS = (
    ("SFP-10G-LR", "10GBASE-LR SFP+ optic, 1310 nm"),
    ("PATCH-LC-3M", "LC/LC duplex single-mode patch lead, 3 m"),
    ("PSU-ASR-750", "ASR 920 750 W power supply"),
    ("FAN-C9300", "Catalyst 9300 fan tray"),
    ("HDD-2T-SAS", "2 TB 7.2k SAS drive"),
    ("UPS-BATT-12V", "UPS battery block 12 V 9 Ah"),
)
CHECKLIST = (
    "Call the on-site contact 30 minutes before arrival",
    "Photograph the rack before touching anything",
    "Check the fault against the customer's description",
    "Replace the failed part and record both serials",
    "Confirm service restored with the NOC",
    "Ask the customer to sign off",
)
NOTES = (
    "Remote checks done: device reachable over the management network.",
    "Customer reports intermittent drops since the morning.",
    "Spare reserved at the depot; engineer to collect on the way.",
    "Customer asked for arrival before noon if possible.",
)


def work_order(index: int, seed: int = 1) -> WorkOrderContent:
    """The `index`-th generated work order of the day."""
    rng = random.Random(seed * 100_003 + index)
    town, lat, lon = rng.choice(TOWNS)
    fault_at = START - timedelta(minutes=rng.randint(30, 900))
    arrive_by = START + timedelta(minutes=60 * index + rng.randint(0, 45))
    log = tuple(
        LogEntry(
            fault_at + timedelta(minutes=12 * n + rng.randint(1, 9)),
            "comment" if n else "opened",
            rng.choice(("", "Anna Nowak", "Dispatch desk", "NOC")),
            rng.choice(NOTES) + " " + "Details follow in the next update. " * rng.randint(0, 3),
        )
        for n in range(rng.randint(4, 8))
    )
    parts = []
    for sku, name in rng.sample(PARTS, rng.randint(2, 5)):
        quantity = rng.randint(1, 3)
        if rng.random() < 0.15:
            parts.append(PartLine(sku, name, quantity))  # backordered
        else:
            van = rng.random() < 0.4
            parts.append(
                PartLine(
                    sku,
                    name,
                    quantity,
                    serials=tuple(f"S{rng.randrange(10**9):09d}" for _ in range(quantity)),
                    location_code=f"VAN-{rng.randint(1, 40):02d}" if van else "DEP-WAW",
                    location_name="Service van" if van else "Warszawa depot",
                    location_kind="van" if van else "depot",
                    status="held",
                )
            )
    return WorkOrderContent(
        number=f"WO-2026-{seed * 1000 + index:06d}",
        ticket=f"TT-2026-{seed * 5000 + index * 3:06d}",
        priority=f"P{1 + index % 4}",
        status="assigned",
        arrive_by=arrive_by,
        duration_min=rng.choice((45, 60, 90, 120)),
        required_skills=tuple(rng.sample(("router", "optical", "power", "server"), 2)),
        timezone=ZONE,
        generated_at=START - timedelta(hours=1),
        customer_code=f"CUST{index % 17:03d}",
        customer_name=f"Customer {index % 17} Sp. z o.o.",
        service_code=f"SVC-{index:05d}",
        service_type=rng.choice(("Ethernet 1G", "Ethernet 10G", "Managed router", "Colocation")),
        circuit_id=f"WAW-ETH-{rng.randrange(10**6):06d}",
        site_name=f"{town} site {index}",
        site_address=f"ul. Przykładowa {rng.randint(1, 200)}\nBuilding {rng.choice('ABC')}",
        site_city=town,
        site_lat=lat + rng.uniform(-0.02, 0.02),
        site_lon=lon + rng.uniform(-0.02, 0.02),
        access_notes="Report to reception; the comms room key is held by facilities.",
        access_hours=rng.choice(("", "Mon-Fri 08:00-18:00", "Mon-Sat 07:00-20:00")),
        contact_name="Marta Kowalska",
        contact_phone="+48 22 555 01 42",
        contact_email="m.kowalska@customer.example",
        engineer_name="Jan Wiśniewski",
        fault_summary=rng.choice(("Loss of light on uplink", "Router rebooting", "PSU alarm")),
        fault_description=" ".join(rng.choice(NOTES) for _ in range(rng.randint(2, 6))),
        fault_started_at=fault_at,
        impact="Branch office has no connectivity to head office.",
        public_log=log,
        parts=tuple(parts),
        checklist=CHECKLIST,
    )


def day_sheet(jobs: int = 8, seed: int = 1) -> DaySheetContent:
    """One engineer's day of `jobs` work orders, each with a planned arrival."""
    orders = tuple(work_order(i, seed) for i in range(jobs))
    return DaySheetContent(
        engineer_name="Jan Wiśniewski",
        day=DAY,
        timezone=ZONE,
        generated_at=START - timedelta(hours=1),
        work_orders=orders,
        planned_arrivals={wo.number: wo.arrive_by - timedelta(minutes=20) for wo in orders},
    )


def rfo(seed: int = 1, published: bool = False) -> RfoContent:
    """An RFO for work order 0's ticket, with its public log as the timeline."""
    wo = work_order(0, seed)
    resolved = wo.arrive_by + timedelta(minutes=50)
    return RfoContent(
        ticket=wo.ticket,
        status="published" if published else "in_review",
        customer_code=wo.customer_code,
        customer_name=wo.customer_name,
        service_code=wo.service_code,
        service_type=wo.service_type,
        site_name=wo.site_name,
        site_city=wo.site_city,
        priority=wo.priority,
        ticket_summary=wo.fault_summary,
        timezone=ZONE,
        generated_at=resolved + timedelta(days=1),
        requested_at=resolved + timedelta(hours=1),
        due_at=resolved + timedelta(days=5),
        fault_started_at=wo.fault_started_at,
        resolved_at=resolved,
        published_at=resolved + timedelta(days=1) if published else None,
        summary=wo.fault_description,
        impact=wo.impact,
        root_cause="A failed optic after a rack move. " * 3,
        resolution="The optic was replaced and light levels verified at both ends.",
        preventive_actions="- Inspect optics after rack moves.\n- Alarm on light levels.",
        timeline=wo.public_log,
        problem=ProblemRef("PRB-2026-000007", "Optic damage after rack moves", "known_error", ""),
    )
