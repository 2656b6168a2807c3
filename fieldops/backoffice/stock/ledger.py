"""The movements ledger page: every stock change newest first, filtered by SKU, location,
kind or serial, 50 a page. Read-only; the same filters drive movements.csv."""

from __future__ import annotations

from typing import Any

from flask import render_template

from fieldops.backoffice.stock import PER_PAGE, arg, page_arg, page_count, stock_bp
from fieldops.inventory import queries
from fieldops.inventory.rules import MovementKind

KINDS = tuple(kind.value for kind in MovementKind)


def ledger_filters() -> tuple[dict[str, str], dict[str, list[str]]]:
    """The ledger's filters as given, and an error for a kind that does not exist (that
    filter is then dropped rather than silently matching nothing)."""
    chosen = {
        "sku": arg("sku").upper(),
        "location": arg("location").upper(),
        "kind": arg("kind"),
        "serial": arg("serial"),
    }
    errors: dict[str, list[str]] = {}
    if chosen["kind"] and chosen["kind"] not in KINDS:
        errors["kind"] = [f"One of: {', '.join(KINDS)}."]
        chosen["kind"] = ""
    return chosen, errors


def movement_args(chosen: dict[str, str]) -> dict[str, Any]:
    """list_movements keyword arguments for the chosen filters."""
    return {name: value for name, value in chosen.items() if value}


@stock_bp.get("/movements")
def movements_list() -> tuple[str, int]:
    chosen, errors = ledger_filters()
    page = page_arg()
    rows, total = queries.list_movements(page=page, per_page=PER_PAGE, **movement_args(chosen))
    html = render_template(
        "backoffice/stock_movements.html",
        rows=rows,
        total=total,
        page=page,
        pages=page_count(total),
        chosen=chosen,
        link_args=movement_args(chosen),
        kinds=KINDS,
        errors=errors,
        locations=queries.list_locations(per_page=1000)[0],
    )
    return html, 422 if errors else 200
