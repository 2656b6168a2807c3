"""The portal's "report a fault" form: required fields, errors kept next to fields, success."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask.testing import FlaskClient
from sqlalchemy import func, select

from fieldops.accounts.models import User
from fieldops.tickets.models import Ticket, TicketAttachment
from tests.portal.conftest import World
from tests.web.pages import csrf_token, post_form, text

NEW = "/portal/tickets/new"


def _local(moment: datetime, zone: str) -> str:
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M")


def _form(world: World, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "service_id": world.service.code,
        "fault_started_at": _local(datetime.now(UTC) - timedelta(hours=1), "Europe/Warsaw"),
        "tz": "Europe/Warsaw",
        "summary": "Link down at the Warsaw PoP",
        "impact": "service_affecting",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _ticket_count(session: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(Ticket)))


def _as_contact(login_as: Callable[[User], FlaskClient], world: World) -> FlaskClient:
    return login_as(world.contact)


def test_form_marks_required_fields_and_lists_only_my_services(
    login_as: Callable[[User], FlaskClient], world: World
) -> None:
    html = text(_as_contact(login_as, world).get(NEW))

    for label in ("Service", "Fault started", "Short description", "Impact"):
        assert re.search(label + r'\s*<span class="req">required</span>', html), label
    assert re.search(r'Urgency\s*<span class="opt">optional</span>', html)
    assert world.service.code in html
    assert world.foreign_service.code not in html
    assert "CID-WAW-1" in html  # circuits to choose from
    assert re.search(r'data-testid="ticket-form">\s*<input type="hidden" name="csrf_token"', html)
    assert csrf_token(html)


def test_missing_impact_is_named_and_everything_typed_is_kept(
    login_as: Callable[[User], FlaskClient], world: World, session: Any
) -> None:
    client = _as_contact(login_as, world)
    before = _ticket_count(session)
    typed = _form(
        world,
        impact=None,
        summary="Packet loss & jitter <towards core>",
        description="Since the maintenance window.",
        logs="64 bytes from 192.0.2.1: icmp_seq=1 ttl=57 time=120 ms",
        ip_address="192.0.2.10",
        urgency="medium",
        circuit_id="CID-WAW-2",
        fault_pattern="intermittent",
        fault_started_at="2026-11-18T09:30",
    )

    response = post_form(client, NEW, NEW, typed)

    html = text(response)
    assert response.status_code == 422
    assert 'data-testid="error-impact"' in html
    assert re.search(r'<fieldset id="impact"[^>]*aria-invalid="true"', html)
    assert "Packet loss &amp; jitter &lt;towards core&gt;" in html
    assert "Since the maintenance window." in html
    assert "icmp_seq=1 ttl=57" in html
    assert 'value="192.0.2.10"' in html
    assert 'value="2026-11-18T09:30"' in html
    assert re.search(r'<option value="medium"\s+selected>', html)
    assert re.search(r'<option value="CID-WAW-2"\s+selected>', html)
    assert re.search(r'value="intermittent"\s+checked', html)
    assert _ticket_count(session) == before


def test_bad_ip_address_is_refused_next_to_the_field(
    login_as: Callable[[User], FlaskClient], world: World, session: Any
) -> None:
    client = _as_contact(login_as, world)
    before = _ticket_count(session)

    response = post_form(client, NEW, NEW, _form(world, ip_address="300.1.2.3"))

    html = text(response)
    assert response.status_code == 422
    assert re.search(r'data-testid="error-ip_address">Not a valid IP address', html)
    assert re.search(r'id="ip_address"[^>]*aria-invalid="true"', html, re.S)
    assert 'value="300.1.2.3"' in html
    assert _ticket_count(session) == before


def test_fault_start_in_the_future_is_refused(
    login_as: Callable[[User], FlaskClient], world: World, session: Any
) -> None:
    client = _as_contact(login_as, world)
    tomorrow = _local(datetime.now(UTC) + timedelta(days=1), "Europe/Warsaw")
    before = _ticket_count(session)

    response = post_form(client, NEW, NEW, _form(world, fault_started_at=tomorrow))

    assert response.status_code == 422
    error = r'data-testid="error-fault_started_at">Must not be in the future'
    assert re.search(error, text(response))
    assert _ticket_count(session) == before


def test_unknown_browser_time_zone_is_refused(
    login_as: Callable[[User], FlaskClient], world: World
) -> None:
    response = post_form(login_as(world.contact), NEW, NEW, _form(world, tz="Mars/Olympus"))

    assert response.status_code == 422
    assert "Unknown time zone" in text(response)


def test_fault_start_is_read_in_the_browser_time_zone(
    login_as: Callable[[User], FlaskClient], world: World, session: Any
) -> None:
    started = (datetime.now(UTC) - timedelta(hours=3)).replace(second=0, microsecond=0)
    form = _form(world, fault_started_at=_local(started, "America/New_York"))
    form["tz"] = "America/New_York"

    response = post_form(login_as(world.contact), NEW, NEW, form)

    assert response.status_code == 302
    ticket = session.scalars(select(Ticket).order_by(Ticket.id.desc())).first()
    assert ticket.fault_started_at == started


def test_another_customers_service_is_not_found_or_refused(
    login_as: Callable[[User], FlaskClient], world: World, session: Any
) -> None:
    client = _as_contact(login_as, world)
    assert client.get(f"{NEW}?service={world.foreign_service.code}").status_code == 404
    before = _ticket_count(session)

    response = post_form(client, NEW, NEW, _form(world, service_id=world.foreign_service.code))

    assert response.status_code == 422
    assert re.search(r'data-testid="error-service_id">No service', text(response))
    assert _ticket_count(session) == before


def test_circuit_of_another_service_is_refused(
    login_as: Callable[[User], FlaskClient], world: World
) -> None:
    response = post_form(login_as(world.contact), NEW, NEW, _form(world, circuit_id="CID-OTHER"))

    assert response.status_code == 422
    assert re.search(r'data-testid="error-circuit_id">Not a circuit of', text(response))


def test_success_redirects_to_the_ticket_page_showing_its_id(
    login_as: Callable[[User], FlaskClient], world: World, session: Any
) -> None:
    client = _as_contact(login_as, world)

    response = post_form(client, NEW, NEW, _form(world, circuit_id="CID-WAW-1"))

    assert response.status_code == 302
    ticket = session.scalars(select(Ticket).order_by(Ticket.id.desc())).first()
    assert response.headers["Location"].endswith(f"/portal/tickets/{ticket.number}")
    assert ticket.channel == "portal"
    assert ticket.circuit_id == "CID-WAW-1"
    page = text(client.get(response.headers["Location"]))
    assert re.fullmatch(r"TT-\d{4}-\d{6}", ticket.number)
    assert f"Ticket {ticket.number} opened." in page
    assert f'<span data-testid="ticket-id">{ticket.number}</span>' in page


def test_uploaded_text_file_is_attached(
    login_as: Callable[[User], FlaskClient], world: World, session: Any
) -> None:
    client = _as_contact(login_as, world)
    upload = (io.BytesIO(b"traceroute to 192.0.2.1\n 1  * * *\n"), "trace.txt")

    response = post_form(client, NEW, NEW, {**_form(world), "logs_file": upload})

    assert response.status_code == 302
    attachment = session.scalars(select(TicketAttachment)).one()
    assert attachment.filename == "trace.txt"
    assert attachment.content.startswith(b"traceroute")
    assert "trace.txt is attached" in text(client.get(response.headers["Location"]))


def test_oversized_or_binary_upload_is_refused_with_a_clear_error(
    login_as: Callable[[User], FlaskClient], world: World, session: Any
) -> None:
    client = _as_contact(login_as, world)
    before = _ticket_count(session)
    big = (io.BytesIO(b"x" * (600 * 1024)), "huge.log")
    binary = (io.BytesIO(b"\x89PNG\r\n\x1a\n\x00\x00"), "photo.txt")

    too_big = post_form(client, NEW, NEW, {**_form(world, summary="Kept text"), "logs_file": big})
    not_text = post_form(client, NEW, NEW, {**_form(world), "logs_file": binary})

    assert too_big.status_code == 422
    assert "larger than 512 KB" in text(too_big)
    assert 'value="Kept text"' in text(too_big)
    assert not_text.status_code == 422
    assert "Only plain-text files" in text(not_text)
    assert _ticket_count(session) == before


def test_request_over_the_size_limit_gets_a_clear_413(
    login_as: Callable[[User], FlaskClient], world: World, session: Any
) -> None:
    client = login_as(world.contact)
    before = _ticket_count(session)
    huge = (io.BytesIO(b"x" * (3 * 1024 * 1024)), "dump.log")

    response = post_form(client, NEW, NEW, {**_form(world), "logs_file": huge})

    assert response.status_code == 413
    assert "The upload is too large" in text(response)
    assert _ticket_count(session) == before


def test_post_without_csrf_token_is_refused(
    login_as: Callable[[User], FlaskClient], world: World, session: Any
) -> None:
    client = _as_contact(login_as, world)
    before = _ticket_count(session)

    response = client.post(NEW, data=_form(world))

    assert response.status_code == 400
    assert "The form expired" in text(response)
    assert _ticket_count(session) == before


def test_nul_character_in_a_form_is_a_clear_422_and_saves_nothing(
    login_as: Callable[[User], FlaskClient], world: World, session: Any
) -> None:
    # PostgreSQL cannot store U+0000; both databases must refuse it the same way, not with 500.
    client = _as_contact(login_as, world)
    before = _ticket_count(session)
    response = post_form(client, NEW, NEW, _form(world, summary="Link\x00down"))
    assert response.status_code == 422
    assert "NUL" in text(response)
    assert _ticket_count(session) == before
