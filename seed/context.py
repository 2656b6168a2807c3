"""The state one demo load shares between its sections: time, password, counts and logins."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

SEED_DIR = Path(__file__).resolve().parent

Echo = Callable[[str], Any]


def read_json(name: str) -> dict[str, Any]:
    """A data file of seed/, parsed. Keys starting with "_" are comments for readers."""
    with (SEED_DIR / name).open(encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


@dataclass(frozen=True)
class Login:
    email: str
    role: str
    note: str


@dataclass
class SeedContext:
    """Passed to every section loader; `now` is the load's instant (aware UTC)."""

    now: datetime
    password: str
    created: Counter[str] = field(default_factory=Counter)
    logins: list[Login] = field(default_factory=list)

    def count(self, what: str, n: int = 1) -> None:
        self.created[what] += n

    def add_login(self, email: str, role: str, note: str = "") -> None:
        self.logins.append(Login(email, role, note))
