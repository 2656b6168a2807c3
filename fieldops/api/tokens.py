"""POST /api/v1/auth/token: trade an e-mail and password for a bearer token."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from fieldops.accounts.services import authenticate, issue_token
from fieldops.clock import utcnow
from fieldops.db import transaction
from fieldops.errors import UnauthorizedError
from fieldops.ratelimit import password_attempts_per_account, password_attempts_per_address

blp = Blueprint("tokens", __name__, description="API tokens")


class TokenRequestSchema(Schema):
    email = fields.String(required=True)
    password = fields.String(required=True, load_only=True)


class TokenSchema(Schema):
    token = fields.String()
    expires_at = fields.AwareDateTime()


@blp.route("/token")
class TokenResource(MethodView):
    # Shared with the login page: one budget of password attempts per address and account.
    decorators = [password_attempts_per_address, password_attempts_per_account]

    @blp.arguments(TokenRequestSchema)
    @blp.response(201, TokenSchema)
    @blp.doc(security=[])
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Issue a bearer token; a wrong e-mail or password is 401."""
        now = utcnow()
        with transaction():
            user = authenticate(body["email"], body["password"])
            if user is None:
                raise UnauthorizedError("Wrong e-mail or password.")
            ttl = timedelta(hours=current_app.config["API_TOKEN_TTL_HOURS"])
            issued = issue_token(user, now=now, ttl=ttl)
        return {"token": issued.token, "expires_at": issued.expires_at}
