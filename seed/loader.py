"""Loading the demo world (`fieldops seed --demo`) and adding history (`--tickets N`).

The demo world is a list of sections, each a JSON file in seed/ and the function that
applies it. A later capability (engineers, depots, parts) adds its file and one `Section`
line to `SECTIONS`, after the sections it depends on. Every loader is idempotent by natural
key, so `load_demo` may run any number of times.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import click
from sqlalchemy import func, select

from fieldops.clock import utcnow
from fieldops.customers.models import Customer
from fieldops.db import db, transaction
from seed import demo_tickets, dispatch, documents, history, inventory, world
from seed.context import Echo, SeedContext, read_json

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Section:
    """One part of the demo world: its data file and the loader that applies it."""

    file: str
    load: Callable[[dict[str, Any], SeedContext], None]


SECTIONS: tuple[Section, ...] = (
    Section("plans.json", world.load_plans),
    Section("customers.json", world.load_customers),
    Section("users.json", world.load_staff),
    Section("escalation.json", world.load_escalation),
    Section("engineers.json", inventory.load_engineers),
    Section("inventory.json", inventory.load_inventory),
    Section("tickets.json", demo_tickets.load_tickets),
    Section("jobs.json", dispatch.load_dispatch),
    Section("documents.json", documents.load_documents),
)


def demo_password() -> str:
    """The demo-only password of every demo user (printed; never use it elsewhere)."""
    return str(read_json("users.json")["demo_password"])


def load_demo(echo: Echo = click.echo, *, now: datetime | None = None) -> SeedContext:
    """Create whatever part of the demo world is missing, in one transaction, then print
    the demo logins. Returns the context (what was created, the logins) for callers/tests.

    Raises whatever a domain service raises; then nothing of this load is kept.
    """
    ctx = SeedContext(now=now or utcnow(), password=demo_password())
    with transaction():
        for section in SECTIONS:
            section.load(read_json(section.file), ctx)
    created = ", ".join(f"{n} {what}" for what, n in ctx.created.items()) or "nothing new"
    log.info("demo world loaded: %s", created)
    echo(f"Demo world ready ({created}).")
    echo("")
    echo(f"Demo logins (demo-only password for all: {ctx.password}):")
    # Staff first, then customer contacts, each in file order.
    logins = sorted(ctx.logins, key=lambda login: login.role == "customer")
    width = max((len(login.email) for login in logins), default=0)
    for login in logins:
        extra = f"  ({login.note})" if login.note else ""
        echo(f"  {login.email:<{width}}  {login.role:<13}{extra}".rstrip())
    return ctx


def demo_present() -> bool:
    """Whether every demo customer exists (the world history tickets are drawn from)."""
    codes = [c["code"] for c in read_json("customers.json")["customers"]]
    found = db.session.scalar(select(func.count()).where(Customer.code.in_(codes))) or 0
    return found == len(codes)


def make_history(
    n: int,
    echo: Echo = click.echo,
    *,
    seed: int = history.DEFAULT_SEED,
    now: datetime | None = None,
    batch_size: int = history.BATCH_SIZE,
    progress: bool = True,
) -> list[str]:
    """Add `n` realistic historical tickets (see `seed.history.add_history`), loading the
    demo world first when it is absent. Returns the new ticket numbers."""
    if not demo_present():
        load_demo(echo, now=now)
    return history.add_history(
        n, echo=echo, seed=seed, now=now or utcnow(), batch_size=batch_size, progress=progress
    )
