"""In a real browser on a 375 px phone: a dispatcher assigns a job from the board, then the
engineer logs in, sees it, taps On my way and On site, and completes it with the customer's
sign-off. No page is wider than the screen."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from fieldops.clock import utcnow
from fieldops.customers.models import Service
from fieldops.db import db, transaction
from fieldops.dispatch import services
from fieldops.tickets.models import Ticket
from tests.browser.conftest import LiveSite, shoot
from tests.factories import (
    make_contact,
    make_current_ticket,
    make_depot,
    make_engineer,
    make_part_type,
    make_user,
    make_van,
    stock_up,
)

pytestmark = pytest.mark.browser
DISPATCHER = "dana@dispatch.test"
ENGINEER = "eve@field.test"
PHONE_375 = {
    "viewport": {"width": 375, "height": 812},
    "is_mobile": True,
    "has_touch": True,
    "timezone_id": "Europe/Warsaw",
}
SHIFTS_24X7 = {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


@pytest.fixture(scope="module")
def dispatch_site(live: LiveSite) -> Iterator[tuple[LiveSite, str, str]]:
    with live.app.app_context(), transaction():
        service = db.session.scalar(db.select(Service).where(Service.code == live.service_code))
        assert service is not None
        contact = make_contact(service.customer, email="jan@acme.test", name="Jan Kowalski")
        make_user(role="dispatcher", email=DISPATCHER, name="Dana Dispatch")
        user = make_user(role="engineer", email=ENGINEER, name="Eve Engineer")
        eve = make_engineer(
            name="Eve Engineer", skills=["router"], shifts=SHIFTS_24X7, user_id=user.id
        )
        make_engineer(name="Olek Power", skills=["power"], shifts=SHIFTS_24X7)
        psu = make_part_type(sku="PSU-750W-AC", name="750 W AC power supply")
        van = make_van(eve, code="VAN-EVE")
        serials = stock_up(psu, van, 1, prefix="PSU")
        stock_up(psu, make_depot(code="DEP-WAW", name="Warsaw depot"), 2)
        ticket = make_current_ticket(
            service, contact, category="hardware", summary="Router PSU failed in rack 4"
        )
        job = services.create_job(
            actor=None,
            ticket_number=ticket.number,
            now=utcnow(),
            required_skills=["router"],
            parts=[{"sku": psu.sku, "quantity": 1}],
            duration_min=60,
        )
        number, ticket_number = job.number, ticket.number
    assert serials
    return live, number, ticket_number


@pytest.fixture
def phone375(browser: Any) -> Iterator[Any]:
    context = browser.new_context(**PHONE_375)
    page = context.new_page()
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.set_default_timeout(10_000)
    try:
        yield page
    finally:
        context.close()
    assert not violations, violations


def _log_in(page: Any, site: LiveSite, email: str) -> None:
    page.goto(f"{site.url}/login")
    page.fill("#email", email)
    page.fill("#password", site.password)
    page.click("button[type=submit]:has-text('Log in')")
    page.wait_for_load_state()


def test_dispatcher_assigns_and_engineer_completes_on_a_phone(
    dispatch_site: tuple[LiveSite, str, str], phone375: Any
) -> None:
    site, number, ticket_number = dispatch_site
    page = phone375

    _log_in(page, site, DISPATCHER)
    assert page.url.endswith("/dispatch/")
    job = page.locator(f"[data-testid=unassigned] [data-number='{number}']")
    assert "left" in job.inner_text()
    shoot(page, "dispatch-01-board")

    job.locator("[data-testid=job-link]").click()
    assert page.inner_text("[data-testid=candidate-name]") == "Eve Engineer"
    assert "carries PSU-750W-AC" in page.inner_text("[data-testid=candidate-reason]")
    shoot(page, "dispatch-02-job")
    page.click("[data-testid=show-excluded]")
    assert "lacks skills: router" in page.inner_text("[data-testid=excluded]")
    shoot(page, "dispatch-03-excluded")

    page.click("[data-testid=assign]")
    assert f"{number} assigned to Eve Engineer." in page.inner_text("[data-testid=flash]")
    assert page.inner_text("[data-testid=job-status]") == "Assigned"
    assert "VAN-EVE" in page.inner_text("[data-testid=reservations]")
    shoot(page, "dispatch-04-assigned")
    page.click("[data-testid=logout]")

    _log_in(page, site, ENGINEER)
    assert page.url.endswith("/m/")
    visit = page.locator(f"[data-testid=visit][data-number='{number}']")
    assert visit.count() == 1
    shoot(page, "mobile-01-today")

    visit.locator("[data-testid=visit-link]").click()
    assert "VAN-EVE" in page.inner_text("[data-testid=pick-list]")
    assert page.get_attribute("[data-testid=geo-link]", "href") == "geo:52.23,21.0"
    shoot(page, "mobile-02-detail")

    page.click("[data-testid=status-en_route]")
    assert "on your way" in page.inner_text("[data-testid=flash]")
    page.click("[data-testid=status-on_site]")
    assert page.inner_text("[data-testid=job-status]") == "On site"
    shoot(page, "mobile-03-on-site")

    page.click("[data-testid=go-complete]")
    page.fill("#notes", "Swapped the PSU; link is up.")
    page.click("[data-testid=submit]")  # no sign-off yet: refused, typed notes kept
    assert "required" in page.inner_text("[data-testid=error-signed_off_by]")
    assert page.input_value("#notes") == "Swapped the PSU; link is up."
    shoot(page, "mobile-04-complete-refused")

    page.fill("#signed_off_by", "Jan Kowalski")
    page.click("[data-testid=submit]")
    flash = page.inner_text("[data-testid=flash]")
    assert f"{number} completed, signed off by Jan Kowalski." in flash
    assert f"Ticket {ticket_number} is resolved." in flash
    shoot(page, "mobile-05-completed")

    with site.app.app_context():
        ticket = db.session.scalar(db.select(Ticket).where(Ticket.number == ticket_number))
        assert ticket is not None
        assert ticket.status == "resolved"
