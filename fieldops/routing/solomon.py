"""Solomon-format VRPTW instances: parsing, the scaled integer problem, and an exact check
of a solution in real (unrounded) arithmetic (pure)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from fieldops.routing.problem import Routes, RoutingProblem

# Integer units per unit of distance/time: costs are rounded, travel times rounded UP, so a
# schedule feasible in integers is feasible in real numbers too (windows are whole numbers).
SCALE = 1000


@dataclass(frozen=True)
class Customer:
    number: int
    x: float
    y: float
    demand: int
    ready: int
    due: int
    service: int


@dataclass(frozen=True)
class SolomonInstance:
    name: str
    vehicles: int
    capacity: int
    customers: tuple[Customer, ...]  # customers[0] is the depot

    def distance(self, a: int, b: int) -> float:
        p, q = self.customers[a], self.customers[b]
        return math.hypot(p.x - q.x, p.y - q.y)


def parse(text: str, name: str = "") -> SolomonInstance:
    """Read a Solomon file; raises ValueError naming what is missing or malformed."""
    lines = [line.split() for line in text.splitlines()]
    words = [w for w in lines if w]
    if not words:
        raise ValueError("empty instance file")
    title = name or " ".join(words[0])
    try:
        at = next(i for i, w in enumerate(words) if w[0].upper() == "VEHICLE")
        vehicles, capacity = int(words[at + 2][0]), int(words[at + 2][1])
        start = next(i for i, w in enumerate(words) if w[0].upper() == "CUSTOMER") + 2
        customers = tuple(
            Customer(
                int(w[0]), float(w[1]), float(w[2]), int(w[3]), int(w[4]), int(w[5]), int(w[6])
            )
            for w in words[start:]
            if len(w) >= 7
        )
    except (StopIteration, IndexError, ValueError) as error:
        raise ValueError(f"not a Solomon instance: {error}") from None
    if not customers or customers[0].number != 0:
        raise ValueError("not a Solomon instance: the depot (customer 0) comes first")
    return SolomonInstance(title, vehicles, capacity, customers)


def load(path: str | Path) -> SolomonInstance:
    file = Path(path)
    return parse(file.read_text(encoding="utf-8"), file.stem)


def to_problem(instance: SolomonInstance) -> RoutingProblem:
    """The instance in integer units: travel time equals distance (Solomon's convention)."""
    n = len(instance.customers)
    exact = [[instance.distance(i, j) for j in range(n)] for i in range(n)]
    return RoutingProblem(
        vehicles=instance.vehicles,
        capacity=instance.capacity,
        demands=tuple(c.demand for c in instance.customers),
        windows=tuple((c.ready * SCALE, c.due * SCALE) for c in instance.customers),
        service=tuple(c.service * SCALE for c in instance.customers),
        time=tuple(tuple(math.ceil(d * SCALE - 1e-9) for d in row) for row in exact),
        cost=tuple(tuple(round(d * SCALE) for d in row) for row in exact),
    )


def check(instance: SolomonInstance, routes: Routes) -> float:
    """The total distance of a solution, after proving it feasible in real arithmetic: every
    customer served exactly once, capacity, every time window (waiting allowed) and the
    return to the depot in time. Raises ValueError describing the first violation."""
    depot = instance.customers[0]
    seen: list[int] = []
    total = 0.0
    if len(routes) > instance.vehicles:
        raise ValueError(f"{len(routes)} routes for {instance.vehicles} vehicles")
    for number, route in enumerate(routes):
        load, clock, here = 0, 0.0, 0
        for node in route:
            if not 0 < node < len(instance.customers):
                raise ValueError(f"route {number}: no customer {node}")
            customer = instance.customers[node]
            clock = max(clock + instance.distance(here, node), customer.ready)
            if clock > customer.due + 1e-6:
                raise ValueError(
                    f"route {number}: customer {node} reached at {clock:.2f}, due {customer.due}"
                )
            load += customer.demand
            total += instance.distance(here, node)
            clock += customer.service
            here = node
            seen.append(node)
        if load > instance.capacity:
            raise ValueError(f"route {number}: load {load} over capacity {instance.capacity}")
        total += instance.distance(here, 0)
        if clock + instance.distance(here, 0) > depot.due + 1e-6:
            raise ValueError(f"route {number}: back at the depot after {depot.due}")
    expected = list(range(1, len(instance.customers)))
    if sorted(seen) != expected:
        missing = sorted(set(expected) - set(seen))
        twice = sorted({n for n in seen if seen.count(n) > 1})
        raise ValueError(f"customers missed {missing[:10]} or served twice {twice[:10]}")
    return total
