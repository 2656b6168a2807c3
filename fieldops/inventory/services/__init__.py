"""Inventory use cases. They flush, never commit; each call is one unit of work's change."""

from fieldops.inventory.services.alerts import acknowledge_alert, close_backorder
from fieldops.inventory.services.catalogue import (
    CATEGORIES,
    UNITS,
    create_location,
    create_part_type,
    set_line_limits,
)
from fieldops.inventory.services.enrolment import enrol_engineer
from fieldops.inventory.services.fulfilment import consume, pick, release
from fieldops.inventory.services.movements import (
    adjust,
    receive,
    receive_from_vendor,
    remove_faulty,
    return_faulty,
    scrap,
    send_to_vendor,
    transfer,
)
from fieldops.inventory.services.reservations import NearestOutcome, reserve, reserve_nearest

__all__ = [
    "CATEGORIES",
    "UNITS",
    "NearestOutcome",
    "acknowledge_alert",
    "adjust",
    "close_backorder",
    "consume",
    "create_location",
    "create_part_type",
    "enrol_engineer",
    "pick",
    "receive",
    "receive_from_vendor",
    "release",
    "remove_faulty",
    "reserve",
    "reserve_nearest",
    "return_faulty",
    "scrap",
    "send_to_vendor",
    "set_line_limits",
    "transfer",
]
