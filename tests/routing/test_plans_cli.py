"""`fieldops plan-routes`: the same service and task, run at once, summarised or as JSON."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask

from fieldops.routing.queries import find_current_plan
from tests.factories import make_depot, make_user
from tests.routing.plans_world import DAY, NOW, crew, site_job


@pytest.fixture
def day(session: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setattr("fieldops.cli.utcnow", lambda: NOW)
    monkeypatch.setattr("fieldops.routing.tasks.utcnow", lambda: NOW)
    dispatcher = make_user(role="dispatcher")
    make_depot(code="DEP-CLI", lat=52.23, lon=21.0)
    crew("Cli Crew", 52.23, 21.00)
    served = site_job(dispatcher, 52.24, 21.01)
    dropped = site_job(dispatcher, 52.25, 21.02, skills=["fibre-splicing"])
    session.commit()
    return {"served": served.number, "dropped": dropped.number}


def test_plan_routes_prints_the_summary(app: Flask, day: dict[str, Any]) -> None:
    result = app.test_cli_runner().invoke(
        args=["plan-routes", "--date", DAY.isoformat(), "--time-limit", "1"]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("Route plan ")
    assert lines[0].endswith(f"for {DAY} (all regions): done.")
    assert "1 visit(s) served by 1 engineer(s), 1 dropped" in lines[1]
    assert any(line.strip().startswith("Cli Crew: leaves ") for line in lines)
    assert any(f"visit {day['served']} (P1)" in line for line in lines)
    dropped = next(line for line in lines if line.strip().startswith("Dropped"))
    assert day["dropped"] in dropped
    assert "fibre-splicing" in dropped
    assert find_current_plan(DAY) is not None


def test_plan_routes_json_is_the_apis_plan(app: Flask, day: dict[str, Any]) -> None:
    result = app.test_cli_runner().invoke(
        args=["plan-routes", "--date", DAY.isoformat(), "--region", "dep-cli", "--json"]
    )
    assert result.exit_code == 0, result.output
    plan = json.loads(result.output)
    assert (plan["status"], plan["region"], plan["served"]) == ("done", "DEP-CLI", 1)
    assert plan["time_limit_s"] == 1  # the test configuration's default
    assert [stop["job_id"] for stop in plan["routes"][0]["stops"]] == [day["served"]]
    assert [drop["job_id"] for drop in plan["dropped"]] == [day["dropped"]]


def test_plan_routes_refuses_bad_input(app: Flask, day: dict[str, Any]) -> None:
    runner = app.test_cli_runner()
    unknown = runner.invoke(args=["plan-routes", "--date", DAY.isoformat(), "--region", "NOPE"])
    assert unknown.exit_code != 0
    assert "region" in unknown.output
    bad_date = runner.invoke(args=["plan-routes", "--date", "18/11/2026"])
    assert bad_date.exit_code == 2
    too_long = runner.invoke(args=["plan-routes", "--date", DAY.isoformat(), "--time-limit", "0"])
    assert too_long.exit_code == 2
    assert find_current_plan(DAY) is None
