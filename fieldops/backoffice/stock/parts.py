"""The parts catalogue: search by SKU or name and category; one part type with its stock at
every location, its serialised units and where each is, and its ledger history.

The part page pages its three lists separately (`lines`, `units`, `history`), 50 each, so a
part held at every depot with thousands of units and movements stays a handful of queries.
"""

from __future__ import annotations

from flask import render_template, request

from fieldops.backoffice.stock import PER_PAGE, arg, page_arg, page_count, stock_bp
from fieldops.inventory import queries, services


@stock_bp.get("/parts")
def parts_list() -> str:
    chosen = {"q": arg("q"), "category": arg("category")}
    page = page_arg()
    parts, total = queries.list_part_types(
        page=page, per_page=PER_PAGE, q=chosen["q"] or None, category=chosen["category"] or None
    )
    return render_template(
        "backoffice/stock_parts.html",
        parts=parts,
        total=total,
        page=page,
        pages=page_count(total),
        chosen=chosen,
        link_args={k: v for k, v in chosen.items() if v},
        categories=services.CATEGORIES,
    )


@stock_bp.get("/parts/<path:sku>")
def part_detail(sku: str) -> str:
    part = queries.get_part_type(sku)
    pages = {name: page_arg(name) for name in ("lines", "units", "history")}
    lines, line_total = queries.list_stock(sku=part.sku, page=pages["lines"], per_page=PER_PAGE)
    units, unit_total = (
        queries.list_units(part, page=pages["units"], per_page=PER_PAGE)
        if part.is_serialised
        else ([], 0)
    )
    history, history_total = queries.list_movements(
        sku=part.sku, page=pages["history"], per_page=PER_PAGE
    )
    return render_template(
        "backoffice/stock_part.html",
        part=part,
        lines=lines,
        units=units,
        history=history,
        pages=pages,
        totals={"lines": line_total, "units": unit_total, "history": history_total},
        page_counts={
            "lines": page_count(line_total),
            "units": page_count(unit_total),
            "history": page_count(history_total),
        },
        current_args=request.args.to_dict(),
    )
