"""Ticket jobs: the sweep that escalates, flags SLA breaches and risk, reports missed ETAs
and closes unconfirmed resolutions, as of a given instant.

The CLI (`fieldops sweep --now`) and the worker's every-minute task call `run_sweep`; tests
call it directly with chosen instants. One sweep is one unit of work. On PostgreSQL a
transaction-scoped advisory lock makes concurrent sweeps take turns, so the second finds
nothing left to do; the guarded updates would keep them exact even without it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text

from fieldops.clock import ensure_utc
from fieldops.db import db, transaction
from fieldops.tickets.services import escalation, sweep

log = logging.getLogger(__name__)

SWEEP_LOCK_KEY = 0x5EE9_F1E1  # an arbitrary constant naming the sweep's advisory lock


@dataclass(frozen=True)
class SweepReport:
    now: datetime
    escalated: int
    breached: int
    at_risk: int
    eta_missed: int
    auto_closed: int

    def summary(self) -> str:
        return (
            f"sweep as of {self.now.isoformat()}: {self.escalated} escalated, "
            f"{self.breached} breached, {self.at_risk} at risk, {self.eta_missed} missed ETAs, "
            f"{self.auto_closed} auto-closed"
        )


def run_sweep(now: datetime) -> SweepReport:
    """Run every sweep step as of `now` in one transaction; idempotent."""
    now = ensure_utc(now)
    with transaction():
        if db.session.get_bind().dialect.name == "postgresql":
            db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SWEEP_LOCK_KEY})
        report = SweepReport(
            now=now,
            escalated=len(escalation.escalate_by_age(now)),
            breached=len(sweep.flag_breaches(now)),
            at_risk=len(sweep.flag_at_risk(now)),
            eta_missed=len(sweep.mark_missed_etas(now)),
            auto_closed=len(sweep.close_unconfirmed(now)),
        )
    log.info("%s", report.summary())
    return report
