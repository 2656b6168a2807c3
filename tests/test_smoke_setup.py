"""The harness itself: migrations ran, the session rolls back, both databases answer."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from fieldops.customers.models import Customer
from tests.factories import make_customer


def test_created_rows_are_visible_inside_the_test(session: Any) -> None:
    make_customer(code="ROLLBK")
    assert session.scalar(select(func.count()).where(Customer.code == "ROLLBK")) == 1


def test_rows_from_other_tests_are_rolled_back(session: Any) -> None:
    make_customer(code="ROLLBK")  # would be a duplicate if the previous test leaked
    assert session.scalar(select(func.count()).where(Customer.code == "ROLLBK")) == 1
