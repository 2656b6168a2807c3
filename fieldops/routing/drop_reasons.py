"""Why a visit was left out of a plan, in words a dispatcher can act on (pure).

Computed after planning from facts that hold for any plan (field_rules), checked from the most
specific fix to the least: add a window, change the lock, find someone with the skill, move
the parts, and only then "the day is full". Both planners use the same reasons.
"""

from __future__ import annotations

from collections.abc import Mapping

from fieldops.routing.field import Depot, FieldDay, Visit
from fieldops.routing.field_rules import (
    allowed,
    depots_by_key,
    has_skills,
    reaches_alone,
    visit_options,
)


def drop_reason(day: FieldDay, visit: Visit, depots: Mapping[str, Depot] | None = None) -> str:
    """The first reason, in the order above, that keeps `visit` out of the plan."""
    depots = depots_by_key(day) if depots is None else depots
    if not visit.windows:
        return "it has no access window today"
    engineers = {e.key: e for e in day.engineers}
    if visit.locked_to is not None:
        locked = engineers.get(visit.locked_to)
        if locked is None:
            return f"it is locked to {visit.locked_to}, who is not working today"
        if not has_skills(locked, visit):
            lacking = _names(visit.skills - locked.skills)
            return f"it is locked to {locked.key}, who lacks the skill(s) {lacking}"
    candidates = [e for e in day.engineers if allowed(e, visit)]
    if not candidates:
        held = frozenset().union(*(e.skills for e in day.engineers))
        missing = visit.skills - held
        if missing:
            return f"no engineer working today has the skill(s) {_names(missing)}"
        return f"no engineer working today has all of the skills {_names(visit.skills)} together"
    options = visit_options(day, visit, depots)
    count = len(options.engineers)
    if count:
        who = (
            f"{visit.locked_to}, the engineer it is locked to"
            if visit.locked_to is not None
            else f"the {count} engineer{'s' if count > 1 else ''} who could do it"
        )
        eligible = [day.engineers[i] for i in options.engineers]
        if all(e.max_visits == 0 for e in eligible):
            return f"the day of {who} is already full (daily job capacity reached)"
        reason = (
            f"no room left in the day of {who} "
            "(higher-priority visits took the time or the daily job capacity)"
        )
        if visit.parts is not None and not options.pickup:
            reason += "; only van stock can supply its parts, and it may have gone to other visits"
        return reason
    parts = visit.parts
    depot = depots.get(parts.depot) if parts is not None else None
    if parts is not None and depot is None and not options.direct:
        return (
            f"its parts are not in any eligible van and their depot {parts.depot} is not open today"
        )
    if depot is not None and any(reaches_alone(day, e, visit, depot) for e in candidates):
        largest = max((e.capacity or 0) for e in candidates)
        volume = parts.volume if parts is not None else 0
        return (
            f"its parts need {volume} units of van space, more than any eligible van has "
            f"free (largest: {largest})"
        )
    including = (
        f" (collecting its parts at {depot.key} first, where the van does not hold them)"
        if depot is not None
        else ""
    )
    if visit.locked_to is not None:
        return (
            f"it is locked to {visit.locked_to}, who cannot reach it inside its access "
            f"windows and their shift{including}, even with no other work"
        )
    return (
        f"none of the {len(candidates)} engineer(s) with the skills can reach it inside its "
        f"access windows and their shift{including}, even with no other work"
    )


def _names(skills: frozenset[str]) -> str:
    return ", ".join(sorted(skills))
