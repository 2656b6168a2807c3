"""Desk pages for reading tickets: the filtered queue and the ticket page with its actions.

The ticket page also shows the records a contract dispute relies on: each stop of the SLA
clock with who stopped and restarted it, each ETA given with who gave it, and the escalation
level with the names of the ticket's matrix levels; and the ticket's RFO and the problems
it is linked to.
"""

from __future__ import annotations

import math
from typing import Any

from flask import redirect, render_template, request, url_for
from flask_login import current_user
from marshmallow import ValidationError
from werkzeug.wrappers import Response

from fieldops.accounts.queries import list_desk_users
from fieldops.backoffice import backoffice_bp
from fieldops.clock import utcnow
from fieldops.customers.priority import CATEGORIES, IMPACTS, PRIORITIES, URGENCIES
from fieldops.customers.queries import list_customers
from fieldops.documents.queries import find_rfo
from fieldops.documents.rfo_rules import ineligibility
from fieldops.errors import DomainError
from fieldops.forms import messages_of
from fieldops.problems.queries import problems_of_ticket
from fieldops.tickets import queries
from fieldops.tickets.lifecycle import PAUSED_STATUSES, Actor
from fieldops.tickets.lifecycle import allowed_targets as lifecycle_targets
from fieldops.tickets.models import OPEN_STATUSES, Ticket
from fieldops.tickets.schemas import (
    STATUSES,
    TIERS,
    TicketQuerySchema,
    event_payloads,
    split_list,
    ticket_payloads,
)
from fieldops.tickets.services.clocks import at_risk_share

PER_PAGE = 25
CUSTOMERS_MAX = 500
FILTER_KEYS = ("status", "priority", "customer", "service", "assignee", "tier", "q", "breached")
SORT_CHOICES = (
    ("-created_at", "Newest first"),
    ("created_at", "Oldest first"),
    ("priority", "Priority, P1 first"),
    # For running clocks the resolution due time orders tickets as their time left does.
    ("resolution_due_at", "Time left, least first"),
    ("-resolution_due_at", "Time left, most first"),
)
TIME_LEFT_SORT = "resolution_due_at"


def home() -> Response:
    return redirect(url_for("backoffice.queue"))


def _query_args(chosen: dict[str, str]) -> dict[str, Any]:
    """TicketQuerySchema input from the filter form; "mine"/"unassigned"/"all" translated."""
    raw: dict[str, Any] = {
        k: v for k, v in chosen.items() if v and k not in ("status", "assignee", "breached")
    }
    if chosen["status"] and chosen["status"] != "all":
        raw["status"] = chosen["status"]
    if chosen["assignee"] == "mine":
        raw["assignee"] = str(current_user.id)
    elif chosen["assignee"] == "unassigned":
        raw["assignee"] = "none"
    elif chosen["assignee"]:
        raw["assignee"] = chosen["assignee"]
    if chosen["breached"] in ("yes", "no"):
        raw["breached"] = chosen["breached"] == "yes"
    for name in ("page", "sort"):
        if request.args.get(name):
            raw[name] = request.args[name]
    raw["per_page"] = PER_PAGE
    return raw


