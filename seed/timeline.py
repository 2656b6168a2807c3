"""Drawing one historical ticket: its final status, opening, service, class and texts.

`draw_opening` picks a final status and an opening instant; `draw_life` draws everything
else: service, category, impact, urgency, the priority from the plan's matrix, reporter and
channel, texts, and the work-log steps (`seed.planner`). `seed.realize` then turns a life
into rows. Pure: no Flask, no database; `now` is always an argument.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fieldops.customers.priority import IMPACTS, URGENCIES, priority_for
from fieldops.tickets.lifecycle import TicketStatus as S
from seed.planner import Planner
from seed.shapes import Life, World

LOCAL = ZoneInfo("Europe/Warsaw")
# Final statuses and their weights: mostly closed, a realistic tail of open work.
STATUS_WEIGHTS: dict[S, int] = {
    S.CLOSED: 855,
    S.CANCELLED: 30,
    S.RESOLVED: 15,
    S.NEW: 15,
    S.ACKNOWLEDGED: 15,
    S.IN_PROGRESS: 40,
    S.PENDING_CUSTOMER: 20,
    S.PENDING_THIRD_PARTY: 10,
}
# How long ago an open ticket of each status was typically opened (minutes, min..max).
OPEN_AGES: dict[S, tuple[int, int]] = {
    S.RESOLVED: (6 * 60, 6 * 1440),
    S.NEW: (5, 36 * 60),
    S.ACKNOWLEDGED: (20, 4 * 1440),
    S.IN_PROGRESS: (60, 21 * 1440),
    S.PENDING_CUSTOMER: (120, 30 * 1440),
    S.PENDING_THIRD_PARTY: (120, 30 * 1440),
}
CATEGORY_WEIGHTS = {
    "hardware": 20,
    "network": 35,
    "software": 12,
    "configuration_change": 10,
    "billing": 5,
    "request": 18,
}
# Impact weights per category, in the order of IMPACTS (service_affecting, degraded, not).
IMPACT_WEIGHTS = {
    "hardware": (25, 45, 30),
    "network": (20, 50, 30),
    "software": (10, 50, 40),
    "configuration_change": (0, 20, 80),
    "billing": (0, 0, 100),
    "request": (0, 5, 95),
}
# Urgency weights per impact, in the order of URGENCIES (high, medium, low).
URGENCY_WEIGHTS = {
    "service_affecting": (60, 25, 15),
    "degraded": (15, 65, 20),
    "not_affecting": (5, 50, 45),
}
CHANNEL_WEIGHTS = {"portal": 45, "email": 25, "phone": 20, "api": 10}
# Opening hour weights (local time): busy office hours, a quiet night.
HOUR_WEIGHTS = (2, 2, 2, 2, 2, 3, 5, 10, 22, 22, 22, 22, 22, 22, 22, 22, 22, 15, 10, 7, 7, 7, 4, 4)
WEEKEND_SHARE = 0.45
MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


# --- drawing -------------------------------------------------------------------------------


def draw_opening(rng: random.Random, now: datetime) -> tuple[S, datetime]:
    """A final status and an opening instant before `now` (aware UTC)."""
    status = rng.choices(tuple(STATUS_WEIGHTS), weights=tuple(STATUS_WEIGHTS.values()))[0]
    return status, draw_opened_at(rng, status, now)


def draw_opened_at(rng: random.Random, status: S, now: datetime) -> datetime:
    """When a ticket that is now in `status` was opened: finished ones over the past year,
    weighted to office hours and weekdays; open ones recently (OPEN_AGES)."""
    if status in (S.CLOSED, S.CANCELLED):
        return _office_weighted(rng, now, min_days=2, max_days=365)
    low, high = OPEN_AGES[status]
    return now - timedelta(minutes=rng.uniform(low, high))


def _office_weighted(
    rng: random.Random, now: datetime, *, min_days: int, max_days: int
) -> datetime:
    today = now.astimezone(LOCAL).date()
    while True:
        day = today - timedelta(days=rng.randrange(min_days, max_days))
        if day.weekday() >= 5 and rng.random() > WEEKEND_SHARE:
            continue
        hour = rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
        local = datetime(day.year, day.month, day.day, hour, tzinfo=LOCAL)
        opened = (local + timedelta(seconds=rng.randrange(3600))).astimezone(UTC)
        if opened < now:
            return opened


def draw_life(rng: random.Random, world: World, final: S, opened: datetime) -> Life:
    """Draw the ticket's service, classification, texts and the steps of its work log."""
    service = rng.choice(world.services)
    category = rng.choices(tuple(CATEGORY_WEIGHTS), weights=tuple(CATEGORY_WEIGHTS.values()))[0]
    impact = rng.choices(IMPACTS, weights=IMPACT_WEIGHTS[category])[0]
    urgency = rng.choices(URGENCIES, weights=URGENCY_WEIGHTS[impact])[0]
    priority = priority_for(impact, urgency, category, service.plan.matrix)
    contacts = (world.billing if category == "billing" else world.technical).get(
        service.customer_id, ()
    )
    requester = rng.choice(contacts) if contacts else None
    channel = rng.choices(tuple(CHANNEL_WEIGHTS), weights=tuple(CHANNEL_WEIGHTS.values()))[0]
    first_line = rng.choice(world.agents["L1"])
    if requester is None:
        channel = "phone"
    creator = first_line if channel == "phone" else requester
    values = world.texts.values(rng, service, opened, MONTHS)
    technical = category in ("network", "hardware", "software")
    fields: dict[str, Any] = {
        "customer_id": service.customer_id,
        "service_id": service.id,
        "requester_id": requester.id if requester else None,
        "created_by_id": creator.id if creator else None,
        "channel": channel,
        "summary": world.texts.summary(rng, category, service.type, values),
        "description": world.texts.description(rng, category, values),
        "impact": impact,
        "urgency": urgency,
        "category": category,
        "priority": priority,
        "priority_overridden": False,
        "circuit_id": (
            rng.choice(service.circuit_ids)
            if technical and service.circuit_ids and rng.random() < 0.7
            else None
        ),
        "fault_pattern": rng.choice(("intermittent", "permanent")) if technical else None,
        "ip_address": values["ip"] if category == "network" and rng.random() < 0.3 else None,
        "logs": world.texts.logs(rng, values) if technical and rng.random() < 0.15 else None,
        "escalation_level": 0,
    }
    plan = Planner(rng, world, service, fields, first_line, requester, values)
    steps = plan.steps(final)
    return Life(final, service, fields, steps, fault_lead_min=rng.uniform(2, 240))


