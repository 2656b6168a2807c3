"""The routing core on Solomon instances: parsing, integer scaling that keeps feasibility,
the independent check, and solutions the check accepts (fixed limits, small instances)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask import Flask

from fieldops.routing import solomon, solver

SHARED = Path(__file__).resolve().parents[3] / "shared" / "bench" / "vrptw"


def small_instance(customers: int = 25) -> solomon.SolomonInstance:
    """The first customers of C101 (a clustered instance with tight windows), or a
    hand-made one when the shared folder is not beside the checkout."""
    source = SHARED / "C101.txt"
    if source.exists():
        full = solomon.load(source)
        return solomon.SolomonInstance(
            "C101-25", full.vehicles, full.capacity, full.customers[: customers + 1]
        )
    rows = [(0, 40, 50, 0, 0, 1236, 0)] + [
        (i, 40 + (i % 5) * 3, 50 + (i // 5) * 3, 10, 0, 1000, 10) for i in range(1, customers + 1)
    ]
    return solomon.SolomonInstance(
        "HAND-25", 10, 200, tuple(solomon.Customer(*row) for row in rows)
    )


TEXT = """TINY

VEHICLE
NUMBER     CAPACITY
  2         20

CUSTOMER
CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME

    0      0         0          0          0       100          0
    1      3         4         10          0        10          1
    2      6         8         10         20        30          1
    3      0         5         15          0        50          2
"""


def test_parse_reads_vehicles_capacity_and_customers() -> None:
    instance = solomon.parse(TEXT)
    assert (instance.name, instance.vehicles, instance.capacity) == ("TINY", 2, 20)
    assert [c.number for c in instance.customers] == [0, 1, 2, 3]
    assert instance.distance(0, 1) == 5.0


@pytest.mark.parametrize(
    "text", ["", "JUST A TITLE\n", TEXT.replace("    0      0", "    7      0")]
)
def test_parse_refuses_what_is_not_an_instance(text: str) -> None:
    with pytest.raises(ValueError, match="instance"):
        solomon.parse(text)


def test_scaling_rounds_travel_up_so_integer_feasible_is_feasible() -> None:
    instance = solomon.parse(TEXT)
    problem = solomon.to_problem(instance)
    exact = instance.distance(1, 3)  # sqrt(10)
    assert problem.time[1][3] >= exact * solomon.SCALE
    assert problem.time[1][3] - exact * solomon.SCALE < 1
    assert problem.windows[2] == (20 * solomon.SCALE, 30 * solomon.SCALE)


def test_the_check_refuses_late_overloaded_and_missing() -> None:
    instance = solomon.parse(TEXT)
    assert solomon.check(instance, [[1, 2], [3]]) == pytest.approx(5 + 5 + 10 + 5 + 5)
    with pytest.raises(ValueError, match="reached"):
        solomon.check(instance, [[2, 1], [3]])  # 1 closes at 10, reached after 2 at 20+
    with pytest.raises(ValueError, match="capacity"):
        solomon.check(instance, [[1, 2, 3]])
    with pytest.raises(ValueError, match="missed"):
        solomon.check(instance, [[1, 2]])


def test_the_solver_serves_everyone_within_windows_and_capacity() -> None:
    instance = small_instance()
    routes = solver.solve(solomon.to_problem(instance), time_limit_s=1.0)
    distance = solomon.check(instance, routes)  # raises on any violation
    assert distance > 0
    assert len(routes) <= instance.vehicles


def test_tight_windows_still_get_a_solution() -> None:
    instance = solomon.parse(TEXT)
    routes = solver.solve(solomon.to_problem(instance), time_limit_s=0.5)
    assert solomon.check(instance, routes) == pytest.approx(30.0)


def test_solve_vrptw_prints_the_contract_json(app: Flask, tmp_path: Path) -> None:
    path = tmp_path / "tiny.txt"
    path.write_text(TEXT)
    result = app.test_cli_runner().invoke(
        args=["solve-vrptw", str(path), "--time-limit", "0.5", "--json"]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert set(document) == {"instance", "vehicles", "distance", "routes", "seconds"}
    assert document["distance"] == pytest.approx(30.0)
    assert sorted(n for route in document["routes"] for n in route) == [1, 2, 3]


def test_solve_vrptw_refuses_a_file_that_is_not_an_instance(app: Flask, tmp_path: Path) -> None:
    path = tmp_path / "junk.txt"
    path.write_text("hello\n")
    result = app.test_cli_runner().invoke(args=["solve-vrptw", str(path)])
    assert result.exit_code != 0
    assert "not a Solomon instance" in result.output
