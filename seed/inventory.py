"""The demo's field engineers with their vans, the depots, the parts catalogue and its stock.

Everything goes through the domain services, so the movements ledger balances exactly as it
would after real use (`fieldops stock verify`). Idempotent by natural key: an engineer by
name, a location by code, a part type by SKU; a part's stock (receipts, limits, van kits and
the scenarios naming it) is loaded only while that part has no ledger rows at all, so a
second load finds every stocked part and changes nothing. Loaders flush, never commit:
`seed.loader.load_demo` owns the transaction.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from fieldops.accounts.models import User
from fieldops.db import db
from fieldops.engineers.models import Engineer
from fieldops.engineers.services import create_engineer
from fieldops.geo import Point
from fieldops.inventory import services
from fieldops.inventory.models import PartType, StockLocation, StockMovement
from seed.context import SeedContext, read_json

STOCK_MANAGER = "barbara.krawczyk@fieldops.example"
DISPATCHER = "agnieszka.wozniak@fieldops.example"
# How long before the load each kind of step happened, so the ledger reads like a history.
AGO = {
    "receipt": timedelta(days=30),
    "kit": timedelta(days=14),
    "held": timedelta(days=3),
    "used": timedelta(days=2),
    "returned": timedelta(days=1),
    "vendor": timedelta(hours=6),
    "backorder": timedelta(hours=1),
}


def _user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def _location_exists(code: str) -> bool:
    return db.session.scalar(select(StockLocation.id).where(StockLocation.code == code)) is not None


def load_engineers(data: dict[str, Any], ctx: SeedContext) -> None:
    """Engineers (by name) with their time zone, weekly shifts (the on-call rota) and daily
    capacity, each with a van at home (by code); a `user` links their login."""
    for entry in data["engineers"]:
        engineer = db.session.scalar(select(Engineer).where(Engineer.name == entry["name"]))
        if engineer is None:
            user = _user(entry["user"]) if entry.get("user") else None
            engineer = create_engineer(
                name=entry["name"],
                home_lat=entry["home_lat"],
                home_lon=entry["home_lon"],
                skills=entry["skills"],
                timezone=entry["timezone"],
                shifts=entry["shifts"],
                daily_capacity=entry["daily_capacity"],
                user_id=user.id if user is not None and user.role == "engineer" else None,
                now=ctx.now,
            )
            ctx.count("engineers")
        if not _location_exists(entry["van"]):
            services.create_location(
                code=entry["van"],
                kind="van",
                name=f"Van of {entry['name']}",
                city=entry["city"],
                lat=engineer.home_lat,
                lon=engineer.home_lon,
                engineer_id=engineer.id,
                now=ctx.now,
            )
            ctx.count("vans")


def load_inventory(data: dict[str, Any], ctx: SeedContext) -> None:
    """Depots, part types, then each not-yet-stocked part's stock and scenarios."""
    for depot in data["depots"]:
        if _location_exists(depot["code"]):
            continue
        services.create_location(
            code=depot["code"],
            kind="depot",
            name=depot["name"],
            address=depot["address"],
            city=depot["city"],
            lat=depot["lat"],
            lon=depot["lon"],
            now=ctx.now,
        )
        ctx.count("depots")
    for part in data["part_types"]:
        if db.session.scalar(select(PartType.id).where(PartType.sku == part["sku"])) is None:
            services.create_part_type(
                sku=part["sku"],
                name=part["name"],
                category=part["category"],
                manufacturer=part["manufacturer"],
                serialised=part["serialised"],
                unit=part["unit"],
                reorder_point=part["reorder_point"],
                now=ctx.now,
            )
            ctx.count("part types")
    engineers = list(read_json("engineers.json")["engineers"])
    for part in data["part_types"]:
        if not _has_ledger_rows(part["sku"]):
            _stock_part(part, data, engineers, ctx)
            ctx.count("stocked part types")


def _has_ledger_rows(sku: str) -> bool:
    count = db.session.scalar(
        select(func.count())
        .select_from(StockMovement)
        .join(PartType, PartType.id == StockMovement.part_type_id)
        .where(PartType.sku == sku)
    )
    return bool(count)


def serials_for(part: dict[str, Any], depot_code: str, quantity: int) -> list[str]:
    """Deterministic serials of a receipt: <prefix><depot letters><nnnn>, unique per part."""
    letters = depot_code.rsplit("-", 1)[-1]
    return [f"{part['serial_prefix']}{letters}{n:04d}" for n in range(1, quantity + 1)]


