"""The customer's RFO on the portal: asked for from a resolved P1/P2 ticket's page, followed
there (status and due time, never the drafts), downloaded once published; refusals show the
message on the ticket page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask.testing import FlaskClient

from fieldops.accounts.models import User
from fieldops.clock import utcnow
from fieldops.documents import services as documents
from fieldops.tickets.services import change_status
from tests.documents.pdf_text import flat, pdf_text
from tests.factories import PRIORITY_INPUT, make_current_ticket, make_user
from tests.portal.conftest import World
from tests.web.pages import csrf_token, post_form, text

SECTIONS = {
    "summary": "Fibre cut by road works.",
    "impact": "Both circuits down for 3 hours.",
    "root_cause": "A contractor dug without a permit.",
    "resolution": "Spliced the fibre.",
    "preventive_actions": "Second path via the north duct.",
}


def _resolved(world: World, session: Any, priority: str = "P1") -> str:
    ticket = make_current_ticket(
        world.service, world.contact, ago=timedelta(hours=3), **PRIORITY_INPUT[priority]
    )
    change_status(ticket, actor=make_user(role="agent"), to="resolved", now=utcnow())
    session.commit()
    return ticket.number


def test_a_customer_asks_for_and_later_downloads_the_rfo(
    login_as: Callable[[User], FlaskClient], world: World, session: Any
) -> None:
    number = _resolved(world, session)
    page = f"/portal/tickets/{number}"
    client = login_as(world.contact)
    assert 'data-testid="rfo-request"' in text(client.get(page))
    response = post_form(client, page, f"{page}/rfo", {})
    assert response.status_code == 302
    html = text(client.get(page))
    assert "rfo-request" not in html
    assert "Due by" in html
    assert client.get(f"{page}/rfo.pdf").status_code == 404  # not published yet

    agent, manager = make_user(role="agent"), make_user(role="manager")
    now = utcnow()
    review = {**SECTIONS, "status": "in_review"}
    documents.edit_rfo(actor=agent, ticket_number=number, changes=review, now=now)
    publish = {"status": "published"}
    documents.edit_rfo(actor=manager, ticket_number=number, changes=publish, now=now)
    session.commit()
    html = text(client.get(page))
    assert SECTIONS["root_cause"] in html
    pdf = client.get(f"{page}/rfo.pdf")
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf"
    assert SECTIONS["preventive_actions"] in flat(pdf_text(pdf.data))


def test_no_request_button_for_a_p3_and_a_second_request_is_refused(
    login_as: Callable[[User], FlaskClient], world: World, session: Any
) -> None:
    p3 = _resolved(world, session, "P3")
    client = login_as(world.contact)
    assert "rfo-request" not in text(client.get(f"/portal/tickets/{p3}"))
    p1 = _resolved(world, session)
    page = f"/portal/tickets/{p1}"
    # Two tabs open on the page: the second press finds the RFO already asked for.
    first_tab = client.get(page)
    assert post_form(client, page, f"{page}/rfo", {}).status_code == 302
    again = client.post(f"{page}/rfo", data={"csrf_token": csrf_token(text(first_tab))})
    assert again.status_code == 409
    assert "already been requested" in text(again)


def test_another_customers_ticket_has_no_rfo_for_them(
    login_as: Callable[[User], FlaskClient], world: World, session: Any
) -> None:
    number = _resolved(world, session)
    client = login_as(world.foreign_contact)
    assert client.get(f"/portal/tickets/{number}/rfo.pdf").status_code == 404
