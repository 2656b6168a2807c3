"""The dispatcher's routes page: plan a day's routes for all engineers (optionally one
region), watch the plan being computed, and read the result: per engineer the ordered
stops with ETAs, slack and lateness, a schematic map, and the visits that were dropped.

Planning is POST/redirect/GET inside one `transaction()`; the solve itself runs in a
background task after the commit (routing.services.request_route_plan), so while the newest
plan is queued or running the page polls a small fragment with htmx every 2 s and reloads
once it has finished. A refusal (a date that is not one, an unknown region) re-renders the
page with 422, the message and the field's error, keeping what was typed.

Times are shown in the dispatcher's zone (the browser's `tz` cookie, UTC without one), as on
the board; the footer names the zone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta, tzinfo
from typing import Any
from urllib.parse import unquote

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from fieldops.backoffice.dispatch import dispatch_bp, viewer_today
from fieldops.backoffice.dispatch.route_map import PALETTE_SIZE, colour_of, draw
from fieldops.clock import utcnow
from fieldops.db import transaction
from fieldops.errors import DomainError, RuleViolationError
from fieldops.forms import Errors, browser_zone
from fieldops.inventory import queries as inventory
from fieldops.routing import queries, services

# Plans in these states are still being worked on: the page polls until they leave them.
PENDING = ("queued", "running")
DEPOTS_MAX = 100
REGION_MAX = 40
DATE_HINT = "YYYY-MM-DD"


def _viewer_zone() -> tzinfo:
    """The dispatcher's zone (the browser's `tz` cookie), UTC without a usable one."""
    try:
        return browser_zone(unquote(request.cookies.get("tz", "")))
    except ValueError:
        return browser_zone(None)


def _clock(zone: tzinfo, day: date) -> Callable[[datetime | None], str]:
    """A formatter for stop times: '10:40' in the viewer's zone, with the weekday in front
    when the time falls on another local day than the planned one (an overnight route)."""

    def clock(moment: datetime | None) -> str:
        if moment is None:
            return "—"
        local = moment.astimezone(zone)
        return f"{local:%H:%M}" if local.date() == day else f"{local:%a %H:%M}"

    return clock


def parse_day(raw: str) -> date:
    """The planned date from a form; RuleViolationError on `date` when it is not one."""
    raw = raw.strip()[:20]
    if not raw:
        raise RuleViolationError.on_field("date", "Choose the date to plan.")
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise RuleViolationError.on_field("date", f"{raw!r} is not a date ({DATE_HINT}).") from None


def _depot_codes() -> list[tuple[str, str]]:
    """(code, name) of the active depots, for the region select."""
    depots, _ = inventory.list_locations(kind="depot", per_page=DEPOTS_MAX)
    return [(depot.code, depot.name) for depot in depots]


def _render(
    day: date,
    region: str | None,
    *,
    values: Mapping[str, str],
    errors: Errors | None = None,
    refusal: DomainError | None = None,
    notices: Errors | None = None,
) -> Any:
    """The page for `day` and `region`; the form shows `values` (what was typed)."""
    now = utcnow()
    latest = queries.find_latest_plan(day, region)
    current = queries.find_current_plan(day, region)
    routes = current.routes if current else ()
    status = refusal.status if refusal else 200
    html = render_template(
        "backoffice/dispatch_routes.html",
        now=now,
        day=day,
        today=viewer_today(now),
        region=region,
        depots=_depot_codes(),
        values=values,
        errors=errors or {},
        notices=notices or {},
        refusal=refusal,
        status_code=status,
        latest=latest,
        pending=latest if latest and latest.status in PENDING else None,
        failed=latest if latest and latest.status == "failed" else None,
        current=current,
        # Most urgent first, then soonest due: the order routing.queries reads them in.
        dropped=current.dropped if current else (),
        route_map=draw(routes),
        colour_of=colour_of,
        palette=range(PALETTE_SIZE),
        clock=_clock(_viewer_zone(), day),
        one_day=timedelta(days=1),
    )
    return html, status


@dispatch_bp.get("/routes")
def routes_day() -> Any:
    """The routes of ?date= (today by default) for ?region= (all when absent). A bad date or
    region is named on the page and the default shown instead, as on the board."""
    today = viewer_today(utcnow())
    notices: Errors = {}
    raw_day = request.args.get("date", "").strip()[:20]
    day = today
    if raw_day:
        try:
            day = parse_day(raw_day)
        except RuleViolationError:
            notices["date"] = [f"{raw_day!r} is not a date ({DATE_HINT}); showing today."]
    region: str | None = request.args.get("region", "").strip().upper()[:REGION_MAX] or None
    if region and region not in {code for code, _ in _depot_codes()}:
        notices["region"] = [f"There is no depot {region!r}; showing every region."]
        region = None
    values = {"date": day.isoformat(), "region": region or ""}
    return _render(day, region, values=values, notices=notices)


@dispatch_bp.post("/routes")
def routes_plan() -> Any:
    """Queue a plan for the chosen date and region, then show that day (POST/redirect/GET)."""
    raw_region = request.form.get("region", "").strip().upper()[:REGION_MAX]
    region = raw_region or None
    day: date | None = None
    try:
        day = parse_day(request.form.get("date", ""))
        with transaction():
            plan = services.request_route_plan(day, region, actor=current_user, now=utcnow())
            plan_id = plan.id
    except DomainError as refused:
        if refused.status == 404:
            raise
        known = {code for code, _ in _depot_codes()}
        shown_day = day or viewer_today(utcnow())
        shown_region = region if region in known else None
        return _render(
            shown_day,
            shown_region,
            values=request.form,
            errors=refused.errors,
            refusal=refused,
        )
    where = f" in {region}" if region else ""
    flash(f"Route plan #{plan_id} for {day:%a %d %b %Y}{where} requested.", "success")
    return redirect(url_for("dispatch.routes_day", date=day.isoformat(), region=region))


@dispatch_bp.get("/routes/plans/<int:plan_id>/progress")
def routes_progress(plan_id: int) -> Any:
    """The progress fragment htmx polls while a plan is queued or running. Once the plan has
    finished the answer carries HX-Refresh, so the page reloads and shows the outcome (the
    fragment itself then has no trigger, which also stops the polling without htmx's help)."""
    plan = queries.get_plan(plan_id)
    html = render_template(
        "backoffice/dispatch_routes_progress.html", plan=plan, pending=plan.status in PENDING
    )
    headers = {} if plan.status in PENDING else {"HX-Refresh": "true"}
    return html, 200, headers
