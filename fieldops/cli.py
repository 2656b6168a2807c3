"""The `fieldops` command line (also `flask --app fieldops ...`)."""

from __future__ import annotations

import os
import shutil
import sys
from datetime import datetime
from typing import TYPE_CHECKING

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from flask_migrate import upgrade

from fieldops.accounts.services import create_user
from fieldops.clock import utcnow
from fieldops.customers.services import get_customer_by_code
from fieldops.db import transaction
from fieldops.documents.services import register_renderer
from fieldops.errors import DomainError
from fieldops.inbound.models import InboundStatus, ReceivedVia
from fieldops.inbound.queries import ticket_number_of
from fieldops.inbound.services import ingest
from fieldops.outbox import register_delivery_kick
from fieldops.routing.services import register_plan_runner

if TYPE_CHECKING:
    from fieldops.routing.queries import PlanView


def register_cli(app: Flask) -> None:
    for command in (
        init_db,
        create_user_command,
        seed_command,
        sweep_command,
        serve,
        worker_command,
        ingest_mail_command,
        stock_group,
        solve_vrptw_command,
        plan_routes_command,
    ):
        app.cli.add_command(command)
    # After a commit that queued e-mail, hand delivery to the background worker.
    register_delivery_kick(app, _kick_mail_delivery)
    # After a commit that requested a route plan, hand the solve to the background worker.
    register_plan_runner(app, _kick_route_plan)
    # A PDF asked for and not yet rendered is rendered by the background worker.
    register_renderer(app, _kick_render)


def _kick_mail_delivery() -> None:
    # Imported on first use: fieldops.worker opens the Huey queue (instance/huey.db) on import.
    from fieldops.worker import kick_delivery

    kick_delivery()


def _kick_render(kind: str, subject: str, paper: str) -> None:
    from fieldops.worker import kick_render

    kick_render(kind, subject, paper)


