"""Reading stored route plans (reads only): a plan with its routes, timed stops and drops,
the day's latest and current plan, an engineer's route on a day.

Minutes are rounded: travel to the nearest minute, slack down and lateness up (a stop shown
"0 min late" is never late). Every instant is aware UTC.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import aliased

from fieldops.customers.models import Site
from fieldops.db import db
from fieldops.dispatch.models import Job
from fieldops.engineers.models import Engineer
from fieldops.errors import NotFoundError
from fieldops.inventory.models import StockLocation
from fieldops.routing.models import EngineerRoute, PlanStatus, RouteDrop, RoutePlan, RouteStop


@dataclass(frozen=True)
class StopView:
    seq: int
    kind: str  # "visit" | "pickup"
    job_id: int | None
    job_number: str | None
    job_status: str | None
    priority: str | None
    place_name: str  # the site's name, or the depot's
    lat: float
    lon: float
    depot_code: str | None
    arrive_at: datetime
    start_at: datetime
    depart_at: datetime
    slack_min: int
    late_min: int
    for_job_number: str | None = None  # a pickup: the job it collects for
    travel_min: int = 0  # from the previous stop
    distance_km: float = 0.0
    duration_min: int = 0  # on site, or at the depot


@dataclass(frozen=True)
class RouteView:
    engineer_id: int
    engineer_name: str
    leave_at: datetime
    back_at: datetime
    travel_min: int
    distance_km: float
    start_lat: float
    start_lon: float
    end_lat: float
    end_lon: float
    stops: tuple[StopView, ...]
    plan_id: int = 0
    plan_on: date | None = None


@dataclass(frozen=True)
class DropView:
    job_id: int
    job_number: str
    priority: str
    place_name: str
    reason: str


@dataclass(frozen=True)
class PlanView:
    id: int
    plan_on: date
    region: str | None
    status: str
    progress_pct: int
    error: str
    created_at: datetime
    finished_at: datetime | None
    served: int
    travel_min: int
    routes: tuple[RouteView, ...]
    dropped: tuple[DropView, ...]
    started_at: datetime | None = None
    time_limit_s: int = 0
    dropped_count: int = 0
    distance_km: float = 0.0
    notes: str = ""


def _minutes(seconds: int) -> int:
    return round(seconds / 60)


def _km(metres: int) -> float:
    return round(metres / 1000, 1)


def _stops(plan_id: int, engineer_ids: Sequence[int]) -> dict[int, list[StopView]]:
    found: dict[int, list[StopView]] = defaultdict(list)
    if not engineer_ids:
        return found
    served = aliased(Job)
    rows = db.session.execute(
        select(RouteStop, Job, Site, StockLocation, served.number)
        .outerjoin(Job, Job.id == RouteStop.job_id)
        .outerjoin(Site, Site.id == Job.site_id)
        .outerjoin(StockLocation, StockLocation.id == RouteStop.location_id)
        .outerjoin(served, served.id == RouteStop.for_job_id)
        .where(RouteStop.plan_id == plan_id, RouteStop.engineer_id.in_(list(engineer_ids)))
        .order_by(RouteStop.engineer_id, RouteStop.seq)
    )
    for stop, job, site, depot, for_number in rows:
        place = site if site is not None else depot
        found[stop.engineer_id].append(
            StopView(
                seq=stop.seq,
                kind=stop.kind,
                job_id=job.id if job is not None else None,
                job_number=job.number if job is not None else None,
                job_status=job.status if job is not None else None,
                priority=job.priority if job is not None else None,
                place_name=place.name if place is not None else "",
                lat=place.lat if place is not None else 0.0,
                lon=place.lon if place is not None else 0.0,
                depot_code=depot.code if depot is not None else None,
                arrive_at=stop.arrive_at,
                start_at=stop.start_at,
                depart_at=stop.depart_at,
                slack_min=stop.slack_s // 60,
                late_min=math.ceil(stop.late_s / 60),
                for_job_number=for_number,
                travel_min=_minutes(stop.travel_s),
                distance_km=_km(stop.distance_m),
                duration_min=_minutes(int((stop.depart_at - stop.start_at).total_seconds())),
            )
        )
    return found


def _routes(plan: RoutePlan, engineer_id: int | None = None) -> tuple[RouteView, ...]:
    statement = (
        select(EngineerRoute, Engineer.name)
        .join(Engineer, Engineer.id == EngineerRoute.engineer_id)
        .where(EngineerRoute.plan_id == plan.id)
        .order_by(Engineer.name, Engineer.id)
    )
    if engineer_id is not None:
        statement = statement.where(EngineerRoute.engineer_id == engineer_id)
    rows = db.session.execute(statement).all()
    stops = _stops(plan.id, [route.engineer_id for route, _ in rows])
    return tuple(
        RouteView(
            engineer_id=route.engineer_id,
            engineer_name=name,
            leave_at=route.leave_at,
            back_at=route.back_at,
            travel_min=_minutes(route.travel_s),
            distance_km=_km(route.distance_m),
            start_lat=route.start_lat,
            start_lon=route.start_lon,
            end_lat=route.end_lat,
            end_lon=route.end_lon,
            stops=tuple(stops.get(route.engineer_id, [])),
            plan_id=plan.id,
            plan_on=plan.plan_on,
        )
        for route, name in rows
    )


def _dropped(plan_id: int) -> tuple[DropView, ...]:
    rows = db.session.execute(
        select(RouteDrop, Job, Site.name)
        .join(Job, Job.id == RouteDrop.job_id)
        .join(Site, Site.id == Job.site_id)
        .where(RouteDrop.plan_id == plan_id)
        .order_by(Job.priority, Job.arrive_by, Job.id)
    )
    return tuple(
        DropView(
            job_id=job.id,
            job_number=job.number,
            priority=job.priority,
            place_name=site_name,
            reason=drop.reason,
        )
        for drop, job, site_name in rows
    )


def _view(plan: RoutePlan, *, details: bool = True) -> PlanView:
    return PlanView(
        id=plan.id,
        plan_on=plan.plan_on,
        region=plan.region,
        status=plan.status,
        progress_pct=plan.progress_pct,
        error=plan.error,
        created_at=plan.created_at,
        finished_at=plan.finished_at,
        served=plan.served,
        travel_min=_minutes(plan.travel_s),
        routes=_routes(plan) if details else (),
        dropped=_dropped(plan.id) if details else (),
        started_at=plan.started_at,
        time_limit_s=plan.time_limit_s,
        dropped_count=plan.dropped_count,
        distance_km=_km(plan.distance_m),
        notes=plan.notes,
    )


def _region_is(region: str | None) -> ColumnElement[bool]:
    return func.coalesce(RoutePlan.region, "") == (region or "").strip().upper()


def _newest(plan_on: date, region: str | None, *statuses: str) -> RoutePlan | None:
    statement = select(RoutePlan).where(RoutePlan.plan_on == plan_on, _region_is(region))
    if statuses:
        statement = statement.where(RoutePlan.status.in_(statuses))
    return db.session.scalar(statement.order_by(RoutePlan.id.desc()).limit(1))


def find_latest_plan(plan_on: date, region: str | None = None) -> PlanView | None:
    """The newest plan of the day (and region; None: the all-regions plan), any status."""
    plan = _newest(plan_on, region)
    return _view(plan) if plan is not None else None


def find_current_plan(plan_on: date, region: str | None = None) -> PlanView | None:
    """The day's current plan: the done one (at most one per day and region)."""
    plan = _newest(plan_on, region, PlanStatus.DONE)
    return _view(plan) if plan is not None else None


