"""Marshmallow schemas for tickets and the work log, and the batched ticket presenter."""

from __future__ import annotations

from datetime import UTC, datetime
from ipaddress import IPv4Address, IPv6Address
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from fieldops.customers.priority import CATEGORIES, IMPACTS, PRIORITIES, URGENCIES
from fieldops.customers.schemas import MAX_PAGE
from fieldops.tickets import queries
from fieldops.tickets.lifecycle import TicketStatus
from fieldops.tickets.models import (
    BODY_MAX,
    DESCRIPTION_MAX,
    LOGS_MAX,
    SUMMARY_MAX,
    Channel,
    Ticket,
    TicketEvent,
)

STATUSES = tuple(s.value for s in TicketStatus)
TIERS = ("L1", "L2", "L3")


def _one_of(choices: tuple[str, ...]) -> validate.OneOf:
    return validate.OneOf(choices, error="Must be one of: {choices}.")


def _no_zone(value: IPv4Address | IPv6Address) -> None:
    """fe80::1%eth0 names an interface on the reporter's own host: meaningless to the desk, and
    a long zone would not fit the column (45 characters, the longest plain address)."""
    if getattr(value, "scope_id", None):
        raise ValidationError("Give the address without a %zone suffix.")


def _in_utc_range(value: datetime) -> None:
    """Instants are stored in UTC: 0001-01-01T00:00+01:00 has no UTC form (it would be a 500)."""
    try:
        value.astimezone(UTC)
    except OverflowError:
        raise ValidationError("Out of range once converted to UTC.") from None


class TicketCreateSchema(Schema):
    """What a reporter supplies. Priority, tier and assignee are never the reporter's to set."""

    service_id = fields.String(required=True, validate=validate.Length(min=1, max=40))
    fault_started_at = fields.AwareDateTime(
        required=True, validate=_in_utc_range, metadata={"description": "ISO 8601 with an offset."}
    )
    summary = fields.String(required=True, validate=validate.Length(min=3, max=SUMMARY_MAX))
    description = fields.String(validate=validate.Length(max=DESCRIPTION_MAX))
    impact = fields.String(required=True, validate=_one_of(IMPACTS))
    urgency = fields.String(validate=_one_of(URGENCIES))
    category = fields.String(validate=_one_of(CATEGORIES))
    circuit_id = fields.String(validate=validate.Length(max=80))
    fault_pattern = fields.String(validate=_one_of(("intermittent", "permanent")))
    ip_address = fields.IP(validate=_no_zone)
    logs = fields.String(validate=validate.Length(max=LOGS_MAX))
    channel = fields.String(
        validate=_one_of(("phone", "email", "api")),
        metadata={"description": "Staff recording a call or e-mail set phone or email."},
    )
    requester = fields.Email(metadata={"description": "Staff: the contact who reported it."})

    @validates_schema
    def _summary_not_blank(self, data: dict[str, Any], **_: Any) -> None:
        if "summary" in data and not data["summary"].strip():
            raise ValidationError("Must not be blank.", "summary")


class TicketUpdateSchema(Schema):
    category = fields.String(validate=_one_of(CATEGORIES))
    impact = fields.String(validate=_one_of(IMPACTS))
    urgency = fields.String(validate=_one_of(URGENCIES))
    priority = fields.String(validate=_one_of(PRIORITIES))
    priority_reason = fields.String(validate=validate.Length(max=1000))
    tier = fields.String(validate=_one_of(TIERS))
    handover_note = fields.String(validate=validate.Length(max=BODY_MAX))
    assignee = fields.String(allow_none=True, metadata={"description": "Agent e-mail or id."})
    eta = fields.AwareDateTime(allow_none=True, validate=_in_utc_range)
    eta_reason = fields.String(validate=validate.Length(max=1000))


class TransitionSchema(Schema):
    to = fields.String(required=True, validate=_one_of(STATUSES))
    note = fields.String(load_default="", validate=validate.Length(max=BODY_MAX))
    reason = fields.String(allow_none=True, validate=validate.Length(max=1000))


class EventCreateSchema(Schema):
    kind = fields.String(required=True, validate=validate.Length(max=24))
    body = fields.String(required=True, validate=validate.Length(min=1, max=BODY_MAX))
    public = fields.Boolean(load_default=False)


class TicketQuerySchema(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))
    status = fields.String(metadata={"description": "One status, or several comma-separated."})
    priority = fields.String(metadata={"description": "P1..P4, or several comma-separated."})
    customer = fields.String()
    service = fields.String()
    assignee = fields.String(metadata={"description": "Agent e-mail or id, or 'none'."})
    tier = fields.String(validate=_one_of(TIERS))
    q = fields.String(validate=validate.Length(max=200))
    breached = fields.Boolean()
    sort = fields.String(validate=_one_of(tuple(queries.SORTS)))

    @validates_schema
    def _lists(self, data: dict[str, Any], **_: Any) -> None:
        for name, allowed in (("status", STATUSES), ("priority", PRIORITIES)):
            bad = [v for v in split_list(data.get(name)) if v not in allowed]
            if bad:
                raise ValidationError(
                    f"Unknown value(s) {', '.join(bad)}; use: {', '.join(allowed)}.", name
                )


def split_list(raw: str | None) -> list[str]:
    return [part.strip() for part in (raw or "").split(",") if part.strip()]


class PauseSchema(Schema):
    reason = fields.String()
    started_at = fields.AwareDateTime()
    ended_at = fields.AwareDateTime(allow_none=True)
    seconds = fields.Integer()


