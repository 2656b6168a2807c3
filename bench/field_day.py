"""Field-day benchmark: the routing core planning a generated day (300 visits, 40 engineers,
5 depots, a third of the visits needing a depot pickup; see field_day_data), against a greedy
nearest-feasible-insertion plan of the same day.

`make bench-field-day` (TIME_LIMIT_DAY=30 by default; SEEDS=3 days). For each day: the time
to plan (building the model included), visits served (by priority), late visits, total
travel; both plans pass the independent validator (field_check) or the run fails. Prints the
median and worst over the days.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import asdict, dataclass

from bench import databases
from bench.field_day_data import Shape, generate
from fieldops.routing import field_check, field_solver, greedy
from fieldops.routing.field import FieldDay, FieldPlan, Priority


@dataclass(frozen=True)
class Outcome:
    planner: str
    seed: int
    seconds: float
    served: int
    served_by_priority: dict[str, int]
    dropped_by_priority: dict[str, int]
    late: int
    travel_h: float


def _outcome(planner: str, seed: int, day: FieldDay, plan: FieldPlan, seconds: float) -> Outcome:
    field_check.check(day, plan)  # the planners check too; the benchmark trusts neither
    priority = {visit.key: visit.priority for visit in day.visits}
    served = {p.name: 0 for p in Priority}
    dropped = {p.name: 0 for p in Priority}
    late = 0
    for route in plan.routes:
        for stop in route.stops:
            if stop.kind == "visit":
                served[priority[stop.key].name] += 1
                late += stop.late_by > 0
    for drop in plan.dropped:
        dropped[priority[drop.visit].name] += 1
    return Outcome(planner, seed, seconds, plan.served, served, dropped, late, plan.travel_s / 3600)


def _row(o: Outcome) -> str:
    by = " ".join(f"{k}:{v}" for k, v in o.served_by_priority.items())
    lost = " ".join(f"{k}:{v}" for k, v in o.dropped_by_priority.items() if v)
    return (
        f"{o.planner:<8} {o.seed:>4} {o.seconds:8.1f} {o.served:>6} {o.late:>5} "
        f"{o.travel_h:9.1f}   served {by}   dropped {lost or '-'}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.field_day", description=__doc__)
    parser.add_argument("--time-limit", type=float, default=30.0, help="solver seconds a day")
    parser.add_argument("--seeds", type=int, default=3, help="how many generated days")
    parser.add_argument("--visits", type=int, default=300)
    parser.add_argument("--engineers", type=int, default=40)
    args = parser.parse_args(argv)
    shape = Shape(visits=args.visits, engineers=args.engineers)
    outcomes: list[Outcome] = []
    databases.say(f"{'planner':<8} {'seed':>4} {'s':>8} {'served':>6} {'late':>5} {'travel h':>9}")
    for seed in range(1, args.seeds + 1):
        day, _ = generate(seed, shape)
        started = time.monotonic()
        baseline = greedy.greedy_plan(day)
        outcomes.append(_outcome("greedy", seed, day, baseline, time.monotonic() - started))
        databases.say(_row(outcomes[-1]))
        started = time.monotonic()
        plan = field_solver.plan_day(day, time_limit_s=args.time_limit)
        outcomes.append(_outcome("or-tools", seed, day, plan, time.monotonic() - started))
        databases.say(_row(outcomes[-1]))
    summary: dict[str, dict[str, float]] = {}
    for planner in ("greedy", "or-tools"):
        mine = [o for o in outcomes if o.planner == planner]
        summary[planner] = {
            "seconds_median": statistics.median(o.seconds for o in mine),
            "seconds_max": max(o.seconds for o in mine),
            "served_median": statistics.median(o.served for o in mine),
            "travel_h_median": statistics.median(o.travel_h for o in mine),
            "late_median": statistics.median(o.late for o in mine),
        }
        s = summary[planner]
        databases.say(
            f"{planner}: plan in {s['seconds_median']:.1f} s median ({s['seconds_max']:.1f} max), "
            f"served {s['served_median']:g} of {args.visits} median, "
            f"travel {s['travel_h_median']:.1f} h median, late {s['late_median']:g} median"
        )
    databases.write_results(
        "field_day",
        {
            "time_limit_s": args.time_limit,
            "visits": args.visits,
            "engineers": args.engineers,
            "summary": summary,
            "days": [asdict(o) for o in outcomes],
        },
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
