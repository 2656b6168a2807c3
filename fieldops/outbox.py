"""The outbox: after-commit side effects, and the e-mail notifications table they announce.

Two halves, both serving STYLE §3.3 (side effects leave only after commit):

- An in-memory queue of callables. Callers `enqueue()` a callable inside a unit of work;
  `transaction()` in db.py calls `deliver()` after a successful commit and `discard()` on
  rollback, so a refused request never sends anything.
- `OutboxMessage` rows. `queue_email()` renders a template from `templates/mail/` and inserts
  the message in the *current* transaction, so the notice commits or rolls back together with
  the change it announces. After commit it kicks the background sender (a Huey task wired by
  `register_delivery_kick`); `fieldops.mailer.deliver_due` does the sending.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Literal, overload
from zoneinfo import ZoneInfo

from flask import Flask, current_app, g, has_app_context
from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from fieldops.clock import ensure_utc
from fieldops.config import PROJECT_ROOT
from fieldops.db import Model, UTCDateTime, db, upsert_insert

log = logging.getLogger(__name__)

# --- after-commit callables -------------------------------------------------------------

_pending_outside_app: list[Callable[[], None]] = []


def _queue() -> list[Callable[[], None]]:
    if not has_app_context():
        return _pending_outside_app
    if "fieldops_outbox" not in g:
        g.fieldops_outbox = []
    return g.fieldops_outbox


def enqueue(effect: Callable[[], None]) -> None:
    _queue().append(effect)


def deliver() -> None:
    queue = _queue()
    effects, queue[:] = list(queue), []
    for effect in effects:
        try:
            effect()
        except Exception:  # a failed side effect must not undo a committed change
            log.exception("outbox effect failed")


def discard() -> None:
    _queue().clear()


# --- the notifications table ---------------------------------------------------------------


class OutboxStatus(StrEnum):
    """pending -> sending -> sent; a temporary failure goes back to pending; failed is final."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class Channel(StrEnum):
    EMAIL = "email"


SUBJECT_MAX = 255


class OutboxMessage(Model):
    """One outgoing notification, rendered when queued and delivered at least once.

    `message_id` is the RFC 5322 Message-ID, fixed when queued so that a retry after a crash
    carries the same id (receivers, and our inbound-mail threading, can match on it).
    `claim_token` and `locked_until` are the sender's lease (fieldops.mailer).
    """

    __tablename__ = "outbox_messages"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed')", name="status_known"),
        CheckConstraint("channel IN ('email')", name="channel_known"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        # The sender's two "due" queries: pending by next attempt, sending by lease expiry.
        Index("ix_outbox_messages_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_outbox_messages_status_locked_until", "status", "locked_until"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), default=Channel.EMAIL)
    to_addresses: Mapped[list[str]] = mapped_column(JSON)
    subject: Mapped[str] = mapped_column(String(SUBJECT_MAX))
    body_text: Mapped[str] = mapped_column(Text)
    template: Mapped[str] = mapped_column(String(64))
    # A string FK (STYLE §2.3): core never imports the tickets domain.
    ticket_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("tickets.id", ondelete="SET NULL"), index=True
    )
    dedupe_key: Mapped[str | None] = mapped_column(String(255), unique=True)
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claim_token: Mapped[str | None] = mapped_column(String(32))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


# --- rendering -------------------------------------------------------------------------------

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_TEMPLATE_NAME = re.compile(r"[a-z][a-z0-9_]*")
_LEADING_COMMENTS = re.compile(r"\A\s*(?:\{#.*?#\}\s*)*", re.DOTALL)
_ADDRESS = re.compile(r"[^@\s<>(),;:\"\[\]\\]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*")


