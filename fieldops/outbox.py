"""Side effects queued during a transaction and delivered only after it commits.

Callers `enqueue()` a callable inside a unit of work; `transaction()` in db.py calls
`deliver()` after a successful commit and `discard()` on rollback, so a refused request
never sends anything.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import g, has_app_context

log = logging.getLogger(__name__)

_pending_outside_app: list[Callable[[], None]] = []


def _queue() -> list[Callable[[], None]]:
    if not has_app_context():
        return _pending_outside_app
    if "fieldops_outbox" not in g:
        g.fieldops_outbox = []
    return g.fieldops_outbox


def enqueue(effect: Callable[[], None]) -> None:
    _queue().append(effect)


def deliver() -> None:
    queue = _queue()
    effects, queue[:] = list(queue), []
    for effect in effects:
        try:
            effect()
        except Exception:  # a failed side effect must not undo a committed change
            log.exception("outbox effect failed")


def discard() -> None:
    _queue().clear()
