"""Reading engineer profiles."""

from __future__ import annotations

from fieldops.db import db
from fieldops.engineers.models import Engineer
from fieldops.errors import NotFoundError


def find_engineer(engineer_id: int) -> Engineer | None:
    return db.session.get(Engineer, engineer_id)


def get_engineer(engineer_id: int) -> Engineer:
    engineer = find_engineer(engineer_id)
    if engineer is None:
        raise NotFoundError(f"No engineer {engineer_id}.", {"engineer_id": ["Unknown engineer."]})
    return engineer
