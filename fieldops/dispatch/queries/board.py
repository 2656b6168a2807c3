"""Reads the dispatch board and the engineer's phone pages need beyond a job's own view: every
engineer's day at once, a job's contact person, and an engineer's open jobs around a day.

Reads only (STYLE.md: queries); `now` and the day are arguments.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from fieldops.accounts.models import User
from fieldops.db import db
from fieldops.dispatch.models import Job
from fieldops.dispatch.queries.jobs import JobView, _statement, _views
from fieldops.dispatch.rules import FINISHED, HELD
from fieldops.engineers.models import Engineer
from fieldops.tickets.models import Ticket

# Any zone's local day lies within UTC's day widened by 14 hours each side.
ZONE_SPAN = timedelta(hours=14)


@dataclass(frozen=True)
class EngineerDay:
    """One engineer's jobs due on a local date (their zone), soonest arrive-by first."""

    engineer_id: int
    name: str
    skills: list[str]
    capacity: int
    jobs: list[JobView]

    @property
    def held(self) -> int:
        """Jobs that count against the day's capacity (not finished)."""
        return sum(1 for job in self.jobs if job.status in HELD)


@dataclass(frozen=True)
class Contact:
    """Who reported the fault: the ticket's requester, when it has one."""

    name: str
    email: str


def _local_day(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


def board_day(day: date) -> list[EngineerDay]:
    """Every active engineer with the jobs (any status but cancelled) due on `day` in their
    own zone, by name. Two queries whatever the number of engineers."""
    engineers = db.session.scalars(
        select(Engineer).where(Engineer.is_active.is_(True)).order_by(Engineer.name, Engineer.id)
    ).all()
    start = datetime.combine(day, datetime.min.time(), ZoneInfo("UTC")) - ZONE_SPAN
    end = start + timedelta(days=1) + 2 * ZONE_SPAN
    rows = db.session.execute(
        _statement()
        .where(
            Job.engineer_id.is_not(None),
            Job.status != "cancelled",
            Job.arrive_by >= start,
            Job.arrive_by < end,
        )
        .order_by(Job.arrive_by, Job.id)
    ).all()
    zones = {engineer.id: ZoneInfo(engineer.timezone) for engineer in engineers}
    by_engineer: dict[int, list[JobView]] = {engineer.id: [] for engineer in engineers}
    for view in _views(list(rows), with_reservations=False):
        zone = zones.get(view.engineer_id or 0)
        if zone is not None and _local_day(view.arrive_by, zone) == day:
            by_engineer[view.engineer_id or 0].append(view)
    return [
        EngineerDay(
            engineer_id=engineer.id,
            name=engineer.name,
            skills=list(engineer.skills or []),
            capacity=engineer.daily_capacity,
            jobs=by_engineer[engineer.id],
        )
        for engineer in engineers
    ]


@dataclass(frozen=True)
class EngineerJobs:
    """An engineer's phone list: what is due by the end of `day` and still open (overdue
    first), what they finished that day, and open jobs due later."""

    today: list[JobView]
    done: list[JobView]
    later: list[JobView]


def engineer_jobs(engineer_id: int, day: date, timezone: str) -> EngineerJobs:
    """Jobs held by the engineer, in arrive-by order, split around their local `day`.

    Open jobs from earlier days stay in `today`: an overdue visit is still today's work.
    """
    zone = ZoneInfo(timezone)
    start = datetime.combine(day, datetime.min.time(), zone)
    end = start + timedelta(days=1)
    rows = db.session.execute(
        _statement()
        .where(Job.engineer_id == engineer_id, Job.status != "cancelled")
        .where(
            Job.status.in_([str(s) for s in HELD])
            | ((Job.arrive_by >= start) & (Job.arrive_by < end))
        )
        .order_by(Job.arrive_by, Job.id)
    ).all()
    views = _views(list(rows), with_reservations=True)
    finished = {str(s) for s in FINISHED}
    return EngineerJobs(
        today=[v for v in views if v.status not in finished and v.arrive_by < end],
        done=[v for v in views if v.status in finished],
        later=[v for v in views if v.status not in finished and v.arrive_by >= end],
    )


def job_engineer_id(number: str) -> int | None:
    """The engineer a job is assigned to (None when unassigned); NotFound is get_job's."""
    return db.session.scalar(select(Job.engineer_id).where(Job.number == number.strip().upper()))


def job_contact(number: str) -> Contact | None:
    """The requester of the job's ticket (name and e-mail), or None when the ticket has
    none (an agent took it by phone for an unknown caller). Users hold no phone number."""
    row = db.session.execute(
        select(User.name, User.email)
        .join(Ticket, Ticket.requester_id == User.id)
        .join(Job, Job.ticket_id == Ticket.id)
        .where(Job.number == number.strip().upper())
    ).first()
    return Contact(row[0], row[1]) if row else None


def ticket_status_of(number: str) -> str | None:
    """The status of the job's ticket (the phone shows 'resolved' after completion)."""
    return db.session.scalar(
        select(Ticket.status)
        .join(Job, Job.ticket_id == Ticket.id)
        .where(Job.number == number.strip().upper())
    )
