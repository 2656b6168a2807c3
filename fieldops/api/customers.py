"""/customers and /services: staff manage them; a contact sees their own."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from fieldops.api import current_api_user
from fieldops.api.permissions import CUSTOMER_ADMIN_ROLES, require_role
from fieldops.clock import utcnow
from fieldops.customers import queries, services
from fieldops.customers.schemas import (
    CustomerCreateSchema,
    CustomerSchema,
    PageQuerySchema,
    ServiceCreateSchema,
    ServiceQuerySchema,
    ServiceSchema,
    customer_payload,
    service_payload,
)
from fieldops.db import transaction

customers_blp = Blueprint("customers", __name__, description="Customers")
services_blp = Blueprint("services", __name__, description="Customers' services")


class CustomerListSchema(Schema):
    items = fields.List(fields.Nested(CustomerSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


class ServiceListSchema(Schema):
    items = fields.List(fields.Nested(ServiceSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


@customers_blp.route("")
class CustomerCollection(MethodView):
    @customers_blp.arguments(PageQuerySchema, location="query")
    @customers_blp.response(200, CustomerListSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Customers the caller may see (a contact: their own)."""
        rows, total = queries.list_customers(
            current_api_user(), page=args["page"], per_page=args["per_page"]
        )
        return {
            "items": [customer_payload(c) for c in rows],
            "total": total,
            "page": args["page"],
            "per_page": args["per_page"],
        }

    @customers_blp.arguments(CustomerCreateSchema)
    @customers_blp.response(201, CustomerSchema)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Create a customer (helpdesk staff)."""
        require_role(current_api_user(), CUSTOMER_ADMIN_ROLES, "create customers")
        with transaction():
            customer = services.create_customer(code=body["code"], name=body["name"], now=utcnow())
            return customer_payload(customer)


@customers_blp.route("/<code>")
class CustomerItem(MethodView):
    @customers_blp.response(200, CustomerSchema)
    def get(self, code: str) -> dict[str, Any]:
        return customer_payload(queries.get_customer(current_api_user(), code))


@services_blp.route("")
class ServiceCollection(MethodView):
    @services_blp.arguments(ServiceQuerySchema, location="query")
    @services_blp.response(200, ServiceListSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Services the caller may see; filter by customer code."""
        rows, total = queries.list_services(
            current_api_user(),
            page=args["page"],
            per_page=args["per_page"],
            customer_code=args.get("customer"),
        )
        return {
            "items": [service_payload(s) for s in rows],
            "total": total,
            "page": args["page"],
            "per_page": args["per_page"],
        }

    @services_blp.arguments(ServiceCreateSchema)
    @services_blp.response(201, ServiceSchema)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Create a service with its site (helpdesk staff)."""
        require_role(current_api_user(), CUSTOMER_ADMIN_ROLES, "create services")
        with transaction():
            service = services.create_service(
                code=body["id"],
                customer_code=body["customer"],
                type=body["type"],
                name=body.get("name", ""),
                sla_plan_code=body["sla_plan"],
                site=body["site"],
                circuit_ids=body.get("circuit_ids"),
                now=utcnow(),
            )
            return service_payload(service)


@services_blp.route("/<code>")
class ServiceItem(MethodView):
    @services_blp.response(200, ServiceSchema)
    def get(self, code: str) -> dict[str, Any]:
        return service_payload(queries.get_service(current_api_user(), code))
