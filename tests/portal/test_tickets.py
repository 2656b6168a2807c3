"""Portal ticket pages: my tickets, one ticket with its public log, comments, confirm/reject."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

from fieldops.accounts.models import User
from fieldops.clock import utcnow
from fieldops.tickets import services
from fieldops.tickets.models import Ticket
from tests.factories import make_current_ticket, make_user
from tests.portal.conftest import World
from tests.web.pages import post_form, switch_user, text


def _resolved(ticket: Ticket, agent: User) -> Ticket:
    services.change_status(ticket, actor=agent, to="in_progress", now=utcnow())
    services.change_status(ticket, actor=agent, to="resolved", note="Port replaced.", now=utcnow())
    return ticket


def test_my_tickets_lists_status_priority_and_created_and_only_mine(
    login_as: Callable[[User], FlaskClient], world: World, session: Any
) -> None:
    mine = make_current_ticket(world.service, world.contact, summary="Mine: link down")
    theirs = make_current_ticket(world.foreign_service, world.foreign_contact)
    session.commit()

    html = text(login_as(world.contact).get("/portal/tickets"))

    row = re.search(rf'<tr data-testid="ticket-row">.*?{mine.number}.*?</tr>', html, re.S)
    assert row, html
    assert "Mine: link down" in row.group(0)
    assert ">New<" in row.group(0)
    assert ">P1<" in row.group(0)
    assert "UTC+00:00" in row.group(0)  # created, with its offset
    assert theirs.number not in html


def test_my_tickets_filters_by_status_and_paginates(
    login_as: Callable[[User], FlaskClient], world: World, session: Any
) -> None:
    agent = make_user(role="agent")
    tickets = [make_current_ticket(world.service, world.contact) for _ in range(21)]
    _resolved(tickets[0], agent)
    session.commit()
    client = login_as(world.contact)

    resolved = text(client.get("/portal/tickets?status=resolved"))
    first = text(client.get("/portal/tickets"))
    second = text(client.get("/portal/tickets?page=2"))

    assert resolved.count('data-testid="ticket-row"') == 1
    assert tickets[0].number in resolved
    assert first.count('data-testid="ticket-row"') == 20
    assert "21 tickets · page 1 of 2" in first
    assert second.count('data-testid="ticket-row"') == 1


def test_ticket_page_shows_fields_sla_and_only_the_public_log(
    login_as: Callable[[User], FlaskClient], world: World, session: Any
) -> None:
    agent = make_user(role="agent", name="Desk Dana")
    ticket = make_current_ticket(
        world.service, world.contact, ip_address="192.0.2.7", circuit_id="CID-WAW-1"
    )
    services.add_event(
        ticket, actor=agent, kind="comment", body="Customer is grumpy", public=False, now=utcnow()
    )
    services.add_event(
        ticket, actor=agent, kind="comment", body="We are on it.", public=True, now=utcnow()
    )
    session.commit()

    html = text(login_as(world.contact).get(f"/portal/tickets/{ticket.number}"))

    assert f'<span data-testid="ticket-id">{ticket.number}</span>' in html
    assert "192.0.2.7" in html
    assert "CID-WAW-1" in html
    assert "Resolution due" in html
    assert 'data-testid="sla-left"' in html
    assert 'data-testid="sla-breached">no' in html
    assert "We are on it." in html
    assert "Customer is grumpy" not in html


def test_times_are_shown_in_the_browser_zone_with_offset(
    login_as: Callable[[User], FlaskClient], world: World, session: Any
) -> None:
    ticket = make_current_ticket(world.service, world.contact)
    session.commit()
    client = login_as(world.contact)
    client.set_cookie("tz", "Asia/Kolkata")

    html = text(client.get(f"/portal/tickets/{ticket.number}"))

    assert "UTC+05:30" in html
    assert "Times are shown in Asia/Kolkata." in html


def test_another_customers_ticket_is_not_found(
    login_as: Callable[[User], FlaskClient], world: World, session: Any
) -> None:
    theirs = make_current_ticket(world.foreign_service, world.foreign_contact)
    mine = make_current_ticket(world.service, world.contact)
    session.commit()
    client = login_as(world.contact)

    assert client.get(f"/portal/tickets/{theirs.number}").status_code == 404
    comment = post_form(
        client,
        f"/portal/tickets/{mine.number}",
        f"/portal/tickets/{theirs.number}/comments",
        {"body": "hello"},
    )
    assert comment.status_code == 404


def test_customer_adds_a_public_comment(
    login_as: Callable[[User], FlaskClient], world: World, session: Any
) -> None:
    ticket = make_current_ticket(world.service, world.contact)
    session.commit()
    client = login_as(world.contact)
    page = f"/portal/tickets/{ticket.number}"

    response = post_form(client, page, f"{page}/comments", {"body": "Rebooted the CPE, no change."})

    assert response.status_code == 302
    html = text(client.get(page))
    assert "Your comment was added" in html
    assert "Rebooted the CPE, no change." in html


def test_empty_comment_is_refused_next_to_the_field(
    login_as: Callable[[User], FlaskClient], world: World, session: Any
) -> None:
    ticket = make_current_ticket(world.service, world.contact)
    session.commit()
    page = f"/portal/tickets/{ticket.number}"

    response = post_form(login_as(world.contact), page, f"{page}/comments", {"body": "   "})

    assert response.status_code == 422
    assert re.search(r'data-testid="error-body">Must not be empty', text(response))


def test_resolved_ticket_offers_confirm_which_closes_it(
    login_as: Callable[[User], FlaskClient], world: World, session: Any
) -> None:
    ticket = _resolved(make_current_ticket(world.service, world.contact), make_user())
    session.commit()
    client = login_as(world.contact)
    page = f"/portal/tickets/{ticket.number}"
    assert 'data-testid="confirmation"' in text(client.get(page))

    response = post_form(client, page, f"{page}/confirmation", {"decision": "confirm"})

    assert response.status_code == 302
    html = text(client.get(page))
    assert 'data-testid="status">Closed<' in html
    assert 'data-testid="confirmation"' not in html


def test_reject_needs_a_comment_and_then_reopens(
    login_as: Callable[[User], FlaskClient], world: World, session: Any
) -> None:
    ticket = _resolved(make_current_ticket(world.service, world.contact), make_user())
    session.commit()
    client = login_as(world.contact)
    page = f"/portal/tickets/{ticket.number}"

    refused = post_form(client, page, f"{page}/confirmation", {"decision": "reject"})
    still = text(client.get(page))
    reopened = post_form(
        client, page, f"{page}/confirmation", {"decision": "reject", "comment": "Still flapping."}
    )

    assert refused.status_code == 422
    assert re.search(r'data-testid="error-comment">Say what is still wrong', text(refused))
    assert 'data-testid="status">Resolved<' in still
    assert reopened.status_code == 302
    html = text(client.get(page))
    assert 'data-testid="status">In progress<' in html
    assert "Still flapping." in html


def test_confirming_a_ticket_that_is_not_resolved_is_409(
    login_as: Callable[[User], FlaskClient], world: World, session: Any
) -> None:
    ticket = make_current_ticket(world.service, world.contact)
    session.commit()
    page = f"/portal/tickets/{ticket.number}"

    response = post_form(
        login_as(world.contact), page, f"{page}/confirmation", {"decision": "confirm"}
    )

    assert response.status_code == 409
    assert re.search(r'data-testid="action-error">Ticket .* not resolved', text(response))
    assert 'data-testid="status">New<' in text(response)


def test_staff_are_sent_to_the_desk_and_customers_kept_out_of_it(
    login_as: Callable[[User], FlaskClient], world: World, session: Any
) -> None:
    agent = make_user(role="agent")
    engineer = make_user(role="engineer")
    session.commit()
    client = login_as(world.contact)
    assert client.get("/desk/tickets").status_code == 404

    switch_user(client, agent)
    to_desk = client.get("/portal/tickets")
    switch_user(client, engineer)
    other_staff = client.get("/portal/services")

    assert to_desk.status_code == 302
    assert to_desk.headers["Location"].endswith("/desk/tickets")
    assert other_staff.status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client: FlaskClient) -> None:
    response = client.get("/portal/tickets")

    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_home_sends_customers_to_their_services(
    login_as: Callable[[User], FlaskClient], world: World
) -> None:
    client = login_as(world.contact)

    home = client.get("/")
    html = text(client.get(home.headers["Location"]))

    assert home.headers["Location"].endswith("/portal/services")
    assert world.service.code in html
    assert "CID-WAW-2" in html
    assert world.foreign_service.code not in html
