"""The impact x urgency priority matrix, held as data per SLA plan (pure: no Flask, no db).

Defaults follow DESIGN.md: P1 for full unavailability or severe degradation, P2 for partial
loss, minor degradation and configuration changes, P3 for everything else, P4 for faults that
affect nothing and are not urgent.
"""

from __future__ import annotations

from typing import Any

IMPACTS = ("service_affecting", "degraded", "not_affecting")
URGENCIES = ("high", "medium", "low")
PRIORITIES = ("P1", "P2", "P3", "P4")
CATEGORIES = ("hardware", "network", "software", "configuration_change", "billing", "request")

DEFAULT_MATRIX: dict[str, Any] = {
    "matrix": {
        "service_affecting": {"high": "P1", "medium": "P1", "low": "P2"},
        "degraded": {"high": "P2", "medium": "P2", "low": "P3"},
        "not_affecting": {"high": "P3", "medium": "P3", "low": "P4"},
    },
    # A category can pin a priority whatever the matrix says (configuration changes are P2).
    "category_priority": {"configuration_change": "P2"},
}

# When the reporter gives no urgency, the impact implies one.
DEFAULT_URGENCY = {"service_affecting": "high", "degraded": "medium", "not_affecting": "low"}


def matrix_errors(document: Any) -> list[str]:
    """Return what is wrong with a priority matrix document; empty when valid."""
    if not isinstance(document, dict) or not isinstance(document.get("matrix"), dict):
        return ["Must be an object with a 'matrix' of impact -> urgency -> priority."]
    problems: list[str] = []
    matrix = document["matrix"]
    for impact in IMPACTS:
        row = matrix.get(impact)
        if not isinstance(row, dict):
            problems.append(f"matrix.{impact} is missing.")
            continue
        for urgency in URGENCIES:
            if row.get(urgency) not in PRIORITIES:
                problems.append(f"matrix.{impact}.{urgency} must be one of P1..P4.")
    pinned = document.get("category_priority", {})
    if not isinstance(pinned, dict):
        problems.append("category_priority must map categories to priorities.")
    else:
        for category, priority in pinned.items():
            if category not in CATEGORIES or priority not in PRIORITIES:
                problems.append(f"category_priority.{category} is not a category -> P1..P4.")
    return problems


def priority_for(
    impact: str, urgency: str, category: str | None, document: dict[str, Any] | None = None
) -> str:
    """The priority the matrix gives; a category pin wins over the matrix."""
    document = document or DEFAULT_MATRIX
    pinned = document.get("category_priority", {})
    if category is not None and category in pinned:
        return str(pinned[category])
    return str(document["matrix"][impact][urgency])
