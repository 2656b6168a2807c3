"""Open stock alerts and backorders, and what a stock manager does with them.

Level alerts (under the reserve floor or the reorder point) clear themselves when the stock
recovers; an emergency use of reserve stock stays open until someone acknowledges it. A
backorder is closed as fulfilled once the part is bought in, or cancelled. Each action is one
service call in one `transaction()`; a refusal (409: already done) re-renders the list with
the message and that status.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from fieldops.backoffice.stock import PER_PAGE, keepers_only, page_arg, page_count, stock_bp
from fieldops.backoffice.stock import forms as stock_forms
from fieldops.clock import utcnow
from fieldops.db import transaction
from fieldops.errors import DomainError
from fieldops.inventory import queries, services
from fieldops.inventory.rules import AlertKind

EMERGENCY = AlertKind.EMERGENCY_USE.value


def _alerts_page(refusal: DomainError | None = None) -> tuple[str, int]:
    page = page_arg()
    alerts, total = queries.list_alerts(page=page, per_page=PER_PAGE)
    status = refusal.status if refusal else 200
    html = render_template(
        "backoffice/stock_alerts.html",
        alerts=alerts,
        total=total,
        page=page,
        pages=page_count(total),
        emergency=EMERGENCY,
        refusal=refusal,
        status_code=status,
    )
    return html, status


def _backorders_page(refusal: DomainError | None = None) -> tuple[str, int]:
    page = page_arg()
    backorders, total = queries.list_backorders(page=page, per_page=PER_PAGE)
    status = refusal.status if refusal else 200
    html = render_template(
        "backoffice/stock_backorders.html",
        backorders=backorders,
        total=total,
        page=page,
        pages=page_count(total),
        refusal=refusal,
        status_code=status,
    )
    return html, status


@stock_bp.get("/alerts")
def alerts_list() -> tuple[str, int]:
    return _alerts_page()


@stock_bp.post("/alerts/<int:alert_id>/acknowledge")
@keepers_only
def alert_acknowledge(alert_id: int) -> Any:
    try:
        with transaction():
            services.acknowledge_alert(actor=current_user, alert_id=alert_id, now=utcnow())
    except DomainError as refused:
        if refused.status == 404:
            raise
        return _alerts_page(refused)
    flash(f"Alert {alert_id} acknowledged.", "success")
    return redirect(url_for("stock.alerts_list"))


@stock_bp.get("/backorders")
def backorders_list() -> tuple[str, int]:
    return _backorders_page()


@stock_bp.post("/backorders/<int:backorder_id>/close")
@keepers_only
def backorder_close(backorder_id: int) -> Any:
    try:
        status = stock_forms.closing(request.form)
        with transaction():
            services.close_backorder(
                actor=current_user, backorder_id=backorder_id, status=status, now=utcnow()
            )
    except DomainError as refused:
        if refused.status == 404:
            raise
        return _backorders_page(refused)
    flash(f"Backorder {backorder_id} marked {status}.", "success")
    return redirect(url_for("stock.backorders_list"))
