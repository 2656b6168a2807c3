"""The impact x urgency priority matrix: DESIGN.md's defaults, category pins, plan matrices
and validation of matrix documents (pure)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from fieldops.customers.priority import (
    CATEGORIES,
    DEFAULT_MATRIX,
    DEFAULT_URGENCY,
    IMPACTS,
    URGENCIES,
    matrix_errors,
    priority_for,
)


@pytest.mark.parametrize(
    ("impact", "urgency", "expected", "why"),
    [
        # P1 critical: full unavailability, or severe degradation, or its imminent risk.
        ("service_affecting", "high", "P1", "full outage, urgent"),
        ("service_affecting", "medium", "P1", "full outage"),
        # P2 high: partial loss, minor degradation.
        ("service_affecting", "low", "P2", "outage the customer can live with for now"),
        ("degraded", "high", "P2", "degradation that hurts"),
        ("degraded", "medium", "P2", "minor degradation"),
        # P3 normal: everything else.
        ("degraded", "low", "P3", "cosmetic degradation"),
        ("not_affecting", "high", "P3", "no impact but wanted soon"),
        ("not_affecting", "medium", "P3", "no impact"),
        # P4 low: not affecting, no urgency.
        ("not_affecting", "low", "P4", "no impact, no urgency"),
    ],
)
def test_default_matrix_follows_design(impact: str, urgency: str, expected: str, why: str) -> None:
    assert priority_for(impact, urgency, None) == expected, why


def test_default_matrix_covers_every_impact_and_urgency() -> None:
    for impact in IMPACTS:
        for urgency in URGENCIES:
            assert priority_for(impact, urgency, None) in ("P1", "P2", "P3", "P4")
    assert matrix_errors(DEFAULT_MATRIX) == []


@pytest.mark.parametrize("impact", IMPACTS)
@pytest.mark.parametrize("urgency", URGENCIES)
def test_configuration_changes_are_pinned_to_p2(impact: str, urgency: str) -> None:
    assert priority_for(impact, urgency, "configuration_change") == "P2"


@pytest.mark.parametrize("category", [c for c in CATEGORIES if c != "configuration_change"])
def test_other_categories_follow_the_matrix(category: str) -> None:
    assert priority_for("service_affecting", "high", category) == "P1"
    assert priority_for("not_affecting", "low", category) == "P4"


def test_a_missing_urgency_is_implied_by_the_impact() -> None:
    assert DEFAULT_URGENCY == {
        "service_affecting": "high",
        "degraded": "medium",
        "not_affecting": "low",
    }
    implied = {i: priority_for(i, DEFAULT_URGENCY[i], None) for i in IMPACTS}
    assert implied == {"service_affecting": "P1", "degraded": "P2", "not_affecting": "P4"}


def _custom() -> dict[str, Any]:
    """A plan whose customer treats every degradation as critical and pins nothing."""
    return {
        "matrix": {
            "service_affecting": {"high": "P1", "medium": "P1", "low": "P1"},
            "degraded": {"high": "P1", "medium": "P1", "low": "P2"},
            "not_affecting": {"high": "P3", "medium": "P4", "low": "P4"},
        },
        "category_priority": {"billing": "P4"},
    }


def test_a_plan_matrix_replaces_the_default() -> None:
    custom = _custom()
    assert matrix_errors(custom) == []
    assert priority_for("degraded", "medium", None, custom) == "P1"
    assert priority_for("service_affecting", "low", None, custom) == "P1"
    assert priority_for("not_affecting", "medium", None, custom) == "P4"
    # The default is untouched by a plan's matrix.
    assert priority_for("degraded", "medium", None) == "P2"


def test_a_plan_matrix_sets_its_own_category_pins() -> None:
    custom = _custom()
    assert priority_for("service_affecting", "high", "billing", custom) == "P4"
    # The default pin does not leak into a plan that does not pin configuration changes.
    assert priority_for("degraded", "low", "configuration_change", custom) == "P2"
    assert priority_for("not_affecting", "low", "configuration_change", custom) == "P4"


def test_a_plan_matrix_without_pins_uses_the_matrix_for_every_category() -> None:
    custom = _custom()
    del custom["category_priority"]
    assert matrix_errors(custom) == []
    assert priority_for("not_affecting", "low", "configuration_change", custom) == "P4"


@pytest.mark.parametrize(
    ("mutate", "fragment"),
    [
        (lambda d: d.pop("matrix"), "matrix"),
        (lambda d: d.update(matrix=[]), "matrix"),
        (lambda d: d["matrix"].pop("degraded"), "matrix.degraded is missing"),
        (lambda d: d["matrix"]["degraded"].pop("low"), "matrix.degraded.low"),
        (lambda d: d["matrix"]["not_affecting"].update(low="P5"), "matrix.not_affecting.low"),
        (lambda d: d["matrix"]["service_affecting"].update(high="p1"), "service_affecting.high"),
        (lambda d: d.update(category_priority=["billing"]), "category_priority"),
        (lambda d: d["category_priority"].update(printing="P2"), "category_priority.printing"),
        (lambda d: d["category_priority"].update(billing="urgent"), "category_priority.billing"),
    ],
)
def test_bad_matrix_documents_are_refused_with_the_place_named(mutate: Any, fragment: str) -> None:
    document = copy.deepcopy(_custom())
    mutate(document)
    problems = matrix_errors(document)
    assert problems
    assert any(fragment in p for p in problems), problems


@pytest.mark.parametrize("document", [None, [], "P1", 3])
def test_a_matrix_must_be_an_object(document: Any) -> None:
    assert matrix_errors(document) == [
        "Must be an object with a 'matrix' of impact -> urgency -> priority."
    ]


def test_every_bad_cell_is_reported_not_only_the_first() -> None:
    document = copy.deepcopy(_custom())
    document["matrix"]["degraded"] = {"high": "X", "medium": "Y", "low": "Z"}
    assert len(matrix_errors(document)) == 3
