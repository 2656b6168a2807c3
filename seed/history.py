"""Bulk history: N realistic past tickets, inserted set-based in batches (`seed --tickets N`).

Speed matters here (100,000 tickets in a minute or two), so this module does not call the
ticket services once per ticket. It draws each ticket's life with the pure `seed.timeline`
and `seed.realize` (which apply the services' rules: status machine, SLA calendar, pauses),
then writes each batch with three Core `INSERT`s over lists of rows (tickets with
`RETURNING id`, their events, their pauses) and one counter update per year for the ticket
numbers (`numbering.reserve_block`).

Transactions: unlike a request, this bulk tool commits once per batch (each batch is its own
`with transaction():`), so an interrupted run keeps the batches it finished and a large run
never holds one huge transaction. Every committed batch is complete and consistent.
"""

from __future__ import annotations

import logging
import random
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import nullcontext
from datetime import datetime
from typing import Any

import click
from sqlalchemy import Connection, func, insert, select, text

from fieldops.accounts.models import Role, User
from fieldops.customers.calendars import business_hours_document
from fieldops.customers.models import Service, Site, SlaPlan
from fieldops.db import db, transaction
from fieldops.numbering import format_number, reserve_block
from fieldops.tickets import sla
from fieldops.tickets.lifecycle import TicketStatus
from fieldops.tickets.models import Ticket, TicketEvent, TicketPause
from seed.context import Echo, read_json
from seed.realize import fit
from seed.shapes import Draft, Person, PlanInfo, ServiceInfo, World
from seed.texts import Texts
from seed.timeline import draw_life, draw_opening, settle_opening

log = logging.getLogger(__name__)

DEFAULT_SEED = 2026
BATCH_SIZE = 2000
NUMBER_PREFIX = "TT"


def add_history(
    n: int,
    *,
    echo: Echo,
    seed: int = DEFAULT_SEED,
    now: datetime,
    batch_size: int = BATCH_SIZE,
    progress: bool = True,
) -> list[str]:
    """Insert `n` tickets opened over the year before `now`; return their numbers.

    The draw is reproducible: the same seed, database contents and `now` give the same
    tickets. Raises LookupError when there are no services or no agents to draw from.
    """
    if n <= 0:
        return []
    started = time.perf_counter()
    world = load_world()
    existing = db.session.scalar(select(func.count()).select_from(Ticket)) or 0
    rng = random.Random(f"fieldops-history:{seed}:{existing}")
    openings = sorted((draw_opening(rng, now) for _ in range(n)), key=lambda o: o[1])
    numbers: list[str] = []
    totals = {"events": 0, "pauses": 0}
    bar = (
        click.progressbar(length=n, label="Adding historical tickets", show_pos=True)
        if progress
        else nullcontext()
    )
    with bar as shown:
        for chunk in _chunks(openings, batch_size):
            drafts = [_draft(rng, world, status, opened, now) for status, opened in chunk]
            drafts.sort(key=lambda d: d.created_at)
            with transaction():
                numbers.extend(_assign_numbers(drafts))
                events, pauses = _insert(drafts)
            totals["events"] += events
            totals["pauses"] += pauses
            if shown is not None:
                shown.update(len(chunk))
    seconds = time.perf_counter() - started
    log.info("history: %s tickets added in %.1f s", n, seconds)
    echo(
        f"Added {n} historical tickets with {totals['events']} events and "
        f"{totals['pauses']} pauses in {seconds:.1f} s."
    )
    return numbers


def _draft(
    rng: random.Random, world: World, status: TicketStatus, opened: datetime, now: datetime
) -> Draft:
    """One ticket's rows: its life drawn, its opening settled and fitted before `now`."""
    life = draw_life(rng, world, status, opened)
    return fit(life, settle_opening(rng, life, opened, now), now)


