"""In a real browser on a phone: a stock manager receives stock through the form, sees it on
the depot page, and no stock page is wider than the screen."""

from __future__ import annotations

from typing import Any

import pytest

from fieldops.db import transaction
from tests.browser.conftest import LiveSite, shoot
from tests.factories import make_depot, make_engineer, make_part_type, make_user, make_van, stock_up

pytestmark = pytest.mark.browser
KEEPER = "sam@stock.test"


@pytest.fixture(scope="module")
def stock_site(live: LiveSite) -> LiveSite:
    with live.app.app_context(), transaction():
        make_user(role="stock_manager", email=KEEPER, name="Sam Stock")
        depot = make_depot(code="DEP-WAW", name="Warsaw central depot")
        make_van(make_engineer(name="Eve Engineer"), code="VAN-EVE")
        cable = make_part_type(
            sku="CAB-LC-LC-2M-OM4", name="LC-LC duplex patch cable, 2 m, OM4", serialised=False
        )
        psu = make_part_type(sku="PSU-750W-AC", name="750 W AC power supply, hot-swap")
        stock_up(cable, depot, 12)
        stock_up(psu, depot, 2)
    return live


def _log_in(page: Any, site: LiveSite) -> None:
    page.goto(f"{site.url}/login")
    page.fill("#email", KEEPER)
    page.fill("#password", site.password)
    page.click("button[type=submit]:has-text('Log in')")
    page.wait_for_load_state()


def test_stock_manager_receives_stock_on_a_phone(stock_site: LiveSite, phone: Any) -> None:
    _log_in(phone, stock_site)
    assert phone.url.endswith("/stock/")
    assert "DEP-WAW" in phone.inner_text("[data-testid=location-table]")
    shoot(phone, "stock-01-overview")

    phone.click("[data-testid=go-receive]")
    phone.fill("#sku", "PSU-750W-AC")
    phone.select_option("#location", "DEP-WAW")
    phone.fill("#quantity", "2")  # a serialised part needs its serials
    phone.click("[data-testid=submit]")
    assert "list the serials" in phone.inner_text("[data-testid=error-serials]")
    assert phone.input_value("#sku") == "PSU-750W-AC"
    assert phone.input_value("#quantity") == "2"
    shoot(phone, "stock-02-receive-refused")

    phone.fill("#serials", "SN-PHONE-1\nSN-PHONE-2")
    phone.fill("#reference", "DN-2026-118")
    phone.click("[data-testid=submit]")

    assert phone.url.endswith("/stock/locations/DEP-WAW")
    assert "Received 2 x PSU-750W-AC into DEP-WAW." in phone.inner_text("[data-testid=flash]")
    psu = phone.locator("tr[data-sku='PSU-750W-AC']")
    assert psu.locator("[data-testid=on-hand]").inner_text() == "4"
    assert phone.inner_text("[data-testid=sum-on-hand]") == "16"
    shoot(phone, "stock-03-location")


def test_a_line_under_its_floor_is_marked_in_words(stock_site: LiveSite, phone: Any) -> None:
    _log_in(phone, stock_site)
    phone.goto(f"{stock_site.url}/stock/limits?sku=CAB-LC-LC-2M-OM4&location=DEP-WAW")
    phone.fill("#reserve_floor", "20")
    shoot(phone, "stock-04-limits")
    phone.click("[data-testid=submit]")

    cable = phone.locator("tr[data-sku='CAB-LC-LC-2M-OM4']")
    assert "under floor" in cable.inner_text()
    assert "line-floor" in (cable.get_attribute("class") or "")
    shoot(phone, "stock-05-location-alerting")

    for path, name in (
        ("/stock/rma", "stock-06-rma"),
        ("/stock/parts/PSU-750W-AC", "stock-07-part"),
        ("/stock/movements", "stock-08-ledger"),
        ("/stock/alerts", "stock-09-alerts"),
    ):
        phone.goto(f"{stock_site.url}{path}")
        shoot(phone, name)
