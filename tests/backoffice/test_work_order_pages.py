"""Work orders from the pages: the dispatcher's job page and route cards link to the PDFs,
the engineer's phone has their own job's work order and today's, and while the worker is
still rendering one the page says so and reloads itself."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from fieldops.accounts.models import User
from fieldops.clock import utcnow
from fieldops.dispatch import services
from fieldops.documents.services.rendering import RENDERER_EXTENSION
from tests.backoffice.test_dispatch_pages import DispatchWorld, build_world
from tests.documents.pdf_text import flat, page_sizes, pdf_text
from tests.web.pages import switch_user, text


@pytest.fixture
def world(session: Any) -> DispatchWorld:
    world = build_world(session)
    services.assign_job(actor=None, number=world.number, engineer_id=world.eve.id, now=utcnow())
    session.commit()
    return world


def test_the_dispatcher_prints_a_job_and_an_engineers_day(
    login_as: Callable[[User], FlaskClient], world: DispatchWorld
) -> None:
    dispatcher = login_as(world.dispatcher)
    page = text(dispatcher.get(f"/dispatch/jobs/{world.number}"))
    assert f"/dispatch/jobs/{world.number}/work-order.pdf" in page
    pdf = dispatcher.get(f"/dispatch/jobs/{world.number}/work-order.pdf?paper=letter")
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf"
    assert world.number in flat(pdf_text(pdf.data))
    assert set(page_sizes(pdf.data)) == {(612, 792)}
    day = utcnow().date().isoformat()
    sheet = dispatcher.get(f"/dispatch/engineers/{world.eve.id}/work-orders.pdf?date={day}")
    assert sheet.status_code == 200
    assert world.number in flat(pdf_text(sheet.data))
    assert dispatcher.get(f"/dispatch/engineers/{world.eve.id}/work-orders.pdf").status_code == 404
    assert dispatcher.get("/dispatch/jobs/WO-2026-999999/work-order.pdf").status_code == 404


def test_the_engineer_has_their_own_work_orders_only(
    login_as: Callable[[User], FlaskClient], world: DispatchWorld
) -> None:
    eve = login_as(world.eve_user)
    assert f"/m/jobs/{world.number}/work-order.pdf" in text(eve.get(f"/m/jobs/{world.number}"))
    assert "/m/work-orders.pdf" in text(eve.get("/m/"))
    own = eve.get(f"/m/jobs/{world.number}/work-order.pdf")
    assert own.status_code == 200
    assert world.number in flat(pdf_text(own.data))
    today = eve.get("/m/work-orders.pdf")
    assert today.status_code == 200
    assert world.number in flat(pdf_text(today.data))
    bob = switch_user(eve, world.bob_user)
    assert bob.get(f"/m/jobs/{world.number}/work-order.pdf").status_code == 404
    assert world.number not in flat(pdf_text(bob.get("/m/work-orders.pdf").data))


def test_a_pdf_still_rendering_gets_a_page_that_reloads(
    app: Flask,
    login_as: Callable[[User], FlaskClient],
    world: DispatchWorld,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    kicked: list[tuple[Any, ...]] = []
    monkeypatch.setitem(app.config, "PDF_BACKGROUND", True)
    monkeypatch.setitem(app.extensions, RENDERER_EXTENSION, lambda *a: kicked.append(a))
    response = login_as(world.dispatcher).get(f"/dispatch/jobs/{world.number}/work-order.pdf")
    assert response.status_code == 202
    assert response.headers["Retry-After"] == "2"
    html = text(response)
    assert '<meta http-equiv="refresh" content="2">' in html
    assert "being prepared" in html
    assert kicked == [("work_order", world.number, "a4")]
