"""Marshmallow schemas for customers, services and SLA plans."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates

from fieldops.customers.calendars import calendar_errors, targets_errors
from fieldops.customers.models import Customer, Service, SlaPlan
from fieldops.customers.priority import matrix_errors

# A page past this is a typo or a probe; it would also overflow the database's OFFSET.
MAX_PAGE = 1_000_000


class PageQuerySchema(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class CustomerSchema(Schema):
    code = fields.String()
    name = fields.String()


class CustomerCreateSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(min=2, max=20))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))


class SiteSchema(Schema):
    name = fields.String(validate=validate.Length(max=200))
    address = fields.String(required=True, validate=validate.Length(min=1, max=500))
    city = fields.String(validate=validate.Length(max=120))
    lat = fields.Float(required=True, validate=validate.Range(min=-90, max=90))
    lon = fields.Float(required=True, validate=validate.Range(min=-180, max=180))
    access_notes = fields.String(validate=validate.Length(max=2000))
    contact_name = fields.String(
        validate=validate.Length(max=120),
        metadata={"description": "Who meets the engineer on site (printed on work orders)."},
    )
    contact_phone = fields.String(validate=validate.Length(max=40))


class ServiceSchema(Schema):
    id = fields.String(metadata={"description": "The service code, such as SVC-10023."})
    customer = fields.String(metadata={"description": "The customer's code."})
    type = fields.String()
    name = fields.String()
    site = fields.Nested(SiteSchema)
    circuit_ids = fields.List(fields.String())
    sla_plan = fields.String(metadata={"description": "The SLA plan's code."})


class ServiceQuerySchema(PageQuerySchema):
    customer = fields.String()


class ServiceCreateSchema(Schema):
    id = fields.String(required=True, validate=validate.Length(min=5, max=40))
    customer = fields.String(required=True)
    type = fields.String(required=True, validate=validate.Length(min=1, max=60))
    name = fields.String(validate=validate.Length(max=200))
    site = fields.Nested(SiteSchema, required=True)
    circuit_ids = fields.List(fields.String(validate=validate.Length(min=1, max=80)))
    sla_plan = fields.String(required=True)


class SlaPlanSchema(Schema):
    code = fields.String()
    name = fields.String()
    calendar = fields.Dict()
    targets = fields.Dict()
    priority_matrix = fields.Dict(allow_none=True)


class SlaPlanCreateSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=40))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    calendar = fields.Dict(required=True)
    targets = fields.Dict(required=True)
    priority_matrix = fields.Dict(allow_none=True)

    @validates("calendar")
    def _calendar(self, value: Any, **_: Any) -> None:
        if problems := calendar_errors(value):
            raise ValidationError(problems)

    @validates("targets")
    def _targets(self, value: Any, **_: Any) -> None:
        if problems := targets_errors(value):
            raise ValidationError(problems)

    @validates("priority_matrix")
    def _matrix(self, value: Any, **_: Any) -> None:
        if value is not None and (problems := matrix_errors(value)):
            raise ValidationError(problems)


def customer_payload(customer: Customer) -> dict[str, Any]:
    return {"code": customer.code, "name": customer.name}


def service_payload(service: Service) -> dict[str, Any]:
    site = service.site
    return {
        "id": service.code,
        "customer": service.customer.code,
        "type": service.type,
        "name": service.name,
        "site": {
            "name": site.name,
            "address": site.address,
            "city": site.city,
            "lat": site.lat,
            "lon": site.lon,
            "access_notes": site.access_notes,
            "contact_name": site.contact_name,
            "contact_phone": site.contact_phone,
        },
        "circuit_ids": list(service.circuit_ids or []),
        "sla_plan": service.sla_plan.code,
    }


def sla_plan_payload(plan: SlaPlan) -> dict[str, Any]:
    return {
        "code": plan.code,
        "name": plan.name,
        "calendar": plan.calendar,
        "targets": plan.targets,
        "priority_matrix": plan.priority_matrix,
    }
