"""Role checks shared by the API resources."""

from __future__ import annotations

from collections.abc import Mapping

from flask import request
from flask_smorest import Blueprint

from fieldops.accounts.models import DESK_ROLES, Role, User
from fieldops.api import current_api_user
from fieldops.dispatch.rules import DISPATCH_ROLES, JOB_CREATOR_ROLES, JOB_VIEWER_ROLES
from fieldops.errors import ForbiddenError, NotFoundError
from fieldops.inventory.rules import RESERVING_ROLES, STOCK_KEEPER_ROLES, STOCK_VIEWER_ROLES

CUSTOMER_ADMIN_ROLES = DESK_ROLES
PLAN_ADMIN_ROLES = frozenset({Role.MANAGER, Role.ADMIN})
# Who enrols engineers and changes their profiles and absences.
ENGINEER_ADMIN_ROLES = frozenset({Role.DISPATCHER, Role.MANAGER, Role.ADMIN})
# Who may report any engineer's position (an engineer may always report their own).
POSITION_ROLES = frozenset({Role.DISPATCHER})
# Who may report a job's field status: the job's own engineer (the service checks whose job
# it is) or a dispatcher recording it for them.
FIELD_REPORT_ROLES = DISPATCH_ROLES | {Role.ENGINEER}
# Re-exported so the stock resources name their role sets in one place.
__all__ = [
    "CUSTOMER_ADMIN_ROLES",
    "DISPATCH_ROLES",
    "ENGINEER_ADMIN_ROLES",
    "FIELD_REPORT_ROLES",
    "JOB_CREATOR_ROLES",
    "JOB_VIEWER_ROLES",
    "PLAN_ADMIN_ROLES",
    "POSITION_ROLES",
    "RESERVING_ROLES",
    "STOCK_KEEPER_ROLES",
    "STOCK_VIEWER_ROLES",
    "guard_job_blueprint",
    "guard_stock_blueprint",
    "require_role",
]

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def require_role(user: User, roles: frozenset[Role], action: str) -> None:
    if user.role not in roles:
        raise ForbiddenError(f"Your role may not {action}.")


def guard_stock_blueprint(blueprint: Blueprint, write_roles: frozenset[str], action: str) -> None:
    """Check every request to a stock resource before its input is parsed.

    Customers never learn that stock exists: 404 on every path, whatever the body (a 422 or
    403 would tell them the resource is there). Staff outside STOCK_VIEWER_ROLES get 403;
    writes need `write_roles` (403 otherwise). Runs after the app's bearer-token check.
    """

    @blueprint.before_request
    def _guard() -> None:
        user = current_api_user()
        if user.is_customer:
            raise NotFoundError("No such resource.")
        if user.role not in STOCK_VIEWER_ROLES:
            raise ForbiddenError("Your role may not see stock.")
        if request.method not in READ_METHODS and user.role not in write_roles:
            raise ForbiddenError(f"Your role may not {action}.")


def guard_job_blueprint(
    blueprint: Blueprint, write_roles: Mapping[str, tuple[frozenset[str], str]]
) -> None:
    """Check every request to a dispatch resource before its input is parsed.

    Customers never learn that jobs exist: 404 on every path, whatever the body. Staff
    outside JOB_VIEWER_ROLES get 403. A write needs the roles `write_roles` gives its view
    (keyed by the MethodView's name, with the action for the message); a write view missing
    from it is refused, so a new one is closed until someone decides who may call it.
    """

    @blueprint.before_request
    def _guard() -> None:
        user = current_api_user()
        if user.is_customer:
            raise NotFoundError("No such resource.")
        if user.role not in JOB_VIEWER_ROLES:
            raise ForbiddenError("Your role may not see dispatch jobs.")
        if request.method in READ_METHODS:
            return
        view = (request.endpoint or "").rpartition(".")[2]
        roles, action = write_roles.get(view, (frozenset(), "do that"))
        if user.role not in roles:
            raise ForbiddenError(f"Your role may not {action}.")
