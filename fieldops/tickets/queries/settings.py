"""Data that shapes handling: stop-clock reasons, escalation matrices, ETA history."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from fieldops.customers.models import Customer
from fieldops.db import db
from fieldops.tickets.models import (
    EscalationLevel,
    EscalationMatrix,
    StopClockReason,
    Ticket,
    TicketEta,
)


def stop_clock_reasons(*, active_only: bool = True) -> list[StopClockReason]:
    """The stop-clock reason codes, in code order (active ones unless asked otherwise)."""
    query = select(StopClockReason).order_by(StopClockReason.code)
    if active_only:
        query = query.where(StopClockReason.is_active.is_(True))
    return list(db.session.scalars(query))


def stop_clock_codes() -> tuple[str, ...]:
    return tuple(reason.code for reason in stop_clock_reasons())


def escalation_matrix_payload(matrix: EscalationMatrix) -> dict[str, Any]:
    customer = db.session.get(Customer, matrix.customer_id) if matrix.customer_id else None
    levels = db.session.scalars(
        select(EscalationLevel)
        .where(EscalationLevel.matrix_id == matrix.id)
        .order_by(EscalationLevel.level)
    )
    return {
        "code": matrix.code,
        "name": matrix.name,
        "customer": customer.code if customer else None,
        "levels": [
            {
                "level": lvl.level,
                "name": lvl.name,
                "contacts": list(lvl.contacts),
                "thresholds_min": dict(lvl.thresholds_min),
            }
            for lvl in levels
        ],
    }


def escalation_matrices() -> list[dict[str, Any]]:
    """Every matrix with its levels, the default first."""
    matrices = db.session.scalars(
        select(EscalationMatrix).order_by(
            EscalationMatrix.customer_id.is_not(None), EscalationMatrix.code
        )
    )
    return [escalation_matrix_payload(m) for m in matrices]


def levels_for_customer(customer_id: int) -> list[EscalationLevel]:
    """The customer's own matrix's levels, else the default's; lowest level first."""
    own = db.session.scalar(
        select(EscalationMatrix.id).where(EscalationMatrix.customer_id == customer_id)
    )
    matrix_id = own or db.session.scalar(
        select(EscalationMatrix.id).where(EscalationMatrix.customer_id.is_(None))
    )
    if matrix_id is None:
        return []
    return list(
        db.session.scalars(
            select(EscalationLevel)
            .where(EscalationLevel.matrix_id == matrix_id)
            .order_by(EscalationLevel.level)
        )
    )


def eta_history(ticket: Ticket) -> list[TicketEta]:
    return list(
        db.session.scalars(
            select(TicketEta)
            .where(TicketEta.ticket_id == ticket.id)
            .order_by(TicketEta.changed_at, TicketEta.id)
        )
    )
