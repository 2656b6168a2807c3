"""Reads that pages lean on: a page of locations' totals at once, the ledger by keyset."""

from __future__ import annotations

from typing import Any

from fieldops.inventory import services
from fieldops.inventory.models import PartType, StockLocation
from fieldops.inventory.queries import (
    ZERO_SUMMARY,
    list_movements,
    location_summaries,
    location_summary,
)
from tests.factories import DEFAULT_NOW, make_depot, stock_up


def test_totals_for_many_locations_match_each_ones_own(
    psu: PartType, cable: PartType, warsaw: StockLocation, krakow: StockLocation, van: Any
) -> None:
    stock_up(psu, warsaw, 3)
    stock_up(cable, warsaw, 40)
    stock_up(cable, krakow, 4)
    services.set_line_limits(
        sku=cable.sku, location_code=krakow.code, reserve_floor=5, now=DEFAULT_NOW
    )
    services.reserve(
        actor=None,
        sku=cable.sku,
        quantity=10,
        location_code=warsaw.code,
        purpose="x",
        now=DEFAULT_NOW,
    )
    empty = make_depot()
    batch = location_summaries([warsaw.id, krakow.id, van.id, empty.id])
    assert batch[warsaw.id] == location_summary(warsaw.id)
    assert (batch[warsaw.id].lines, batch[warsaw.id].on_hand, batch[warsaw.id].reserved) == (
        2,
        43,
        10,
    )
    assert (batch[krakow.id].below_floor, batch[krakow.id].open_alerts) == (1, 1)
    assert empty.id not in batch
    assert location_summary(empty.id) == ZERO_SUMMARY


def test_the_ledger_read_by_keyset_returns_every_row_once(
    cable: PartType, warsaw: StockLocation
) -> None:
    for _ in range(7):
        stock_up(cable, warsaw, 1)
    seen: list[int] = []
    before: int | None = None
    while True:
        rows, total = list_movements(per_page=3, before_id=before, with_total=False)
        assert total == -1
        seen.extend(r.id for r in rows)
        if len(rows) < 3:
            break
        before = rows[-1].id
    assert seen == sorted(seen, reverse=True)
    assert len(seen) == len(set(seen)) == list_movements()[1] == 7
