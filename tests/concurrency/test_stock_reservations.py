"""Racing reservations on real, committing connections: stock never goes negative, a serial
is never held twice, and the ledger balances afterwards (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from fieldops.accounts.services import issue_token
from fieldops.clock import utcnow
from fieldops.db import db, transaction
from fieldops.errors import ConflictError
from fieldops.geo import Point
from fieldops.inventory import services
from fieldops.inventory.models import Backorder, StockLevel, StockReservation, StockUnit
from fieldops.inventory.queries import verify_ledger
from tests.factories import make_depot, make_part_type, make_user, stock_up

THREADS = 32
STOCK = 5


def _run_together(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Start every worker at once, so they really race for the same line."""
    barrier = threading.Barrier(count)

    def _go(i: int) -> Any:
        barrier.wait()
        return work(i)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(_go, range(count)))


def _world(app: Flask, *, serialised: bool) -> tuple[str, str, int]:
    """Commit a depot holding STOCK of one part and a stock manager; return sku, depot, user."""
    with app.app_context(), transaction():
        part = make_part_type(serialised=serialised)
        depot = make_depot()
        stock_up(part, depot, STOCK)
        keeper = make_user(role="stock_manager")
        return part.sku, depot.code, keeper.id


def _line(app: Flask, sku: str) -> tuple[int, int]:
    with app.app_context():
        row = db.session.execute(select(StockLevel.on_hand, StockLevel.reserved)).one()
        return int(row[0]), int(row[1])


def test_32_racing_api_reservations_at_a_stock_of_5(fresh_app: Flask) -> None:
    sku, depot, keeper_id = _world(fresh_app, serialised=False)
    with fresh_app.app_context(), transaction():
        from fieldops.accounts.models import User

        user = db.session.get(User, keeper_id)
        assert user is not None
        token = issue_token(user, now=utcnow(), ttl=timedelta(hours=1)).token

    def _post(i: int) -> tuple[int, dict[str, Any]]:
        response = fresh_app.test_client().post(
            "/api/v1/reservations",
            json={"sku": sku, "quantity": 1, "location": depot, "purpose": f"race {i}"},
            headers={"Authorization": f"Bearer {token}"},
        )
        return response.status_code, response.get_json()

    results = _run_together(THREADS, _post)
    statuses = sorted(status for status, _ in results)
    assert statuses == [201] * STOCK + [409] * (THREADS - STOCK)
    assert all(body["code"] == "conflict" for status, body in results if status == 409)
    assert _line(fresh_app, sku) == (STOCK, STOCK)
    with fresh_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(StockReservation)) == STOCK
        assert verify_ledger().balanced


def test_racing_reservations_never_hold_a_serial_twice(fresh_app: Flask) -> None:
    sku, depot, _ = _world(fresh_app, serialised=True)

    def _reserve(i: int) -> int | str:
        with fresh_app.app_context():
            try:
                with transaction():
                    held = services.reserve(
                        actor=None,
                        sku=sku,
                        quantity=1,
                        location_code=depot,
                        purpose=f"race {i}",
                        now=utcnow(),
                    )
                    return held.id
            except ConflictError as refusal:
                return str(refusal.status)

    results = _run_together(THREADS, _reserve)
    assert results.count("409") == THREADS - STOCK
    with fresh_app.app_context():
        holders = db.session.scalars(select(StockUnit.reservation_id)).all()
        assert sorted(holders) == sorted(r for r in results if r != "409")
        assert len(set(holders)) == STOCK
        assert verify_ledger().balanced
    assert _line(fresh_app, sku) == (STOCK, STOCK)


def test_racing_nearest_reservations_spill_to_the_next_depot_then_backorder(
    fresh_app: Flask,
) -> None:
    with fresh_app.app_context(), transaction():
        part = make_part_type(serialised=False)
        near = make_depot(lat=52.23, lon=21.01)
        far = make_depot(lat=50.06, lon=19.94)
        stock_up(part, near, 3)
        stock_up(part, far, 2)
        sku, near_id, far_id = part.sku, near.id, far.id

    def _nearest(i: int) -> str:
        with fresh_app.app_context(), transaction():
            outcome = services.reserve_nearest(
                actor=None,
                sku=sku,
                quantity=1,
                point=Point(52.0, 21.0),
                purpose=f"race {i}",
                now=utcnow(),
            )
            return "reserved" if outcome.reservation else "backorder"

    results = _run_together(THREADS, _nearest)
    assert results.count("reserved") == 5
    with fresh_app.app_context():
        reserved = dict(
            db.session.execute(select(StockLevel.location_id, StockLevel.reserved)).all()
        )
        assert reserved == {near_id: 3, far_id: 2}
        assert db.session.scalar(select(func.count()).select_from(Backorder)) == THREADS - 5
        assert verify_ledger().balanced


def test_transfers_racing_in_opposite_directions_neither_deadlock_nor_oversell(
    fresh_app: Flask,
) -> None:
    with fresh_app.app_context(), transaction():
        part = make_part_type(serialised=False)
        east, west = make_depot(), make_depot()
        stock_up(part, east, 10)
        stock_up(part, west, 10)
        sku, codes = part.sku, (east.code, west.code)

    def _move(i: int) -> str:
        source, target = codes if i % 2 else codes[::-1]
        with fresh_app.app_context():
            try:
                with transaction():
                    services.transfer(
                        actor=None,
                        sku=sku,
                        from_code=source,
                        to_code=target,
                        quantity=3,
                        now=utcnow(),
                    )
                    return "moved"
            except ConflictError:
                return "short"

    results = _run_together(16, _move)
    assert set(results) <= {"moved", "short"}
    with fresh_app.app_context():
        total = db.session.scalar(select(func.sum(StockLevel.on_hand)))
        assert total == 20
        assert verify_ledger().balanced
