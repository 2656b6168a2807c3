"""REST /api/v1: the flask-smorest Api, bearer-token auth and the JSON error envelope."""

from __future__ import annotations

from typing import Any

from flask import Flask, g, jsonify, request
from flask_smorest import Api
from flask_wtf.csrf import CSRFProtect
from marshmallow import Schema, fields
from werkzeug.exceptions import HTTPException

from fieldops.accounts.models import User
from fieldops.accounts.services import user_for_token
from fieldops.clock import utcnow
from fieldops.errors import NotFoundError, RuleViolationError, UnauthorizedError, http_error

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


class ErrorSchema(Schema):
    """The contract's error body, documented as every operation's error response."""

    code = fields.String(
        required=True, metadata={"description": "validation_error, not_found, conflict, ..."}
    )
    message = fields.String(required=True)
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        required=True,
        metadata={"description": "Messages per field name; empty when no field is at fault."},
    )


class FieldopsApi(Api):
    """flask-smorest registers its HTTP error handler app-wide; keep it to /api/ paths.

    Its default error schema documents {code: int, status, message, errors}; ours is
    {code: str, message, errors}, so the document describes what clients really get.
    """

    ERROR_SCHEMA = ErrorSchema

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


def _nul_fields(value: Any, path: str = "") -> list[str]:
    """Names of the fields (dotted, as in error bodies) whose text holds a NUL character."""
    if isinstance(value, str):
        return [path or "_schema"] if "\x00" in value else []
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            name = f"{path}.{key}" if path else str(key)
            found.extend([name] if "\x00" in str(key) else _nul_fields(item, name))
    elif isinstance(value, list):
        for item in value:
            found.extend(_nul_fields(item, path))
    return found


def _refuse_nul_characters() -> None:
    """PostgreSQL text cannot hold NUL (U+0000): the INSERT or the query would fail with a 500
    there and succeed on SQLite. Refuse it on both: a 422 naming the field, or a 404 for an
    ID in the path."""
    if not request.path.startswith(API_PREFIX) or request.endpoint is None:
        return
    if any("\x00" in str(value) for value in (request.view_args or {}).values()):
        raise NotFoundError("No such resource.")  # no ID holds a NUL: nothing is there
    names = [name for name, value in request.args.items(multi=True) if "\x00" in value]
    if request.is_json:
        names.extend(_nul_fields(request.get_json(silent=True)))
    if names:
        problem = "Must not contain NUL (U+0000) characters."
        fields_named = sorted(set(names))
        raise RuleViolationError(
            f"Invalid input: {', '.join(fields_named)}: {problem}",
            {name: [problem] for name in fields_named},
        )


def register_api(app: Flask, csrf: CSRFProtect) -> None:
    from fieldops.api import (
        customers,
        docs,
        engineers,
        escalation_matrices,
        inbound_mail,
        jobs,
        locations,
        part_types,
        problems,
        reservations,
        rfos,
        route_plans,
        sla_plans,
        stock,
        tickets,
        tokens,
    )

    api = FieldopsApi(app)
    for blueprint, prefix in (
        (tokens.blp, "/auth"),
        (customers.customers_blp, "/customers"),
        (customers.services_blp, "/services"),
        (sla_plans.blp, "/sla-plans"),
        (tickets.blp, "/tickets"),
        (rfos.blp, "/tickets"),
        (rfos.list_blp, "/rfos"),
        (problems.blp, "/problems"),
        (escalation_matrices.blp, "/escalation-matrices"),
        (inbound_mail.blp, "/inbound-mail"),
        (part_types.blp, "/part-types"),
        (locations.blp, "/locations"),
        (stock.blp, "/stock"),
        (reservations.blp, "/reservations"),
        (engineers.blp, "/engineers"),
        (jobs.blp, "/jobs"),
        (route_plans.blp, "/route-plans"),
    ):
        csrf.exempt(blueprint)
        api.register_blueprint(blueprint, url_prefix=f"{API_PREFIX}{prefix}")
    app.register_blueprint(docs.bp, url_prefix=API_PREFIX)
    api.spec.components.security_scheme(
        "bearer", {"type": "http", "scheme": "bearer", "bearerFormat": "opaque"}
    )
    api.spec.options["security"] = [{"bearer": []}]
    app.before_request(_authenticate)
    app.before_request(_refuse_nul_characters)

    @app.errorhandler(UnauthorizedError)
    def _unauthorized(error: UnauthorizedError) -> Any:
        response = jsonify(error.to_dict())
        response.status_code = 401
        response.headers["WWW-Authenticate"] = 'Bearer realm="fieldops"'
        return response