class SlaSchema(Schema):
    response_due_at = fields.AwareDateTime()
    resolution_due_at = fields.AwareDateTime()
    responded_at = fields.AwareDateTime(allow_none=True)
    started_at = fields.AwareDateTime()
    time_left_seconds = fields.Integer()
    paused_seconds = fields.Integer()
    paused = fields.Boolean()
    at_risk = fields.Boolean()
    breached = fields.Boolean()
    response_breached = fields.Boolean()
    resolution_breached = fields.Boolean()
    pauses = fields.List(fields.Nested(PauseSchema))


class TicketSchema(Schema):
    id = fields.String(metadata={"description": "The human-readable ticket ID, TT-2026-000123."})
    service_id = fields.String()
    customer = fields.String()
    fault_started_at = fields.AwareDateTime()
    summary = fields.String()
    description = fields.String()
    impact = fields.String()
    urgency = fields.String()
    category = fields.String(allow_none=True)
    priority = fields.String()
    priority_overridden = fields.Boolean()
    status = fields.String()
    channel = fields.String()
    circuit_id = fields.String(allow_none=True)
    fault_pattern = fields.String(allow_none=True)
    ip_address = fields.String(allow_none=True)
    logs = fields.String(allow_none=True)
    tier = fields.String()
    assignee = fields.String(allow_none=True)
    escalation_level = fields.Integer()
    eta = fields.AwareDateTime(allow_none=True)
    eta_missed = fields.Boolean(
        metadata={"description": "The ETA passed unrestored; a new one is owed."}
    )
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()
    resolved_at = fields.AwareDateTime(allow_none=True)
    closed_at = fields.AwareDateTime(allow_none=True)
    sla = fields.Nested(SlaSchema)


class TicketListSchema(Schema):
    items = fields.List(fields.Nested(TicketSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


class EventSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    body = fields.String()
    public = fields.Boolean()
    actor = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    data = fields.Dict()


class EventQuerySchema(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    # Most work logs fit one page, so the default is the largest page.
    per_page = fields.Integer(load_default=100, validate=validate.Range(min=1, max=100))


class EventListSchema(Schema):
    items = fields.List(fields.Nested(EventSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


def ticket_payloads(
    tickets: list[Ticket],
    *,
    now: datetime,
    at_risk_share: float,
    for_customer: bool = False,
) -> list[dict[str, Any]]:
    """Plain dicts for tickets, looking up codes, names and calendars in one query each."""
    codes = queries.service_codes({t.service_id for t in tickets})
    names = queries.user_names({t.assignee_id for t in tickets if t.assignee_id})
    plans = queries.calendars({t.service_id for t in tickets})
    pauses = queries.pauses_by_ticket({t.id for t in tickets})
    items = []
    for ticket in tickets:
        calendar, targets = plans[ticket.service_id]
        service_code, customer_code = codes[ticket.service_id]
        items.append(
            {
                "id": ticket.number,
                "service_id": service_code,
                "customer": customer_code,
                "fault_started_at": ticket.fault_started_at,
                "summary": ticket.summary,
                "description": ticket.description,
                "impact": ticket.impact,
                "urgency": ticket.urgency,
                "category": ticket.category,
                "priority": ticket.priority,
                "priority_overridden": ticket.priority_overridden,
                "status": ticket.status,
                "channel": ticket.channel,
                "circuit_id": ticket.circuit_id,
                "fault_pattern": ticket.fault_pattern,
                "ip_address": ticket.ip_address,
                "logs": ticket.logs,
                "tier": ticket.tier,
                # Customers see that someone works their ticket, not who on the desk it is.
                "assignee": None if for_customer else names.get(ticket.assignee_id or 0),
                "escalation_level": ticket.escalation_level,
                "eta": ticket.eta,
                "eta_missed": ticket.eta_missed_at is not None,
                "created_at": ticket.created_at,
                "updated_at": ticket.updated_at,
                "resolved_at": ticket.resolved_at,
                "closed_at": ticket.closed_at,
                "sla": queries.sla_view(
                    ticket,
                    calendar,
                    targets,
                    now=now,
                    at_risk_share=at_risk_share,
                    pauses=pauses.get(ticket.id, []),
                ),
            }
        )
    return items


# What a customer may read of an event's structured detail: status moves, not the desk's notes.
CUSTOMER_EVENT_DATA_KEYS = frozenset({"from", "to", "channel"})
DESK_NAME_FOR_CUSTOMERS = "Support desk"


def event_payloads(
    events: list[TicketEvent], *, for_customer: bool = False
) -> list[dict[str, Any]]:
    """Plain dicts for work-log events. Customers see the desk as one team, not its staff's
    names, and only the status part of each event's detail."""
    actors = queries.user_names_and_roles({e.actor_id for e in events if e.actor_id})
    items = []
    for e in events:
        name, role = actors.get(e.actor_id, (None, None)) if e.actor_id else ("system", None)
        data = e.data or {}
        if for_customer:
            if role is not None and role != "customer":
                name = DESK_NAME_FOR_CUSTOMERS
            data = {k: v for k, v in data.items() if k in CUSTOMER_EVENT_DATA_KEYS}
        items.append(
            {
                "id": e.id,
                "kind": e.kind,
                "body": e.body,
                "public": e.public,
                "actor": name,
                "created_at": e.created_at,
                "data": data,
            }
        )
    return items


CHANNELS = tuple(c.value for c in Channel)
