"""Role checks shared by the API resources."""

from __future__ import annotations

from fieldops.accounts.models import DESK_ROLES, Role, User
from fieldops.errors import ForbiddenError

CUSTOMER_ADMIN_ROLES = DESK_ROLES
PLAN_ADMIN_ROLES = frozenset({Role.MANAGER, Role.ADMIN})


def require_role(user: User, roles: frozenset[Role], action: str) -> None:
    if user.role not in roles:
        raise ForbiddenError(f"Your role may not {action}.")
