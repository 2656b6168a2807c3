"""Data the HTML-surface tests share beyond tests/factories.py: an escalation matrix."""

from __future__ import annotations

from fieldops.customers.models import Customer
from fieldops.tickets.models import EscalationMatrix
from fieldops.tickets.services import define_matrix
from tests.factories import DEFAULT_NOW

LEVEL_NAMES = ("Duty engineer", "Shift lead")


def escalation_matrix(customer: Customer, names: tuple[str, ...] = LEVEL_NAMES) -> EscalationMatrix:
    """The customer's own matrix: one level per name, level n contacted at level{n}@ops.test.

    Thresholds are far away, so only requests (never age) move a test ticket up.
    """
    return define_matrix(
        code=f"M-{customer.code}",
        name=f"{customer.name} escalation",
        customer_code=customer.code,
        levels=[
            {
                "name": name,
                "contacts": [f"level{number}@ops.test"],
                "thresholds_min": {"P1": 100_000 * number},
            }
            for number, name in enumerate(names, start=1)
        ],
        now=DEFAULT_NOW,
    )
