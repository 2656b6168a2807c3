"""Browser-test fixtures: a live server on a fresh committed SQLite database, and chromium.

The server is werkzeug's, in a background thread on 127.0.0.1 and a free port, serving the
real app against its own migrated database whose data is committed for real (the request
tests' rolled-back session cannot be shared with another thread). Chromium is Debian's
/usr/bin/chromium driven by pip playwright; `playwright install` is never run.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_migrate import upgrade
from werkzeug.serving import make_server

from fieldops import create_app
from fieldops.config import TestConfig
from fieldops.db import db, transaction
from tests import databases
from tests.factories import PASSWORD, make_contact, make_service, make_user
from tests.web.worlds import escalation_matrix

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "timezone_id": "Europe/Warsaw",
}
SHOTS = Path("/tmp/fieldops-shots")  # noqa: S108 - screenshots for people to look at


@dataclass
class LiveSite:
    url: str
    app: Flask
    service_code: str
    contact_email: str
    agent_email: str
    password: str = PASSWORD


def _seed(app: Flask) -> LiveSite:
    with app.app_context(), transaction():
        service = make_service(
            code="SVC-20001", type="ip_transit", circuit_ids=["CID-WAW-1", "CID-WAW-2"]
        )
        make_service(customer=service.customer, code="SVC-20002", type="dark_fibre")
        contact = make_contact(service.customer, email="ada@acme.test", name="Ada Contact")
        agent = make_user(role="agent", tier="L1", email="alice@desk.test", name="Alice Agent")
        make_user(role="agent", tier="L2", email="bob@desk.test", name="Bob Second")
        escalation_matrix(service.customer)
        return LiveSite(
            url="",
            app=app,
            service_code=service.code,
            contact_email=contact.email,
            agent_email=agent.email,
        )


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveSite]:
    url = databases.sqlite_url(tmp_path_factory.mktemp("browser"), "live")
    app = create_app(TestConfig(url))
    with app.app_context():
        upgrade()
    site = _seed(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    site.url = f"http://127.0.0.1:{server.server_port}"
    try:
        yield site
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    required = os.environ.get("FIELDOPS_REQUIRE_BROWSER") == "1"
    if not CHROMIUM.exists():
        if required:
            pytest.fail(f"FIELDOPS_REQUIRE_BROWSER=1 but {CHROMIUM} is missing")
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium to run browser tests")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if required:
            pytest.fail("FIELDOPS_REQUIRE_BROWSER=1 but the playwright package is missing")
        pytest.skip("pip playwright is not installed")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    """A fresh phone-sized page; fails the test on any Content-Security-Policy violation."""
    context = browser.new_context(**PHONE)
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


@pytest.fixture(scope="module")
def shared() -> dict[str, str]:
    """What one test leaves for the next (the ticket the customer opened), if it ran first."""
    return {}


def shoot(page: Any, name: str) -> None:
    """A full-page screenshot to look at, and a check that nothing is wider than the phone."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{name}: the page is {overflow}px wider than the screen"
