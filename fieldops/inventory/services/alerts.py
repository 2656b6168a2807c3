"""What a stock manager does with alerts and backorders: acknowledge an emergency use, close
a backorder once it is bought in (or no longer wanted)."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import update

from fieldops.accounts.models import User
from fieldops.db import db
from fieldops.errors import ConflictError, NotFoundError, RuleViolationError
from fieldops.inventory.models import Backorder, StockAlert
from fieldops.inventory.rules import AlertKind, BackorderStatus

log = logging.getLogger(__name__)


def acknowledge_alert(*, actor: User, alert_id: int, now: datetime) -> StockAlert:
    """Close an emergency-use alert. Level alerts clear themselves when stock recovers, so
    acknowledging one is refused (409): the shortage is still there."""
    alert = db.session.get(StockAlert, alert_id)
    if alert is None:
        raise NotFoundError(f"No stock alert {alert_id}.")
    if alert.kind != AlertKind.EMERGENCY_USE:
        raise ConflictError(
            "This alert clears by itself when the stock line is back above its limit.",
            {"kind": [f"Is {alert.kind}."]},
        )
    moved = db.session.execute(
        update(StockAlert)
        .where(StockAlert.id == alert_id, StockAlert.cleared_at.is_(None))
        .values(cleared_at=now, cleared_by_id=actor.id)
        .returning(StockAlert.id)
        .execution_options(synchronize_session=False)
    ).first()
    if moved is None:
        raise ConflictError(f"Stock alert {alert_id} is already acknowledged.")
    db.session.refresh(alert)
    log.info("stock alert %s acknowledged by user %s", alert_id, actor.id)
    return alert


def close_backorder(*, actor: User, backorder_id: int, status: str, now: datetime) -> Backorder:
    """Mark an open backorder fulfilled or cancelled."""
    if status not in (BackorderStatus.FULFILLED, BackorderStatus.CANCELLED):
        raise RuleViolationError.on_field("status", "Either fulfilled or cancelled.")
    backorder = db.session.get(Backorder, backorder_id)
    if backorder is None:
        raise NotFoundError(f"No backorder {backorder_id}.")
    moved = db.session.execute(
        update(Backorder)
        .where(Backorder.id == backorder_id, Backorder.status == BackorderStatus.OPEN)
        .values(status=status, closed_at=now)
        .returning(Backorder.id)
        .execution_options(synchronize_session=False)
    ).first()
    if moved is None:
        raise ConflictError(f"Backorder {backorder_id} is already {backorder.status}.")
    db.session.refresh(backorder)
    log.info("backorder %s %s by user %s", backorder_id, status, actor.id)
    return backorder
