"""Bulk dispatch world for the dispatch benchmark: engineers across Poland with varied skills,
shifts, capacities and some absences, vans with some stock, depots with stock, customers'
sites, hardware tickets and their jobs, consistent with each other.

Customers, the SLA plan and services (with their sites) go through the customer services (a
few hundred rows); the volume (engineers, absences, locations, part types, stock lines and
their ledger, tickets, jobs and their parts) is written with Core `insert()` executemany.
Stock is bulk (non-serialised) parts: each depot line is received from a supplier, each van
line transferred from its depot, so `verify_ledger()` balances by construction. The jobs
already held by engineers respect each one's skills and daily capacity, so the benchmark's
check after auto-assign judges only what auto-assign added. Ids are assigned here; on
PostgreSQL the sequences are moved past them afterwards.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Table, text

SKILLS = ("router", "switch", "optical", "power", "datacentre-access", "server", "storage")
CATEGORIES = ("router", "switch", "optic", "psu", "fan", "disk", "memory", "cable")
PRIORITIES = (("P1", 0.1), ("P2", 0.25), ("P3", 0.45), ("P4", 0.2))
# Where engineers live and sites are, roughly by population: (city, lat, lon, weight).
CITIES = (
    ("Warszawa", 52.2297, 21.0122, 18),
    ("Kraków", 50.0647, 19.9450, 8),
    ("Łódź", 51.7592, 19.4560, 6),
    ("Wrocław", 51.1079, 17.0385, 6),
    ("Poznań", 52.4064, 16.9252, 5),
    ("Gdańsk", 54.3520, 18.6466, 5),
    ("Szczecin", 53.4285, 14.5528, 4),
    ("Bydgoszcz", 53.1235, 18.0084, 3),
    ("Lublin", 51.2465, 22.5684, 3),
    ("Białystok", 53.1325, 23.1688, 3),
    ("Katowice", 50.2649, 19.0238, 6),
    ("Rzeszów", 50.0412, 21.9991, 3),
    ("Olsztyn", 53.7784, 20.4801, 2),
    ("Kielce", 50.8661, 20.6286, 2),
    ("Opole", 50.6751, 17.9213, 2),
    ("Zielona Góra", 51.9356, 15.5062, 2),
)
DEPOT_CITIES = 12  # the first twelve cities have a depot
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
DAYS = (*WEEKDAYS, "sat", "sun")
ZONE = "Europe/Warsaw"


def _week(days: tuple[str, ...], *spans: tuple[str, str]) -> dict[str, list[list[str]]]:
    return {day: [list(span) for span in spans] for day in days}


# Weekly shift patterns (local wall-clock spans) and how common each is.
SHIFT_PATTERNS: tuple[tuple[dict[str, list[list[str]]], float], ...] = (
    (_week(WEEKDAYS, ("08:00", "16:00")), 0.45),
    (_week(WEEKDAYS, ("09:00", "17:00")), 0.10),
    (_week(WEEKDAYS, ("06:00", "14:00")), 0.10),
    (_week(WEEKDAYS, ("14:00", "22:00")), 0.10),
    (_week(("mon", "tue", "wed", "thu"), ("07:00", "17:00")), 0.07),
    (_week(("thu", "fri", "sat", "sun"), ("07:00", "19:00")), 0.07),
    (  # nights, split at midnight
        {
            "sun": [["22:00", "24:00"]],
            **_week(("mon", "tue", "wed"), ("00:00", "06:00"), ("22:00", "24:00")),
            "thu": [["00:00", "06:00"]],
        },
        0.06,
    ),
    (
        {
            "thu": [["22:00", "24:00"]],
            **_week(("fri", "sat"), ("00:00", "06:00"), ("22:00", "24:00")),
            "sun": [["00:00", "06:00"]],
        },
        0.05,
    ),
)


@dataclass(frozen=True)
class Size:
    engineers: int  # all of them, for the candidates search
    assign_engineers: int  # those left active for auto-assign
    part_types: int
    customers: int
    sites: int
    held_jobs: int  # jobs engineers already hold (assigned), over the coming days
    candidate_jobs: int  # unassigned jobs the candidates search samples
    batch_jobs: int  # unassigned jobs auto-assign places in one unit of work
    absence_share: float = 0.06
    van_lines: tuple[int, int] = (3, 8)  # SKUs a van carries, min and max


FULL = Size(
    engineers=2000,
    assign_engineers=300,
    part_types=40,
    customers=25,
    sites=400,
    held_jobs=3000,
    candidate_jobs=200,
    batch_jobs=500,
)
QUICK = Size(
    engineers=200,
    assign_engineers=60,
    part_types=16,
    customers=4,
    sites=40,
    held_jobs=200,
    candidate_jobs=30,
    batch_jobs=80,
)


@dataclass
class Loaded:
    """What went in: counts for the report, and the job numbers each phase uses."""

    counts: dict[str, int] = field(default_factory=dict)
    candidate_jobs: list[str] = field(default_factory=list)
    # Everything the batch-job insert needs later, after the engineers are cut to 300.
    sites: list[tuple[int, int, int, float, float]] = field(default_factory=list)
    next_ticket: int = 1
    next_job: int = 1


def _weighted(rng: random.Random, pairs: tuple[tuple[Any, float], ...]) -> Any:
    return rng.choices([value for value, _ in pairs], weights=[w for _, w in pairs])[0]


def _near(rng: random.Random, spread: float = 0.35) -> tuple[str, float, float]:
    name, lat, lon, _ = rng.choices(CITIES, weights=[c[3] for c in CITIES])[0]
    return name, lat + rng.uniform(-spread, spread), lon + rng.uniform(-spread * 1.5, spread * 1.5)


def make_sites(rng: random.Random, size: Size) -> list[dict[str, Any]]:
    """Customers' services with sites across the country, as create_service takes them."""
    services = []
    for n in range(size.sites):
        city, lat, lon = _near(rng, 0.2)
        services.append(
            {
                "code": f"SVC-{20000 + n}",
                "customer_code": f"BC{n % size.customers + 1:03d}",
                "type": rng.choice(("ip_transit", "colocation", "mpls_vpn", "hosted_platform")),
                "name": f"Bench service {n + 1}",
                "site": {
                    "name": f"Site {n + 1} {city}",
                    "address": f"ul. Przemysłowa {n + 1}, {city}",
                    "city": city,
                    "lat": round(lat, 5),
                    "lon": round(lon, 5),
                    "access_notes": "",
                },
            }
        )
    return services


