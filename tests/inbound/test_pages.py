"""The desk's mail quarantine: the list, one held mail, release and discard with CSRF tokens."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from fieldops.accounts.models import User
from fieldops.clock import utcnow
from fieldops.inbound import services
from fieldops.inbound.models import InboundMessage
from fieldops.tickets.models import Ticket
from tests.factories import make_current_ticket
from tests.inbound.conftest import Mailroom
from tests.inbound.mail import build_mail
from tests.web.pages import post_form, text

LIST = "/desk/quarantine"


def _held(session: Any, **kwargs: Any) -> InboundMessage:
    raw = build_mail(sender="colleague@customer.test", **kwargs)
    message = services.ingest(raw, now=utcnow(), received_via="api", actor=None).message
    session.commit()
    assert message.status == "quarantined"
    return message


@pytest.fixture
def desk(login_as: Callable[[User], FlaskClient], room: Mailroom) -> FlaskClient:
    return login_as(room.agent)


def test_the_desk_nav_links_to_the_quarantine(desk: FlaskClient) -> None:
    html = text(desk.get("/desk/tickets"))

    assert f'href="{LIST}"' in html


def test_the_list_shows_held_mail_with_sender_subject_and_reason(
    desk: FlaskClient, session: Any, room: Mailroom
) -> None:
    held = _held(session, subject="Fibre cut near the depot")
    services.ingest(build_mail(sender=room.sender), now=utcnow(), received_via="cli", actor=None)
    session.commit()

    response = desk.get(LIST)

    html = text(response)
    assert response.status_code == 200
    assert html.count('data-testid="inbound-row"') == 1  # the contact's mail became a ticket
    assert f'data-id="{held.id}"' in html
    assert "Fibre cut near the depot" in html
    assert "colleague@customer.test" in html
    assert "unknown sender" in html


def test_the_detail_page_shows_the_mail_and_prefills_what_it_names(
    desk: FlaskClient, session: Any, room: Mailroom
) -> None:
    held = _held(session, subject=f"{room.service.code} flapping", body="Flaps every 5 minutes.")

    html = text(desk.get(f"{LIST}/{held.id}"))

    assert "Flaps every 5 minutes." in html
    assert "colleague@customer.test" in html
    assert "unknown sender" in html
    assert f'<option value="{room.service.code}" selected>' in html


def test_releasing_opens_a_ticket_for_the_chosen_contact(
    desk: FlaskClient, session: Any, room: Mailroom
) -> None:
    held = _held(session, subject="Outage in Krakow", body="Everything is down.")
    page = f"{LIST}/{held.id}"

    response = post_form(
        desk,
        page,
        f"{page}/release",
        {"service_id": room.service.code, "contact_email": room.sender, "note": "Verified"},
    )

    assert response.status_code == 302
    session.expire_all()
    message = session.get(InboundMessage, held.id)
    ticket = session.get(Ticket, message.ticket_id)
    assert (message.status, message.decided_by_id) == ("released", room.agent.id)
    assert (ticket.summary, ticket.requester_id) == ("Outage in Krakow", room.contact.id)
    follow = desk.get(response.headers["Location"])
    assert f"released to {ticket.number}" in text(follow)
    assert f'data-id="{held.id}"' not in text(follow)  # no longer waiting
    detail = text(desk.get(page))
    assert f'href="/desk/tickets/{ticket.number}"' in detail
    assert "Verified" in detail
    assert 'data-testid="release-form"' not in detail  # decided once, for good


def test_releasing_onto_a_ticket_adds_the_contacts_reply(
    desk: FlaskClient, session: Any, room: Mailroom
) -> None:
    ticket = make_current_ticket(room.service, room.contact)
    held = _held(session, subject=f"Re: {ticket.number}", body="Power is back.")
    page = f"{LIST}/{held.id}"

    form = text(desk.get(page))
    assert f'value="{ticket.number}"' in form  # suggested from the subject
    response = post_form(
        desk, page, f"{page}/release", {"ticket_id": ticket.number, "contact_email": room.sender}
    )

    assert response.status_code == 302
    log = text(desk.get(f"/desk/tickets/{ticket.number}"))
    assert "Power is back." in log


def test_a_refused_release_shows_why_and_changes_nothing(
    desk: FlaskClient, session: Any, room: Mailroom
) -> None:
    held = _held(session)
    page = f"{LIST}/{held.id}"

    response = post_form(
        desk,
        page,
        f"{page}/release",
        {"service_id": room.service.code, "contact_email": room.other_contact.email},
    )

    html = text(response)
    assert response.status_code == 422
    assert "Refused (422)" in html
    assert "No contact of this service&#39;s customer has this e-mail." in html
    session.expire_all()
    assert session.get(InboundMessage, held.id).status == "quarantined"


def test_discarding_needs_a_reason_and_keeps_the_mail(
    desk: FlaskClient, session: Any, room: Mailroom
) -> None:
    held = _held(session)
    page = f"{LIST}/{held.id}"

    refused = post_form(desk, page, f"{page}/discard", {"reason": ""})
    done = post_form(desk, page, f"{page}/discard", {"reason": "Newsletter"})

    assert refused.status_code == 422
    assert "Say why the mail is discarded." in text(refused)
    assert done.status_code == 302
    session.expire_all()
    message = session.get(InboundMessage, held.id)
    assert (message.status, message.decision_note) == ("discarded", "Newsletter")
    shown = text(desk.get(f"{LIST}?status=discarded"))
    assert f'data-id="{held.id}"' in shown


def test_rejected_mail_can_be_inspected_raw(
    desk: FlaskClient, session: Any, room: Mailroom
) -> None:
    raw = b"Subject: lost sender\n\nThe body of a broken mail.\n"
    message = services.ingest(raw, now=utcnow(), received_via="cli", actor=None).message
    session.commit()

    html = text(desk.get(f"{LIST}/{message.id}"))

    assert "The mail has no From header." in html
    assert "The body of a broken mail." in html
    assert 'data-testid="release-form"' not in html


def test_customers_get_404_and_cannot_release(
    login_as: Callable[[User], FlaskClient], session: Any, room: Mailroom
) -> None:
    held = _held(session)
    client = login_as(room.contact)

    assert client.get(LIST).status_code == 404
    assert client.get(f"{LIST}/{held.id}").status_code == 404
    # A valid token from the customer's own portal page: the refusal is the desk's, not CSRF's.
    response = post_form(
        client, "/portal/services", f"{LIST}/{held.id}/release", {"service_id": room.service.code}
    )

    assert response.status_code == 404
    session.expire_all()
    assert session.get(InboundMessage, held.id).status == "quarantined"