def get_plan(plan_id: int) -> PlanView:
    """A plan with its routes and drops; NotFoundError when there is none."""
    plan = db.session.get(RoutePlan, plan_id)
    if plan is None:
        raise NotFoundError(f"No route plan {plan_id}.")
    return _view(plan)


def list_plans(
    plan_on: date | None = None, *, page: int = 1, per_page: int = 20
) -> tuple[list[PlanView], int]:
    """Plans newest first (of one day, when given), without their routes."""
    statement = select(RoutePlan)
    if plan_on is not None:
        statement = statement.where(RoutePlan.plan_on == plan_on)
    total = int(db.session.scalar(select(func.count()).select_from(statement.subquery())) or 0)
    plans = db.session.scalars(
        statement.order_by(RoutePlan.id.desc()).offset((page - 1) * per_page).limit(per_page)
    )
    return [_view(plan, details=False) for plan in plans], total


def find_engineer_route(engineer_id: int, plan_on: date) -> RouteView | None:
    """The engineer's route on a day, from the day's current (done) plan that has one (the
    newest, should plans of two regions both route them)."""
    plan = db.session.scalar(
        select(RoutePlan)
        .join(EngineerRoute, EngineerRoute.plan_id == RoutePlan.id)
        .where(
            RoutePlan.plan_on == plan_on,
            RoutePlan.status == PlanStatus.DONE,
            EngineerRoute.engineer_id == engineer_id,
        )
        .order_by(RoutePlan.id.desc())
        .limit(1)
    )
    if plan is None:
        return None
    routes = _routes(plan, engineer_id)
    return routes[0] if routes else None
