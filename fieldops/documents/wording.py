"""How a work order words what the data holds: access hours and the checklist (pure).

The checklist is the same safe order of work on every visit, with a step per part to fit
and the return of the faulty unit when parts are swapped, so an engineer on a P1 at 3 am
does not have to remember the RMA.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_LABELS = dict(zip(DAY_NAMES, ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"), strict=True))

BEFORE = (
    "Call the site contact with your ETA before setting off.",
    "Sign in at the site; follow the access notes and the site's safety rules.",
    "Confirm the fault with the customer and the NOC before touching equipment.",
)
AFTER = (
    "Test the service end to end with the NOC; note the result and the time.",
    "Walk the customer through what was done; record any follow-up needed.",
    "Leave the site tidy; get the customer's name and signature below.",
)


def access_hours_text(hours: Mapping[str, Any] | None) -> str:
    """ "Mon-Fri 08:00-18:00; Sat 09:00-13:00" from weekly spans; "" means any time.

    Consecutive days with the same spans are joined; a day without spans is closed.
    """
    if not hours:
        return ""
    groups: list[tuple[list[str], str]] = []
    for day in DAY_NAMES:
        spans = hours.get(day) or []
        words = ", ".join(f"{a}-{b}" for a, b in spans) if spans else ""
        if groups and groups[-1][1] == words:
            groups[-1][0].append(day)
        else:
            groups.append(([day], words))
    parts = []
    for days, words in groups:
        if not words:
            continue
        label = (
            DAY_LABELS[days[0]]
            if len(days) == 1
            else (f"{DAY_LABELS[days[0]]}-{DAY_LABELS[days[-1]]}")
        )
        parts.append(f"{label} {words}")
    return "; ".join(parts) or "closed every day"


def checklist(parts: Iterable[tuple[str, str, int]], skills: Sequence[str]) -> tuple[str, ...]:
    """The visit's steps: `parts` are (sku, name, quantity) to fit, `skills` the job's."""
    steps = list(BEFORE)
    swapped = False
    for sku, name, quantity in parts:
        swapped = True
        count = f"{quantity} x " if quantity > 1 else ""
        steps.append(f"Fit {count}{sku} ({name}); write the serial installed below.")
    if swapped:
        steps.append(
            "Label each faulty unit removed with the ticket ID and write its serial below; "
            "it travels back to the depot in the van (RMA)."
        )
    elif skills:
        steps.append(f"Diagnose and repair ({', '.join(skills)}).")
    steps.extend(AFTER)
    return tuple(steps)
