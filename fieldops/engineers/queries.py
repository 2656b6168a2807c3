"""Reading engineer profiles, their vans' codes, their logins and their absences."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, Select, String, cast, column, func, select, table

from fieldops.accounts.models import User
from fieldops.db import db
from fieldops.engineers.models import Absence, Engineer
from fieldops.errors import NotFoundError

# An id past this is no row's: PostgreSQL's integer columns would refuse to compare it.
MAX_ID = 2**31 - 1

# The van is inventory's (a later domain, which this one may not import: STYLE.md 2.3). Its
# code is read through a bare table reference, as a ForeignKey to a later domain is a string.
_vans = table(
    "stock_locations", column("engineer_id", Integer), column("code", String), column("kind")
)


@dataclass(frozen=True)
class EngineerRow:
    """An engineer with what their JSON shows from other tables."""

    engineer: Engineer
    van: str | None
    user_email: str | None


def find_engineer(engineer_id: int) -> Engineer | None:
    if not 0 < engineer_id <= MAX_ID:
        return None
    return db.session.get(Engineer, engineer_id)


def get_engineer(engineer_id: int) -> Engineer:
    engineer = find_engineer(engineer_id)
    if engineer is None:
        raise NotFoundError(f"No engineer {engineer_id}.", {"engineer_id": ["Unknown engineer."]})
    return engineer


def find_engineer_for_user(user_id: int) -> Engineer | None:
    """The engineer profile linked to a login, if any (one at most: a unique column)."""
    return db.session.scalar(select(Engineer).where(Engineer.user_id == user_id))


def _rows() -> Select[Any]:
    return (
        select(Engineer, _vans.c.code, User.email)
        .outerjoin(_vans, (_vans.c.engineer_id == Engineer.id) & (_vans.c.kind == "van"))
        .outerjoin(User, User.id == Engineer.user_id)
    )


def get_engineer_row(engineer_id: int) -> EngineerRow:
    """One engineer with their van's code and login e-mail. Raises NotFoundError."""
    engineer = get_engineer(engineer_id)
    row = db.session.execute(_rows().where(Engineer.id == engineer.id)).one()
    return EngineerRow(row[0], row[1], row[2])


def list_engineers(
    *,
    skill: str | None = None,
    active: bool | None = None,
    page: int = 1,
    per_page: int = 20,
) -> tuple[list[EngineerRow], int]:
    """Engineers in name order, each with their van's code (None without a van) and login.

    `skill` is one tag (lower-case letters, digits, dashes, as create_engineer stores them);
    it is matched as the quoted JSON string, which such a tag can neither escape nor
    confuse with a longer tag. `active` None means both.
    """
    statement = _rows().order_by(Engineer.name, Engineer.id)
    if skill:
        tag = skill.strip().lower()
        statement = statement.where(cast(Engineer.skills, String).like(f'%"{tag}"%'))
    if active is not None:
        statement = statement.where(Engineer.is_active.is_(active))
    total = db.session.scalar(select(func.count()).select_from(statement.subquery()))
    rows = db.session.execute(statement.limit(per_page).offset((page - 1) * per_page))
    return [EngineerRow(r[0], r[1], r[2]) for r in rows], int(total or 0)


def _absences(engineer_id: int, since: datetime | None, until: datetime | None) -> Select[Absence]:
    statement = select(Absence).where(Absence.engineer_id == engineer_id)
    if since is not None:
        statement = statement.where(Absence.ends_at > since)
    if until is not None:
        statement = statement.where(Absence.starts_at < until)
    return statement.order_by(Absence.starts_at, Absence.id)


def absences_of(
    engineer_id: int, since: datetime | None = None, until: datetime | None = None
) -> list[Absence]:
    """The engineer's absences that overlap [since, until) (either end open when None), in
    start order. Aware datetimes."""
    return list(db.session.scalars(_absences(engineer_id, since, until)))


def list_absences(
    engineer_id: int,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    page: int = 1,
    per_page: int = 20,
) -> tuple[list[Absence], int]:
    """absences_of, a page at a time, with the total."""
    statement = _absences(engineer_id, since, until)
    total = db.session.scalar(select(func.count()).select_from(statement.subquery()))
    rows = db.session.scalars(statement.limit(per_page).offset((page - 1) * per_page))
    return list(rows), int(total or 0)