@backoffice_bp.get("/tickets")
def queue() -> tuple[str, int]:
    chosen = {key: request.args.get(key, "").strip() for key in FILTER_KEYS}
    sort = request.args.get("sort", queries.DEFAULT_SORT)
    items: list[dict[str, Any]] = []
    total, page, errors, status = 0, 1, {}, 200
    try:
        args = TicketQuerySchema().load(_query_args(chosen))
    except ValidationError as invalid:
        errors, status = messages_of(invalid), 422
    else:
        page, now = args["page"], utcnow()
        filters = queries.TicketFilter(
            status=split_list(args.get("status")),
            priority=split_list(args.get("priority")),
            customer=args.get("customer"),
            service=args.get("service"),
            assignee=args.get("assignee"),
            tier=args.get("tier"),
            text=args.get("q"),
            breached=args.get("breached"),
            # The queue shows open work; a search also finds archived (closed) tickets.
            open_only=not chosen["status"] and not args.get("q"),
            sort=args.get("sort") or queries.DEFAULT_SORT,
        )
        rows, total = queries.list_tickets(
            current_user, filters, page=page, per_page=PER_PAGE, now=now
        )
        items = ticket_payloads(rows, now=now, at_risk_share=at_risk_share())
    customers, _ = list_customers(current_user, page=1, per_page=CUSTOMERS_MAX)
    page_html = render_template(
        "backoffice/tickets_queue.html",
        items=items,
        total=total,
        page=page,
        pages=max(math.ceil(total / PER_PAGE), 1),
        chosen=chosen,
        sort=sort,
        link_args={k: v for k, v in {**chosen, "sort": sort}.items() if v},
        errors=errors,
        statuses=STATUSES,
        priorities=PRIORITIES,
        tiers=TIERS,
        sorts=SORT_CHOICES,
        time_left_sort=TIME_LEFT_SORT,
        customers=customers,
        agents=list_desk_users(),
    )
    return page_html, status


def _pauses_with_people(ticket: Ticket, shown: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The SLA view's clock stops, each with who stopped and who restarted the clock.

    Matched on (reason, start) rather than position: the view and this read are two queries,
    and a pause committed in between must not shift every name by one.
    """
    rows = {(r.reason, r.started_at): r for r in queries.list_pauses(ticket)}
    names = queries.user_names(
        {uid for r in rows.values() for uid in (r.started_by_id, r.ended_by_id) if uid}
    )
    people = []
    for view in shown:
        row = rows.get((view["reason"], view["started_at"]))
        people.append(
            {
                **view,
                "started_by": names.get(row.started_by_id or 0) if row else None,
                "ended_by": names.get(row.ended_by_id or 0) if row else None,
            }
        )
    return people


def render_detail(
    number: str,
    *,
    failed: str | None = None,
    refusal: DomainError | None = None,
    values: Any = None,
    status: int = 200,
) -> tuple[str, int]:
    """The ticket page; after a refusal, `failed` names the form whose input is kept."""
    ticket = queries.get_ticket(current_user, number)
    now = utcnow()
    item = ticket_payloads([ticket], now=now, at_risk_share=at_risk_share())[0]
    rfo = find_rfo(ticket, now)
    events = event_payloads(queries.list_events(current_user, ticket))
    eta_records = queries.eta_history(ticket)
    levels = {level.level: level.name for level in queries.levels_for_customer(ticket.customer_id)}
    reasons = queries.stop_clock_reasons(active_only=False)
    page = render_template(
        "backoffice/tickets_detail.html",
        t=item,
        ticket=ticket,
        events=events,
        pauses=_pauses_with_people(ticket, item["sla"]["pauses"]),
        eta_records=eta_records,
        eta_names=queries.user_names({r.changed_by_id for r in eta_records if r.changed_by_id}),
        levels=levels,
        top_level=max(levels, default=0),
        open_statuses={s.value for s in OPEN_STATUSES},
        targets=lifecycle_targets(ticket.status, Actor.DESK),
        paused_statuses={s.value for s in PAUSED_STATUSES},
        stop_reasons=[r for r in reasons if r.is_active],
        reason_labels={r.code: r.label for r in reasons},
        agents=list_desk_users(),
        rfo=rfo,
        rfo_possible=rfo is None and ineligibility(ticket.priority, ticket.status) is None,
        problems=problems_of_ticket(ticket.id),
        failed=failed,
        refusal=refusal,
        errors=refusal.errors if refusal else {},
        values=values if values is not None else {},
        status_code=status,
        tiers=TIERS,
        priorities=PRIORITIES,
        categories=CATEGORIES,
        impacts=IMPACTS,
        urgencies=URGENCIES,
    )
    return page, status


@backoffice_bp.get("/tickets/<number>")
def ticket_detail(number: str) -> tuple[str, int]:
    return render_detail(number)