def load_world() -> World:
    """Every service with its site and plan, the contacts per customer, agents per tier."""
    plans = {
        plan.id: PlanInfo(
            calendar=sla.Calendar.from_document(plan.calendar),
            business=sla.Calendar.from_document(business_hours_document(plan.calendar)),
            targets=plan.targets,
            matrix=plan.priority_matrix,
        )
        for plan in db.session.scalars(select(SlaPlan))
    }
    rows = db.session.execute(
        select(Service, Site.city, Site.name).join(Site, Site.id == Service.site_id)
    )
    services = tuple(
        ServiceInfo(
            id=service.id,
            code=service.code,
            customer_id=service.customer_id,
            type=service.type,
            city=city,
            site=site,
            circuit_ids=tuple(service.circuit_ids or ()),
            plan=plans[service.sla_plan_id],
        )
        for service, city, site in rows.unique()
    )
    technical: dict[int, list[Person]] = defaultdict(list)
    billing: dict[int, list[Person]] = defaultdict(list)
    agents: dict[str, list[Person]] = defaultdict(list)
    for user in db.session.scalars(select(User).where(User.is_active.is_(True)).order_by(User.id)):
        person = Person(user.id, user.name)
        if user.role == Role.CUSTOMER and user.customer_id is not None:
            if user.can_technical:
                technical[user.customer_id].append(person)
            if user.can_billing:
                billing[user.customer_id].append(person)
        elif user.role == Role.AGENT:
            agents[user.tier or "L1"].append(person)
    if not services or not agents:
        raise LookupError("history needs services and agents: load the demo world first")
    every_agent = [p for tier in ("L1", "L2", "L3") for p in agents.get(tier, [])]
    return World(
        services=services,
        technical={k: tuple(v) for k, v in technical.items()},
        billing={k: tuple(v) for k, v in billing.items()},
        agents={tier: tuple(agents.get(tier) or every_agent) for tier in ("L1", "L2", "L3")},
        texts=Texts(read_json("history.json")),
    )


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for first in range(0, len(items), size):
        yield items[first : first + size]


def _assign_numbers(drafts: list[Draft]) -> list[str]:
    """Number the drafts in opening order, one counter update per (UTC) year."""
    by_year: dict[int, list[Draft]] = defaultdict(list)
    for draft in drafts:
        by_year[draft.created_at.year].append(draft)
    for year, group in sorted(by_year.items()):
        first = reserve_block(NUMBER_PREFIX, year, len(group))
        for offset, draft in enumerate(group):
            draft.assign_number(format_number(NUMBER_PREFIX, year, first + offset))
    return [draft.ticket["number"] for draft in drafts]


def _insert(drafts: list[Draft]) -> tuple[int, int]:
    """Three set-based INSERTs for the batch; returns (events, pauses) written."""
    connection = db.session.connection()
    # The metadata's Table objects (typed as tables, unlike a model's __table__).
    tables = Ticket.metadata.tables
    tickets = tables[Ticket.__tablename__]
    rows = [draft.ticket for draft in drafts]
    ids = _preallocated_ids(connection, len(rows))
    if ids is None:
        returning = tickets.insert().returning(tickets.c.id, sort_by_parameter_order=True)
        ids = list(connection.execute(returning, rows).scalars())
    else:
        rows = [{**row, "id": ticket_id} for row, ticket_id in zip(rows, ids, strict=True)]
        connection.execute(insert(tickets), rows)
    events: list[dict[str, Any]] = []
    pauses: list[dict[str, Any]] = []
    for ticket_id, draft in zip(ids, drafts, strict=True):
        events.extend({**event, "ticket_id": ticket_id} for event in draft.events)
        pauses.extend({**pause, "ticket_id": ticket_id} for pause in draft.pauses)
    connection.execute(insert(tables[TicketEvent.__tablename__]), events)
    if pauses:
        connection.execute(insert(tables[TicketPause.__tablename__]), pauses)
    return len(events), len(pauses)


def _preallocated_ids(connection: Connection, count: int) -> list[int] | None:
    """On PostgreSQL, `count` ticket ids drawn from the table's sequence in one query.

    With known ids the ticket rows go in as a plain pipelined executemany, where `INSERT ...
    RETURNING` over thousands of rows makes psycopg re-parse a huge multi-row statement for
    every page (measured: about a tenth of the whole run saved). SQLite returns ids cheaply,
    so it keeps RETURNING.
    """
    if connection.dialect.name != "postgresql":
        return None
    draw = text(
        "SELECT nextval(pg_get_serial_sequence('tickets', 'id')) FROM generate_series(1, :n)"
    )
    return sorted(connection.execute(draw, {"n": count}).scalars())
