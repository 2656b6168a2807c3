"""Building raw test mail: the sample .eml files in data/ and `build_mail()` for variations."""

from __future__ import annotations

import itertools
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from tests.factories import DEFAULT_NOW

DATA = Path(__file__).parent / "data"
_seq = itertools.count(1)


def sample(name: str) -> bytes:
    return (DATA / name).read_bytes()


def build_mail(
    *,
    sender: str = "ada@customer.test",
    subject: str = "Link down at the Krakow PoP",
    body: str = "Our uplink has been down since 09:15.",
    message_id: Any = ...,
    in_reply_to: str | None = None,
    references: str | None = None,
    date: Any = DEFAULT_NOW,
    html: str | None = None,
    headers: dict[str, str] | None = None,
    attachments: list[tuple[str, str, bytes]] | None = None,
) -> bytes:
    """A well-formed mail; `message_id=...` gives a fresh unique one, None leaves it out."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "support@fieldops.invalid"
    message["Subject"] = subject
    if date is not None:
        message["Date"] = format_datetime(date)
    if message_id is ...:
        message_id = f"<test-{next(_seq)}-{id(message)}@customer.test>"
    if message_id is not None:
        message["Message-ID"] = message_id
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    if references:
        message["References"] = references
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    if html is not None:
        message.add_alternative(html, subtype="html")
    for filename, content_type, content in attachments or []:
        maintype, subtype = content_type.split("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes()
