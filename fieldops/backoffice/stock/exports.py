"""CSV downloads: stock levels (filtered like the location page) and the movements ledger
(filtered like the ledger page).

Both stream: the response is written a page of the inventory queries at a time, so a
download of every line or of a long ledger never holds it all in memory. Text cells that a
spreadsheet would run as a formula (starting with = + - @, or a tab or carriage return) get a
leading apostrophe. Instants are ISO 8601 in UTC.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from flask import Response, stream_with_context

from fieldops.backoffice.stock import arg, stock_bp
from fieldops.backoffice.stock.ledger import ledger_filters, movement_args
from fieldops.clock import utcnow
from fieldops.errors import RuleViolationError
from fieldops.inventory import queries

EXPORT_PAGE = 1000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
UNSAFE_IN_NAME = re.compile(r"[^A-Za-z0-9._-]+")

LEVEL_COLUMNS = (
    "sku",
    "name",
    "category",
    "location",
    "location_kind",
    "on_hand",
    "reserved",
    "available",
    "faulty",
    "reserve_floor",
    "reorder_point",
    "below_reserve_floor",
    "below_reorder_point",
)
MOVEMENT_COLUMNS = (
    "id",
    "created_at",
    "kind",
    "sku",
    "quantity",
    "condition",
    "from",
    "to",
    "serial",
    "reservation_id",
    "reason",
    "reference",
    "actor",
)


def cell(value: Any) -> Any:
    """A value safe to open in a spreadsheet: formula-like text is made plain text."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _csv(rows: Iterable[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows([cell(value) for value in row] for row in rows)
    return buffer.getvalue()


def _download(chunks: Iterator[str], *parts: str) -> Response:
    stem = "-".join(UNSAFE_IN_NAME.sub("_", p) for p in parts if p)
    name = f"{stem}-{utcnow():%Y%m%d-%H%M}.csv"
    response = Response(stream_with_context(chunks), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _level_chunks(filters: dict[str, Any]) -> Iterator[str]:
    yield _csv([LEVEL_COLUMNS])
    page = 1
    while True:
        rows, _total = queries.list_stock(page=page, per_page=EXPORT_PAGE, **filters)
        yield _csv(
            (
                r.sku,
                r.part_name,
                r.category,
                r.location,
                r.location_kind,
                r.on_hand,
                r.reserved,
                r.available,
                r.faulty,
                r.reserve_floor,
                r.reorder_point,
                r.below_floor,
                r.below_reorder_point,
            )
            for r in rows
        )
        if len(rows) < EXPORT_PAGE:
            return
        page += 1


@stock_bp.get("/levels.csv")
def levels_csv() -> Response:
    """Every stock line matching `location`, `sku`, `category`, `kind` and `alerting`."""
    filters = {
        "location": arg("location").upper() or None,
        "sku": arg("sku").upper() or None,
        "category": arg("category") or None,
        "kind": arg("kind") or None,
        "alerting": arg("alerting") in ("1", "on", "yes"),
    }
    named = [str(filters[k]) for k in ("location", "sku") if filters[k]]
    return _download(
        _level_chunks(filters),
        "stock-levels",
        *named,
        "alerting" if filters["alerting"] else "",
    )


def _movement_chunks(filters: dict[str, Any]) -> Iterator[str]:
    yield _csv([MOVEMENT_COLUMNS])
    before_id: int | None = None
    while True:
        rows, _ = queries.list_movements(
            per_page=EXPORT_PAGE, before_id=before_id, with_total=False, **filters
        )
        yield _csv(
            (
                m.id,
                m.created_at,
                m.kind,
                m.sku,
                m.quantity,
                m.condition,
                m.from_location,
                m.to_location,
                m.serial,
                m.reservation_id,
                m.reason,
                m.reference,
                m.actor,
            )
            for m in rows
        )
        if len(rows) < EXPORT_PAGE:
            return
        before_id = rows[-1].id


@stock_bp.get("/movements.csv")
def movements_csv() -> Response:
    """The ledger, newest first, with the ledger page's filters; an unknown kind is a 422
    (a download must not quietly widen to the whole ledger)."""
    chosen, errors = ledger_filters()
    if errors:
        raise RuleViolationError(f"kind: {errors['kind'][0]}", errors)
    filters = movement_args(chosen)
    named = [filters[k] for k in ("location", "sku", "kind") if k in filters]
    return _download(_movement_chunks(filters), "stock-movements", *named)
