"""The parts catalogue, stock locations and each stock line's floor and reorder point."""

from __future__ import annotations

import logging
import re
from datetime import datetime

from sqlalchemy import select, update

from fieldops.db import db
from fieldops.engineers.models import Engineer
from fieldops.errors import ConflictError, RuleViolationError
from fieldops.inventory.models import PartType, StockLevel, StockLocation
from fieldops.inventory.rules import LocationKind
from fieldops.inventory.services.levels import ensure_line, refresh_alerts
from fieldops.inventory.services.lookups import location_by_code, part_by_sku

log = logging.getLogger(__name__)

SKU_RE = re.compile(r"^[A-Z0-9][A-Z0-9._/-]{1,39}$")
LOCATION_CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,39}$")
CATEGORIES = (
    "router",
    "switch",
    "line_card",
    "psu",
    "optic",
    "fan",
    "disk",
    "memory",
    "cable",
    "server",
    "other",
)
UNITS = ("each", "m", "box", "pack")


def create_part_type(
    *,
    sku: str,
    name: str,
    category: str,
    serialised: bool,
    now: datetime,
    manufacturer: str = "",
    unit: str = "each",
    reorder_point: int = 0,
) -> PartType:
    """Raises RuleViolationError naming each bad field, ConflictError for a SKU in use."""
    sku = sku.strip().upper()
    errors: dict[str, list[str]] = {}
    if not SKU_RE.match(sku):
        errors["sku"] = ["2-40 capital letters, digits or . _ / -, such as PSU-750W-AC."]
    if not name.strip():
        errors["name"] = ["Give the part's name."]
    if category not in CATEGORIES:
        errors["category"] = [f"One of: {', '.join(CATEGORIES)}."]
    if unit not in UNITS:
        errors["unit"] = [f"One of: {', '.join(UNITS)}."]
    if serialised and unit != "each":
        errors["unit"] = ["A serialised part is counted each."]
    if reorder_point < 0:
        errors["reorder_point"] = ["Must be 0 or more."]
    if errors:
        raise RuleViolationError("The part type could not be created.", errors)
    if db.session.scalar(select(PartType.id).where(PartType.sku == sku)) is not None:
        raise ConflictError(f"Part type {sku} already exists.", {"sku": ["Taken."]})
    part = PartType(
        sku=sku,
        name=name.strip(),
        category=category,
        manufacturer=manufacturer.strip(),
        is_serialised=serialised,
        unit=unit,
        reorder_point=reorder_point,
        created_at=now,
    )
    db.session.add(part)
    db.session.flush()
    log.info("part type %s created", part.id)
    return part


def create_location(
    *,
    code: str,
    kind: str,
    name: str,
    lat: float,
    lon: float,
    now: datetime,
    address: str = "",
    city: str = "",
    engineer_id: int | None = None,
) -> StockLocation:
    """A depot, or an engineer's van (exactly one per engineer).

    Raises RuleViolationError naming the field (a bad code, kind or point, a van without an
    engineer or a depot with one, an unknown engineer) and ConflictError for a code in use
    or an engineer who already has a van.
    """
    code = code.strip().upper()
    errors: dict[str, list[str]] = {}
    if not LOCATION_CODE_RE.match(code):
        errors["code"] = ["2-40 capital letters, digits or dashes, such as DEP-WAW."]
    if kind not in tuple(LocationKind):
        errors["kind"] = ["Either depot or van."]
    if not name.strip():
        errors["name"] = ["Give the location's name."]
    if not -90 <= lat <= 90:
        errors["lat"] = ["Must be between -90 and 90."]
    if not -180 <= lon <= 180:
        errors["lon"] = ["Must be between -180 and 180."]
    if kind == LocationKind.VAN:
        if engineer_id is None:
            errors["engineer_id"] = ["A van belongs to an engineer."]
        elif db.session.get(Engineer, engineer_id) is None:
            errors["engineer_id"] = [f"No engineer {engineer_id}."]
    elif kind == LocationKind.DEPOT and engineer_id is not None:
        errors["engineer_id"] = ["Only a van belongs to an engineer."]
    if errors:
        raise RuleViolationError("The stock location could not be created.", errors)
    if db.session.scalar(select(StockLocation.id).where(StockLocation.code == code)):
        raise ConflictError(f"Location {code} already exists.", {"code": ["Taken."]})
    if engineer_id is not None and db.session.scalar(
        select(StockLocation.code).where(StockLocation.engineer_id == engineer_id)
    ):
        raise ConflictError(
            f"Engineer {engineer_id} already has a van.", {"engineer_id": ["Has a van."]}
        )
    location = StockLocation(
        code=code,
        kind=kind,
        name=name.strip(),
        address=address.strip(),
        city=city.strip(),
        lat=lat,
        lon=lon,
        engineer_id=engineer_id,
        is_active=True,
        created_at=now,
    )
    db.session.add(location)
    db.session.flush()
    log.info("stock location %s (%s) created", location.id, kind)
    return location


def set_line_limits(
    *,
    sku: str,
    location_code: str,
    reserve_floor: int,
    now: datetime,
    reorder_point: int | None = None,
) -> StockLevel:
    """Set a stock line's reserve floor and (optionally) its own reorder point; alerts follow
    at once. Raises RuleViolationError for an unknown SKU or location or a negative limit."""
    part = part_by_sku(sku)
    location = location_by_code(location_code)
    errors: dict[str, list[str]] = {}
    if reserve_floor < 0:
        errors["reserve_floor"] = ["Must be 0 or more."]
    if reorder_point is not None and reorder_point < 0:
        errors["reorder_point"] = ["Must be 0 or more."]
    if errors:
        raise RuleViolationError("The limits could not be set.", errors)
    line_id = ensure_line(part.id, location.id)
    db.session.execute(
        update(StockLevel)
        .where(StockLevel.id == line_id)
        .values(reserve_floor=reserve_floor, reorder_point=reorder_point)
        .execution_options(synchronize_session=False)
    )
    refresh_alerts([(part.id, location.id)], now=now)
    line = db.session.get(StockLevel, line_id, populate_existing=True)
    if line is None:  # pragma: no cover - the statement above guarantees it
        raise RuntimeError("line missing")
    return line
