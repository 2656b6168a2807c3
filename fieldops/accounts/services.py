"""Creating users, checking passwords and issuing API tokens. Services flush, never commit."""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from fieldops.accounts.models import ApiToken, Role, Tier, User
from fieldops.db import db
from fieldops.errors import ConflictError, RuleViolationError, UnauthorizedError

log = logging.getLogger(__name__)

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD_LENGTH = 8
# A hash to compare against when the e-mail is unknown, so both paths take the same time.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_user(
    *,
    email: str,
    password: str,
    role: str,
    now: datetime,
    name: str | None = None,
    customer_id: int | None = None,
    tier: str | None = None,
    can_technical: bool = True,
    can_billing: bool = False,
) -> User:
    """Create a user. Raises RuleViolationError for bad input, ConflictError for a taken e-mail."""
    errors: dict[str, list[str]] = {}
    email = email.strip().lower()
    if not EMAIL_RE.match(email):
        errors["email"] = ["Not a valid e-mail address."]
    if len(password) < MIN_PASSWORD_LENGTH:
        errors["password"] = [f"Must be at least {MIN_PASSWORD_LENGTH} characters."]
    if role not in {r.value for r in Role}:
        errors["role"] = [f"Must be one of: {', '.join(r.value for r in Role)}."]
    if role == Role.CUSTOMER and customer_id is None:
        errors["customer"] = ["A customer contact needs a customer."]
    if role != Role.CUSTOMER and customer_id is not None:
        errors["customer"] = ["Only customer contacts belong to a customer."]
    if tier is not None and tier not in {t.value for t in Tier}:
        errors["tier"] = ["Must be one of: L1, L2, L3."]
    if tier is not None and role != Role.AGENT:
        errors["tier"] = ["Only agents have a tier."]
    if errors:
        raise RuleViolationError("The user could not be created.", errors)
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise ConflictError("A user with this e-mail already exists.", {"email": ["Taken."]})
    user = User(
        email=email,
        name=name or email.split("@")[0],
        password_hash=generate_password_hash(password),
        role=role,
        tier=tier if tier else (Tier.L1.value if role == Role.AGENT else None),
        customer_id=customer_id,
        can_technical=can_technical,
        can_billing=can_billing,
        created_at=now,
    )
    db.session.add(user)
    db.session.flush()
    log.info("user %s created with role %s", user.id, role)
    return user


def authenticate(email: str, password: str) -> User | None:
    """Return the active user with this e-mail and password, or None."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.is_active:
        return None
    return user


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: datetime


def issue_token(user: User, *, now: datetime, ttl: timedelta) -> IssuedToken:
    raw = secrets.token_urlsafe(32)
    db.session.add(
        ApiToken(user_id=user.id, token_hash=hash_token(raw), created_at=now, expires_at=now + ttl)
    )
    db.session.flush()
    return IssuedToken(token=raw, expires_at=now + ttl)


def user_for_token(raw: str, *, now: datetime) -> User:
    """Resolve a bearer token. Raises UnauthorizedError when missing, wrong, expired or revoked."""
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(raw)))
    if token is None or token.revoked_at is not None or token.expires_at <= now:
        raise UnauthorizedError("The token is missing, wrong or expired.")
    user = db.session.get(User, token.user_id)
    if user is None or not user.is_active:
        raise UnauthorizedError("The token is missing, wrong or expired.")
    return user
