"""What a work order and an engineer's day sheet show, read from the database.

The PDF is what the engineer carries on site, so the gathering is complete: the ticket and
its public log, the site and who meets the engineer there, the parts reserved (serials and
where to pick them up), and, once the visit is recorded, the serials fitted and removed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import select

from fieldops.accounts.models import User
from fieldops.customers.models import Customer, Service, Site
from fieldops.db import db
from fieldops.dispatch import queries as dispatch_queries
from fieldops.dispatch.models import Job
from fieldops.documents.content import (
    DaySheetContent,
    LogEntry,
    PartLine,
    PartRecord,
    WorkOrderContent,
)
from fieldops.documents.wording import access_hours_text, checklist
from fieldops.engineers.models import Engineer
from fieldops.errors import NotFoundError
from fieldops.inventory.models import PartType, StockLocation, StockMovement, StockUnit
from fieldops.inventory.rules import MovementKind
from fieldops.routing import queries as routing_queries
from fieldops.tickets.models import Ticket, TicketEvent
from fieldops.tickets.queries import user_names

FITTED = (MovementKind.INSTALL.value, MovementKind.CONSUME.value)


def public_log(ticket_id: int) -> tuple[LogEntry, ...]:
    """The ticket's public work log, oldest first, with the actors' names."""
    events = list(
        db.session.scalars(
            select(TicketEvent)
            .where(TicketEvent.ticket_id == ticket_id, TicketEvent.public.is_(True))
            .order_by(TicketEvent.created_at, TicketEvent.id)
        )
    )
    names = user_names({e.actor_id for e in events if e.actor_id is not None})
    return tuple(
        LogEntry(
            at=e.created_at,
            kind=e.kind,
            actor=names.get(e.actor_id, "") if e.actor_id else "",
            body=e.body,
        )
        for e in events
    )


def _zone(service: Service) -> str:
    return str((service.sla_plan.calendar or {}).get("timezone") or "UTC")


def _part_lines(view: dispatch_queries.JobView) -> tuple[PartLine, ...]:
    skus = {sku for sku, _ in view.parts} | {r.sku for r in view.reservations}
    names: dict[str, str] = {}
    if skus:
        rows = db.session.execute(select(PartType.sku, PartType.name).where(PartType.sku.in_(skus)))
        names = {sku: name for sku, name in rows}
    codes = {r.location for r in view.reservations}
    places: dict[str, str] = {}
    if codes:
        rows = db.session.execute(
            select(StockLocation.code, StockLocation.name).where(StockLocation.code.in_(codes))
        )
        places = {code: name for code, name in rows}
    lines: list[PartLine] = []
    covered: dict[str, int] = {}
    for r in view.reservations:
        if r.status == "released":
            continue
        covered[r.sku] = covered.get(r.sku, 0) + r.quantity
        lines.append(
            PartLine(
                sku=r.sku,
                name=names.get(r.sku, ""),
                quantity=r.quantity,
                serials=tuple(r.serials),
                location_code=r.location,
                location_name=places.get(r.location, ""),
                location_kind=r.location_kind,
                status=r.status,
            )
        )
    for sku, quantity in view.parts:
        short = quantity - covered.get(sku, 0)
        if short > 0:  # nothing (or not enough) reserved: the stock manager has a backorder
            lines.append(PartLine(sku=sku, name=names.get(sku, ""), quantity=short))
    return tuple(lines)


def _recorded(job: Job, reservation_ids: Sequence[int]) -> tuple[tuple[PartRecord, ...], ...]:
    fitted = (
        db.session.execute(
            select(PartType.sku, StockUnit.serial, StockMovement.quantity)
            .join(PartType, PartType.id == StockMovement.part_type_id)
            .outerjoin(StockUnit, StockUnit.id == StockMovement.unit_id)
            .where(
                StockMovement.kind.in_(FITTED),
                StockMovement.reservation_id.in_(list(reservation_ids)),
            )
            .order_by(StockMovement.id)
        ).all()
        if reservation_ids
        else []
    )
    removed = db.session.execute(
        select(PartType.sku, StockUnit.serial, StockMovement.quantity)
        .join(PartType, PartType.id == StockMovement.part_type_id)
        .outerjoin(StockUnit, StockUnit.id == StockMovement.unit_id)
        .where(
            StockMovement.kind == MovementKind.REMOVE.value,
            StockMovement.reason == f"removed on {job.number}",
        )
        .order_by(StockMovement.id)
    ).all()
    return tuple(
        tuple(
            PartRecord(sku=sku, serial=serial or "", quantity=int(qty)) for sku, serial, qty in rows
        )
        for rows in (fitted, removed)
    )


def work_order_content(number: str, now: datetime) -> WorkOrderContent:
    """Everything the work order of job `number` prints; NotFoundError if there is none."""
    return _work_order(dispatch_queries.get_job(number), now)


def _work_order(view: dispatch_queries.JobView, now: datetime) -> WorkOrderContent:
    job = db.session.scalars(select(Job).where(Job.number == view.number)).one()
    ticket = db.session.get_one(Ticket, job.ticket_id)
    service = db.session.get_one(Service, ticket.service_id)
    site = db.session.get_one(Site, job.site_id)
    customer = db.session.get_one(Customer, ticket.customer_id)
    reporter = db.session.get(User, ticket.requester_id) if ticket.requester_id else None
    parts = _part_lines(view)
    installed, removed = _recorded(job, [r.id for r in view.reservations])
    to_fit = [(p.sku, p.name, p.quantity) for p in parts]
    return WorkOrderContent(
        number=view.number,
        ticket=ticket.number,
        priority=view.priority,
        status=view.status,
        arrive_by=view.arrive_by,
        duration_min=view.duration_min,
        required_skills=tuple(view.required_skills),
        timezone=_zone(service),
        generated_at=now,
        customer_code=customer.code,
        customer_name=customer.name,
        service_code=service.code,
        service_type=service.type,
        circuit_id=ticket.circuit_id or "",
        site_name=site.name,
        site_address=site.address,
        site_city=site.city,
        site_lat=site.lat,
        site_lon=site.lon,
        access_notes=site.access_notes or "",
        access_hours=access_hours_text(view.access_hours),
        contact_name=site.contact_name or (reporter.name if reporter else ""),
        contact_phone=site.contact_phone or "",
        contact_email=reporter.email if reporter else "",
        engineer_name=view.engineer_name or "",
        fault_summary=ticket.summary,
        fault_description=ticket.description or "",
        fault_started_at=ticket.fault_started_at,
        impact=ticket.impact.replace("_", " ").capitalize(),
        public_log=public_log(ticket.id),
        parts=parts,
        checklist=checklist(to_fit, view.required_skills),
        installed=installed,
        removed=removed,
        en_route_at=job.en_route_at,
        on_site_at=job.on_site_at,
        finished_at=job.finished_at,
        signed_off_by=job.signed_off_by or "",
        notes=job.notes or "",
    )


def day_sheet_content(engineer_id: int, day: date, now: datetime) -> DaySheetContent:
    """The engineer's open work for their local `day`, in the order of the day's stored route
    plan when it has a route for them (then any job it does not visit, by arrive-by)."""
    engineer = db.session.get(Engineer, engineer_id)
    if engineer is None:
        raise NotFoundError(f"No engineer {engineer_id}.")
    jobs = dispatch_queries.engineer_jobs(engineer.id, day, engineer.timezone)
    open_jobs = {job.number: job for job in (*jobs.today, *jobs.later)}
    route = routing_queries.find_engineer_route(engineer.id, day)
    order: list[str] = []
    arrivals: dict[str, datetime] = {}
    for stop in route.stops if route else ():
        if (
            stop.kind == "visit"
            and stop.job_number in open_jobs
            and stop.job_number not in arrivals
        ):
            order.append(stop.job_number)
            arrivals[stop.job_number] = stop.arrive_at
    order.extend(job.number for job in jobs.today if job.number not in arrivals)
    return DaySheetContent(
        engineer_name=engineer.name,
        day=day,
        timezone=engineer.timezone,
        generated_at=now,
        work_orders=tuple(_work_order(open_jobs[number], now) for number in order),
        planned_arrivals=arrivals,
    )