def load(
    connection: Connection,
    tables: dict[str, Table],
    *,
    size: Size,
    now: datetime,
    sites: list[tuple[int, int, int, float, float]],
    seed: int = 11,
) -> Loaded:
    """Write engineers, locations, stock, tickets and jobs through `connection`.

    `sites`: (service id, customer id, site id, lat, lon) of the services already created.
    """
    rng = random.Random(seed)
    loaded = Loaded(sites=sites)
    engineers = _engineers(rng, size, now)
    depots, vans = _locations(rng, size, engineers, now)
    parts: list[dict[str, Any]] = [
        {"id": n + 1, "sku": f"BD-{CATEGORIES[n % len(CATEGORIES)][:3].upper()}-{n + 1:04d}",
         "name": f"Bench dispatch part {n + 1}", "category": CATEGORIES[n % len(CATEGORIES)],
         "manufacturer": "Bench", "is_serialised": False, "unit": "each", "reorder_point": 2,
         "created_at": now}
        for n in range(size.part_types)
    ]  # fmt: skip
    lines, movements = _stock(rng, size, depots, vans, parts, now)
    absences = _absences(rng, size, engineers, now)
    with connection.begin():
        connection.execute(tables["engineers"].insert(), engineers)
        if absences:
            connection.execute(tables["engineer_absences"].insert(), absences)
        connection.execute(tables["stock_locations"].insert(), depots + vans)
        connection.execute(tables["part_types"].insert(), parts)
        connection.execute(tables["stock_levels"].insert(), lines)
        connection.execute(tables["stock_movements"].insert(), movements)
    loaded.counts.update(
        engineers=len(engineers), absences=len(absences), depots=len(depots), vans=len(vans),
        part_types=len(parts), stock_levels=len(lines), stock_movements=len(movements),
    )  # fmt: skip
    held = _held_jobs(rng, size, engineers, now)
    candidates = [_open_job(rng, size, now) for _ in range(size.candidate_jobs)]
    numbers = write_jobs(connection, tables, loaded, held + candidates, now, rng)
    loaded.candidate_jobs = numbers[len(held) :]
    loaded.counts.update(held_jobs=len(held), candidate_jobs=len(candidates))
    return loaded


