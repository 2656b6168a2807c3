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


def get_desk_user(ref: str | int) -> User:
    """A helpdesk user by id or e-mail. Raises NotFoundError when there is none."""
    if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
        user = db.session.get(User, int(ref))
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