def _kick_route_plan(plan_id: int) -> None:
    from fieldops.worker import kick_route_plan

    kick_route_plan(plan_id)


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create or upgrade the schema by running the Alembic migrations."""
    upgrade()
    click.echo("Database is at the latest schema.")


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--password", required=True)
@click.option("--role", required=True)
@click.option("--customer", "customer_code", default=None, help="Customer code, for contacts.")
@click.option("--tier", default=None, help="L1, L2 or L3, for agents.")
@click.option("--name", default=None)
@click.option("--billing/--no-billing", default=False, help="Contact may open billing tickets.")
@with_appcontext
def create_user_command(
    email: str,
    password: str,
    role: str,
    customer_code: str | None,
    tier: str | None,
    name: str | None,
    billing: bool,
) -> None:
    """Create a user with a role."""
    try:
        with transaction():
            customer_id = get_customer_by_code(customer_code).id if customer_code else None
            user = create_user(
                email=email,
                password=password,
                role=role,
                name=name,
                customer_id=customer_id,
                tier=tier,
                can_billing=billing,
                now=utcnow(),
            )
            click.echo(f"Created {user.role} {user.email} (id {user.id}).")
    except DomainError as error:
        details = "; ".join(f"{k}: {' '.join(v)}" for k, v in error.errors.items())
        raise click.ClickException(f"{error.message} {details}".strip()) from None


@click.command("seed")
@click.option("--demo", is_flag=True, help="Load the demo world from seed/.")
@click.option("--tickets", "ticket_count", type=int, default=0, help="Add N historical tickets.")
@with_appcontext
def seed_command(demo: bool, ticket_count: int) -> None:
    """Load demo data (idempotent) and optionally N realistic historical tickets."""
    from seed.loader import load_demo, make_history  # the seed package ships beside the app

    if not demo and not ticket_count:
        raise click.UsageError("Say what to seed: --demo and/or --tickets N.")
    if demo:
        load_demo(echo=click.echo)
    if ticket_count:
        make_history(ticket_count, echo=click.echo)


@click.command("sweep")
@click.option("--now", "now_text", default=None, help="ISO 8601 instant with an offset.")
@with_appcontext
def sweep_command(now_text: str | None) -> None:
    """Escalate, flag SLA breaches and risk, report missed ETAs, auto-close, as of --now."""
    from fieldops.tickets.tasks import run_sweep

    now = utcnow()
    if now_text:
        try:
            now = datetime.fromisoformat(now_text)
        except ValueError:
            raise click.BadParameter("not an ISO 8601 instant", param_hint="--now") from None
        if now.tzinfo is None:
            raise click.BadParameter("give an offset, e.g. +00:00", param_hint="--now")
    from fieldops.documents.tasks import run_rfo_sweep

    summary = run_sweep(now).summary()
    click.echo(f"{summary}, {run_rfo_sweep(now)} RFOs overdue")


@click.command("serve")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
@click.option("--debug", is_flag=True, help="The Flask development server with reloading.")
@click.option("--workers", default=2, type=int)
@with_appcontext
def serve(host: str, port: int, debug: bool, workers: int) -> None:
    """Serve the app: gunicorn with gthread workers, or the Flask server with --debug."""
    if debug or (shutil.which("gunicorn") is None and not _venv_gunicorn()):
        current_app.run(host=host, port=port, debug=debug)
        return
    command = [
        _venv_gunicorn() or "gunicorn",
        "-k",
        "gthread",
        "--threads",
        "4",
        "-w",
        str(workers),
        "-b",
        f"{host}:{port}",
        "--access-logfile",
        "-",
        "fieldops:create_app()",
    ]
    os.execvpe(command[0], command, os.environ.copy())  # noqa: S606 - fixed argv, no shell


@click.command("worker")
@click.option("--workers", default=1, type=click.IntRange(min=1), help="Worker threads.")
@click.option(
    "--periodic/--no-periodic",
    default=True,
    help="Run the every-minute scheduler (exactly one consumer should).",
)
@with_appcontext
def worker_command(workers: int, periodic: bool) -> None:
    """Run the background-task consumer: e-mail delivery and the every-minute sweep."""
    from fieldops.worker import run_consumer

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    run_consumer(app, workers=workers, periodic=periodic)


@click.command("ingest-mail")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, readable=True))
@with_appcontext
def ingest_mail_command(path: str) -> None:
    """Turn one raw e-mail (an .eml file) into a ticket, a work-log entry or a held message.

    Malformed mail exits with status 2 and the reason; it is kept for inspection all the same.
    """
    with open(path, "rb") as handle:
        raw = handle.read()
    with transaction():
        received = ingest(
            raw,
            now=utcnow(),
            received_via=ReceivedVia.CLI,
            actor=None,
            max_bytes=int(current_app.config["INBOUND_MAIL_MAX_BYTES"]),
        )
        message = received.message
        number = ticket_number_of(message)
        status, reason, message_id = message.status, message.reason, message.id
    seen = " (received before; nothing changed)" if received.duplicate else ""
    if status == InboundStatus.REJECTED:
        click.echo(f"Rejected: {reason} Kept as inbound e-mail #{message_id}{seen}.", err=True)
        sys.exit(2)
    outcome = {
        InboundStatus.TICKET_CREATED: f"Opened ticket {number}",
        InboundStatus.EVENT_ADDED: f"Added to the work log of {number}",
        InboundStatus.QUARANTINED: f"Held for an agent to verify: {reason}",
    }.get(InboundStatus(status), f"{status.replace('_', ' ').capitalize()}: {number or reason}")
    click.echo(f"{outcome} (inbound e-mail #{message_id}){seen}.")


@click.group("stock")
def stock_group() -> None:
    """Inventory checks."""


@stock_group.command("verify")
@with_appcontext
def stock_verify_command() -> None:
    """Prove every stock line equals the sum of its ledger rows (and its reservations and
    serialised units). Exits 1, listing each difference, when one does not."""
    from fieldops.inventory.queries import verify_ledger

    check = verify_ledger()
    for d in check.discrepancies:
        click.echo(
            f"MISMATCH {d.sku} at {d.location}: {d.measure} is {d.recorded}, "
            f"{d.source} say {d.expected}",
            err=True,
        )
    verdict = "balanced" if check.balanced else f"{len(check.discrepancies)} difference(s)"
    click.echo(f"{check.lines} stock lines, {check.movements} ledger rows: {verdict}.")
    if not check.balanced:
        sys.exit(1)


@click.command("solve-vrptw")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, readable=True))
@click.option("--time-limit", "time_limit", type=click.FloatRange(min=0.1), default=10.0)
@click.option("--json", "as_json", is_flag=True, help="Print the DESIGN.md JSON document.")
def solve_vrptw_command(path: str, time_limit: float, as_json: bool) -> None:
    """Solve a Solomon-format VRPTW instance with the routing core; the solution is checked
    in real arithmetic before it is printed (exit 1 if the search finds none)."""
    import json
    import time

    from fieldops.routing import solomon, solver

    try:
        instance = solomon.load(path)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    started = time.monotonic()
    try:
        routes = solver.solve(solomon.to_problem(instance), time_limit_s=time_limit)
    except solver.NoSolutionError as error:
        raise click.ClickException(str(error)) from None
    seconds = time.monotonic() - started
    distance = solomon.check(instance, routes)
    if as_json:
        document = {
            "instance": instance.name,
            "vehicles": len(routes),
            "distance": round(distance, 4),
            "routes": routes,
            "seconds": round(seconds, 2),
        }
        click.echo(json.dumps(document))
        return
    click.echo(f"{instance.name}: {len(routes)} vehicles, distance {distance:.2f}, {seconds:.1f} s")
    for number, route in enumerate(routes, start=1):
        click.echo(f"  route {number}: {' '.join(map(str, route))}")


@click.command("plan-routes")
@click.option("--date", "day", required=True, type=click.DateTime(formats=["%Y-%m-%d"]))
@click.option(
    "--region", default=None, help="A depot code: only the engineers and jobs nearest it."
)
@click.option("--time-limit", "time_limit", type=click.IntRange(1, 300), default=None)
@click.option("--json", "as_json", is_flag=True, help="Print the plan as the API's JSON.")
@with_appcontext
def plan_routes_command(
    day: datetime, region: str | None, time_limit: int | None, as_json: bool
) -> None:
    """Plan a day's routes now (the same service and task as the API, run here, not in the
    worker), store the plan, and print who goes where, what was dropped and why. Exits 1
    when the plan failed."""
    import json

    from fieldops.routing.queries import get_plan
    from fieldops.routing.schemas import RoutePlanSchema, plan_payload
    from fieldops.routing.services import request_route_plan
    from fieldops.routing.tasks import run_route_plan

    try:
        with transaction():
            plan_id = request_route_plan(
                day.date(), region, None, utcnow(), time_limit_s=time_limit, enqueue_task=False
            ).id
    except DomainError as error:
        details = "; ".join(f"{k}: {' '.join(v)}" for k, v in error.errors.items())
        raise click.ClickException(details or error.message) from None
    run_route_plan(plan_id)
    plan = get_plan(plan_id)
    if as_json:
        click.echo(json.dumps(RoutePlanSchema().dump(plan_payload(plan))))
    else:
        for line in _plan_summary(plan):
            click.echo(line)
    if plan.status == "failed":
        sys.exit(1)


def _plan_summary(plan: PlanView) -> list[str]:
    where = plan.region or "all regions"
    lines = [f"Route plan {plan.id} for {plan.plan_on} ({where}): {plan.status}."]
    if plan.status == "failed":
        return [*lines, f"  Error: {plan.error}"]
    km = sum(route.distance_km for route in plan.routes)
    lines.append(
        f"  {plan.served} visit(s) served by {len(plan.routes)} engineer(s), "
        f"{len(plan.dropped)} dropped; travel {plan.travel_min} min, {km:.1f} km."
    )
    for route in plan.routes:
        lines.append(
            f"  {route.engineer_name}: leaves {route.leave_at:%H:%M}, back {route.back_at:%H:%M} "
            f"UTC, {route.travel_min} min driving"
        )
        for stop in route.stops:
            what = (
                f"visit {stop.job_number} ({stop.priority}) at {stop.place_name}"
                if stop.kind == "visit"
                else f"pickup at {stop.depot_code} for {stop.for_job_number}"
            )
            late = f", {stop.late_min} min late" if stop.late_min else ""
            lines.append(
                f"    {stop.seq}. {stop.start_at:%H:%M}-{stop.depart_at:%H:%M} {what}{late}"
            )
    for drop in plan.dropped:
        lines.append(f"  Dropped {drop.job_number} ({drop.priority}): {drop.reason}")
    lines.extend(f"  Note: {note}" for note in plan.notes.splitlines() if note)
    return lines


def _venv_gunicorn() -> str | None:
    candidate = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    return candidate if os.path.exists(candidate) else None


def main() -> None:
    from fieldops.app import create_app

    cli = FlaskGroup(create_app=create_app, add_default_commands=True)
    cli.main(prog_name="fieldops")
