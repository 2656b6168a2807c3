"""Human-readable, gap-tolerant document numbers (TT-2026-000123), unique under concurrency."""

from __future__ import annotations

from sqlalchemy import Integer, String, UniqueConstraint, select, update
from sqlalchemy.orm import Mapped, mapped_column

from fieldops.db import Model, db, upsert_insert


class NumberCounter(Model):
    """The last number issued per prefix and year.

    The increment is one guarded UPDATE ... RETURNING, so on PostgreSQL the row lock and on
    SQLite BEGIN IMMEDIATE serialise concurrent creators: no two get the same number.
    """

    __tablename__ = "number_counters"
    __table_args__ = (UniqueConstraint("prefix", "year", name="uq_number_counters_prefix_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    prefix: Mapped[str] = mapped_column(String(8))
    year: Mapped[int] = mapped_column(Integer)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


def next_number(prefix: str, year: int) -> str:
    """Reserve the next number for prefix and year; formatted PREFIX-YYYY-NNNNNN."""
    return format_number(prefix, year, reserve_block(prefix, year, 1))


def peek_last(prefix: str, year: int) -> int:
    return (
        db.session.scalar(
            select(NumberCounter.last_value).where(
                NumberCounter.prefix == prefix, NumberCounter.year == year
            )
        )
        or 0
    )


def reserve_block(prefix: str, year: int, count: int) -> int:
    """Reserve `count` consecutive numbers for prefix and year at once; return the first.

    For bulk loaders (seed history): one guarded UPDATE ... RETURNING per block instead of
    one per document. Like next_number, the counter row stays locked (PostgreSQL) or the
    database write-locked (SQLite, BEGIN IMMEDIATE) until commit, so no concurrent caller can
    be handed a number inside the block. Raises ValueError for a count below 1.
    """
    if count < 1:
        raise ValueError(f"count must be at least 1, got {count}")
    bump = (
        update(NumberCounter)
        .where(NumberCounter.prefix == prefix, NumberCounter.year == year)
        .values(last_value=NumberCounter.last_value + count)
        .returning(NumberCounter.last_value)
    )
    last = db.session.execute(bump).scalar()
    if last is None:
        db.session.execute(
            upsert_insert(NumberCounter)
            .values(prefix=prefix, year=year, last_value=0)
            .on_conflict_do_nothing(index_elements=["prefix", "year"])
        )
        last = db.session.execute(bump).scalar()
    if last is None:  # pragma: no cover - the row exists after the insert above
        raise RuntimeError(f"could not allocate {count} {prefix} numbers")
    return int(last) - count + 1


def format_number(prefix: str, year: int, value: int) -> str:
    """The human-readable form next_number issues: PREFIX-YYYY-NNNNNN."""
    return f"{prefix}-{year}-{value:06d}"
