"""The pure rules of a day's snapshot: which shift periods make an engineer's day, what an
absence leaves of it, and which parts a visit must collect, and where."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fieldops.geo import Point
from fieldops.routing.day_rules import READ_MARGIN, Held, day_spans, free_part, part_need
from fieldops.routing.field import PartNeed

DAY = datetime(2026, 11, 18, tzinfo=UTC)
NEXT = DAY + timedelta(days=1)
READ = (DAY - READ_MARGIN, NEXT + READ_MARGIN)


def at(hours: float) -> datetime:
    return DAY + timedelta(hours=hours)


def test_a_day_shift_is_the_day() -> None:
    assert day_spans([(at(8), at(16))], DAY, NEXT, *READ) == [(at(8), at(16))]


def test_a_night_shift_belongs_to_the_day_it_starts() -> None:
    # Yesterday's night runs to 06:00; today's starts at 22:00 and ends tomorrow at 06:00.
    periods = [(at(-2), at(6)), (at(22), at(30))]
    assert day_spans(periods, DAY, NEXT, *READ) == [(at(22), at(30))]


def test_round_the_clock_cover_works_the_local_day_exactly() -> None:
    assert day_spans([READ], DAY, NEXT, *READ) == [(DAY, NEXT)]
    # Starting this morning and running on past what was read: cut at midnight.
    assert day_spans([(at(8), READ[1])], DAY, NEXT, *READ) == [(at(8), NEXT)]


def test_split_shifts_are_kept_in_order() -> None:
    periods = [(at(7), at(11)), (at(13), at(17)), (at(30), at(34))]
    assert day_spans(periods, DAY, NEXT, *READ) == [(at(7), at(11)), (at(13), at(17))]


def test_an_absence_keeps_the_longest_free_part() -> None:
    span = (at(8), at(16))
    assert free_part(span, []) == span
    assert free_part(span, [(at(9), at(10))]) == (at(10), at(16))
    assert free_part(span, [(at(12), at(20))]) == (at(8), at(12))
    assert free_part(span, [(at(10), at(14))]) == (at(8), at(10))  # equal parts: earliest
    assert free_part(span, [(at(6), at(18))]) is None


SITE = Point(52.23, 21.0)
DEPOTS = [
    ("DEP-NEAR", Point(52.24, 21.0), {"PSU": 1}),
    ("DEP-FAR", Point(50.06, 19.94), {"PSU": 5, "FAN": 2}),
]


def need(needed: dict[str, int], held: list[Held], engineer: int | None = 7) -> PartNeed | None:
    return part_need(needed, held, engineer, site=SITE, depots=DEPOTS, no_depot="NONE")


def test_no_parts_no_need() -> None:
    assert need({}, []) is None


def test_a_reservation_held_at_a_depot_is_collected_there() -> None:
    held = [Held("PSU", 1, depot="DEP-FAR")]
    assert need({"PSU": 1}, held) == PartNeed({"PSU": 1}, "DEP-FAR")


def test_parts_in_the_engineers_van_or_picked_need_nothing() -> None:
    assert need({"PSU": 1}, [Held("PSU", 1, van_of=7)]) is None
    assert need({"PSU": 1}, [Held("PSU", 1, picked=True, depot="DEP-FAR")]) is None


def test_unreserved_parts_come_from_the_nearest_depot_that_has_them_all() -> None:
    assert need({"PSU": 1}, [], engineer=None) == PartNeed({"PSU": 1}, "DEP-NEAR")
    assert need({"PSU": 2}, [], engineer=None) == PartNeed({"PSU": 2}, "DEP-FAR")
    assert need({"PSU": 1, "FAN": 1}, []) == PartNeed({"FAN": 1, "PSU": 1}, "DEP-FAR")
    assert need({"GBIC": 1}, []) == PartNeed({"GBIC": 1}, "NONE")


def test_a_reservation_in_someone_elses_van_does_not_count() -> None:
    assert need({"PSU": 1}, [Held("PSU", 1, van_of=8)]) == PartNeed({"PSU": 1}, "DEP-NEAR")


def test_what_is_missing_is_collected_with_the_held_parts() -> None:
    held = [Held("PSU", 1, depot="DEP-FAR")]
    assert need({"PSU": 1, "FAN": 2}, held) == PartNeed({"FAN": 2, "PSU": 1}, "DEP-FAR")
