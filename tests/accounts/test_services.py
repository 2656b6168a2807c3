"""Users, passwords and API tokens at the service level, on both databases."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from fieldops.accounts.services import authenticate, create_user, issue_token, user_for_token
from fieldops.errors import ConflictError, RuleViolationError, UnauthorizedError
from tests.factories import PASSWORD, make_customer, make_user


def test_a_user_is_stored_with_a_lower_case_email_and_a_hashed_password(
    session: Any, now: datetime
) -> None:
    user = create_user(email=" Ann@Example.TEST ", password=PASSWORD, role="agent", now=now)
    assert user.email == "ann@example.test"
    assert PASSWORD not in user.password_hash
    assert user.tier == "L1"  # agents start on the first tier
    assert authenticate("ann@example.test", PASSWORD) is user
    assert authenticate("ann@example.test", "not-the-password") is None
    assert authenticate("nobody@example.test", PASSWORD) is None


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"password": "short"}, "password"),
        ({"role": "superuser"}, "role"),
        ({"role": "customer"}, "customer"),
        ({"role": "agent", "tier": "L7"}, "tier"),
        ({"role": "dispatcher", "tier": "L2"}, "tier"),
    ],
)
def test_bad_users_are_refused_naming_the_field(
    session: Any, now: datetime, overrides: dict[str, Any], field: str
) -> None:
    data: dict[str, Any] = {
        "email": "new@example.test",
        "password": PASSWORD,
        "role": "agent",
        "now": now,
    }
    data.update(overrides)
    with pytest.raises(RuleViolationError) as refused:
        create_user(**data)
    assert field in refused.value.errors


def test_only_contacts_belong_to_a_customer(session: Any, now: datetime) -> None:
    customer = make_customer()
    with pytest.raises(RuleViolationError) as refused:
        create_user(
            email="x@example.test",
            password=PASSWORD,
            role="agent",
            customer_id=customer.id,
            now=now,
        )
    assert "customer" in refused.value.errors


def test_an_email_is_taken_once(session: Any, now: datetime) -> None:
    make_user(email="taken@example.test")
    with pytest.raises(ConflictError):
        create_user(email="TAKEN@example.test", password=PASSWORD, role="agent", now=now)


def test_a_token_resolves_to_its_user_until_it_expires(session: Any, now: datetime) -> None:
    user = make_user()
    issued = issue_token(user, now=now, ttl=timedelta(hours=12))
    assert issued.expires_at == now + timedelta(hours=12)
    assert user_for_token(issued.token, now=now + timedelta(hours=11)) is user
    with pytest.raises(UnauthorizedError):
        user_for_token(issued.token, now=now + timedelta(hours=12))
    with pytest.raises(UnauthorizedError):
        user_for_token(issued.token + "x", now=now)


def test_each_token_is_different(session: Any, now: datetime) -> None:
    user = make_user()
    tokens = {issue_token(user, now=now, ttl=timedelta(hours=1)).token for _ in range(3)}
    assert len(tokens) == 3
    assert all(len(t) >= 40 for t in tokens)
