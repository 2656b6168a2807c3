"""Reading the phone's completion form into complete_job's arguments.

Parts used are chosen from the job's own active reservations (a checkbox per reserved serial,
a quantity for bulk parts), named by reservation id; faulty parts removed are typed (SKU and
serials, or a quantity). A parse failure raises RuleViolationError naming the form's fields;
`form_errors` puts the service's `parts_used.<i>` / `parts_removed.<i>` errors on the same
fields.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from werkzeug.datastructures import MultiDict

from fieldops.errors import RuleViolationError
from fieldops.forms import REQUIRED, Errors

REMOVED_ROWS = 2
TEXT_MAX = 5000
SERIALS_SPLIT = re.compile(r"[\s,;]+")
SERVICE_LINE = re.compile(r"^(parts_used|parts_removed)\.(\d+)$")
# Fields remove_faulty reports without a line number.
REMOVAL_FIELDS = ("sku", "serials", "quantity")


class Reserved(Protocol):
    """What the form reads of a reservation (inventory's ReservationView)."""

    @property
    def id(self) -> int: ...
    @property
    def sku(self) -> str: ...
    @property
    def quantity(self) -> int: ...
    @property
    def serials(self) -> list[str]: ...


@dataclass
class Completion:
    kwargs: dict[str, Any]
    used_fields: list[str] = field(default_factory=list)  # form field of each parts_used line
    removed_fields: list[str] = field(default_factory=list)  # and of each parts_removed line


def _count(raw: str) -> int | None:
    raw = raw.strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 6 else None


def _used(form: MultiDict[str, str], reserved: Sequence[Reserved], errors: Errors,
          done: Completion) -> list[dict[str, Any]]:  # fmt: skip
    lines: list[dict[str, Any]] = []
    for r in reserved:
        name = f"used-{r.id}"
        if r.serials:
            chosen = [s for s in form.getlist(name) if s in r.serials]
            if chosen:
                lines.append({"sku": r.sku, "serials": chosen})
                done.used_fields.append(name)
            continue
        raw = form.get(f"{name}-quantity", "").strip()
        if not raw or raw == "0":
            continue
        quantity = _count(raw)
        if quantity is None or quantity > r.quantity:
            errors[f"{name}-quantity"] = [f"A whole number from 0 to {r.quantity} (reserved)."]
            continue
        lines.append({"sku": r.sku, "quantity": quantity})
        done.used_fields.append(f"{name}-quantity")
    return lines


def _removed(form: Mapping[str, str], errors: Errors, done: Completion) -> list[dict[str, Any]]:
    lines: list[dict[str, Any]] = []
    for row in range(REMOVED_ROWS):
        prefix = f"removed-{row}"
        sku = form.get(f"{prefix}-sku", "").strip()[:40]
        serials = [s for s in SERIALS_SPLIT.split(form.get(f"{prefix}-serials", "")[:2000]) if s]
        raw = form.get(f"{prefix}-quantity", "").strip()
        if not (sku or serials or raw):
            continue
        if not sku:
            errors[f"{prefix}-sku"] = ["Give the SKU of the part taken out."]
            continue
        line: dict[str, Any] = {"sku": sku}
        if serials:
            line["serials"] = serials
        if raw:
            quantity = _count(raw)
            if quantity is None or quantity < 1:
                errors[f"{prefix}-quantity"] = ["A whole number of 1 or more."]
                continue
            line["quantity"] = quantity
        if not serials and not raw:
            errors[f"{prefix}-serials"] = ["Give its serials, or the quantity for bulk parts."]
            continue
        lines.append(line)
        done.removed_fields.append(f"{prefix}-serials" if serials else f"{prefix}-quantity")
    return lines


def completion(form: MultiDict[str, str], reserved: Sequence[Reserved]) -> Completion:
    """complete_job's keyword arguments from the form. Raises RuleViolationError."""
    errors: Errors = {}
    done = Completion(kwargs={})
    used = _used(form, reserved, errors, done)
    removed = _removed(form, errors, done)
    name = form.get("signed_off_by", "").strip()
    if not name:
        errors["signed_off_by"] = [REQUIRED + " The customer's name, as sign-off."]
    notes = form.get("notes", "")
    if len(notes) > TEXT_MAX:
        errors["notes"] = [f"At most {TEXT_MAX} characters."]
    if errors:
        raise RuleViolationError("Please check the highlighted fields.", errors)
    done.kwargs = {
        "parts_used": used,
        "parts_removed": removed,
        "signed_off_by": name,
        "notes": notes,
    }
    return done


def form_errors(errors: Errors, done: Completion | None) -> Errors:
    """The service's field names as the form's: a parts line by its number, and
    remove_faulty's bare sku/serials/quantity on the only removed line (when there is one)."""
    if done is None:
        return errors
    renamed: Errors = {}
    for name, messages in errors.items():
        target = name
        if match := SERVICE_LINE.match(name):
            fields = done.used_fields if match.group(1) == "parts_used" else done.removed_fields
            index = int(match.group(2))
            target = fields[index] if index < len(fields) else name
        elif name in REMOVAL_FIELDS and len(done.removed_fields) == 1:
            row = done.removed_fields[0].rsplit("-", 1)[0]
            target = f"{row}-{name}"
        renamed.setdefault(target, []).extend(messages)
    return renamed


def failure_reason(form: Mapping[str, str]) -> str:
    reason = form.get("reason", "").strip()
    if not reason:
        raise RuleViolationError.on_field("reason", "Say why the fault could not be fixed.")
    if len(reason) > TEXT_MAX:
        raise RuleViolationError.on_field("reason", f"At most {TEXT_MAX} characters.")
    return reason
