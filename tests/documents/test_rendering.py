"""Rendered PDFs are made once per content and kept: an unchanged document is served from
store, a changed one is rendered again, old renders are pruned; with the background worker
on, a missing PDF is handed to it and the caller is told to come back (202)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from fieldops import worker
from fieldops.cli import _kick_render
from fieldops.db import db
from fieldops.documents.models import RenderedDocument
from fieldops.documents.services.rendering import KEEP_REVISIONS, RENDERER_EXTENSION
from fieldops.documents.tasks import render_document
from fieldops.tickets.queries import get_ticket
from fieldops.tickets.services import add_event
from tests.api.conftest import API
from tests.api.test_jobs_api import NOW, Api, World, assign, build_world, create_job, pin_clock
from tests.documents.pdf_text import pdf_text


@pytest.fixture
def world(session: Any, monkeypatch: pytest.MonkeyPatch) -> World:
    pin_clock(monkeypatch)
    return build_world(session)


@pytest.fixture
def number(api_as: Api, world: World) -> str:
    dispatcher = api_as(world.dispatcher)
    job = str(create_job(dispatcher, world.ticket)["id"])
    assign(dispatcher, job, world.near)
    return job


@pytest.fixture
def background(app: Flask, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, str]]:
    """The background renderer switched on, its kicks recorded instead of enqueued."""
    kicked: list[tuple[str, str, str]] = []
    monkeypatch.setitem(app.config, "PDF_BACKGROUND", True)
    monkeypatch.setitem(
        app.extensions, RENDERER_EXTENSION, lambda *args: kicked.append(tuple(args))
    )
    return kicked


def _renders(number: str) -> int:
    return int(
        db.session.scalar(select(func.count()).where(RenderedDocument.subject == number)) or 0
    )


def test_a_missing_pdf_goes_to_the_worker_and_the_caller_is_asked_back(
    api_as: Api, world: World, number: str, background: list[tuple[str, str, str]]
) -> None:
    api = api_as(world.dispatcher)
    response = api.get(f"{API}/jobs/{number}/work-order.pdf")
    assert response.status_code == 202, response.get_data(as_text=True)
    assert response.headers["Retry-After"] == "2"
    body = response.get_json()
    assert body["code"] == "rendering"
    assert body["message"]
    assert body["errors"] == {}
    assert background == [("work_order", number, "a4")]
    assert _renders(number) == 0

    assert render_document("work_order", number, "a4", now=NOW) is True
    response = api.get(f"{API}/jobs/{number}/work-order.pdf")
    assert response.status_code == 200
    assert number in pdf_text(response.data)
    assert background == [("work_order", number, "a4")]  # not asked to render it again
    assert render_document("work_order", number, "a4", now=NOW) is True  # idempotent
    assert _renders(number) == 1


@pytest.fixture
def immediate() -> Iterator[None]:
    worker.huey.immediate = True
    try:
        yield
    finally:
        worker.huey.immediate = False


@pytest.mark.usefixtures("immediate")
def test_the_huey_task_renders_it(
    app: Flask, api_as: Api, world: World, number: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "PDF_BACKGROUND", True)
    monkeypatch.setitem(app.extensions, RENDERER_EXTENSION, _kick_render)
    response = api_as(world.dispatcher).get(f"{API}/jobs/{number}/work-order.pdf")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert _renders(number) == 1


def test_an_unchanged_document_is_served_from_store_and_a_change_renders_anew(
    api_as: Api, world: World, number: str, session: Any
) -> None:
    api = api_as(world.dispatcher)
    first = api.get(f"{API}/jobs/{number}/work-order.pdf")
    again = api.get(f"{API}/jobs/{number}/work-order.pdf")
    assert first.headers["ETag"] == again.headers["ETag"]
    assert first.data == again.data
    assert _renders(number) == 1
    ticket = get_ticket(world.manager, world.ticket)
    for n in range(KEEP_REVISIONS + 1):
        add_event(
            ticket,
            actor=world.agent,
            kind="comment",
            body=f"Update number {n}.",
            public=True,
            now=NOW,
        )
        session.commit()
        latest = api.get(f"{API}/jobs/{number}/work-order.pdf")
        assert f"Update number {n}." in pdf_text(latest.data)
    assert _renders(number) == KEEP_REVISIONS  # the oldest renders were pruned


def test_rendering_what_no_longer_exists_is_nothing_to_retry(session: Any) -> None:
    assert render_document("work_order", "WO-2026-999999", "a4", now=NOW) is False
