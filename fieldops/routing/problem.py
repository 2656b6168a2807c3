"""A routing problem in the solver's integer units, and a solution's routes (pure)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RoutingProblem:
    """Node 0 is the depot every vehicle starts and ends at. Times, windows and costs are
    integers in the caller's scaled units; `time[i][j]` is the travel from i to j (service
    time at i is separate), `cost[i][j]` what the objective sums."""

    vehicles: int
    capacity: int
    demands: tuple[int, ...]
    windows: tuple[tuple[int, int], ...]
    service: tuple[int, ...]
    time: tuple[tuple[int, ...], ...]
    cost: tuple[tuple[int, ...], ...]

    @property
    def size(self) -> int:
        return len(self.demands)


Routes = list[list[int]]  # per used vehicle, the nodes visited in order (depot left out)
