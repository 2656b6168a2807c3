"""/inbound-mail: the mail gateway hands over one raw RFC 822 message per POST.

The body is the message itself (Content-Type message/rfc822, text/plain or
application/octet-stream), at most INBOUND_MAIL_MAX_BYTES. Only agent and admin tokens may
post (the gateway's account); anyone else gets 404, as if the endpoint did not exist.

Outcomes: 201 with the new record (a ticket, a work-log event, or a mail held for an agent
to verify); 200 with the first record when the Message-ID was received before; 422 for
malformed mail, whose record is committed first so it is kept for inspection.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields
from werkzeug.exceptions import RequestEntityTooLarge

from fieldops.api import current_api_user
from fieldops.clock import utcnow
from fieldops.db import transaction
from fieldops.errors import DomainError, NotFoundError, RuleViolationError
from fieldops.inbound import queries, services
from fieldops.inbound.models import STATUSES, InboundMessage, InboundStatus, ReceivedVia

blp = Blueprint("inbound_mail", __name__, description="Inbound e-mail from the mail gateway")

MAIL_TYPES = ("message/rfc822", "text/plain", "application/octet-stream")


class UnsupportedMediaTypeError(DomainError):
    status = 415
    code = "unsupported_media_type"


class PayloadTooLargeError(DomainError):
    status = 413
    code = "payload_too_large"


class InboundMessageSchema(Schema):
    id = fields.Integer(metadata={"description": "The inbound record's number."})
    status = fields.String(metadata={"enum": list(STATUSES)})
    ticket_id = fields.String(
        allow_none=True,
        metadata={"description": "The ticket the mail opened or was added to (TT-2026-000123)."},
    )
    reason = fields.String(
        allow_none=True, metadata={"description": "Why the mail is held or was refused."}
    )


def _payload(message: InboundMessage) -> dict[str, Any]:
    return {
        "id": message.id,
        "status": message.status,
        "ticket_id": queries.ticket_number_of(message),
        "reason": message.reason,
    }


_RAW_BODY = {
    "required": True,
    "description": "The whole message as received: headers, blank line, body (RFC 5322).",
    "content": {media: {"schema": {"type": "string", "format": "binary"}} for media in MAIL_TYPES},
}


@blp.route("")
class InboundMail(MethodView):
    @blp.doc(requestBody=_RAW_BODY)
    @blp.response(201, InboundMessageSchema, description="Received: a ticket, an event or held.")
    @blp.alt_response(200, schema=InboundMessageSchema, description="Received before (same ID).")
    @blp.alt_response(413, schema="Error", description="Larger than the configured limit.")
    @blp.alt_response(415, schema="Error", description="Not a raw mail content type.")
    @blp.alt_response(422, schema="Error", description="Malformed mail; kept for inspection.")
    def post(self) -> Any:
        """Ingest one raw e-mail (agent or admin token)."""
        user = current_api_user()
        if user.role not in services.INGEST_ROLES:
            raise NotFoundError("No such resource.")  # never 403: it would say it exists
        if request.mimetype not in MAIL_TYPES:
            raise UnsupportedMediaTypeError(
                f"Send the raw message as one of: {', '.join(MAIL_TYPES)}.",
                {"content_type": [f"Got {request.mimetype or 'none'}."]},
            )
        limit = int(current_app.config["INBOUND_MAIL_MAX_BYTES"])
        request.max_content_length = limit  # this endpoint's own limit, not the form uploads'
        try:
            raw = request.get_data(cache=False)
        except RequestEntityTooLarge:
            # Refused before it is read, so not stored: the gateway keeps it and bounces it.
            raise PayloadTooLargeError(
                f"The mail is larger than the limit of {limit} bytes.",
                {"message": [f"At most {limit} bytes."]},
            ) from None
        with transaction():
            received = services.ingest(
                raw, now=utcnow(), received_via=ReceivedVia.API, actor=user, max_bytes=limit
            )
            payload = _payload(received.message)
        if payload["status"] == InboundStatus.REJECTED:
            # After the commit: the refused mail stays on record for inspection.
            reason = payload["reason"] or "The mail is malformed."
            raise RuleViolationError(
                f"Malformed mail, kept as inbound e-mail #{payload['id']}: {reason}",
                {"message": [reason]},
            )
        return payload, 200 if received.duplicate else 201
