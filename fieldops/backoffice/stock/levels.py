"""Stock levels: the overview of every location, one location's lines, and the form that sets
a line's reserve floor and reorder point.

The location page is the busy one (benchmarked on a million ledger rows): it reads the
location, its summary (one aggregate and one alert count) and one page of its lines (a count
and the page), and nothing per row.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for

from fieldops.backoffice.stock import (
    PER_PAGE,
    arg,
    keepers_only,
    page_arg,
    page_count,
    stock_bp,
)
from fieldops.backoffice.stock import forms as stock_forms
from fieldops.clock import utcnow
from fieldops.db import transaction
from fieldops.errors import DomainError
from fieldops.inventory import queries, services

OVERVIEW_LIST = 10


@stock_bp.get("/")
def overview() -> str:
    """Every location (depots, then vans, 50 a page) with its totals; the newest open alerts
    and backorders."""
    page = page_arg()
    locations, total = queries.list_locations(page=page, per_page=PER_PAGE)
    totals = queries.location_summaries([location.id for location in locations])
    summaries = [(loc, totals.get(loc.id, queries.ZERO_SUMMARY)) for loc in locations]
    alerts, alert_total = queries.list_alerts(per_page=OVERVIEW_LIST)
    backorders, backorder_total = queries.list_backorders(per_page=OVERVIEW_LIST)
    return render_template(
        "backoffice/stock_overview.html",
        summaries=summaries,
        page=page,
        pages=page_count(total),
        total=total,
        alerts=alerts,
        alert_total=alert_total,
        backorders=backorders,
        backorder_total=backorder_total,
    )


def location_filters() -> dict[str, str]:
    """The location page's filters as given: sku, category, alerting ("1" or "")."""
    return {
        "sku": arg("sku").upper(),
        "category": arg("category"),
        "alerting": "1" if arg("alerting") in ("1", "on", "yes") else "",
    }


@stock_bp.get("/locations/<code>")
def location_detail(code: str) -> str:
    location = queries.get_location(code)
    chosen = location_filters()
    page = page_arg()
    summary = queries.location_summary(location.id)
    rows, total = queries.list_stock(
        page=page,
        per_page=PER_PAGE,
        location=location.code,
        sku=chosen["sku"] or None,
        category=chosen["category"] or None,
        alerting=bool(chosen["alerting"]),
    )
    link_args = {k: v for k, v in chosen.items() if v}
    return render_template(
        "backoffice/stock_location.html",
        location=location,
        summary=summary,
        rows=rows,
        total=total,
        page=page,
        pages=page_count(total),
        chosen=chosen,
        link_args=link_args,
        categories=services.CATEGORIES,
    )


def _render_limits(
    values: Any, errors: dict[str, list[str]], refusal: Any, status: int, *, prefill: bool
) -> Any:
    """The limits form; `prefill` (a GET) starts it from the line's current limits."""
    values = dict(values)
    sku = (values.get("sku") or "").strip().upper()
    code = (values.get("location") or "").strip().upper()
    line = None
    if sku and code:
        found, _ = queries.list_stock(sku=sku, location=code, per_page=1)
        line = found[0] if found else None
    if prefill and line is not None:
        values.setdefault("reserve_floor", str(line.reserve_floor))
    html = render_template(
        "backoffice/stock_limits.html",
        values=values,
        errors=errors,
        refusal=refusal,
        status_code=status,
        line=line,
        locations=queries.list_locations(per_page=1000)[0],
    )
    return html, status


@stock_bp.route("/limits", methods=["GET", "POST"])
@keepers_only
def line_limits() -> Any:
    """A line's reserve floor and reorder point (GET ?sku=&location= starts from the line's
    current ones). A blank reorder point means the part type's default at a depot."""
    if request.method == "GET":
        return _render_limits(request.args, {}, None, 200, prefill=True)
    try:
        wanted = stock_forms.limits(request.form)
        with transaction():
            line = services.set_line_limits(now=utcnow(), **wanted)
            floor, own_point = line.reserve_floor, line.reorder_point
    except DomainError as refused:
        if refused.status == 404:
            raise
        return _render_limits(request.form, refused.errors, refused, refused.status, prefill=False)
    point = f"reorder point {own_point}" if own_point is not None else "the default reorder point"
    flash(f"{wanted['sku'].upper()}: reserve floor {floor}, {point}.", "success")
    return redirect(url_for("stock.location_detail", code=wanted["location_code"].upper()))