def settle_opening(rng: random.Random, life: Life, opened: datetime, now: datetime) -> datetime:
    """For a ticket still open (or awaiting confirmation), an opening that puts `now` at a
    realistic point of its life: most running clocks within target, a tail breached.

    Finished tickets keep `opened`. The age is drawn in working minutes of the plan and
    turned into wall time with the plan's rough wall/working ratio; `seed.realize.fit` then
    moves it further back if any step would still land after `now`.
    """
    final = life.final
    if final in (S.CLOSED, S.CANCELLED):
        return opened
    target = life.service.plan.targets[life.fields["priority"]]
    clocks = [step.clock for step in life.steps if step.clock is not None]
    last = max(clocks, default=0.0)
    waited = sum(step.wall or 0.0 for step in life.steps)
    if final == S.NEW:
        clock_now = target["response_min"] * rng.uniform(0.05, 1.25)
    elif final in (S.ACKNOWLEDGED, S.IN_PROGRESS):
        ceiling = max(float(target["resolution_min"]), last) * 1.1
        clock_now = rng.uniform(last, ceiling)
    else:  # paused or resolved: the clock stopped at the last placed step
        clock_now = last
        low, high = (60, 20 * 60) if final == S.RESOLVED else (30, 5 * 1440)
        waited += rng.uniform(low, high)
    age = clock_now * life.service.plan.wall_ratio + waited
    return now - timedelta(minutes=max(age, 2.0))
