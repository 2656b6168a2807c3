"""What the field-day objective charges: travel, SLA lateness, and dropping a visit (pure).

The objective is lexicographic by design: first serve as many visits as possible by priority
(no number of P4s is worth one P3, no number of P3s one P2, ...), then keep as many visits as
possible on time by priority (no number of late P2s is worth a late P1, and no travel saving
is worth a late P4), then drive as little as possible. The weights make that order exact
rather than "usually": every charge is larger than anything the lower levels can add up to.

Lateness is charged per late visit, not per second late: a visit either meets its SLA or
breaches it, and a fixed charge lets the solver model it as alternative nodes with their own
windows (field_model) instead of a soft bound on the time dimension, with which the search
explored ~65 times fewer neighbours in the same time (field_solver has the numbers). How late
a late visit is still shows, exactly, in `late_by`.
"""

from __future__ import annotations

from collections import Counter

from fieldops.routing.field import FieldDay, Priority

# OR-Tools sums costs in int64 and saturates instead of failing; a saturated objective would
# silently stop telling plans apart. Keep the largest possible objective well below the limit
# (guided local search adds its own penalties on top).
OBJECTIVE_LIMIT = 2**62


def travel_cost_bound(day: FieldDay) -> int:
    """An upper bound on the routing cost (travel and pickup time) of any plan of `day`.

    An engineer's driving and pickups fit in their shift (a route must be back by its end),
    and take at most one longest leg and one longest pickup per stop.
    """
    longest_leg = max((max(row) for row in day.travel), default=0)
    longest_pickup = max((d.pickup_service_s for d in day.depots), default=0)
    stops_per_route = 1 + 2 * len(day.visits)  # every visit plus its pickup, and the way home
    return sum(
        min(max(0, e.shift.end - e.shift.start), (longest_leg + longest_pickup) * stops_per_route)
        for e in day.engineers
    )


def late_charges(day: FieldDay) -> dict[Priority, int]:
    """The charge for serving one visit of each priority after its `arrive_by`.

    charge(P4) exceeds any routing cost of a whole plan; charge(Pk) exceeds that bound plus
    the charges for making every lower-priority visit with a deadline late together.
    """
    bound = travel_cost_bound(day)
    counts = Counter(visit.priority for visit in day.visits if visit.arrive_by is not None)
    return _stacked(bound, counts)


def routing_cost_bound(day: FieldDay) -> int:
    """An upper bound on everything but the drop penalties in any plan of `day`: routing
    cost plus every visit with a deadline late."""
    charges = late_charges(day)
    late = sum(charges[visit.priority] for visit in day.visits if visit.arrive_by is not None)
    return travel_cost_bound(day) + late


def drop_penalties(day: FieldDay) -> dict[Priority, int]:
    """The penalty for leaving one visit of each priority unserved.

    penalty(P4) exceeds any routing and lateness cost of a whole plan; penalty(Pk) exceeds
    that bound plus the penalties of every lower-priority visit of the day together. Raises
    ValueError when the day is too large for that to fit in OR-Tools' int64 objective.
    """
    bound = routing_cost_bound(day)
    counts = Counter(visit.priority for visit in day.visits)
    penalties = _stacked(bound, counts)
    worst = bound + sum(counts[p] * penalties[p] for p in Priority)
    if worst > OBJECTIVE_LIMIT:
        raise ValueError(
            f"the day is too large for exact priority penalties: dropping every visit would "
            f"cost {worst}, beyond the solver's safe limit {OBJECTIVE_LIMIT}; plan fewer "
            f"visits at once or split the day by region"
        )
    return penalties


def _stacked(bound: int, counts: Counter[Priority]) -> dict[Priority, int]:
    """Per-priority weights, each above `bound` plus all lower-priority weights together."""
    weights: dict[Priority, int] = {}
    lower_total = 0
    for priority in sorted(Priority, reverse=True):  # P4 first: each level sits on the last
        weights[priority] = bound + lower_total + 1
        lower_total += counts[priority] * weights[priority]
    return weights
