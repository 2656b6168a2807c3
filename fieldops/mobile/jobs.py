"""The engineer's jobs on the phone: today's list, a job's detail with the status buttons,
and the completion and failure forms.

Actions are POST/redirect/GET inside one `transaction()`. A refusal (422 bad input, 409 a
move the job's status does not allow) re-renders the page with that status, the message and
each field's error, keeping what was typed; nothing changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from fieldops.clock import utcnow
from fieldops.db import transaction
from fieldops.dispatch import queries, services
from fieldops.dispatch.queries import EngineerJobs, JobView
from fieldops.errors import DomainError
from fieldops.forms import browser_zone
from fieldops.mobile import forms, me, mobile_bp
from fieldops.routing import queries as routing
from fieldops.routing.queries import RouteView

ACTIVE = ("held", "picked")
# The buttons the phone shows for each status (the field moves of dispatch.rules).
NEXT_STEP = {"assigned": ("en_route", "On my way"), "en_route": ("on_site", "On site")}
STATUS_WORDS = {"en_route": "on your way", "on_site": "on site"}


def _own_job(number: str) -> JobView:
    """The job, if it is the logged-in engineer's; 404 for any other (or none)."""
    if queries.job_engineer_id(number) != me().id:
        abort(404)
    return queries.get_job(number)


@dataclass(frozen=True)
class RouteVisit:
    """An open job on the engineer's planned route: its place in the route, when they should
    arrive (aware UTC) and the depots to collect its parts at before going there."""

    job: JobView
    seq: int
    arrive_at: datetime
    pickups: tuple[str, ...]


def in_route_order(
    route: RouteView | None, jobs: EngineerJobs
) -> tuple[list[RouteVisit], EngineerJobs]:
    """The open jobs the route visits, in its order, and the engineer's jobs without them.

    A pickup belongs to the visit it collects for (or, when the plan does not say, the next
    visit). A planned visit that is no longer open (done, cancelled, given to someone else)
    is left out with its pickups: the plan was made before that happened. An open job due
    later that the plan fits into today moves up into the route.
    """
    if route is None:
        return [], jobs
    open_jobs = {job.number: job for job in (*jobs.today, *jobs.later)}
    pickups: dict[str, list[str]] = {}
    waiting: list[str] = []  # pickups of no named job, for the next visit
    visits: list[tuple[int, str, datetime]] = []
    for stop in route.stops:
        if stop.kind == "pickup":
            depot = stop.depot_code or stop.place_name
            if stop.for_job_number:
                pickups.setdefault(stop.for_job_number, []).append(depot)
            else:
                waiting.append(depot)
        elif stop.job_number:
            pickups.setdefault(stop.job_number, []).extend(waiting)
            waiting = []
            visits.append((stop.seq, stop.job_number, stop.arrive_at))
    planned = [
        RouteVisit(open_jobs[number], seq, arrive_at, tuple(dict.fromkeys(pickups[number])))
        for seq, number, arrive_at in visits
        if number in open_jobs
    ]
    shown = {visit.job.number for visit in planned}
    rest = EngineerJobs(
        today=[job for job in jobs.today if job.number not in shown],
        done=jobs.done,
        later=[job for job in jobs.later if job.number not in shown],
    )
    return planned, rest


def _viewer_zone() -> tzinfo:
    """The zone the page shows times in: the phone's `tz` cookie as the `when` filter reads
    it (UTC without one), so an ETA and an on-site-by time on one card always agree."""
    try:
        return browser_zone(unquote(request.cookies.get("tz", "")))
    except ValueError:
        return browser_zone(None)


@mobile_bp.get("/")
def today() -> Any:
    """What is due by the end of the engineer's local day and still open (overdue first),
    what they finished today, and what is coming later.

    When the day's current route plan has a route for the engineer, the open visits on it
    come first, in route order with their ETAs and depot pickups; the rest follow as before.
    """
    engineer = me()
    now = utcnow()
    day: date = now.astimezone(ZoneInfo(engineer.timezone)).date()
    jobs = queries.engineer_jobs(engineer.id, day, engineer.timezone)
    route_visits, jobs = in_route_order(routing.find_engineer_route(engineer.id, day), jobs)
    zone = _viewer_zone()
    return render_template(
        "mobile/jobs_today.html",
        day=day,
        jobs=jobs,
        route_visits=route_visits,
        now=now,
        engineer=engineer,
        local_time=lambda moment: f"{moment.astimezone(zone):%H:%M}",
    )


