"""In a real browser on a phone: an agent asks for the RFO of a resolved P1 for the customer,
writes it and sends it to review; a support manager publishes it. No page is wider than the
phone."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from fieldops.accounts.queries import find_user_by_email
from fieldops.clock import utcnow
from fieldops.db import transaction
from fieldops.tickets.services import change_status, open_ticket
from tests.browser.conftest import PHONE, LiveSite, shoot
from tests.factories import make_user

pytestmark = pytest.mark.browser
MANAGER = "max@desk.test"
SECTIONS = {
    "summary": "A power supply failed in the Warsaw PoP router.",
    "impact": "IP transit was down for 2 h 10 min at one site.",
    "root_cause": "A failing PSU fan overheated the unit.",
    "resolution": "The PSU was replaced on site and traffic restored.",
    "preventive_actions": "Fan telemetry alarms added across the fleet.",
}


def _log_in(page: Any, live: LiveSite, email: str) -> None:
    page.goto(f"{live.url}/login")
    page.fill("#email", email)
    page.fill("#password", live.password)
    page.click("button[type=submit]:has-text('Log in')")
    page.wait_for_load_state()


def _resolved_p1(live: LiveSite) -> str:
    """A P1 outage the agent has resolved, and a support manager to review its RFO."""
    with live.app.app_context(), transaction():
        contact = find_user_by_email(live.contact_email)
        agent = find_user_by_email(live.agent_email)
        assert contact is not None
        assert agent is not None
        if find_user_by_email(MANAGER) is None:
            make_user(role="manager", email=MANAGER, name="Max Manager")
        now = utcnow()
        data = {
            "service_id": live.service_code,
            "fault_started_at": now - timedelta(hours=3),
            "summary": "Router down at the Warsaw PoP",
            "impact": "service_affecting",
        }
        ticket = open_ticket(actor=contact, data=data, channel="portal", now=now)
        change_status(ticket, actor=agent, to="resolved", note="PSU replaced.", now=now)
        return ticket.number


def test_agent_writes_an_rfo_and_a_manager_publishes_it_on_a_phone(
    live: LiveSite, phone: Any, browser: Any
) -> None:
    number = _resolved_p1(live)
    _log_in(phone, live, live.agent_email)
    phone.goto(f"{live.url}/desk/tickets/{number}")
    shoot(phone, "rfo-01-ticket-panels")

    phone.click("[data-testid=rfo-request]")
    assert phone.url.endswith(f"/desk/tickets/{number}/rfo")
    assert "RFO requested" in phone.inner_text("[data-testid=flash]")
    assert phone.inner_text("[data-testid=rfo-status]") == "Requested"
    assert "PSU replaced." in phone.inner_text("[data-testid=rfo-timeline]")

    phone.fill("[data-testid=rfo-summary]", SECTIONS["summary"])
    phone.click("[data-testid=rfo-review]")  # four sections still empty
    assert "Refused (422)" in phone.inner_text("[data-testid=action-error]")
    assert phone.locator("[data-testid=error-impact]").is_visible()
    assert phone.input_value("[data-testid=rfo-summary]") == SECTIONS["summary"]
    shoot(phone, "rfo-02-editor-refused")

    for name, body in SECTIONS.items():
        phone.fill(f"[data-testid=rfo-{name}]", body)
    phone.click("[data-testid=rfo-review]")
    assert "Sent to review" in phone.inner_text("[data-testid=flash]")
    assert phone.inner_text("[data-testid=rfo-status]") == "In review"
    shoot(phone, "rfo-03-in-review")

    phone.click("[data-testid=nav-rfos]")
    assert number in phone.inner_text("[data-testid=rfos]")
    shoot(phone, "rfo-04-worklist")

    context = browser.new_context(**PHONE)
    try:
        _manager_publishes(live, context.new_page(), number)
    finally:
        context.close()


def _manager_publishes(live: LiveSite, page: Any, number: str) -> None:
    page.set_default_timeout(10_000)
    _log_in(page, live, MANAGER)
    page.goto(f"{live.url}/desk/rfos")
    page.click(f"[data-testid=rfo-row][data-ticket='{number}'] >> [data-testid=rfo-link]")
    assert page.input_value("[data-testid=rfo-root_cause]") == SECTIONS["root_cause"]

    page.click("[data-testid=rfo-publish]")

    assert "Published" in page.inner_text("[data-testid=flash]")
    assert page.inner_text("[data-testid=rfo-status]") == "Published"
    assert page.locator("[data-testid=rfo-form]").count() == 0
    assert SECTIONS["preventive_actions"] in page.inner_text("[data-testid=rfo-sections]")
    shoot(page, "rfo-05-published")

    page.click("[data-testid=nav-problems]")
    shoot(page, "rfo-06-problems")
    page.click("[data-testid=problem-new]")
    shoot(page, "rfo-07-problem-new")
    page.fill("[data-testid=problem-title]", "PSU fans fail early in one batch")
    page.check("[data-testid=kind-reactive]")
    page.fill("[data-testid=problem-tickets]", number)
    page.click("[data-testid=submit]")
    assert "recorded" in page.inner_text("[data-testid=flash]")
    assert number in page.inner_text("[data-testid=problem-incidents]")
    shoot(page, "rfo-08-problem-detail")
