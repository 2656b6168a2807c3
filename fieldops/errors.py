"""The DomainError tree and its one mapping to HTTP status codes and the JSON error shape."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A refusal a user can understand: a code, a message and per-field messages."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors: dict[str, list[str]] = errors or {}

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "errors": self.errors}


class NotFoundError(DomainError):
    """The resource does not exist, or the caller may not see it (never say which)."""

    status = 404
    code = "not_found"


class ConflictError(DomainError):
    """The request clashes with current state: an illegal transition, stock, a duplicate."""

    status = 409
    code = "conflict"


class BackorderedError(ConflictError):
    """No location could give the stock: a backorder was recorded (and committed) instead."""

    code = "backordered"


class RuleViolationError(DomainError):
    """Input that breaks a rule: a missing, malformed or out-of-range field."""

    status = 422
    code = "validation_error"

    @classmethod
    def on_field(cls, field: str, message: str) -> RuleViolationError:
        return cls(f"{field}: {message}", {field: [message]})


class ForbiddenError(DomainError):
    """The caller can see the resource but may not perform this action on it."""

    status = 403
    code = "forbidden"


class UnauthorizedError(DomainError):
    """No valid credentials were presented."""

    status = 401
    code = "unauthorized"


def http_error(status: int, message: str, errors: dict[str, list[str]] | None = None) -> dict:
    """Build the JSON error body for a plain HTTP error (404 route, 405, 413...)."""
    codes = {
        400: "bad_request",
        401: "unauthorized",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        409: "conflict",
        413: "payload_too_large",
        415: "unsupported_media_type",
        422: "validation_error",
        428: "precondition_required",
        429: "too_many_requests",
    }
    return {"code": codes.get(status, "error"), "message": message, "errors": errors or {}}
