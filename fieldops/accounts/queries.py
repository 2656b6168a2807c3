"""Reads of users."""

from __future__ import annotations

from sqlalchemy import select

from fieldops.accounts.models import DESK_ROLES, User
from fieldops.db import db
from fieldops.errors import NotFoundError


def find_user_by_session_id(session_id: str) -> User | None:
    """Resolve Flask-Login's "{id}:{epoch}"; a stale epoch means the session was ended."""
    user_part, _, epoch_part = session_id.partition(":")
    if not user_part.isdigit() or not epoch_part.isdigit():
        return None
    user = db.session.get(User, int(user_part))
    if user is None or not user.is_active or user.session_epoch != int(epoch_part):
        return None
    return user


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


# The largest id either database can compare with: a longer number is no user's id.
MAX_ID = 2**63 - 1


def parse_user_id(ref: str | int) -> int | None:
    """The user id `ref` names, or None when it is not one (an e-mail, say).

    Only ASCII digits count: str.isdigit() is also true for "²", which int() refuses, and a
    number past MAX_ID would overflow the database driver; both used to be a 500.
    """
    if isinstance(ref, int):
        value = ref
    elif ref.isascii() and ref.isdigit():
        value = int(ref)
    else:
        return None
    return value if 0 < value <= MAX_ID else None


def get_desk_user(ref: str | int) -> User:
    """A helpdesk user by id or e-mail. Raises NotFoundError when there is none."""
    user_id = parse_user_id(ref)
    if user_id is not None:
        user = db.session.get(User, user_id)
    elif isinstance(ref, int) or (ref.isascii() and ref.isdigit()):
        user = None  # a number, but out of any id's range
    else:
        user = find_user_by_email(ref)
    if user is None or user.role not in DESK_ROLES:
        raise NotFoundError(f"No helpdesk agent {ref}.", {"assignee": ["Unknown agent."]})
    return user


def list_desk_users() -> list[User]:
    return list(
        db.session.scalars(
            select(User).where(User.role.in_([r.value for r in DESK_ROLES])).order_by(User.name)
        )
    )
