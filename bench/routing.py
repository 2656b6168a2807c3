"""Routing benchmark: the routing core on every Solomon instance in ../shared/bench/vrptw/,
against the distance-only best-known solutions (bks_distance.csv).

`make bench-routing` (TIME_LIMIT=10 by default). Two instances are solved at a time, one per
core; each solve is single-threaded and stops at its time limit. Every solution is checked
in real arithmetic; an infeasible one fails the run.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from bench import databases
from fieldops.routing import solomon, solver

SHARED = databases.PROJECT_ROOT.parent / "shared" / "bench" / "vrptw"
TARGET_MEAN_GAP = 2.0
TARGET_WORST_GAP = 5.0


@dataclass(frozen=True)
class Result:
    instance: str
    vehicles: int
    distance: float | None
    best: float
    seconds: float
    problem: str = ""

    @property
    def gap(self) -> float | None:
        return None if self.distance is None else (self.distance / self.best - 1) * 100


def _solve(path: str, best: float, time_limit: float) -> Result:
    instance = solomon.load(path)
    started = time.monotonic()
    try:
        routes = solver.solve(solomon.to_problem(instance), time_limit_s=time_limit)
        distance = solomon.check(instance, routes)
        return Result(instance.name, len(routes), distance, best, time.monotonic() - started)
    except (solver.NoSolutionError, ValueError) as error:
        return Result(instance.name, 0, None, best, time.monotonic() - started, str(error))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.routing", description=__doc__)
    parser.add_argument("--time-limit", type=float, default=10.0, help="seconds per instance")
    parser.add_argument("--folder", type=Path, default=SHARED)
    parser.add_argument("--only", nargs="*", help="instance names to run")
    args = parser.parse_args(argv)
    with (args.folder / "bks_distance.csv").open(encoding="utf-8") as handle:
        best = {row["instance"]: float(row["distance"]) for row in csv.DictReader(handle)}
    paths = sorted(p for p in args.folder.glob("*.txt") if p.stem in best)
    if args.only:
        paths = [p for p in paths if p.stem in set(args.only)]
    with ProcessPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(_solve, str(p), best[p.stem], args.time_limit) for p in paths]
        results = [future.result() for future in futures]
    print(f"{'instance':<10} {'veh':>4} {'distance':>10} {'best':>10} {'gap %':>7} {'s':>6}")
    for r in results:
        shown = f"{r.distance:10.2f}" if r.distance is not None else f"{'none':>10}"
        gap = f"{r.gap:7.2f}" if r.gap is not None else f"{'-':>7}"
        print(f"{r.instance:<10} {r.vehicles:>4} {shown} {r.best:10.2f} {gap} {r.seconds:6.1f}"
              + (f"  {r.problem}" if r.problem else ""))  # fmt: skip
    gaps = [r.gap for r in results if r.gap is not None]
    failed = [r.instance for r in results if r.gap is None]
    mean = statistics.mean(gaps) if gaps else float("nan")
    worst = max(gaps) if gaps else float("nan")
    print(
        f"\n{len(results)} instances at {args.time_limit:g} s: mean gap {mean:.2f} % "
        f"(target <= {TARGET_MEAN_GAP}), worst {worst:.2f} % (target <= {TARGET_WORST_GAP}), "
        f"without a feasible solution: {', '.join(failed) or 'none'}"
    )
    met = not failed and mean <= TARGET_MEAN_GAP and worst <= TARGET_WORST_GAP
    print("targets met" if met else "targets NOT met")
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main())