def _detail(job: JobView, refusal: DomainError | None = None) -> Any:
    status = refusal.status if refusal else 200
    html = render_template(
        "mobile/jobs_detail.html",
        job=job,
        now=utcnow(),
        contact=queries.job_contact(job.number),
        next_step=NEXT_STEP.get(job.status),
        active=[r for r in job.reservations if r.status in ACTIVE],
        refusal=refusal,
        status_code=status,
    )
    return html, status


@mobile_bp.get("/jobs/<number>")
def job_detail(number: str) -> Any:
    return _detail(_own_job(number))


@mobile_bp.post("/jobs/<number>/status")
def job_status(number: str) -> Any:
    job = _own_job(number)
    target = request.form.get("status", "")[:20]
    try:
        with transaction():
            services.report_status(
                actor=current_user, number=job.number, status=target, now=utcnow()
            )
    except DomainError as refused:
        if refused.status == 404:
            raise
        return _detail(queries.get_job(job.number), refused)
    flash(f"{job.number}: you are {STATUS_WORDS.get(target, target)}.", "success")
    return redirect(url_for("mobile.job_detail", number=job.number))


def _complete_page(job: JobView, values: Any, refusal: DomainError | None, errors: Any) -> Any:
    status = refusal.status if refusal else 200
    html = render_template(
        "mobile/jobs_complete.html",
        job=job,
        active=[r for r in job.reservations if r.status in ACTIVE],
        values=values,
        fresh=refusal is None,
        refusal=refusal,
        errors=errors,
        status_code=status,
        removed_rows=range(forms.REMOVED_ROWS),
    )
    return html, status


@mobile_bp.route("/jobs/<number>/complete", methods=["GET", "POST"])
def job_complete(number: str) -> Any:
    job = _own_job(number)
    if request.method == "GET":
        return _complete_page(job, request.args, None, {})
    active = [r for r in job.reservations if r.status in ACTIVE]
    parsed: forms.Completion | None = None
    try:
        parsed = forms.completion(request.form, active)
        with transaction():
            services.complete_job(
                actor=current_user, number=job.number, now=utcnow(), **parsed.kwargs
            )
    except DomainError as refused:
        if refused.status == 404:
            raise
        errors = forms.form_errors(refused.errors, parsed)
        return _complete_page(job, request.form, refused, errors)
    ticket_status = queries.ticket_status_of(job.number)
    after = (
        f" Ticket {job.ticket} is resolved."
        if ticket_status == "resolved"
        else " The ticket awaits an agent's review."
        if job.review_required
        else ""
    )
    name = request.form.get("signed_off_by", "").strip()
    flash(f"{job.number} completed, signed off by {name}.{after}", "success")
    return redirect(url_for("mobile.job_detail", number=job.number))


@mobile_bp.route("/jobs/<number>/fail", methods=["GET", "POST"])
def job_fail(number: str) -> Any:
    job = _own_job(number)
    if request.method == "GET":
        return _fail_page(job, {}, None)
    try:
        reason = forms.failure_reason(request.form)
        with transaction():
            services.fail_job(actor=current_user, number=job.number, reason=reason, now=utcnow())
    except DomainError as refused:
        if refused.status == 404:
            raise
        return _fail_page(job, request.form, refused)
    flash(
        f"{job.number} recorded as not fixed; the dispatcher will arrange a follow-up visit.",
        "success",
    )
    return redirect(url_for("mobile.today"))


def _fail_page(job: JobView, values: Any, refusal: DomainError | None) -> Any:
    status = refusal.status if refusal else 200
    html = render_template(
        "mobile/jobs_fail.html",
        job=job,
        values=values,
        refusal=refusal,
        errors=refusal.errors if refusal else {},
        status_code=status,
    )
    return html, status
