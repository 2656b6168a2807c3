"""The database object, the declarative Base, the UTC datetime type and transaction()."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)

# Models derive from `Model`: db.Model is built at run time, which type checkers cannot see;
# to them it is the typed declarative Base it extends.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC and always returns them aware in UTC.

    SQLite hands back naive values for DateTime(timezone=True); this type makes both
    databases behave the same, and refuses naive input instead of guessing its zone.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive datetime refused: store aware UTC instants only")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def upsert_insert(model: Any) -> Any:
    """`INSERT` for the session's database that supports `.on_conflict_do_nothing()`: the
    PostgreSQL and SQLite dialects both have it, with the same signature (STACK.md pattern for
    idempotent inserts; use `.returning()` to learn whether a row went in)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return pg_insert(model)
    return sqlite_insert(model)


@contextmanager
def transaction() -> Iterator[Any]:
    """One unit of work: commit exactly once, roll back on any error, then send the outbox."""
    # Imported here, not at the top: outbox defines a model on `db`, so it imports this module.
    from fieldops import outbox

    try:
        yield db.session
        db.session.commit()
    except BaseException:
        db.session.rollback()
        outbox.discard()
        raise
    outbox.deliver()


def configure_sqlite(engine: Engine) -> None:
    """WAL, foreign keys, a busy timeout and BEGIN IMMEDIATE for every transaction.

    pysqlite's own transaction handling defers BEGIN and takes the write lock late, which
    makes concurrent writers fail with "database is locked"; taking it at BEGIN makes
    them queue behind busy_timeout instead (STACK.md).
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
