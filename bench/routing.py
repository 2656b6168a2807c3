"""Routing benchmark: the routing core on every instance in ../shared/bench/vrptw/, against
the distance-only best-known solutions (bks_distance.csv) where there are some, else the
vehicles-first records (bks.csv, marked "vf": those are not the target's yardstick).

`make bench-routing` (TIME_LIMIT=10 by default). One instance at a time, the solver's
portfolio using both cores (one search per core, the cheaper plan kept), stopping at the
time limit. Every solution is checked in real arithmetic; an infeasible one fails the run.
The targets (mean and worst gap) are over the distance-only instances.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import statistics
import sys
import time
from pathlib import Path

from bench import databases
from fieldops.routing import solomon, solver

SHARED = databases.PROJECT_ROOT.parent / "shared" / "bench" / "vrptw"
TARGET_MEAN_GAP = 2.0
TARGET_WORST_GAP = 5.0


@dataclasses.dataclass(frozen=True)
class Result:
    instance: str
    vehicles: int
    distance: float | None
    best: float
    seconds: float
    problem: str = ""
    vehicles_first: bool = False

    @property
    def gap(self) -> float | None:
        return None if self.distance is None else (self.distance / self.best - 1) * 100


def _solve(path: Path, best: float, time_limit: float, vehicles_first: bool) -> Result:
    instance = solomon.load(path)
    started = time.monotonic()
    try:
        routes = solver.solve(solomon.to_problem(instance), time_limit_s=time_limit)
        distance = solomon.check(instance, routes)
        return Result(
            path.stem, len(routes), distance, best, time.monotonic() - started, "", vehicles_first
        )
    except (solver.NoSolutionError, ValueError) as error:
        took = time.monotonic() - started
        return Result(path.stem, 0, None, best, took, str(error), vehicles_first)


def _best_known(folder: Path, name: str) -> dict[str, float]:
    with (folder / name).open(encoding="utf-8") as handle:
        return {row["instance"]: float(row["distance"]) for row in csv.DictReader(handle)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.routing", description=__doc__)
    parser.add_argument("--time-limit", type=float, default=10.0, help="seconds per instance")
    parser.add_argument("--folder", type=Path, default=SHARED)
    parser.add_argument("--only", nargs="*", help="instance names to run")
    args = parser.parse_args(argv)
    distance_only = _best_known(args.folder, "bks_distance.csv")
    vehicles_first = _best_known(args.folder, "bks.csv")
    paths = sorted(
        p for p in args.folder.glob("*.txt") if p.stem in distance_only or p.stem in vehicles_first
    )
    if args.only:
        paths = [p for p in paths if p.stem in set(args.only)]
    results = []
    for path in paths:
        if path.stem in distance_only:
            results.append(_solve(path, distance_only[path.stem], args.time_limit, False))
        else:
            results.append(_solve(path, vehicles_first[path.stem], args.time_limit, True))
    print(f"{'instance':<10} {'veh':>4} {'distance':>10} {'best':>10} {'gap %':>7} {'s':>6}")
    for r in results:
        shown = f"{r.distance:10.2f}" if r.distance is not None else f"{'none':>10}"
        gap = f"{r.gap:7.2f}" if r.gap is not None else f"{'-':>7}"
        note = "  vf (vehicles-first BKS)" if r.vehicles_first else ""
        print(f"{r.instance:<10} {r.vehicles:>4} {shown} {r.best:10.2f} {gap} {r.seconds:6.1f}"
              + note + (f"  {r.problem}" if r.problem else ""))  # fmt: skip
    targeted = [r for r in results if not r.vehicles_first]
    gaps = [r.gap for r in targeted if r.gap is not None]
    failed = [r.instance for r in results if r.gap is None]
    mean = statistics.mean(gaps) if gaps else float("nan")
    worst = max(gaps) if gaps else float("nan")
    print(
        f"\n{len(targeted)} distance-only instances at {args.time_limit:g} s: "
        f"mean gap {mean:.2f} % "
        f"(target <= {TARGET_MEAN_GAP}), worst {worst:.2f} % (target <= {TARGET_WORST_GAP}), "
        f"without a feasible solution: {', '.join(failed) or 'none'}"
    )
    met = not failed and mean <= TARGET_MEAN_GAP and worst <= TARGET_WORST_GAP
    print("targets met" if met else "targets NOT met")
    databases.write_results(
        "routing",
        {
            "time_limit_s": args.time_limit,
            "mean_gap_pct": mean,
            "worst_gap_pct": worst,
            "targets_met": met,
            "instances": [{**dataclasses.asdict(r), "gap_pct": r.gap} for r in results],
        },
    )
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main())
