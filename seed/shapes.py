"""The plain shapes history is drawn with: a world snapshot, steps, lives and row drafts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from fieldops.tickets import sla
from fieldops.tickets.lifecycle import Actor
from fieldops.tickets.lifecycle import TicketStatus as S
from seed.texts import Texts

# What the 24 h auto-close writes when the customer never answers "is it fixed?".
AUTO_CLOSE_NOTE = "No answer within 24 hours: closed automatically."


@dataclass(frozen=True)
class Person:
    id: int
    name: str


@dataclass(frozen=True)
class PlanInfo:
    calendar: sla.Calendar
    # Where a not-affecting fault reported out of hours starts its clock (office hours on 24x7).
    business: sla.Calendar
    targets: dict[str, dict[str, int]]
    matrix: dict[str, Any] | None

    @property
    def wall_ratio(self) -> float:
        """Wall-clock minutes per working minute, roughly (holidays ignored): 1 for 24x7."""
        weekly = sum(end - start for day in self.calendar.hours for start, end in day)
        return 7 * 24 * 60 / weekly if weekly else 1.0


@dataclass(frozen=True)
class ServiceInfo:
    id: int
    code: str
    customer_id: int
    type: str
    city: str
    site: str
    circuit_ids: tuple[str, ...]
    plan: PlanInfo


@dataclass(frozen=True)
class World:
    """What history is drawn from: services, contacts per customer, agents per tier."""

    services: tuple[ServiceInfo, ...]
    technical: dict[int, tuple[Person, ...]]
    billing: dict[int, tuple[Person, ...]]
    agents: dict[str, tuple[Person, ...]]
    texts: Texts


@dataclass(frozen=True)
class Step:
    """One work-log line to be: placed at `clock` working minutes of running SLA clock, or
    `wall` minutes after the previous step."""

    kind: str
    who: Actor
    actor: Person | None
    body: str = ""
    public: bool = False
    to: S | None = None
    reason: str | None = None
    clock: float | None = None
    wall: float | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Life:
    """Everything drawn about a ticket except its opening instant."""

    final: S
    service: ServiceInfo
    fields: dict[str, Any]
    steps: list[Step]
    fault_lead_min: float


@dataclass
class Draft:
    """Rows for one ticket; `ticket` lacks `number`, events and pauses lack `ticket_id`."""

    ticket: dict[str, Any]
    events: list[dict[str, Any]]
    pauses: list[dict[str, Any]]
    service_code: str

    @property
    def created_at(self) -> datetime:
        return self.ticket["created_at"]

    def assign_number(self, number: str) -> None:
        self.ticket["number"] = number
        first = self.events[0]
        first["body"] = (
            f"Ticket {number} opened via {self.ticket['channel']} for {self.service_code}."
        )
