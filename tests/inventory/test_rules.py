"""Pure inventory rules: alert thresholds, floor headroom, what each movement kind does."""

from __future__ import annotations

import pytest

from fieldops.inventory.rules import (
    MOVEMENT_RULES,
    AlertKind,
    Condition,
    LocationKind,
    MovementKind,
    level_alerts,
    usable_without_emergency,
)


@pytest.mark.parametrize(
    ("available", "floor", "reorder", "expected"),
    [
        (10, 2, 5, set()),
        (5, 2, 5, set()),  # exactly on the reorder point is not under it
        (4, 2, 5, {AlertKind.BELOW_REORDER_POINT}),
        (2, 2, 5, {AlertKind.BELOW_REORDER_POINT}),
        (1, 2, 5, {AlertKind.BELOW_REORDER_POINT, AlertKind.BELOW_RESERVE_FLOOR}),
        (1, 2, None, {AlertKind.BELOW_RESERVE_FLOOR}),  # a van has no reorder point
        (0, 0, None, set()),
        (0, 0, 0, set()),
    ],
)
def test_level_alerts(available: int, floor: int, reorder: int | None, expected: set) -> None:
    assert level_alerts(available=available, reserve_floor=floor, reorder_point=reorder) == expected


def test_only_stock_above_the_floor_is_usable_without_emergency() -> None:
    assert usable_without_emergency(available=5, reserve_floor=2) == 3
    assert usable_without_emergency(available=2, reserve_floor=2) == 0
    assert usable_without_emergency(available=1, reserve_floor=2) == 0


def test_every_movement_kind_has_a_rule_and_a_side() -> None:
    assert set(MOVEMENT_RULES) == set(MovementKind)
    for rule in MOVEMENT_RULES.values():
        assert rule.source or rule.target


def test_faulty_stock_goes_back_to_depots_and_the_vendor() -> None:
    assert MOVEMENT_RULES[MovementKind.REMOVE].condition == Condition.FAULTY
    assert MOVEMENT_RULES[MovementKind.RETURN].target_kinds == {LocationKind.DEPOT}
    assert MOVEMENT_RULES[MovementKind.SEND_TO_VENDOR].source_kinds == {LocationKind.DEPOT}
    assert MOVEMENT_RULES[MovementKind.RECEIPT].target_kinds == {LocationKind.DEPOT}
    assert MOVEMENT_RULES[MovementKind.ADJUST].reason_required
    assert MOVEMENT_RULES[MovementKind.SCRAP].reason_required
