"""Pure inventory rules: what each ledger movement does to stock, and when stock is alarming.

No Flask and no database: the services apply these rules inside their transactions.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

# Who may do what with stock (role values of accounts.Role; this module imports no models).
# Customers never see stock at all: every surface answers them 404.
STOCK_KEEPER_ROLES = frozenset({"stock_manager", "admin"})
RESERVING_ROLES = frozenset({"stock_manager", "dispatcher", "admin"})
STOCK_VIEWER_ROLES = frozenset(
    {"agent", "dispatcher", "engineer", "stock_manager", "manager", "admin"}
)


class LocationKind(StrEnum):
    DEPOT = "depot"
    VAN = "van"


class Condition(StrEnum):
    """Good stock can be reserved and fitted; faulty stock waits to go back to the vendor."""

    GOOD = "good"
    FAULTY = "faulty"


class UnitStatus(StrEnum):
    IN_STOCK = "in_stock"
    RESERVED = "reserved"
    IN_TRANSIT = "in_transit"  # picked: with an engineer on the way to a job
    INSTALLED = "installed"
    FAULTY = "faulty"
    AT_VENDOR = "at_vendor"
    SCRAPPED = "scrapped"


# Good units counted in a location's on-hand quantity; RESERVED and IN_TRANSIT are held.
ON_HAND_STATUSES = frozenset({UnitStatus.IN_STOCK, UnitStatus.RESERVED, UnitStatus.IN_TRANSIT})
HELD_STATUSES = frozenset({UnitStatus.RESERVED, UnitStatus.IN_TRANSIT})
# A unit in these statuses is at no location of ours.
OFF_SITE_STATUSES = frozenset({UnitStatus.INSTALLED, UnitStatus.AT_VENDOR, UnitStatus.SCRAPPED})


class ReservationStatus(StrEnum):
    HELD = "held"
    PICKED = "picked"
    CONSUMED = "consumed"
    RELEASED = "released"


ACTIVE_RESERVATIONS = frozenset({ReservationStatus.HELD, ReservationStatus.PICKED})


class MovementKind(StrEnum):
    RECEIPT = "receipt"
    TRANSFER = "transfer"
    PICK = "pick"
    CONSUME = "consume"
    INSTALL = "install"
    REMOVE = "remove"
    RETURN = "return"
    SEND_TO_VENDOR = "send_to_vendor"
    RECEIVE_FROM_VENDOR = "receive_from_vendor"
    ADJUST = "adjust"
    SCRAP = "scrap"


class AlertKind(StrEnum):
    BELOW_REORDER_POINT = "below_reorder_point"
    BELOW_RESERVE_FLOOR = "below_reserve_floor"
    EMERGENCY_USE = "emergency_use"


# Alerts that open and clear with the stock level itself; an emergency use is an event a
# stock manager acknowledges.
LEVEL_ALERTS = frozenset({AlertKind.BELOW_REORDER_POINT, AlertKind.BELOW_RESERVE_FLOOR})


class BackorderStatus(StrEnum):
    OPEN = "open"
    FULFILLED = "fulfilled"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class MovementRule:
    """Where a movement's stock comes from and goes to, and which condition it is in.

    `source`/`target`: True when the movement takes from / puts into one of our locations
    (a receipt comes from a supplier, an install goes to a customer's site).
    """

    source: bool
    target: bool
    condition: Condition
    reason_required: bool = False
    target_kinds: frozenset[LocationKind] = frozenset(LocationKind)
    source_kinds: frozenset[LocationKind] = frozenset(LocationKind)


DEPOT_ONLY = frozenset({LocationKind.DEPOT})
VAN_ONLY = frozenset({LocationKind.VAN})

MOVEMENT_RULES: dict[MovementKind, MovementRule] = {
    MovementKind.RECEIPT: MovementRule(False, True, Condition.GOOD, target_kinds=DEPOT_ONLY),
    MovementKind.TRANSFER: MovementRule(True, True, Condition.GOOD),
    MovementKind.PICK: MovementRule(True, True, Condition.GOOD, target_kinds=VAN_ONLY),
    MovementKind.CONSUME: MovementRule(True, False, Condition.GOOD),
    MovementKind.INSTALL: MovementRule(True, False, Condition.GOOD),
    MovementKind.REMOVE: MovementRule(False, True, Condition.FAULTY),
    MovementKind.RETURN: MovementRule(True, True, Condition.FAULTY, target_kinds=DEPOT_ONLY),
    MovementKind.SEND_TO_VENDOR: MovementRule(
        True, False, Condition.FAULTY, source_kinds=DEPOT_ONLY
    ),
    MovementKind.RECEIVE_FROM_VENDOR: MovementRule(
        False, True, Condition.GOOD, target_kinds=DEPOT_ONLY
    ),
    # An adjustment goes either way and in either condition; the service says which.
    MovementKind.ADJUST: MovementRule(True, True, Condition.GOOD, reason_required=True),
    MovementKind.SCRAP: MovementRule(True, False, Condition.FAULTY, reason_required=True),
}


def effective_reorder_point(
    location_kind: str, line_reorder_point: int | None, part_reorder_point: int
) -> int | None:
    """A depot line's own reorder point, else its part type's; a van has only its own (the
    SQL form is queries.stock.EFFECTIVE_REORDER_POINT)."""
    if location_kind == LocationKind.VAN:
        return line_reorder_point
    return part_reorder_point if line_reorder_point is None else line_reorder_point


def level_alerts(
    *, available: int, reserve_floor: int, reorder_point: int | None
) -> frozenset[AlertKind]:
    """The level alerts a stock line is in: available stock under its reserve floor, or under
    its reorder point (None: no reorder point, as for vans). "Under" is strict, so a line
    sitting exactly on its floor raises nothing."""
    found: set[AlertKind] = set()
    if available < reserve_floor:
        found.add(AlertKind.BELOW_RESERVE_FLOOR)
    if reorder_point is not None and available < reorder_point:
        found.add(AlertKind.BELOW_REORDER_POINT)
    return frozenset(found)


def usable_without_emergency(*, available: int, reserve_floor: int) -> int:
    """How much of a line may be reserved without the emergency flag: what lies above the
    reserve floor."""
    return max(available - reserve_floor, 0)
