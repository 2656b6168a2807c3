"""Dispatch use cases: jobs from tickets, candidates, assignment reserving parts (van, then
depot, else awaiting parts), reassigning and cancelling releasing stock, auto-assign within
capacity and skills, and the field flow moving stock and the ticket; every refusal."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from fieldops.db import db, transaction
from fieldops.dispatch import queries, services
from fieldops.dispatch.models import Job
from fieldops.engineers.models import Absence
from fieldops.errors import ConflictError, DomainError, ForbiddenError, RuleViolationError
from fieldops.inventory.models import Backorder
from fieldops.inventory.queries import list_movements, verify_ledger
from fieldops.tickets.models import Ticket, TicketEvent
from tests.dispatch.conftest import NOW, World, make_crew_member, new_job
from tests.factories import make_part_type, make_ticket, make_user, stock_up
from tests.inventory.conftest import line


def refused(session: Any, call: Any, **kwargs: Any) -> DomainError:
    session.commit()
    with pytest.raises(DomainError) as error, transaction():
        call(**kwargs)
    return error.value


def test_a_job_takes_its_site_and_arrive_by_from_the_ticket(world: World) -> None:
    job = new_job(world, duration_min=90)
    assert job.number.startswith("WO-2026-")
    assert (job.status, job.priority, job.duration_min) == ("unassigned", world.ticket.priority, 90)
    # P1 on the factories' 24x7 plan: on site within 240 minutes of the ticket's clock start.
    assert job.arrive_by == world.ticket.sla_started_at + timedelta(minutes=240)
    view = queries.get_job(job.number)
    assert (view.site_lat, view.site_lon, view.parts) == (52.23, 21.0, [(world.psu.sku, 1)])
    logged = db.session.scalars(
        select(TicketEvent.body).where(
            TicketEvent.ticket_id == world.ticket.id, TicketEvent.kind == "dispatch"
        )
    ).all()
    assert any(job.number in body for body in logged)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"ticket_number": "TT-2026-999999"}, "ticket_id"),
        ({"parts": [{"sku": "NOPE", "quantity": 1}]}, "parts.0.sku"),
        ({"parts": [{"sku": "PSU-750W", "quantity": 0}]}, "parts.0.quantity"),
        ({"required_skills": ["Not A Tag!"]}, "required_skills"),
        ({"duration_min": 0}, "duration_min"),
        ({"access_hours": {"timezone": "Mars/Base", "hours": {}}}, "access_hours"),
    ],
)
def test_bad_jobs_are_refused_naming_the_field(
    session: Any, world: World, overrides: dict[str, Any], field: str
) -> None:
    error = refused(
        session,
        services.create_job,
        **{
            "actor": world.dispatcher,
            "ticket_number": world.ticket.number,
            "now": NOW,
            "parts": [{"sku": world.psu.sku, "quantity": 1}],
            **overrides,
        },
    )
    assert isinstance(error, RuleViolationError)
    assert field in error.errors
    assert db.session.scalar(select(Job.id)) is None


def test_only_open_hardware_tickets_get_jobs(session: Any, world: World) -> None:
    network = make_ticket(category="network")
    error = refused(session, services.create_job, actor=None, ticket_number=network.number, now=NOW)
    assert "ticket_id" in error.errors
    world.ticket.status = "cancelled"
    error = refused(
        session, services.create_job, actor=None, ticket_number=world.ticket.number, now=NOW
    )
    assert isinstance(error, ConflictError)


def test_candidates_are_ranked_nearest_first_with_reasons(world: World) -> None:
    job = new_job(world)
    _, ranking = queries.candidates_for(job.number, NOW)
    assert [c.engineer_id for c in ranking.candidates] == [world.near.id, world.far.id]
    near = ranking.candidates[0]
    assert near.distance_km == pytest.approx(1.5, abs=1.0)
    assert "km" in near.reason
    assert "to spare" in near.reason


def test_skills_shift_absence_and_capacity_exclude_with_reasons(world: World) -> None:
    optical, _ = make_crew_member("optic", 52.23, 21.0, skills=["optical"])
    nights, _ = make_crew_member("nights", 52.23, 21.0, shifts={"sun": [["22:00", "24:00"]]})
    away, _ = make_crew_member("away", 52.23, 21.0)
    db.session.add(
        Absence(
            engineer_id=away.id,
            starts_at=NOW - timedelta(hours=1),
            ends_at=NOW + timedelta(days=2),
            reason="Leave",
        )
    )
    full, _ = make_crew_member("full", 52.23, 21.0, daily_capacity=1)
    job = new_job(world)
    other = new_job(world, parts=[])
    services.assign_job(actor=world.dispatcher, number=other.number, engineer_id=full.id, now=NOW)
    _, ranking = queries.candidates_for(job.number, NOW, explain=True)
    why = {e.engineer_id: e.reasons for e in ranking.excluded}
    assert why[optical.id] == ["lacks skills: router"]
    assert why[nights.id] == ["not on shift before the arrive-by time"]
    assert why[away.id] == ["not on shift before the arrive-by time"]
    assert why[full.id] == ["no capacity left: 1 of 1 jobs that day"]
    assert {c.engineer_id for c in ranking.candidates} == {world.near.id, world.far.id}
    # Without explain, those lacking a skill are not even read.
    _, brief = queries.candidates_for(job.number, NOW)
    assert optical.id not in {e.engineer_id for e in brief.excluded}
    assert [c.engineer_id for c in brief.candidates] == [c.engineer_id for c in ranking.candidates]


def test_a_van_carrying_the_part_outranks_a_slightly_nearer_engineer(world: World) -> None:
    stock_up(world.psu, world.far_van, 1)
    carrier, carrier_van = make_crew_member("carrier", 52.27, 21.05)
    stock_up(world.psu, carrier_van, 1)
    job = new_job(world)
    _, ranking = queries.candidates_for(job.number, NOW)
    assert ranking.candidates[0].engineer_id == carrier.id
    assert ranking.candidates[0].parts["parts"] > 0


def test_assignment_reserves_from_the_van_when_it_holds_the_part(world: World) -> None:
    stock_up(world.psu, world.near_van, 1)
    job = new_job(world)
    done = services.assign_job(
        actor=world.dispatcher, number=job.number, engineer_id=world.near.id, now=NOW
    )
    assert (done.job.status, done.backordered) == ("assigned", [])
    view = queries.get_job(job.number)
    assert [(r.location, r.status) for r in view.reservations] == [(world.near_van.code, "held")]
    assert line(world.psu, world.depot).reserved == 0


def test_assignment_reserves_from_the_nearest_depot_otherwise(world: World) -> None:
    job = new_job(world)
    services.assign_job(
        actor=world.dispatcher, number=job.number, engineer_id=world.near.id, now=NOW
    )
    view = queries.get_job(job.number)
    assert [(r.location, r.quantity) for r in view.reservations] == [(world.depot.code, 1)]
    assert line(world.psu, world.depot).reserved == 1


def test_no_stock_anywhere_leaves_the_job_awaiting_parts_with_a_backorder(world: World) -> None:
    rare = make_part_type(sku="LC-RARE-1")
    job = new_job(world, parts=[{"sku": rare.sku, "quantity": 2}])
    done = services.assign_job(
        actor=world.dispatcher, number=job.number, engineer_id=world.near.id, now=NOW
    )
    assert (done.job.status, done.backordered) == ("awaiting_parts", [rare.sku])
    backorder = db.session.scalar(select(Backorder).where(Backorder.job_ref == job.number))
    assert backorder is not None
    assert backorder.quantity == 2
    # Once stock arrives, assigning again reserves it and the job is assigned.
    stock_up(rare, world.depot, 2)
    again = services.assign_job(
        actor=world.dispatcher, number=job.number, engineer_id=world.near.id, now=NOW
    )
    assert again.job.status == "assigned"


def test_reassigning_releases_and_reserves_again(world: World) -> None:
    stock_up(world.psu, world.far_van, 1)
    job = new_job(world)
    services.assign_job(
        actor=world.dispatcher, number=job.number, engineer_id=world.near.id, now=NOW
    )
    assert line(world.psu, world.depot).reserved == 1
    services.assign_job(
        actor=world.dispatcher, number=job.number, engineer_id=world.far.id, now=NOW
    )
    assert line(world.psu, world.depot).reserved == 0
    assert line(world.psu, world.far_van).reserved == 1
    statuses = sorted(r.status for r in queries.get_job(job.number).reservations)
    assert statuses == ["held", "released"]


def test_cancelling_releases_the_parts(session: Any, world: World) -> None:
    job = new_job(world)
    services.assign_job(
        actor=world.dispatcher, number=job.number, engineer_id=world.near.id, now=NOW
    )
    error = refused(
        session, services.cancel_job, actor=world.dispatcher, number=job.number, reason=" ", now=NOW
    )
    assert "reason" in error.errors
    services.cancel_job(
        actor=world.dispatcher, number=job.number, reason="Customer fixed it", now=NOW
    )
    assert queries.get_job(job.number).status == "cancelled"
    assert line(world.psu, world.depot).reserved == 0


def test_assignment_refusals_change_nothing(session: Any, world: World) -> None:
    job = new_job(world)
    optical, _ = make_crew_member("optic", 52.23, 21.0, skills=["optical"])
    unknown = refused(
        session, services.assign_job, actor=None, number=job.number, engineer_id=10**6, now=NOW
    )
    assert isinstance(unknown, RuleViolationError)
    assert "engineer_id" in unknown.errors
    lacking = refused(
        session, services.assign_job, actor=None, number=job.number, engineer_id=optical.id, now=NOW
    )
    assert isinstance(lacking, RuleViolationError)
    assert "lacks skills: router" in lacking.errors["engineer_id"]
    assert queries.get_job(job.number).status == "unassigned"
    assert line(world.psu, world.depot).reserved == 0


def test_auto_assign_respects_capacity_and_skills(world: World) -> None:
    world.near.daily_capacity = 2
    world.far.daily_capacity = 1
    optical, _ = make_crew_member("optic", 52.23, 21.0, skills=["optical"])
    stock_up(world.psu, world.depot, 3)
    jobs = [new_job(world) for _ in range(4)]
    result = services.auto_assign(actor=world.dispatcher, now=NOW)
    given = [a.engineer.id for a in result.assigned]
    assert sorted(given) == sorted([world.near.id, world.near.id, world.far.id])
    assert optical.id not in given
    assert [number for number, _ in result.unplaced] == [jobs[3].number]
    assert "capacity" in result.unplaced[0][1]


def test_the_field_flow_moves_stock_and_resolves_the_ticket(world: World) -> None:
    engineer_user = make_user(role="engineer")
    world.near.user_id = engineer_user.id
    job = new_job(world)
    services.assign_job(
        actor=world.dispatcher, number=job.number, engineer_id=world.near.id, now=NOW
    )
    services.report_status(actor=engineer_user, number=job.number, status="en_route", now=NOW)
    # Setting off picks the depot part into the van.
    assert (line(world.psu, world.depot).on_hand, line(world.psu, world.near_van).reserved) == (
        2,
        1,
    )
    services.report_status(actor=engineer_user, number=job.number, status="on_site", now=NOW)
    services.complete_job(
        actor=engineer_user,
        number=job.number,
        signed_off_by="Jan Kowalski",
        now=NOW,
        parts_used=[{"sku": world.psu.sku}],
        parts_removed=[{"sku": world.psu.sku, "serials": ["OLD-1"]}],
        notes="Swapped the PSU.",
    )
    assert queries.get_job(job.number).status == "completed"
    van = line(world.psu, world.near_van)
    assert (van.on_hand, van.reserved, van.faulty) == (0, 0, 1)
    assert [
        m.kind
        for m in list_movements(reservation_id=queries.get_job(job.number).reservations[0].id)[0]
    ] == ["install", "pick"]
    assert db.session.get(Ticket, world.ticket.id).status == "resolved"
    assert verify_ledger().balanced


def test_review_first_keeps_the_ticket_open(world: World) -> None:
    job = new_job(world, review_required=True, parts=[])
    services.assign_job(actor=None, number=job.number, engineer_id=world.near.id, now=NOW)
    services.report_status(actor=None, number=job.number, status="en_route", now=NOW)
    services.report_status(actor=None, number=job.number, status="on_site", now=NOW)
    services.complete_job(actor=None, number=job.number, signed_off_by="Ann", now=NOW)
    assert db.session.get(Ticket, world.ticket.id).status != "resolved"


def test_field_refusals(session: Any, world: World) -> None:
    job = new_job(world)
    unassigned = refused(
        session, services.complete_job, actor=None, number=job.number, signed_off_by="X", now=NOW
    )
    assert isinstance(unassigned, ConflictError)
    services.assign_job(actor=None, number=job.number, engineer_id=world.near.id, now=NOW)
    stranger = make_user(role="engineer")
    foreign = refused(
        session,
        services.report_status,
        actor=stranger,
        number=job.number,
        status="en_route",
        now=NOW,
    )
    assert isinstance(foreign, ForbiddenError)
    services.report_status(actor=None, number=job.number, status="en_route", now=NOW)
    services.report_status(actor=None, number=job.number, status="on_site", now=NOW)
    nobody = refused(
        session, services.complete_job, actor=None, number=job.number, signed_off_by=" ", now=NOW
    )
    assert "signed_off_by" in nobody.errors
    other = make_part_type(sku="FAN-1")
    unreserved = refused(
        session,
        services.complete_job,
        actor=None,
        number=job.number,
        signed_off_by="X",
        parts_used=[{"sku": other.sku}],
        now=NOW,
    )
    assert isinstance(unreserved, ConflictError)
    assert queries.get_job(job.number).status == "on_site"
    assert line(world.psu, world.near_van).reserved == 1


def test_a_failed_visit_releases_parts_and_opens_a_follow_up(world: World) -> None:
    job = new_job(world)
    services.assign_job(actor=None, number=job.number, engineer_id=world.near.id, now=NOW)
    services.report_status(actor=None, number=job.number, status="en_route", now=NOW)
    services.fail_job(actor=None, number=job.number, reason="Site locked, no key holder", now=NOW)
    assert queries.get_job(job.number).status == "failed"
    follow_up = db.session.scalar(select(Job).where(Job.follow_up_of_id == job.id))
    assert follow_up is not None
    assert (follow_up.status, follow_up.arrive_by) == ("unassigned", job.arrive_by)
    assert queries.get_job(follow_up.number).parts == [(world.psu.sku, 1)]
    assert line(world.psu, world.near_van).reserved == 0


def test_a_failed_job_names_its_follow_up_and_needs_no_candidates(
    session: Any, world: World
) -> None:
    job = new_job(world, parts=[])
    services.assign_job(actor=None, number=job.number, engineer_id=world.near.id, now=NOW)
    services.report_status(actor=None, number=job.number, status="en_route", now=NOW)
    services.fail_job(actor=None, number=job.number, reason="Wrong part model", now=NOW)
    view = queries.get_job(job.number)
    assert view.follow_up is not None
    assert queries.get_job(view.follow_up).follow_up_of == job.number
    session.commit()
    with pytest.raises(ConflictError):
        queries.candidates_for(job.number, NOW)


def test_an_engineer_on_shift_who_cannot_make_it_in_time_is_a_late_candidate(world: World) -> None:
    gdansk, _ = make_crew_member("gdansk", 54.35, 18.65)  # 280 km: over 4 h by road
    job = new_job(world)
    _, ranking = queries.candidates_for(job.number, NOW, limit=50)
    late = next(c for c in ranking.candidates if c.engineer_id == gdansk.id)
    assert late.slack_min < 0
    assert "late by" in late.reason
    assert ranking.candidates[-1].engineer_id == gdansk.id
