"""Inbound e-mail use cases: `ingest` a raw mail; the desk's `release` and `discard`.

Split by who acts: `intake` (the mail gateway or the command line feeding mail in) and
`verification` (an agent deciding about held mail). Callers import from here.
"""

from fieldops.inbound.services.intake import INGEST_ROLES, Ingested, ingest
from fieldops.inbound.services.verification import NOTE_MAX, discard, release

__all__ = ["INGEST_ROLES", "NOTE_MAX", "Ingested", "discard", "ingest", "release"]
