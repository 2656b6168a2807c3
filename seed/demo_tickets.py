"""The open demo tickets, replayed step by step through the real ticket services.

Every step is the service call an agent or contact would make (`open_ticket`,
`change_status`, `add_event`, `update_ticket`) at its own instant, so numbers, SLA clocks,
pauses and the work log come out exactly as in production. A ticket is keyed by its service
and the customer reference that its description ends with, and is created only once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from fieldops.accounts.models import User
from fieldops.customers.models import Service
from fieldops.db import db
from fieldops.tickets.models import Ticket
from fieldops.tickets.services import add_event, change_status, open_ticket, update_ticket
from seed.context import SeedContext

REFERENCE_PREFIX = "Customer reference: "


def load_tickets(data: dict[str, Any], ctx: SeedContext) -> None:
    for spec in data["tickets"]:
        if find_demo_ticket(spec["service"], spec["ref"]) is not None:
            continue
        _replay(spec, ctx)
        ctx.count("demo tickets")


def find_demo_ticket(service_code: str, ref: str) -> Ticket | None:
    return db.session.scalar(
        select(Ticket)
        .join(Service, Service.id == Ticket.service_id)
        .where(
            Service.code == service_code,
            Ticket.description.contains(f"{REFERENCE_PREFIX}{ref}", autoescape=True),
        )
    )


def _user(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        raise LookupError(f"demo ticket step names unknown user {email}")
    return user


def _replay(spec: dict[str, Any], ctx: SeedContext) -> Ticket:
    def at(minutes_ago: int) -> datetime:
        return ctx.now - timedelta(minutes=minutes_ago)

    data = dict(spec["input"])
    data["service_id"] = spec["service"]
    data["fault_started_at"] = at(spec["fault_started_minutes_ago"])
    data["description"] = f"{data.get('description', '')}\n\n{REFERENCE_PREFIX}{spec['ref']}"
    if spec.get("requester"):
        data["requester"] = spec["requester"]
    ticket = open_ticket(
        actor=_user(spec["opened_by"]),
        data=data,
        channel=spec["channel"],
        now=at(spec["opened_minutes_ago"]),
    )
    for step in spec.get("steps", []):
        actor, now = _user(step["by"]), at(step["minutes_ago"])
        action = step["action"]
        if action == "status":
            change_status(
                ticket,
                actor=actor,
                to=step["to"],
                note=step.get("note", ""),
                reason=step.get("reason"),
                now=now,
            )
        elif action == "event":
            add_event(
                ticket,
                actor=actor,
                kind=step["kind"],
                body=step["body"],
                public=step.get("public", False),
                now=now,
            )
        elif action == "update":
            changes = dict(step["changes"])
            if "eta_in_minutes" in changes:
                changes["eta"] = ctx.now + timedelta(minutes=changes.pop("eta_in_minutes"))
            update_ticket(ticket, actor=actor, changes=changes, now=now)
        else:
            raise ValueError(f"unknown demo ticket action {action!r} in {spec['ref']}")
    return ticket