def _engineers(rng: random.Random, size: Size, now: datetime) -> list[dict[str, Any]]:
    rows = []
    for n in range(size.engineers):
        _, lat, lon = _near(rng)
        moved = rng.random() < 0.3  # a phone that reported a position today
        rows.append(
            {"id": n + 1, "user_id": None, "name": f"Bench Dispatch Engineer {n + 1}",
             "skills": sorted(rng.sample(SKILLS, rng.randint(2, 4))),
             "home_lat": lat, "home_lon": lon, "timezone": ZONE,
             "shifts": _weighted(rng, SHIFT_PATTERNS), "daily_capacity": rng.randint(4, 8),
             "position_lat": lat + rng.uniform(-0.2, 0.2) if moved else None,
             "position_lon": lon + rng.uniform(-0.3, 0.3) if moved else None,
             "position_at": now - timedelta(minutes=rng.randint(5, 300)) if moved else None,
             "is_active": True, "created_at": now - timedelta(days=400)}
        )  # fmt: skip
    return rows


def _locations(
    rng: random.Random, size: Size, engineers: list[dict[str, Any]], now: datetime
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    depots = [
        {"id": i + 1, "code": f"DEP-B{i + 1:02d}", "kind": "depot", "name": f"Depot {city}",
         "address": f"ul. Magazynowa {i + 1}", "city": city, "lat": lat, "lon": lon,
         "engineer_id": None, "is_active": True, "created_at": now}
        for i, (city, lat, lon, _) in enumerate(CITIES[:DEPOT_CITIES])
    ]  # fmt: skip
    vans = [
        {"id": len(depots) + e["id"], "code": f"VAN-B{e['id']:04d}", "kind": "van",
         "name": f"Van of {e['name']}", "address": "", "city": "", "lat": e["home_lat"],
         "lon": e["home_lon"], "engineer_id": e["id"], "is_active": True, "created_at": now}
        for e in engineers
    ]  # fmt: skip
    return depots, vans


def _nearest_depot(depots: list[dict[str, Any]], lat: float, lon: float) -> dict[str, Any]:
    return min(depots, key=lambda d: (d["lat"] - lat) ** 2 + (d["lon"] - lon) ** 2)


def _stock(
    rng: random.Random,
    size: Size,
    depots: list[dict[str, Any]],
    vans: list[dict[str, Any]],
    parts: list[dict[str, Any]],
    now: datetime,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Depot lines (received) and van lines (transferred from the van's nearest depot)."""
    on_hand: dict[tuple[int, int], int] = {}
    received: dict[tuple[int, int], int] = defaultdict(int)
    transfers: list[tuple[int, int, int, int]] = []  # part, from depot, to van, quantity
    for depot in depots:
        for part in parts:
            # A few SKUs are absent from a depot, so some reservations travel further.
            if rng.random() < 0.9:
                on_hand[(part["id"], depot["id"])] = rng.randint(10, 80)
    for van in vans:
        depot = _nearest_depot(depots, van["lat"], van["lon"])
        for part in rng.sample(parts, rng.randint(*size.van_lines)):
            quantity = rng.randint(1, 3)
            on_hand[(part["id"], van["id"])] = quantity
            received[(part["id"], depot["id"])] += quantity
            on_hand.setdefault((part["id"], depot["id"]), 0)
            transfers.append((part["id"], depot["id"], van["id"], quantity))
    depot_ids = {d["id"] for d in depots}
    lines = [
        {"part_type_id": p, "location_id": loc, "on_hand": n, "reserved": 0, "faulty": 0,
         "reserve_floor": rng.randint(0, 2) if loc in depot_ids else 0, "reorder_point": None}
        for (p, loc), n in on_hand.items()
    ]  # fmt: skip
    movements: list[dict[str, Any]] = []
    received_at, moved_at = now - timedelta(days=30), now - timedelta(days=10)
    for (p, loc), n in on_hand.items():
        if loc in depot_ids and n + received[(p, loc)] > 0:
            movements.append(_movement("receipt", p, n + received[(p, loc)], None, loc,
                                       "Bench delivery", received_at))  # fmt: skip
    for p, source, target, quantity in transfers:
        movements.append(_movement("transfer", p, quantity, source, target, "Van kit", moved_at))
    return lines, movements


def _movement(kind: str, part: int, quantity: int, source: int | None, target: int | None,
              reason: str, at: datetime) -> dict[str, Any]:  # fmt: skip
    return {"kind": kind, "part_type_id": part, "quantity": quantity, "condition": "good",
            "from_location_id": source, "to_location_id": target, "unit_id": None,
            "reservation_id": None, "reason": reason, "reference": "", "actor_id": None,
            "created_at": at}  # fmt: skip


def _absences(
    rng: random.Random, size: Size, engineers: list[dict[str, Any]], now: datetime
) -> list[dict[str, Any]]:
    rows = []
    for engineer in rng.sample(engineers, round(size.engineers * size.absence_share)):
        starts = now + timedelta(hours=rng.randint(-96, 48))
        rows.append(
            {"engineer_id": engineer["id"], "starts_at": starts,
             "ends_at": starts + timedelta(hours=rng.choice((4, 8, 24, 72, 120))),
             "reason": rng.choice(("Annual leave", "Training", "Sick leave"))}
        )  # fmt: skip
    return rows


def local_day(moment: datetime, zone: str = ZONE) -> date:
    return moment.astimezone(ZoneInfo(zone)).date()


def _held_jobs(
    rng: random.Random, size: Size, engineers: list[dict[str, Any]], now: datetime
) -> list[dict[str, Any]]:
    """Jobs already assigned over the next three days, each within its engineer's skills and
    daily capacity (never full: at most capacity - 1, so everyone can still take one)."""
    loads: dict[tuple[int, date], int] = defaultdict(int)
    jobs: list[dict[str, Any]] = []
    attempts = 0
    while len(jobs) < size.held_jobs and attempts < size.held_jobs * 5:
        attempts += 1
        engineer = rng.choice(engineers)
        arrive_by = now + timedelta(minutes=rng.randint(-6 * 60, 72 * 60))
        key = (engineer["id"], local_day(arrive_by))
        if loads[key] >= engineer["daily_capacity"] - 1:
            continue
        loads[key] += 1
        skills = rng.sample(engineer["skills"], rng.randint(1, min(2, len(engineer["skills"]))))
        jobs.append(
            {**_job_fields(rng, now, arrive_by, skills), "status": "assigned",
             "engineer_id": engineer["id"], "assigned_at": now - timedelta(hours=1),
             "parts": []}
        )  # fmt: skip
    return jobs


def _job_fields(
    rng: random.Random, now: datetime, arrive_by: datetime, skills: list[str]
) -> dict[str, Any]:
    return {
        "priority": _weighted(rng, PRIORITIES),
        "required_skills": sorted(skills),
        "duration_min": rng.choice((30, 45, 60, 90, 120)),
        "arrive_by": arrive_by,
        "created_at": now - timedelta(minutes=rng.randint(10, 300)),
    }


def _open_job(
    rng: random.Random, size: Size, now: datetime, part_ids: list[int] | None = None
) -> dict[str, Any]:
    """An unassigned job: one or two skills, up to two parts, on site within 2-30 hours."""
    skills = rng.sample(SKILLS, rng.choice((1, 1, 2)))
    arrive_by = now + timedelta(minutes=rng.randint(120, 30 * 60))
    pool = part_ids or list(range(1, size.part_types + 1))
    parts = [(p, rng.randint(1, 2)) for p in rng.sample(pool, rng.choice((0, 1, 1, 2)))]
    return {**_job_fields(rng, now, arrive_by, skills), "status": "unassigned",
            "engineer_id": None, "assigned_at": None, "parts": parts}  # fmt: skip


def open_jobs(rng: random.Random, size: Size, now: datetime, n: int) -> list[dict[str, Any]]:
    return [_open_job(rng, size, now) for _ in range(n)]


def write_jobs(
    connection: Connection,
    tables: dict[str, Table],
    loaded: Loaded,
    jobs: list[dict[str, Any]],
    now: datetime,
    rng: random.Random,
) -> list[str]:
    """Insert a hardware ticket (in progress) and a job per entry, at a random site; returns
    the job numbers. Moves the TT and WO number counters past them."""
    tickets, rows, parts = [], [], []
    numbers: list[str] = []
    for job in jobs:
        service_id, customer_id, site_id, _, _ = rng.choice(loaded.sites)
        ticket_id, job_id = loaded.next_ticket, loaded.next_job
        loaded.next_ticket += 1
        loaded.next_job += 1
        opened = job["created_at"] - timedelta(minutes=5)
        tickets.append(
            {"id": ticket_id, "number": f"TT-{now.year}-{ticket_id:06d}",
             "customer_id": customer_id, "service_id": service_id, "channel": "portal",
             "fault_started_at": opened - timedelta(minutes=10),
             "summary": f"Hardware fault {ticket_id}", "description": "",
             "impact": "service_affecting" if job["priority"] == "P1" else "degraded",
             "urgency": "high", "category": "hardware", "priority": job["priority"],
             "status": "in_progress", "tier": "L1", "created_at": opened, "updated_at": opened,
             "acknowledged_at": opened, "responded_at": opened, "sla_started_at": opened,
             "response_due_at": opened + timedelta(minutes=30),
             "resolution_due_at": job["arrive_by"] + timedelta(hours=4)}
        )  # fmt: skip
        number = f"WO-{now.year}-{job_id:06d}"
        numbers.append(number)
        rows.append(
            {"id": job_id, "number": number, "ticket_id": ticket_id, "site_id": site_id,
             "status": job["status"], "priority": job["priority"],
             "required_skills": job["required_skills"], "duration_min": job["duration_min"],
             "arrive_by": job["arrive_by"], "access_hours": None,
             "engineer_id": job["engineer_id"], "review_required": False, "notes": "",
             "failure_reason": "", "signed_off_by": "", "follow_up_of_id": None,
             "created_by_id": None, "created_at": job["created_at"],
             "updated_at": job["created_at"], "assigned_at": job["assigned_at"]}
        )  # fmt: skip
        parts += [
            {"job_id": job_id, "part_type_id": part, "quantity": quantity}
            for part, quantity in job["parts"]
        ]
    counters = tables["number_counters"]
    with connection.begin():
        connection.execute(tables["tickets"].insert(), tickets)
        connection.execute(tables["jobs"].insert(), rows)
        if parts:
            connection.execute(tables["job_parts"].insert(), parts)
        connection.execute(counters.delete().where(counters.c.year == now.year))
        connection.execute(
            counters.insert(),
            [
                {"prefix": "TT", "year": now.year, "last_value": loaded.next_ticket - 1},
                {"prefix": "WO", "year": now.year, "last_value": loaded.next_job - 1},
            ],
        )
        if connection.dialect.name == "postgresql":
            _move_sequences(connection)
    return numbers


def _move_sequences(connection: Connection) -> None:
    for table in ("engineers", "engineer_absences", "stock_locations", "part_types",
                  "stock_levels", "stock_movements", "tickets", "jobs", "job_parts"):  # fmt: skip
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
            )
        )
