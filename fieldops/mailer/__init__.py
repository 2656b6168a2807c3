"""The outbox sender: claims due messages, sends them over SMTP (or to a log), records the outcome.

Delivery protocol (`deliver_due`), designed so that concurrent senders never send a message
twice:

1. Claim, in one short transaction: the due rows (pending with `next_attempt_at <= now`, or
   `sending` whose lease expired) are locked (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite's
   `BEGIN IMMEDIATE` serialises claimers) and stamped `sending` with our `claim_token` and
   `locked_until = now + lease`.
2. Send each message outside any transaction (slow I/O never holds a lock, STYLE §3.5).
3. Record each outcome in its own short transaction, guarded by the claim token: `sent`, or a
   retry (`attempts + 1`, exponential backoff), or `failed` for good.

A sender stops sending once half its lease is used and hands the rest back, so a lease can
only expire under a crashed sender. The one remaining window is a crash between the SMTP
server accepting a message and step 3: the message is then sent again after its lease ends,
with the same Message-ID so that receivers can drop the duplicate.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from time import monotonic
from typing import Any

from flask import current_app
from sqlalchemy import and_, or_, select, update

from fieldops.db import db, transaction
from fieldops.mailer.queries import MessagePage, get_message, list_messages
from fieldops.mailer.transport import (
    LogTransport,
    MailSettings,
    OutgoingMail,
    SmtpTransport,
    Transport,
    breaks_connection,
    build_message,
    is_permanent,
    open_transport,
)
from fieldops.outbox import OutboxMessage, OutboxStatus

__all__ = [
    "DeliveryReport",
    "LogTransport",
    "MailSettings",
    "MessagePage",
    "OutgoingMail",
    "SmtpTransport",
    "Transport",
    "deliver_due",
    "get_message",
    "list_messages",
]

log = logging.getLogger(__name__)

ERROR_MAX = 2000


@dataclass
class DeliveryReport:
    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    released: int = 0


class _TransientError(Exception):
    """A failure after which the connection is unusable: later messages wait for the next run."""


def _due(now: datetime) -> Any:
    return or_(
        and_(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now),
        and_(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.locked_until <= now),
    )


def _claim(now: datetime, limit: int, lease_s: int, token: str) -> list[OutgoingMail]:
    with transaction():
        ids = list(
            db.session.scalars(
                select(OutboxMessage.id)
                .where(_due(now))
                .order_by(OutboxMessage.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )
        if not ids:
            return []
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids))
            .values(
                status=OutboxStatus.SENDING,
                claim_token=token,
                locked_until=now + timedelta(seconds=lease_s),
            )
            .execution_options(synchronize_session=False)
        )
        rows = db.session.execute(
            select(
                OutboxMessage.id,
                OutboxMessage.to_addresses,
                OutboxMessage.subject,
                OutboxMessage.body_text,
                OutboxMessage.message_id,
                OutboxMessage.attempts,
            )
            .where(OutboxMessage.id.in_(ids))
            .order_by(OutboxMessage.id)
        ).all()
    return [OutgoingMail(r[0], list(r[1]), r[2], r[3], r[4], r[5]) for r in rows]


def _finish(message_id: int, token: str, **values: Any) -> bool:
    """Write an outcome if we still hold the claim; False when the lease was lost."""
    with transaction():
        done = db.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == message_id,
                OutboxMessage.claim_token == token,
                OutboxMessage.status == OutboxStatus.SENDING,
            )
            .values(claim_token=None, locked_until=None, **values)
            .returning(OutboxMessage.id)
            .execution_options(synchronize_session=False)
        ).scalar()
    if done is None:
        log.warning("outbox message %s: lease lost before its outcome was recorded", message_id)
    return done is not None


def _record_failure(
    claimed: OutgoingMail,
    token: str,
    error: Exception,
    now: datetime,
    settings: MailSettings,
    report: DeliveryReport,
) -> None:
    attempts = claimed.attempts + 1
    text = f"{type(error).__name__}: {error}"[:ERROR_MAX]
    if is_permanent(error) or attempts >= settings.max_attempts:
        if _finish(
            claimed.id,
            token,
            status=OutboxStatus.FAILED,
            attempts=attempts,
            next_attempt_at=None,
            last_error=text,
        ):
            report.failed += 1
            log.error(
                "outbox message %s failed for good after %d attempt(s): %s",
                claimed.id,
                attempts,
                type(error).__name__,
            )
        return
    retry_at = now + settings.backoff(attempts)
    if _finish(
        claimed.id,
        token,
        status=OutboxStatus.PENDING,
        attempts=attempts,
        next_attempt_at=retry_at,
        last_error=text,
    ):
        report.retrying += 1
        log.warning(
            "outbox message %s attempt %d failed (%s), retry at %s",
            claimed.id,
            attempts,
            type(error).__name__,
            retry_at.isoformat(),
        )


def _release(claimed: list[OutgoingMail], token: str, report: DeliveryReport) -> None:
    """Hand back messages we claimed but did not try: due again at once, no attempt counted."""
    if not claimed:
        return
    with transaction():
        released = db.session.scalars(
            update(OutboxMessage)
            .where(
                OutboxMessage.id.in_([c.id for c in claimed]),
                OutboxMessage.claim_token == token,
                OutboxMessage.status == OutboxStatus.SENDING,
            )
            .values(status=OutboxStatus.PENDING, claim_token=None, locked_until=None)
            .returning(OutboxMessage.id)
            .execution_options(synchronize_session=False)
        ).all()
    report.released += len(released)


def deliver_due(
    now: datetime, *, limit: int = 100, settings: MailSettings | None = None
) -> DeliveryReport:
    """Send the messages due at `now` (aware UTC); see the module docstring for the protocol.

    Runs its own short transactions, so call it outside any unit of work (a job, a CLI
    command, a test). Needs an app context. Never raises for a delivery failure: failures
    are recorded on the message and counted in the report.
    """
    settings = settings or MailSettings.from_config(current_app.config)
    token = uuid.uuid4().hex
    report = DeliveryReport()
    claimed = _claim(now, limit, settings.lease_s, token)
    report.claimed = len(claimed)
    if not claimed:
        return report
    deadline = monotonic() + settings.lease_s / 2
    remaining = list(claimed)
    try:
        with open_transport(settings) as transport:
            while remaining:
                if monotonic() > deadline:
                    break
                current = remaining.pop(0)
                try:
                    transport.send(build_message(current, settings, now))
                except (OSError, ValueError) as error:  # SMTPException is an OSError
                    _record_failure(current, token, error, now, settings, report)
                    if breaks_connection(error):
                        raise _TransientError from error
                    continue
                if _finish(current.id, token, status=OutboxStatus.SENT, sent_at=now):
                    report.sent += 1
                    log.info("outbox message %s sent as %s", current.id, current.message_id)
    except _TransientError:
        pass  # the untried rest is released below
    except OSError as error:  # could not connect, log in or STARTTLS (SMTPException too)
        for current in remaining:
            _record_failure(current, token, error, now, settings, report)
        remaining = []
    finally:
        _release(remaining, token, report)
    return report
