"""Idempotency-Key support for POSTs: the same key and body give the same outcome, once.

The claim is an `INSERT ... ON CONFLICT DO NOTHING RETURNING` on UNIQUE(principal, key): on
PostgreSQL a concurrent twin waits on the unique index until the first commits and then
replays its stored response; on SQLite BEGIN IMMEDIATE serialises them. The business write
and the stored response commit together, so a crash leaves neither.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column

from fieldops.db import Model, UTCDateTime, db, upsert_insert
from fieldops.errors import ConflictError, RuleViolationError

KEY_MAX = 255


class IdempotencyRecord(Model):
    __tablename__ = "idempotency_records"
    __table_args__ = (
        UniqueConstraint("principal_id", "key", name="uq_idempotency_records_principal_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    principal_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(KEY_MAX))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


@dataclass(frozen=True)
class Claim:
    record_id: int
    replay: tuple[int, dict[str, Any]] | None


def request_hash(method: str, path: str, body: Any) -> str:
    canonical = json.dumps([method, path, body], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def claim(principal_id: int, key: str, digest: str, now: datetime) -> Claim:
    """Claim a key for this request, or return the stored outcome of an identical one.

    Raises RuleViolationError when the key was used with another body, ConflictError while
    the first request with this key is still running.
    """
    if not key or len(key) > KEY_MAX:
        raise RuleViolationError.on_field("Idempotency-Key", f"Must be 1-{KEY_MAX} characters.")
    inserted = db.session.execute(
        upsert_insert(IdempotencyRecord)
        .values(principal_id=principal_id, key=key, request_hash=digest, created_at=now)
        .on_conflict_do_nothing(index_elements=["principal_id", "key"])
        .returning(IdempotencyRecord.id)
    ).scalar()
    if inserted is not None:
        return Claim(inserted, None)
    existing = db.session.execute(
        select(
            IdempotencyRecord.id,
            IdempotencyRecord.request_hash,
            IdempotencyRecord.status_code,
            IdempotencyRecord.response_body,
        ).where(IdempotencyRecord.principal_id == principal_id, IdempotencyRecord.key == key)
    ).one()
    if existing.request_hash != digest:
        raise RuleViolationError.on_field(
            "Idempotency-Key", "This key was already used with a different request body."
        )
    if existing.status_code is None:
        raise ConflictError("A request with this Idempotency-Key is still being processed.")
    return Claim(existing.id, (existing.status_code, existing.response_body or {}))


def store(record_id: int, status_code: int, body: dict[str, Any]) -> None:
    record = db.session.get(IdempotencyRecord, record_id)
    if record is None:  # pragma: no cover - claimed in this same transaction
        raise RuntimeError("idempotency record vanished")
    record.status_code = status_code
    record.response_body = body
    db.session.flush()
