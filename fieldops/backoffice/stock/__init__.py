"""The stock manager's pages: stock by depot and van, the parts catalogue, the movements
ledger, receipts, transfers, adjustments, faulty returns (RMA), alerts, backorders and CSV
exports, under /stock.

Who sees what (fieldops.inventory.rules): a customer contact gets 404 on every page, as if
the pages did not exist; staff in STOCK_VIEWER_ROLES may read; forms and actions need
STOCK_KEEPER_ROLES, and anyone else is told the action is not theirs (403).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user

from fieldops.inventory.rules import STOCK_KEEPER_ROLES, STOCK_VIEWER_ROLES

stock_bp = Blueprint("stock", __name__)

PER_PAGE = 50
PAGE_MAX = 10**6
KEEPER_ONLY = "Receipts, transfers, adjustments and RMAs are for stock managers and admins."

View = TypeVar("View", bound=Callable[..., Any])


def may_keep_stock() -> bool:
    return bool(current_user.is_authenticated and current_user.role in STOCK_KEEPER_ROLES)


@stock_bp.before_request
def _staff_only() -> Any:
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
    if current_user.is_customer:
        abort(404)
    if current_user.role not in STOCK_VIEWER_ROLES:
        message = "The stock pages are for staff who work with spare parts."
        return render_template("error.html", status=403, message=message), 403
    return None


@stock_bp.context_processor
def _stock_context() -> dict[str, Any]:
    return {"may_keep_stock": may_keep_stock}


def keepers_only(view: View) -> View:
    """Forms and actions: the 403 page for staff who may only read stock."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if not may_keep_stock():
            return render_template("error.html", status=403, message=KEEPER_ONLY), 403
        return view(*args, **kwargs)

    return guarded  # type: ignore[return-value]


def page_arg(name: str = "page") -> int:
    """A page number from the query string; 1 for anything that is not one."""
    raw = request.args.get(name, "1")
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < int(raw) < PAGE_MAX else 1


def page_count(total: int, per_page: int = PER_PAGE) -> int:
    return max(math.ceil(total / per_page), 1)


def arg(name: str) -> str:
    """A filter from the query string, stripped; '' when absent."""
    return request.args.get(name, "").strip()[:80]


# Routes register on import. `import ... as` lines, not one `from package import (...)`:
# mypy's incremental cache loses the submodule names of that form inside an import cycle.
import fieldops.backoffice.stock.alerts as alerts  # noqa: E402, F401
import fieldops.backoffice.stock.exports as exports  # noqa: E402, F401
import fieldops.backoffice.stock.ledger as ledger  # noqa: E402, F401
import fieldops.backoffice.stock.levels as levels  # noqa: E402, F401
import fieldops.backoffice.stock.movements as movements  # noqa: E402, F401
import fieldops.backoffice.stock.parts as parts  # noqa: E402, F401
