"""The OpenAPI 3 document at /api/v1/openapi.json and the browsable reference at /api/v1/docs."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.api.conftest import API

# DESIGN.md's table, as implemented so far: path -> verbs.
IMPLEMENTED = {
    "/customers": {"get", "post"},
    "/services": {"get", "post"},
    "/sla-plans": {"get", "post"},
    "/tickets": {"get", "post"},
    "/tickets/{id}": {"get", "patch"},
    "/tickets/{id}/events": {"get", "post"},
    "/tickets/{id}/transitions": {"post"},
    "/tickets/{id}/confirmation": {"post"},
    "/part-types": {"get", "post"},
    "/locations": {"get", "post"},
    "/stock": {"get"},
    "/stock/movements": {"get", "post"},
    "/reservations": {"get", "post"},
    "/reservations/{id}": {"get", "delete"},
    "/engineers": {"get", "post"},
    "/jobs": {"get", "post"},
    "/jobs/{id}": {"get"},
    "/jobs/{id}/candidates": {"get"},
    "/jobs/{id}/assignment": {"post"},
    "/jobs/{id}/status": {"post"},
    "/engineers/{id}/route": {"get"},
    "/route-plans": {"get", "post"},
    "/route-plans/{id}": {"get"},
}


@pytest.fixture
def spec(client: FlaskClient) -> dict[str, Any]:
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return dict(response.get_json())


def _normalised(spec: dict[str, Any]) -> dict[str, set[str]]:
    """Paths without the /api/v1 prefix and with any {param} written {id}."""
    out: dict[str, set[str]] = {}
    for path, item in spec["paths"].items():
        short = path.removeprefix(API)
        parts = ["{id}" if p.startswith("{") else p for p in short.split("/")]
        verbs = {v for v in item if v in ("get", "post", "put", "patch", "delete")}
        out.setdefault("/".join(parts), set()).update(verbs)
    return out


def test_the_document_is_openapi_3(spec: dict[str, Any]) -> None:
    assert spec["openapi"].startswith("3.")
    assert spec["info"]["title"]
    assert spec["info"]["version"]


def test_every_implemented_path_of_the_design_is_documented(spec: dict[str, Any]) -> None:
    documented = _normalised(spec)
    for path, verbs in IMPLEMENTED.items():
        assert path in documented, f"{path} missing from the OpenAPI document"
        assert verbs <= documented[path], (path, documented[path])


def test_paths_live_under_the_api_prefix(spec: dict[str, Any]) -> None:
    assert all(path.startswith(f"{API}/") for path in spec["paths"])
    assert f"{API}/auth/token" in spec["paths"]


def test_ticket_paths_take_the_human_readable_id(spec: dict[str, Any]) -> None:
    item = next(p for p in spec["paths"] if p.startswith(f"{API}/tickets/{{"))
    assert item.count("{") == 1


def test_bearer_authentication_is_documented(spec: dict[str, Any]) -> None:
    schemes = spec["components"]["securitySchemes"]
    assert any(s.get("type") == "http" and s.get("scheme") == "bearer" for s in schemes.values())
    assert spec.get("security")
    token = spec["paths"][f"{API}/auth/token"]["post"]
    assert token.get("security") == []


def test_the_idempotency_key_header_is_documented(spec: dict[str, Any]) -> None:
    post = spec["paths"][f"{API}/tickets"]["post"]
    headers = [p for p in post.get("parameters", []) if p["in"] == "header"]
    assert "Idempotency-Key" in {h["name"] for h in headers}


def test_the_ticket_schema_names_the_contract_fields(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    ticket = schemas["Ticket"]["properties"]
    for name in ("id", "service_id", "fault_started_at", "impact", "priority", "status", "sla"):
        assert name in ticket
    create = schemas["TicketCreate"]
    assert set(create["required"]) >= {"service_id", "fault_started_at", "summary", "impact"}


def test_the_list_query_documents_pagination_and_filters(spec: dict[str, Any]) -> None:
    get = spec["paths"][f"{API}/tickets"]["get"]
    names = {p["name"] for p in get["parameters"] if p["in"] == "query"}
    assert names >= {"page", "per_page", "status", "priority", "customer", "service", "breached"}
    per_page = next(p for p in get["parameters"] if p["name"] == "per_page")
    assert per_page["schema"]["maximum"] == 100


def test_the_docs_page_renders_the_reference(client: FlaskClient) -> None:
    response = client.get(f"{API}/docs")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "/api/v1/tickets" in page
    assert "openapi.json" in page or "OpenAPI" in page


def test_the_documented_error_body_is_the_contracts(spec: dict[str, Any]) -> None:
    """Clients generated from the document must parse the errors they really get."""
    error = spec["components"]["schemas"]["Error"]
    assert set(error["properties"]) == {"code", "message", "errors"}
    assert error["properties"]["code"]["type"] == "string"
    assert error["properties"]["message"]["type"] == "string"
    errors = error["properties"]["errors"]
    assert errors["type"] == "object"
    assert errors["additionalProperties"]["type"] == "array"
    assert errors["additionalProperties"]["items"]["type"] == "string"
