"""The Huey wiring of route plans: a requested plan is planned by the `run_route_plan` task
enqueued after the commit (immediate mode runs it inline, as a consumer would), and a task
for a plan that is not queued, or does not exist, changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from fieldops import worker
from fieldops.db import transaction
from fieldops.errors import RuleViolationError
from fieldops.routing.queries import get_plan
from fieldops.routing.services import request_route_plan
from fieldops.routing.tasks import run_route_plan
from tests.factories import make_user
from tests.routing.plans_world import DAY, NOW, crew, site_job


@pytest.fixture
def immediate() -> Iterator[None]:
    worker.huey.immediate = True
    try:
        yield
    finally:
        worker.huey.immediate = False


@pytest.mark.usefixtures("immediate")
def test_a_requested_plan_is_planned_by_the_queued_task(
    app: Flask, session: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "ROUTE_PLAN_KICK", True)
    monkeypatch.setattr("fieldops.routing.tasks.utcnow", lambda: NOW)
    dispatcher = make_user(role="dispatcher")
    crew("Queued", 52.23, 21.00)
    job = site_job(dispatcher, 52.24, 21.01)
    with transaction():
        plan = request_route_plan(DAY, None, dispatcher, NOW, time_limit_s=1)
        plan_id = plan.id
        assert plan.status == "queued"  # nothing runs before the commit
    done = get_plan(plan_id)
    assert (done.status, done.served) == ("done", 1)
    assert done.routes[0].stops[0].job_number == job.number


def test_a_refused_request_queues_nothing(
    app: Flask, session: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    ran: list[int] = []
    monkeypatch.setitem(app.config, "ROUTE_PLAN_KICK", True)
    monkeypatch.setattr(worker, "kick_route_plan", ran.append)
    dispatcher = make_user(role="dispatcher")

    def both() -> None:
        with transaction():
            request_route_plan(DAY, None, dispatcher, NOW, time_limit_s=1)
            request_route_plan(DAY, None, dispatcher, NOW, time_limit_s=999)

    with pytest.raises(RuleViolationError, match="time_limit_s"):
        both()
    assert ran == []


def test_a_task_for_a_missing_plan_does_nothing(session: Any) -> None:
    assert run_route_plan(987654, now=NOW) == "missing"