def van_kit(skills: list[str], kits: dict[str, list[dict[str, Any]]]) -> dict[str, int]:
    """What a van carries for its engineer's skills: per SKU the largest quantity any of
    the engineer's skills asks for."""
    kit: dict[str, int] = {}
    for skill in skills:
        for item in kits.get(skill, []):
            kit[item["sku"]] = max(kit.get(item["sku"], 0), int(item["quantity"]))
    return kit


def _stock_part(
    part: dict[str, Any],
    data: dict[str, Any],
    engineers: list[dict[str, Any]],
    ctx: SeedContext,
) -> None:
    sku, now = part["sku"], ctx.now
    keeper = _user(STOCK_MANAGER)
    for depot_code, quantity in part["stock"].items():
        amount: dict[str, Any] = (
            {"serials": serials_for(part, depot_code, quantity)}
            if part["serialised"]
            else {"quantity": quantity}
        )
        services.receive(
            actor=keeper,
            sku=sku,
            location_code=depot_code,
            reference=f"Delivery note DN-{now.year}-{depot_code[-3:]}-{sku[:12]}",
            now=now - AGO["receipt"],
            **amount,
        )
        short = next(
            (s for s in data["short_lines"] if s["sku"] == sku and s["location"] == depot_code),
            None,
        )
        services.set_line_limits(
            sku=sku,
            location_code=depot_code,
            reserve_floor=short["reserve_floor"] if short else part["reserve_floor"],
            reorder_point=short["reorder_point"] if short else None,
            now=now - AGO["receipt"],
        )
    for engineer in engineers:
        quantity = van_kit(engineer["skills"], data["van_kits"]).get(sku, 0)
        if quantity:
            services.transfer(
                actor=keeper,
                sku=sku,
                from_code=engineer["depot"],
                to_code=engineer["van"],
                quantity=quantity,
                reason="Van kit",
                now=now - AGO["kit"],
            )
    _scenarios(sku, data, ctx)


def _scenarios(sku: str, data: dict[str, Any], ctx: SeedContext) -> None:
    """Held reservations for planned maintenance, a part used on site, faulty parts on
    their way back (one on to the vendor), and a backorder, for the scenarios naming `sku`."""
    now, keeper, dispatcher = ctx.now, _user(STOCK_MANAGER), _user(DISPATCHER)
    for held in (h for h in data["held_reservations"] if h["sku"] == sku):
        services.reserve(
            actor=keeper,
            sku=sku,
            quantity=held["quantity"],
            location_code=held["location"],
            purpose=held["purpose"],
            now=now - AGO["held"],
        )
        ctx.count("held reservations")
    for used in (u for u in data["consumed"] if u["sku"] == sku):
        reservation = services.reserve(
            actor=dispatcher,
            sku=sku,
            quantity=used["quantity"],
            location_code=used["van"],
            purpose=used["purpose"],
            now=now - AGO["used"] - timedelta(hours=2),
        )
        engineer = _van_engineer_user(used["van"])
        services.consume(
            actor=engineer, reservation_id=reservation.id, site=used["site"], now=now - AGO["used"]
        )
    for faulty in (f for f in data["faulty"] if f["sku"] == sku):
        engineer = _van_engineer_user(faulty["van"])
        services.remove_faulty(
            actor=engineer,
            sku=sku,
            location_code=faulty["van"],
            serials=[faulty["serial"]],
            site=faulty["site"],
            reason=faulty["reason"],
            now=now - AGO["used"],
        )
        services.return_faulty(
            actor=engineer,
            sku=sku,
            from_code=faulty["van"],
            to_code=faulty["depot"],
            serials=[faulty["serial"]],
            reason="Faulty, for RMA",
            now=now - AGO["returned"],
        )
        if faulty.get("rma"):
            services.send_to_vendor(
                actor=keeper,
                sku=sku,
                location_code=faulty["depot"],
                rma=faulty["rma"],
                serials=[faulty["serial"]],
                now=now - AGO["vendor"],
            )
    for wanted in (b for b in data["backorders"] if b["sku"] == sku):
        outcome = services.reserve_nearest(
            actor=dispatcher,
            sku=sku,
            quantity=wanted["quantity"],
            point=Point(wanted["lat"], wanted["lon"]),
            purpose=wanted["purpose"],
            now=now - AGO["backorder"],
        )
        if outcome.backorder is None:
            raise RuntimeError(f"seed: {sku} was meant to be backordered, but is in stock")
        ctx.count("backorders")


def _van_engineer_user(van_code: str) -> User | None:
    """The login of the engineer whose van this is (None when they have none)."""
    user_id = db.session.scalar(
        select(Engineer.user_id)
        .join(StockLocation, StockLocation.engineer_id == Engineer.id)
        .where(StockLocation.code == van_code)
    )
    return db.session.get(User, user_id) if user_id is not None else None
