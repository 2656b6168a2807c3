"""The stock manager's forms: receive, transfer, adjust, the RMA steps and a line's limits.

Each happy path lands on the location page with the new numbers; each refusal keeps what
was typed, names the field, answers 422 or 409, and leaves stock and the ledger unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from fieldops.accounts.models import User
from fieldops.backoffice.stock import forms
from fieldops.clock import utcnow
from fieldops.errors import RuleViolationError
from fieldops.inventory import queries, services
from fieldops.inventory.models import StockMovement, StockUnit
from tests.backoffice.test_stock_pages import StockWorld, build_world, cell, row
from tests.web.pages import post_form, text


@pytest.fixture
def world(session: Any) -> StockWorld:
    return build_world(session)


@pytest.fixture
def keeper(login_as: Callable[[User], FlaskClient], world: StockWorld) -> FlaskClient:
    return login_as(world.keeper)


def snapshot(session: Any) -> tuple[Any, ...]:
    """Every stock line's numbers and the ledger's length: what a refusal must not change."""
    session.expire_all()
    lines, _ = queries.list_stock(per_page=1000)
    movements = session.scalar(select(func.count()).select_from(StockMovement))
    return (tuple(lines), movements)


def line(sku: str, code: str) -> Any:
    found, _ = queries.list_stock(sku=sku, location=code)
    return found[0] if found else None


def value_of(html: str, testid: str) -> str:
    found = re.search(rf'data-testid="{testid}"[^>]*value="([^"]*)"', html) or re.search(
        rf'value="([^"]*)"[^>]*data-testid="{testid}"', html
    )
    assert found, f"no input {testid}"
    return found.group(1)


def selected(html: str, testid: str) -> str:
    found = re.search(rf'<select[^>]*data-testid="{testid}".*?</select>', html, re.S)
    assert found, f"no select {testid}"
    option = re.search(r'<option value="([^"]*)" selected', found.group(0))
    return option.group(1) if option else ""


def follow(client: FlaskClient, response: Any) -> str:
    assert response.status_code == 302, text(response)[:2000]
    return text(client.get(response.headers["Location"]))


# --- receive ---------------------------------------------------------------------------


def test_receiving_bulk_stock_shows_on_the_depot_page(
    keeper: FlaskClient, world: StockWorld
) -> None:
    response = post_form(
        keeper,
        "/stock/receive",
        "/stock/receive",
        {"sku": "cab-lc-2m", "location": "DEP-WAW", "quantity": "25", "reference": "DN-4411"},
    )

    assert response.headers["Location"] == "/stock/locations/DEP-WAW"
    page = follow(keeper, response)
    assert "Received 25 x CAB-LC-2M into DEP-WAW." in page
    cable = row(page, "line", "sku", "CAB-LC-2M")
    assert cell(cable, "on-hand") == "65"
    assert 'class=""' in cable  # 65 available: back above the floor of 50
    receipt = queries.list_movements(sku="CAB-LC-2M", kind="receipt")[0][0]
    assert (receipt.quantity, receipt.reference, receipt.actor) == (
        25,
        "DN-4411",
        world.keeper.email,
    )


def test_receiving_serialised_stock_records_every_serial(
    keeper: FlaskClient, world: StockWorld, session: Any
) -> None:
    response = post_form(
        keeper,
        "/stock/receive?location=DEP-KRK",
        "/stock/receive",
        {"sku": "PSU-750W", "location": "DEP-KRK", "serials": "SN-A1\r\n\r\n SN-A2 \nSN-A3\n"},
    )

    page = follow(keeper, response)
    assert cell(row(page, "line", "sku", "PSU-750W"), "on-hand") == "3"
    units = session.scalars(select(StockUnit.serial).where(StockUnit.serial.like("SN-A%"))).all()
    assert sorted(units) == ["SN-A1", "SN-A2", "SN-A3"]


def test_a_serialised_receipt_without_serials_is_refused_and_keeps_the_input(
    keeper: FlaskClient, world: StockWorld, session: Any
) -> None:
    before = snapshot(session)

    response = post_form(
        keeper,
        "/stock/receive",
        "/stock/receive",
        {"sku": "PSU-750W", "location": "DEP-KRK", "quantity": "4", "reference": "DN-77"},
    )

    html = text(response)
    assert response.status_code == 422
    assert "Refused (422)" in html
    assert 'data-testid="error-serials"' in html
    assert "list the serials received" in html
    assert value_of(html, "sku") == "PSU-750W"
    assert value_of(html, "quantity") == "4"
    assert value_of(html, "reference") == "DN-77"
    assert selected(html, "location") == "DEP-KRK"
    assert snapshot(session) == before


def test_receiving_into_a_van_or_a_bad_quantity_names_the_field(
    keeper: FlaskClient, world: StockWorld, session: Any
) -> None:
    before = snapshot(session)

    into_van = post_form(
        keeper,
        "/stock/receive",
        "/stock/receive",
        {"sku": "CAB-LC-2M", "location": "VAN-EVE", "quantity": "5"},
    )
    not_a_number = post_form(
        keeper,
        "/stock/receive",
        "/stock/receive",
        {"sku": "", "location": "DEP-WAW", "quantity": "five", "serials": ""},
    )
    unknown = post_form(
        keeper,
        "/stock/receive",
        "/stock/receive",
        {"sku": "NO-SUCH-PART", "location": "DEP-WAW", "quantity": "5"},
    )

    assert into_van.status_code == 422
    assert "goes to a depot; VAN-EVE is a van" in text(into_van)
    assert 'data-testid="error-location"' in text(into_van)
    assert not_a_number.status_code == 422
    assert 'data-testid="error-quantity">Enter a whole number' in text(not_a_number)
    assert 'data-testid="error-sku">This field is required.' in text(not_a_number)
    assert value_of(text(not_a_number), "quantity") == "five"
    assert unknown.status_code == 422
    assert "Unknown SKU" in text(unknown)
    assert value_of(text(unknown), "sku") == "NO-SUCH-PART"
    assert snapshot(session) == before


# --- transfer --------------------------------------------------------------------------


def test_transferring_named_serials_to_a_van(
    keeper: FlaskClient, world: StockWorld, session: Any
) -> None:
    response = post_form(
        keeper,
        "/stock/transfer?from=DEP-WAW",
        "/stock/transfer",
        {
            "sku": "PSU-750W",
            "from": "DEP-WAW",
            "to": "VAN-EVE",
            "serials": world.serials[1],
            "reason": "restock van",
        },
    )

    assert response.headers["Location"] == "/stock/locations/VAN-EVE"
    page = follow(keeper, response)
    assert "Moved 1 x PSU-750W from DEP-WAW to VAN-EVE." in page
    assert cell(row(page, "line", "sku", "PSU-750W"), "on-hand") == "2"
    assert line("PSU-750W", "DEP-WAW").on_hand == 1


def test_transferring_more_than_is_available_is_a_conflict_that_changes_nothing(
    keeper: FlaskClient, world: StockWorld, session: Any
) -> None:
    before = snapshot(session)

    response = post_form(
        keeper,
        "/stock/transfer",
        "/stock/transfer",
        {
            "sku": "CAB-LC-2M",
            "from": "DEP-WAW",
            "to": "DEP-KRK",
            "quantity": "41",
            "reason": "rebalance",
        },
    )

    html = text(response)
    assert response.status_code == 409
    assert "Refused (409): Not enough CAB-LC-2M at DEP-WAW: 41 wanted, 40 available" in html
    assert 'data-testid="error-quantity"' in html
    assert value_of(html, "quantity") == "41"
    assert value_of(html, "reason") == "rebalance"
    assert (selected(html, "from"), selected(html, "to")) == ("DEP-WAW", "DEP-KRK")
    assert snapshot(session) == before


# --- adjust ----------------------------------------------------------------------------


def test_adjusting_needs_a_reason_and_then_corrects_the_line(
    keeper: FlaskClient, world: StockWorld, session: Any
) -> None:
    before = snapshot(session)
    typed = {"sku": "CAB-LC-2M", "location": "DEP-WAW", "direction": "out", "quantity": "3"}

    refused = post_form(keeper, "/stock/adjust", "/stock/adjust", {**typed, "reason": " "})
    unchanged = snapshot(session)
    done = post_form(
        keeper, "/stock/adjust", "/stock/adjust", {**typed, "reason": "count found 37"}
    )

    html = text(refused)
    assert refused.status_code == 422
    assert 'data-testid="error-reason">Say why the stock is adjusted.' in html
    assert 'value="out" data-testid="direction-out" checked' in html
    assert value_of(html, "quantity") == "3"
    assert unchanged == before
    page = follow(keeper, done)
    assert "DEP-WAW: 3 x CAB-LC-2M written off (missing)." in page
    assert cell(row(page, "line", "sku", "CAB-LC-2M"), "on-hand") == "37"
    adjustment = queries.list_movements(sku="CAB-LC-2M", kind="adjust")[0][0]
    assert (adjustment.reason, adjustment.from_location) == ("count found 37", "DEP-WAW")


def test_adjusting_without_a_direction_is_refused(
    keeper: FlaskClient, world: StockWorld, session: Any
) -> None:
    response = post_form(
        keeper,
        "/stock/adjust",
        "/stock/adjust",
        {"sku": "CAB-LC-2M", "location": "DEP-WAW", "quantity": "1", "reason": "count"},
    )

    assert response.status_code == 422
    assert 'data-testid="error-direction"' in text(response)


# --- RMA -------------------------------------------------------------------------------


def test_a_faulty_unit_goes_back_to_the_depot_to_the_vendor_and_returns(
    keeper: FlaskClient, world: StockWorld, session: Any
) -> None:
    faulty = world.serials[0]  # in the van
    services.adjust(
        actor=None,
        sku="PSU-750W",
        location_code="VAN-EVE",
        direction="out",
        serials=[faulty],
        reason="dead on arrival",
        now=utcnow(),
    )
    services.adjust(
        actor=None,
        sku="PSU-750W",
        location_code="VAN-EVE",
        direction="in",
        condition="faulty",
        serials=["SN-DEAD-1"],
        reason="removed from site",
        now=utcnow(),
    )
    session.commit()

    returned = post_form(
        keeper,
        "/stock/rma?from=VAN-EVE",
        "/stock/rma/return",
        {"sku": "PSU-750W", "from": "VAN-EVE", "to": "DEP-WAW", "serials": "SN-DEAD-1"},
    )
    after_return = follow(keeper, returned)
    sent = post_form(
        keeper,
        "/stock/rma",
        "/stock/rma/send",
        {"sku": "PSU-750W", "location": "DEP-WAW", "rma": "RMA-9001", "serials": "SN-DEAD-1"},
    )
    after_send = follow(keeper, sent)
    back = post_form(
        keeper,
        "/stock/rma",
        "/stock/rma/receive",
        {"sku": "PSU-750W", "location": "DEP-WAW", "rma": "RMA-9001", "serials": "SN-DEAD-1"},
    )
    after_back = follow(keeper, back)

    assert "Faulty 1 x PSU-750W returned from VAN-EVE to DEP-WAW." in after_return
    assert cell(row(after_return, "line", "sku", "PSU-750W"), "faulty") == "1"
    assert "Sent 1 x PSU-750W to the vendor under RMA RMA-9001." in after_send
    assert cell(row(after_send, "line", "sku", "PSU-750W"), "faulty") == "0"
    assert cell(row(after_back, "line", "sku", "PSU-750W"), "on-hand") == "3"
    history = queries.list_movements(serial="SN-DEAD-1")[0]
    assert [m.kind for m in history] == [
        "receive_from_vendor",
        "send_to_vendor",
        "return",
        "adjust",
    ]
    assert history[0].reference == "RMA-9001"


def test_sending_to_the_vendor_without_an_rma_number_keeps_that_form_filled(
    keeper: FlaskClient, world: StockWorld, session: Any
) -> None:
    before = snapshot(session)

    response = post_form(
        keeper,
        "/stock/rma",
        "/stock/rma/send",
        {"sku": "PSU-750W", "location": "DEP-WAW", "rma": "", "quantity": "1"},
    )

    html = text(response)
    assert response.status_code == 422
    send = html[html.index('data-testid="rma-send"') : html.index('data-testid="rma-back"')]
    assert 'data-testid="error-rma">Give the vendor&#39;s RMA number.' in send
    assert value_of(send, "send-sku") == "PSU-750W"
    assert value_of(send, "send-quantity") == "1"
    assert selected(send, "send-location") == "DEP-WAW"
    back = html[html.index('data-testid="rma-back"') :]
    assert value_of(back, "back-sku") == ""  # the other forms start empty
    assert snapshot(session) == before


def test_returning_good_stock_as_faulty_is_a_conflict(
    keeper: FlaskClient, world: StockWorld, session: Any
) -> None:
    before = snapshot(session)

    response = post_form(
        keeper,
        "/stock/rma",
        "/stock/rma/return",
        {"sku": "CAB-LC-2M", "from": "DEP-WAW", "to": "DEP-KRK", "quantity": "2"},
    )

    assert response.status_code == 409
    assert "0 faulty" in text(response)
    assert snapshot(session) == before


# --- limits ----------------------------------------------------------------------------


def test_setting_a_reserve_floor_flags_the_line_at_once(
    keeper: FlaskClient, world: StockWorld
) -> None:
    form = text(keeper.get("/stock/limits?sku=PSU-750W&location=DEP-WAW"))

    response = post_form(
        keeper,
        "/stock/limits?sku=PSU-750W&location=DEP-WAW",
        "/stock/limits",
        {"sku": "PSU-750W", "location": "DEP-WAW", "reserve_floor": "3", "reorder_point": "4"},
    )

    assert value_of(form, "reserve_floor") == "0"
    assert "2</strong> available" in form
    page = follow(keeper, response)
    assert "PSU-750W: reserve floor 3, reorder point 4." in page
    psu = row(page, "line", "sku", "PSU-750W")
    assert 'class="line-floor"' in psu
    assert "under floor" in psu
    assert "under reorder point" in psu
    assert cell(page, "sum-alerts") == "3"  # the cable's floor, the PSU's floor and reorder point


def test_limits_must_be_whole_numbers(keeper: FlaskClient, world: StockWorld, session: Any) -> None:
    before = snapshot(session)

    response = post_form(
        keeper,
        "/stock/limits",
        "/stock/limits",
        {"sku": "PSU-750W", "location": "DEP-WAW", "reserve_floor": "-1", "reorder_point": "x"},
    )

    html = text(response)
    assert response.status_code == 422
    assert 'data-testid="error-reserve_floor"' in html
    assert 'data-testid="error-reorder_point"' in html
    assert value_of(html, "reserve_floor") == "-1"
    assert snapshot(session) == before


def test_a_form_posted_without_its_csrf_token_is_refused(
    keeper: FlaskClient, world: StockWorld, session: Any
) -> None:
    before = snapshot(session)

    response = keeper.post(
        "/stock/receive", data={"sku": "CAB-LC-2M", "location": "DEP-WAW", "quantity": "5"}
    )

    assert response.status_code == 400
    assert snapshot(session) == before


# --- the form parser on its own ----------------------------------------------------------


def test_parser_reads_serials_one_a_line_and_bounds_quantities() -> None:
    parsed = forms.receive(
        {"sku": " psu ", "location": "DEP-1", "serials": "A\n\n B \r\nC", "quantity": ""}
    )

    assert parsed == {
        "sku": "psu",
        "location_code": "DEP-1",
        "reference": "",
        "quantity": None,
        "serials": ["A", "B", "C"],
    }
    with pytest.raises(RuleViolationError) as huge:
        forms.receive({"sku": "X", "location": "D", "quantity": "99999999999"})
    assert "quantity" in huge.value.errors
    with pytest.raises(RuleViolationError) as neither:
        forms.transfer({"sku": "X", "from": "A", "to": "A"})
    assert set(neither.value.errors) == {"quantity", "to"}
    assert forms.rename({"reference": ["x"], "from": ["y"]}, {"reference": "rma"}) == {
        "rma": ["x"],
        "from": ["y"],
    }
