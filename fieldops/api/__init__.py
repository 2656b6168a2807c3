"""REST /api/v1: the flask-smorest Api, bearer-token auth and the JSON error envelope."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g, jsonify, request
from flask_smorest import Api
from flask_wtf.csrf import CSRFProtect
from werkzeug.exceptions import HTTPException

from fieldops.accounts.models import User
from fieldops.accounts.services import user_for_token
from fieldops.clock import utcnow
from fieldops.errors import UnauthorizedError, http_error

API_PREFIX = "/api/v1"
PUBLIC_ENDPOINTS = frozenset({"tokens.TokenResource", "api-docs.openapi_json", "api_docs.docs"})


def _flatten(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """webargs nests errors by location and field; the contract wants {field: [messages]}."""
    flat: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = str(key)
            if not prefix and name in ("json", "query", "form", "headers", "files"):
                flat.update(_flatten(value, ""))
            elif name == "_schema":
                flat.setdefault(prefix or "_schema", []).extend(_as_list(value))
            else:
                flat.update(_flatten(value, f"{prefix}.{name}" if prefix else name))
    else:
        flat.setdefault(prefix or "_schema", []).extend(_as_list(messages))
    return flat


def _as_list(value: Any) -> list[str]:
    if isinstance(value, list):
        out: list[str] = []
        for item in value:
            out.extend(_as_list(item))
        return out
    if isinstance(value, dict):
        return [f"{k}: {', '.join(_as_list(v))}" for k, v in value.items()]
    return [str(value)]


class FieldopsApi(Api):
    """flask-smorest registers its HTTP error handler app-wide; keep it to /api/ paths."""

    def handle_http_exception(self, error: HTTPException) -> Any:
        if not request.path.startswith("/api/"):
            return error
        status = error.code or 500
        data = getattr(error, "data", None) or {}
        errors = _flatten(data.get("messages", {})) if data else {}
        if status == 422:
            message = "Invalid input: " + "; ".join(
                f"{field}: {' '.join(msgs)}" for field, msgs in errors.items()
            )
        else:
            message = data.get("message") or error.description or error.name
        response = jsonify(http_error(status, str(message), errors))
        response.status_code = status
        # Keep Allow on 405 and the like (flask-smorest's own handler drops it: STACK.md).
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response


def current_api_user() -> User:
    user: User | None = g.get("api_user")
    if user is None:  # pragma: no cover - the before_request hook guarantees it
        raise UnauthorizedError("Authentication required.")
    return user


def _authenticate() -> None:
    """Every API call but token issue and the docs needs a bearer token; cookies never count."""
    if not request.path.startswith(API_PREFIX) or request.endpoint in PUBLIC_ENDPOINTS:
        return
    if request.endpoint is None:
        return
    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        raise UnauthorizedError("Send a bearer token: Authorization: Bearer <token>.")
    g.api_user = user_for_token(raw.strip(), now=utcnow())


def at_risk_share() -> float:
    return float(current_app.config.get("SLA_AT_RISK_SHARE", 0.8))


def register_api(app: Flask, csrf: CSRFProtect) -> None:
    from fieldops.api import customers, docs, sla_plans, tickets, tokens

    api = FieldopsApi(app)
    for blueprint, prefix in (
        (tokens.blp, "/auth"),
        (customers.customers_blp, "/customers"),
        (customers.services_blp, "/services"),
        (sla_plans.blp, "/sla-plans"),
        (tickets.blp, "/tickets"),
    ):
        csrf.exempt(blueprint)
        api.register_blueprint(blueprint, url_prefix=f"{API_PREFIX}{prefix}")
    app.register_blueprint(docs.bp, url_prefix=API_PREFIX)
    api.spec.components.security_scheme(
        "bearer", {"type": "http", "scheme": "bearer", "bearerFormat": "opaque"}
    )
    api.spec.options["security"] = [{"bearer": []}]
    app.before_request(_authenticate)

    @app.errorhandler(UnauthorizedError)
    def _unauthorized(error: UnauthorizedError) -> Any:
        response = jsonify(error.to_dict())
        response.status_code = 401
        response.headers["WWW-Authenticate"] = 'Bearer realm="fieldops"'
        return response
