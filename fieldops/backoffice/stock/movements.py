"""The stock manager's movement forms: receipts into a depot, transfers, adjustments after a
count, and the three RMA steps (faulty van → depot, depot → vendor, vendor → depot).

GET shows a form (fields may be pre-filled from the query string, as the location page's
links do); POST parses it, calls one inventory service inside one `transaction()`, flashes
what happened and redirects to the location page (POST/redirect/GET). A refusal (422 bad
input, 409 not enough stock or a serial in the wrong state) re-renders the form with that
status, the message and each field's error, keeping everything typed; the transaction rolled
back, so nothing changed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from fieldops.backoffice.stock import forms as stock_forms
from fieldops.backoffice.stock import keepers_only, stock_bp
from fieldops.clock import utcnow
from fieldops.db import transaction
from fieldops.errors import DomainError
from fieldops.inventory import queries, services

# Where each service reports a field under another name than the form's.
VENDOR_ALIASES = {"reference": "rma", "from": "location"}
RMA_FORMS = ("return", "send", "back")


Done = Callable[[Mapping[str, Any]], str]


def _what(kwargs: Mapping[str, Any]) -> str:
    """'3 x PSU-750W' for the flash message."""
    serials = kwargs.get("serials") or []
    count = len(serials) if serials else kwargs.get("quantity")
    return f"{count} x {str(kwargs['sku']).strip().upper()}"


def _code(kwargs: Mapping[str, Any], name: str) -> str:
    return str(kwargs[name]).strip().upper()


def _locations(kind: str | None = None) -> list[Any]:
    return queries.list_locations(per_page=1000, kind=kind)[0]


def _render(template: str, values: Any, refusal: DomainError | None, **context: Any) -> Any:
    status = refusal.status if refusal else 200
    errors = context.pop("errors", None)
    html = render_template(
        f"backoffice/{template}",
        values=values,
        errors=errors if errors is not None else (refusal.errors if refusal else {}),
        refusal=refusal,
        status_code=status,
        depots=_locations("depot"),
        locations=_locations(),
        **context,
    )
    return html, status


def _record(
    template: str,
    parse: Callable[[Mapping[str, str]], dict[str, Any]],
    apply: Callable[..., Any],
    target: str,
    done: Done,
    *,
    aliases: Mapping[str, str] | None = None,
    **context: Any,
) -> Any:
    """Parse, apply one service in one transaction, redirect to the `target` location."""
    try:
        kwargs = parse(request.form)
        with transaction():
            apply(actor=current_user, now=utcnow(), **kwargs)
    except DomainError as refused:
        if refused.status == 404:
            raise
        errors = stock_forms.rename(refused.errors, aliases or {})
        return _render(template, request.form, refused, errors=errors, **context)
    flash(done(kwargs), "success")
    return redirect(url_for("stock.location_detail", code=_code(kwargs, target)))


@stock_bp.route("/receive", methods=["GET", "POST"])
@keepers_only
def receive() -> Any:
    """Goods in from a supplier into a depot."""
    if request.method == "GET":
        return _render("stock_receive.html", request.args, None)
    return _record(
        "stock_receive.html",
        stock_forms.receive,
        services.receive,
        "location_code",
        lambda k: f"Received {_what(k)} into {_code(k, 'location_code')}.",
    )


@stock_bp.route("/transfer", methods=["GET", "POST"])
@keepers_only
def transfer() -> Any:
    """Unreserved good stock from one location to another."""
    if request.method == "GET":
        return _render("stock_transfer.html", request.args, None)
    return _record(
        "stock_transfer.html",
        stock_forms.transfer,
        services.transfer,
        "to_code",
        lambda k: f"Moved {_what(k)} from {_code(k, 'from_code')} to {_code(k, 'to_code')}.",
    )


@stock_bp.route("/adjust", methods=["GET", "POST"])
@keepers_only
def adjust() -> Any:
    """A correction after a count: stock found (in) or missing (out)."""
    if request.method == "GET":
        return _render("stock_adjust.html", request.args, None)
    return _record(
        "stock_adjust.html",
        stock_forms.adjust,
        services.adjust,
        "location_code",
        lambda k: (
            f"{_code(k, 'location_code')}: {_what(k)} "
            + ("added (found)." if k["direction"] == "in" else "written off (missing).")
        ),
    )


@stock_bp.get("/rma")
@keepers_only
def rma() -> Any:
    """The RMA round trip on one page: three small forms."""
    return _render("stock_rma.html", request.args, None, failed=None)


def _rma_step(form_name: str, parse: Any, apply: Any, target: str, done: Done) -> Any:
    return _record(
        "stock_rma.html",
        parse,
        apply,
        target,
        done,
        aliases=VENDOR_ALIASES if form_name != "return" else None,
        failed=form_name,
    )


@stock_bp.post("/rma/return")
@keepers_only
def rma_return() -> Any:
    return _rma_step(
        "return",
        stock_forms.transfer,
        services.return_faulty,
        "to_code",
        lambda k: (
            f"Faulty {_what(k)} returned from {_code(k, 'from_code')} to {_code(k, 'to_code')}."
        ),
    )


@stock_bp.post("/rma/send")
@keepers_only
def rma_send() -> Any:
    return _rma_step(
        "send",
        stock_forms.vendor,
        services.send_to_vendor,
        "location_code",
        lambda k: f"Sent {_what(k)} to the vendor under RMA {k['rma']}.",
    )


@stock_bp.post("/rma/receive")
@keepers_only
def rma_receive() -> Any:
    return _rma_step(
        "back",
        stock_forms.vendor,
        services.receive_from_vendor,
        "location_code",
        lambda k: f"Received {_what(k)} back from the vendor into {_code(k, 'location_code')}.",
    )
