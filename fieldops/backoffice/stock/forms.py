"""Reading the stock pages' HTML forms into the keyword arguments the inventory services take.

A parse failure raises RuleViolationError with `{field: [messages]}` naming the form's own
fields, so the views treat it like a service refusal: 422, the message next to the field,
nothing changed. The services check the rest (known SKUs and locations, serials against the
part, stock available); `rename` maps the field names they report onto the form's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fieldops.errors import RuleViolationError
from fieldops.forms import REQUIRED, Errors

Form = Mapping[str, str]

# Big enough for any real delivery, small enough for a 32-bit INTEGER column on PostgreSQL.
QUANTITY_MAX = 1_000_000
SERIALS_MAX = 1000
TEXT_MAX = 1000
DIRECTIONS = ("in", "out")
CONDITIONS = ("good", "faulty")
CLOSINGS = ("fulfilled", "cancelled")


def _required(form: Form, name: str, errors: Errors) -> str:
    value = form.get(name, "").strip()
    if not value:
        errors[name] = [REQUIRED]
    return value[:TEXT_MAX]


def _text(form: Form, name: str) -> str:
    # The services check lengths against the columns and say so; this only bounds the input.
    return form.get(name, "").strip()[: TEXT_MAX + 1]


def _count(form: Form, name: str, errors: Errors, *, required: bool = False) -> int | None:
    """A whole number 0..QUANTITY_MAX; None when left blank."""
    raw = form.get(name, "").strip()
    if not raw:
        if required:
            errors[name] = [REQUIRED]
        return None
    if not (raw.isascii() and raw.isdigit()):
        errors[name] = ["Enter a whole number, such as 5."]
        return None
    value = int(raw)
    if value > QUANTITY_MAX:
        errors[name] = [f"At most {QUANTITY_MAX:,}."]
        return None
    return value


def _serials(form: Form, errors: Errors) -> list[str] | None:
    """One serial a line (blank lines ignored); None when none were given."""
    lines = [line.strip() for line in form.get("serials", "").splitlines()]
    serials = [line for line in lines if line]
    if len(serials) > SERIALS_MAX:
        errors["serials"] = [f"At most {SERIALS_MAX} serials at a time."]
        return None
    return serials or None


def _amount(form: Form, errors: Errors) -> dict[str, Any]:
    """The quantity, the serials, or both (the service checks they agree)."""
    quantity = _count(form, "quantity", errors)
    serials = _serials(form, errors)
    if quantity is None and serials is None and "quantity" not in errors:
        errors["quantity"] = ["Give a quantity, or list the serials one per line."]
    return {"quantity": quantity, "serials": serials}


def _done(errors: Errors, data: dict[str, Any]) -> dict[str, Any]:
    if errors:
        raise RuleViolationError("Please check the highlighted fields.", errors)
    return data


def receive(form: Form) -> dict[str, Any]:
    """services.receive: sku, location_code (a depot), quantity or serials, reference."""
    errors: Errors = {}
    data = {
        "sku": _required(form, "sku", errors),
        "location_code": _required(form, "location", errors),
        "reference": _text(form, "reference"),
    }
    return _done(errors, {**data, **_amount(form, errors)})


def transfer(form: Form) -> dict[str, Any]:
    """services.transfer and services.return_faulty: sku, from, to, quantity or serials,
    reason."""
    errors: Errors = {}
    data = {
        "sku": _required(form, "sku", errors),
        "from_code": _required(form, "from", errors),
        "to_code": _required(form, "to", errors),
        "reason": _text(form, "reason"),
    }
    if data["from_code"] and data["from_code"] == data["to_code"]:
        errors["to"] = ["Choose another location than the one the stock leaves."]
    return _done(errors, {**data, **_amount(form, errors)})


def adjust(form: Form) -> dict[str, Any]:
    """services.adjust: sku, location, direction in/out, condition, quantity or serials,
    reason (the service requires it)."""
    errors: Errors = {}
    direction = form.get("direction", "")
    if direction not in DIRECTIONS:
        errors["direction"] = ["Choose in (stock found) or out (stock missing)."]
    condition = form.get("condition", "good")
    if condition not in CONDITIONS:
        errors["condition"] = ["Either good or faulty."]
    data = {
        "sku": _required(form, "sku", errors),
        "location_code": _required(form, "location", errors),
        "direction": direction,
        "condition": condition,
        "reason": _text(form, "reason"),
    }
    return _done(errors, {**data, **_amount(form, errors)})


def vendor(form: Form) -> dict[str, Any]:
    """services.send_to_vendor and services.receive_from_vendor: sku, depot, RMA number,
    quantity or serials."""
    errors: Errors = {}
    data = {
        "sku": _required(form, "sku", errors),
        "location_code": _required(form, "location", errors),
        "rma": _text(form, "rma"),
    }
    return _done(errors, {**data, **_amount(form, errors)})


def limits(form: Form) -> dict[str, Any]:
    """services.set_line_limits: the reserve floor, and the line's own reorder point (blank:
    the part type's at a depot, none in a van)."""
    errors: Errors = {}
    data = {
        "sku": _required(form, "sku", errors),
        "location_code": _required(form, "location", errors),
        "reserve_floor": _count(form, "reserve_floor", errors, required=True),
        "reorder_point": _count(form, "reorder_point", errors),
    }
    return _done(errors, data)


def closing(form: Form) -> str:
    """How an open backorder ends: fulfilled or cancelled."""
    status = form.get("status", "")
    if status not in CLOSINGS:
        raise RuleViolationError.on_field("status", "Either fulfilled or cancelled.")
    return status


def rename(errors: Errors, aliases: Mapping[str, str]) -> Errors:
    """A service's field errors under the form's field names (rma for its `reference`)."""
    renamed: Errors = {}
    for name, messages in errors.items():
        renamed.setdefault(aliases.get(name, name), []).extend(messages)
    return renamed