def instant(value: datetime | str | None, tz: str = "UTC") -> str:
    """An instant in English for mail, in the named IANA zone: `Wed 18 Nov 2026, 11:00 CET`."""
    if value is None:
        return "not set"
    if isinstance(value, str):
        return value
    local = value.astimezone(ZoneInfo(tz))
    return (
        f"{_DAYS[local.weekday()]} {local.day} {_MONTHS[local.month - 1]} {local.year}, "
        f"{local:%H:%M} {local.tzname()}"
    )


def duration(value: timedelta | float | int) -> str:
    """A duration in English: `2 d 3 h`, `4 h 10 min`, `25 min`."""
    seconds = int(value.total_seconds() if isinstance(value, timedelta) else value)
    days, rest = divmod(max(seconds, 0), 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min"


def humanize(value: object) -> str:
    """A stored code as words: `pending_third_party` -> `pending third party`."""
    return str(value).replace("_", " ")


_loader = FileSystemLoader(str(PROJECT_ROOT / "templates"))
# Plain-text mail: nothing here is HTML, so escaping would only corrupt it.
_env = Environment(
    loader=_loader,
    autoescape=False,  # noqa: S701
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
_env.filters.update(instant=instant, duration=duration, humanize=humanize)


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    body: str


@dataclass
class _Compiled:
    subject: Template
    body: Template
    uptodate: Callable[[], bool] | None


_compiled: dict[str, _Compiled] = {}


def _compile(name: str) -> _Compiled:
    """Split `mail/<name>.txt` into its `Subject:` line and its body, compiled separately.

    Rendering the subject on its own is what makes header injection impossible: whatever a
    context value contains, the subject is collapsed onto one line afterwards.
    """
    cached = _compiled.get(name)
    if cached is not None and (cached.uptodate is None or cached.uptodate()):
        return cached
    source, filename, uptodate = _loader.get_source(_env, f"mail/{name}.txt")
    source = _LEADING_COMMENTS.sub("", source, count=1)
    first, _, rest = source.partition("\n")
    if not first.startswith("Subject:"):
        raise ValueError(f"{filename}: the first line must be 'Subject: ...'")
    blank, _, body = rest.partition("\n")
    if blank.strip():
        raise ValueError(f"{filename}: a blank line must follow the Subject line")
    compiled = _Compiled(
        _env.from_string(first.removeprefix("Subject:")), _env.from_string(body), uptodate
    )
    _compiled[name] = compiled
    return compiled


def render_email(template: str, context: Mapping[str, Any]) -> RenderedEmail:
    """Render `templates/mail/<template>.txt` with context; raises on an unknown key or name.

    Adds `app_name`, `timezone` ("UTC") and, in an app context, `base_url` (PUBLIC_URL)
    unless the context sets them.
    """
    if not _TEMPLATE_NAME.fullmatch(template):
        raise ValueError(f"not a mail template name: {template!r}")
    compiled = _compile(template)
    defaults: dict[str, Any] = {"app_name": "fieldops", "timezone": "UTC"}
    if has_app_context():
        defaults["base_url"] = str(current_app.config.get("PUBLIC_URL", "")).rstrip("/")
    context = {**defaults, **context}
    # str.split() also splits on CR, LF and the Unicode line separators.
    subject = " ".join(compiled.subject.render(context).split())
    if len(subject) > SUBJECT_MAX:
        subject = subject[: SUBJECT_MAX - 1] + "\u2026"
    body = compiled.body.render(context).replace("\r\n", "\n").replace("\r", "\n")
    return RenderedEmail(subject=subject, body=body.rstrip("\n") + "\n")


# --- queueing ---------------------------------------------------------------------------------

KICK_EXTENSION = "fieldops.outbox.kick"


def register_delivery_kick(app: Flask, kick: Callable[[], None]) -> None:
    """Wire what runs after a commit that queued mail (the wiring layer enqueues a Huey task)."""
    app.extensions[KICK_EXTENSION] = kick


def _kick_delivery() -> None:
    kick = current_app.extensions.get(KICK_EXTENSION)
    if kick is not None:
        kick()


def _kick_after_commit() -> None:
    """Enqueue one delivery kick per unit of work, however many messages it queued."""
    if not has_app_context() or not current_app.config.get("MAIL_KICK", True):
        return
    if current_app.extensions.get(KICK_EXTENSION) is None:
        return
    if _kick_delivery not in _queue():
        enqueue(_kick_delivery)


def _clean_recipients(to: Iterable[str]) -> list[str]:
    if isinstance(to, str):
        raise TypeError("`to` is a list of addresses, not one string")
    seen: set[str] = set()
    clean: list[str] = []
    for position, raw in enumerate(to):
        address = raw.strip()
        if not _ADDRESS.fullmatch(address):  # also refuses CR/LF: no header injection
            raise ValueError(f"recipient {position} is not a plain e-mail address")
        if address.lower() not in seen:
            seen.add(address.lower())
            clean.append(address)
    if not clean:
        raise ValueError("an e-mail needs at least one recipient")
    return clean


def _mail_domain() -> str:
    sender = str(current_app.config.get("MAIL_FROM", "")) if has_app_context() else ""
    domain = sender.rpartition("@")[2].strip(" >")
    return domain or "fieldops.invalid"


def new_message_id() -> str:
    """A fresh RFC 5322 Message-ID in our sender's domain."""
    return f"<{uuid.uuid4().hex}@{_mail_domain()}>"


@overload
def queue_email(
    *,
    to: list[str],
    template: str,
    context: Mapping[str, Any],
    now: datetime,
    ticket_id: int | None = None,
    dedupe_key: str | None = None,
    load: Literal[True] = True,
) -> OutboxMessage | None: ...


@overload
def queue_email(
    *,
    to: list[str],
    template: str,
    context: Mapping[str, Any],
    now: datetime,
    ticket_id: int | None = None,
    dedupe_key: str | None = None,
    load: Literal[False],
) -> int | None: ...


def queue_email(
    *,
    to: list[str],
    template: str,
    context: Mapping[str, Any],
    now: datetime,
    ticket_id: int | None = None,
    dedupe_key: str | None = None,
    load: bool = True,
) -> OutboxMessage | int | None:
    """Render `mail/<template>.txt` and add it to the outbox in the current transaction.

    Flushes only (STYLE §3.2): the message commits or rolls back with the caller's unit of
    work, and after commit the background sender is kicked. `now` (aware) is when it was
    queued and when it first becomes due. With a `dedupe_key` already used, nothing is
    queued and None is returned (an `INSERT ... ON CONFLICT DO NOTHING RETURNING`, safe
    against a concurrent twin on both databases). With `load=False` the new row's id is
    returned instead of the loaded row. Raises ValueError for a bad recipient or
    template name, and jinja2's UndefinedError for a missing context key.
    """
    recipients = _clean_recipients(to)
    rendered = render_email(template, context)
    now = ensure_utc(now)  # a naive instant is a programming error, never local time
    values = {
        "channel": Channel.EMAIL.value,
        "to_addresses": recipients,
        "subject": rendered.subject,
        "body_text": rendered.body,
        "template": template,
        "ticket_id": ticket_id,
        "dedupe_key": dedupe_key,
        "message_id": new_message_id(),
        "status": OutboxStatus.PENDING.value,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }
    statement = upsert_insert(OutboxMessage).values(**values)
    if dedupe_key is not None:
        statement = statement.on_conflict_do_nothing(index_elements=["dedupe_key"])
    new_id = db.session.execute(statement.returning(OutboxMessage.id)).scalar()
    if new_id is None:
        log.info("outbox: %s already queued under its dedupe key, skipped", template)
        return None
    log.info("outbox: queued %s as message %s (ticket %s)", template, new_id, ticket_id)
    _kick_after_commit()
    # Bulk senders (the sweep) skip loading the row back: the id is all they need.
    return db.session.get(OutboxMessage, new_id) if load else int(new_id)
