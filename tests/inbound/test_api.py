"""POST /api/v1/inbound-mail: the mail gateway's raw RFC 822 hand-over."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from fieldops.accounts.models import User
from fieldops.inbound.models import InboundMessage
from fieldops.tickets.models import Ticket
from tests.conftest import ApiClient
from tests.inbound.conftest import Mailroom
from tests.inbound.mail import build_mail, sample

URL = "/api/v1/inbound-mail"
RFC822 = {"Content-Type": "message/rfc822"}

Post = Callable[..., Any]


@pytest.fixture
def post_as(api_as: Callable[[User], ApiClient]) -> Callable[[User], Post]:
    def _for(user: User) -> Post:
        api = api_as(user)

        def _post(raw: bytes, content_type: str = "message/rfc822") -> Any:
            return api.client.post(
                URL,
                data=raw,
                headers={"Authorization": f"Bearer {api.token}", "Content-Type": content_type},
            )

        return _post

    return _for


def test_an_agent_posts_a_contacts_mail_and_a_ticket_opens(
    room: Mailroom, post_as: Callable[[User], Post], session: Any
) -> None:
    response = post_as(room.agent)(build_mail(subject="Link down in Krakow"))

    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert set(body) == {"id", "status", "ticket_id", "reason"}
    assert body["status"] == "ticket_created"
    assert body["ticket_id"].startswith("TT-")
    assert body["reason"] is None
    ticket = session.scalar(select(Ticket).where(Ticket.number == body["ticket_id"]))
    assert (ticket.channel, ticket.summary) == ("email", "Link down in Krakow")


def test_an_admin_may_post_and_an_unknown_sender_is_held(
    room: Mailroom, post_as: Callable[[User], Post]
) -> None:
    response = post_as(room.admin)(build_mail(sender="who@nowhere.test"), "text/plain")

    assert response.status_code == 201
    body = response.get_json()
    assert (body["status"], body["ticket_id"]) == ("quarantined", None)
    assert "unknown sender" in body["reason"]


def test_malformed_mail_is_422_with_the_reason_and_kept(
    room: Mailroom, post_as: Callable[[User], Post], session: Any
) -> None:
    raw = b"To: support@fieldops.invalid\nSubject: no sender\n\nhello\n"

    response = post_as(room.agent)(raw, "application/octet-stream")

    assert response.status_code == 422
    body = response.get_json()
    assert set(body) == {"code", "message", "errors"}
    assert body["code"] == "validation_error"
    assert "no From header" in body["message"]
    assert body["errors"] == {"message": ["The mail has no From header."]}
    session.expire_all()
    kept = session.scalars(select(InboundMessage).where(InboundMessage.raw == raw)).one()
    assert kept.status == "rejected"
    assert f"#{kept.id}" in body["message"]


def test_the_same_message_again_is_200_with_the_first_record(
    room: Mailroom, post_as: Callable[[User], Post], session: Any
) -> None:
    post = post_as(room.agent)
    raw = sample("plain.eml").replace(b"Ada@Customer.TEST", room.sender.encode())

    first = post(raw)
    again = post(raw)

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json() == first.get_json()
    assert session.scalar(select(func.count(Ticket.id))) == 1


@pytest.mark.parametrize("role", ["customer", "dispatcher", "manager"])
def test_anyone_but_agents_and_admins_gets_404(
    room: Mailroom, post_as: Callable[[User], Post], session: Any, role: str
) -> None:
    user = room.contact if role == "customer" else _staff(role)

    response = post_as(user)(build_mail())

    assert response.status_code == 404
    assert response.get_json()["code"] == "not_found"
    assert session.scalar(select(func.count(InboundMessage.id))) == 0


def _staff(role: str) -> User:
    from tests.factories import make_user

    return make_user(role=role)


def test_no_token_is_401(client: FlaskClient, session: Any) -> None:
    response = client.post(URL, data=build_mail(), headers=RFC822)

    assert response.status_code == 401


def test_a_json_body_is_415(room: Mailroom, post_as: Callable[[User], Post]) -> None:
    response = post_as(room.agent)(b'{"raw": "..."}', "application/json")

    assert response.status_code == 415
    assert response.get_json()["code"] == "unsupported_media_type"


def test_mail_over_the_limit_is_413_with_the_limit(
    room: Mailroom, post_as: Callable[[User], Post], app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "INBOUND_MAIL_MAX_BYTES", 2000)

    response = post_as(room.agent)(build_mail(body="x" * 5000))

    assert response.status_code == 413
    assert "2000 bytes" in response.get_json()["message"]


def test_the_endpoint_and_its_raw_body_are_in_the_openapi_document(
    client: FlaskClient, session: Any
) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()

    post = spec["paths"][URL]["post"]
    assert "message/rfc822" in post["requestBody"]["content"]
    assert {"201", "200", "422"} <= set(post["responses"])
