"""Intake rules for e-mail: which service, what impact, and the ticket's summary and text.

A pure module (standard library and this domain's parsing only; STYLE §2.2). The heuristics
are deliberately simple and visible, because an agent verifies anything they cannot decide:

- Service: a service code (`SVC-10023`) of the contact's own customer named in the subject
  wins; else one named in the body; else the customer's only service. Several of their
  services named in the same place, or none named when they have several, is ambiguous:
  the mail is held for an agent ("service not identified"). Codes of other customers'
  services are ignored, never reported back.
- Impact: `service_affecting` when the subject or the new text of the body says "down",
  "outage", "outages", "offline" or "no service" as words (so "download" does not count);
  otherwise `degraded`. Mail never claims `not_affecting`: the desk can lower it.
- Summary: the subject without reply/forward prefixes (Re:, Fwd:, AW:, ...), cut to fit;
  a subject too short falls back to the body's first line, then to a fixed text.
- Fault start: the mail's Date, never later than `now` (clocks and senders lie), else `now`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from fieldops.inbound.parsing import Attachment, ParsedMail, service_codes_in

SUMMARY_MIN = 3
SUMMARY_MAX = 200
NO_SUBJECT = "E-mail without a subject"
SERVICE_AFFECTING = "service_affecting"
DEGRADED = "degraded"

_OUTAGE = re.compile(r"\b(down|outages?|offline|no service)\b", re.IGNORECASE)
_REPLY_PREFIX = re.compile(r"^\s*((re|fwd?|aw|wg|sv|vs|tr)\s*(\[\d+\])?\s*:\s*)+", re.IGNORECASE)


@dataclass(frozen=True)
class ServiceChoice:
    """The service code picked, or why none could be (the quarantine reason)."""

    code: str | None
    reason: str | None = None


def _one_of(named: list[str], own: set[str], where: str) -> ServiceChoice | None:
    mine = [code for code in named if code in own]
    if len(mine) == 1:
        return ServiceChoice(mine[0])
    if len(mine) > 1:
        return ServiceChoice(
            None, f"service not identified: the {where} names several services ({', '.join(mine)})"
        )
    return None


def choose_service(subject: str, body: str, own_codes: Iterable[str]) -> ServiceChoice:
    """Pick the contact's service from what the mail names (see the module docstring)."""
    own = {code.upper() for code in own_codes}
    for text, where in ((subject, "subject"), (body, "body")):
        choice = _one_of(service_codes_in(text), own, where)
        if choice is not None:
            return choice
    if len(own) == 1:
        return ServiceChoice(next(iter(own)))
    if not own:
        return ServiceChoice(None, "service not identified: the customer has no services")
    return ServiceChoice(
        None, "service not identified: the customer has several services and the mail names none"
    )


def impact_for(subject: str, body: str) -> str:
    """`service_affecting` when the mail says the service is down; else `degraded`."""
    return SERVICE_AFFECTING if _OUTAGE.search(f"{subject}\n{body}") else DEGRADED


def _fit(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SUMMARY_MAX else text[: SUMMARY_MAX - 1].rstrip() + "\u2026"


def summary_for(subject: str, body: str) -> str:
    """A ticket summary of SUMMARY_MIN..SUMMARY_MAX characters from the subject (or body)."""
    candidate = _fit(_REPLY_PREFIX.sub("", subject))
    if len(candidate) >= SUMMARY_MIN:
        return candidate
    first_line = next((line for line in body.split("\n") if line.strip()), "")
    candidate = _fit(first_line)
    return candidate if len(candidate) >= SUMMARY_MIN else NO_SUBJECT


def fault_start(mail: ParsedMail, now: datetime) -> datetime:
    """The mail's Date, clamped to `now`; `now` when the mail has no readable date."""
    return min(mail.date, now) if mail.date is not None else now


def _size(size_bytes: int) -> str:
    if size_bytes < 1024:
        return f"{size_bytes} B"
    if size_bytes < 1024 * 1024:
        return f"{size_bytes / 1024:.0f} KB"
    return f"{size_bytes / (1024 * 1024):.1f} MB"


def attachment_note(attachments: Sequence[Attachment], inbound_id: int) -> str:
    """A line listing the mail's attachments; they stay in the kept original message."""
    if not attachments:
        return ""
    listed = "; ".join(
        f"{a.filename} ({a.content_type}, {_size(a.size_bytes)})" for a in attachments
    )
    return f"Attachments (kept with inbound e-mail #{inbound_id}): {listed}"


def fit_text(text: str, limit: int, inbound_id: int, note: str = "") -> str:
    """`text` plus `note`, cut to `limit` characters with a pointer to the kept original."""
    tail = f"\n\n{note}" if note else ""
    whole = f"{text.strip()}{tail}".strip()
    if len(whole) <= limit:
        return whole
    marker = f"\n[\u2026 cut; the whole e-mail is kept as inbound e-mail #{inbound_id}]"
    room = max(limit - len(marker) - len(tail), 0)
    return (text.strip()[:room] + marker + tail)[:limit]
