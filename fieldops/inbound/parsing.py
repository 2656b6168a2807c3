"""Reading inbound e-mail: raw RFC 822 bytes into a typed `ParsedMail`, or a clear refusal.

A pure module (standard library only; STYLE §2.2): no Flask, no database. Mail is input from
strangers, so every oddity the `email` package tolerates is either normalised here or turned
into `MalformedMailError(reason)`; nothing in it may crash the caller.

- Headers are read with `email.policy.default`, which decodes RFC 2047 encoded words
  (`=?UTF-8?B?...?=`) in the subject and display names.
- The body is the text/plain part when there is one, else the HTML part reduced to text;
  transfer encodings (quoted-printable, base64) and charsets are undone.
- Text handed on has no NUL characters: PostgreSQL text cannot hold them.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser
from typing import Any

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
MESSAGE_ID_MAX = 255
SUBJECT_MAX = 500
NAME_MAX = 200
ADDRESS_MAX = 254

_MSG_ID = re.compile(r"<[^<>\s]+>")
_TICKET_NUMBER = re.compile(r"\bTT-(\d{4})-(\d{6})\b", re.IGNORECASE)
_SERVICE_CODE = re.compile(r"\bSVC-\d{1,12}\b", re.IGNORECASE)
_HEADER_LINE = re.compile(rb"^[!-9;-~]+[ \t]*:")  # field-name ":" (RFC 5322 §2.2)
_ADDR_SPEC = re.compile(r"^[^@\s<>()\[\],;:\"\\]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$")


class MalformedMailError(ValueError):
    """The bytes are not a mail we can act on; `reason` says why in plain English.

    `field` names what is wrong (`message`, `from`) for the API's error body; `message_id` is
    the Message-ID when one could still be read, so a resend of the same broken mail is
    recognised as the same message.
    """

    def __init__(self, reason: str, *, field: str = "message", message_id: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.field = field
        self.message_id = message_id


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    size_bytes: int


@dataclass(frozen=True)
class ParsedMail:
    """What the rest of the code needs from one mail; every string is NUL-free."""

    from_address: str  # the addr-spec, lower-cased
    from_name: str
    subject: str
    message_id: str | None  # with its angle brackets, as our own OutboxMessage.message_id
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    date: datetime | None  # aware UTC; None when absent or unreadable
    body: str
    body_was_html: bool
    attachments: tuple[Attachment, ...] = field(default_factory=tuple)
    # RFC 3834 Auto-Submitted (or Precedence: bulk/junk/auto_reply): out-of-office and the like.
    auto_submitted: bool = False

    @property
    def thread_ids(self) -> tuple[str, ...]:
        """Message-IDs this mail answers, most specific first: In-Reply-To, then References
        newest first (the last reference is the message replied to)."""
        seen: dict[str, None] = {}
        for mid in (*self.in_reply_to, *reversed(self.references)):
            seen.setdefault(mid, None)
        return tuple(seen)


# --- small pure helpers ------------------------------------------------------------------


def clean(text: str) -> str:
    """Text both databases can store: valid UTF-8, no NUL, `\n` line ends.

    Raw 8-bit header bytes come out of the parser as lone surrogates (surrogateescape);
    they are read back as the UTF-8 they almost always are, anything else as U+FFFD.
    PostgreSQL text refuses NUL characters, and both drivers refuse lone surrogates.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        try:
            text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        except UnicodeEncodeError:
            text = text.encode("utf-8", "replace").decode("utf-8")
    return text.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")


def one_line(text: str, limit: int) -> str:
    """Header text on one line (folding and stray CR/LF collapsed), at most `limit` chars."""
    flat = " ".join(clean(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "\u2026"


def message_ids(value: str | None) -> tuple[str, ...]:
    """The `<id@host>` tokens of a Message-ID, In-Reply-To or References header value."""
    if not value:
        return ()
    return tuple(mid for mid in _MSG_ID.findall(clean(value)) if len(mid) <= MESSAGE_ID_MAX)


def ticket_number_in(text: str) -> str | None:
    """The first ticket ID (`TT-YYYY-NNNNNN`) in a subject, upper-cased, or None."""
    match = _TICKET_NUMBER.search(text or "")
    return f"TT-{match.group(1)}-{match.group(2)}" if match else None


def service_codes_in(text: str) -> list[str]:
    """Distinct service codes (`SVC-10023`) in order of first mention, upper-cased."""
    seen: dict[str, None] = {}
    for code in _SERVICE_CODE.findall(text or ""):
        seen.setdefault(code.upper(), None)
    return list(seen)


_ATTRIBUTION = re.compile(r"^\s*On\b.*\bwrote:\s*$", re.IGNORECASE)
_ATTRIBUTION_START = re.compile(r"^\s*On\b.*\d", re.IGNORECASE)
_ORIGINAL = re.compile(r"^\s*-{2,}\s*(Original Message|Forwarded message)\s*-{2,}\s*$", re.I)
_OUTLOOK_FROM = re.compile(r"^\s*\*?From:\*?\s+\S")
_OUTLOOK_NEXT = re.compile(r"^\s*\*?(Sent|Date|To):\*?\s", re.IGNORECASE)


def strip_quoted(body: str) -> str:
    """The new text of a reply, for the work log: quotes and what was replied to removed.

    Drops `>` lines and "On <date>, <someone> wrote:" attributions (also wrapped over two
    lines), and cuts at an "-----Original Message-----" separator or an Outlook-style
    "From: ... / Sent: ..." block, below which the old mail is pasted unquoted. Inline answers
    between quoted lines are kept.
    """
    lines = clean(body).split("\n")
    kept: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if _ORIGINAL.match(line):
            break
        if _OUTLOOK_FROM.match(line) and _OUTLOOK_NEXT.match(following):
            break
        if _ATTRIBUTION.match(line):
            index += 1
            continue
        if _ATTRIBUTION_START.match(line) and following.rstrip().lower().endswith("wrote:"):
            index += 2
            continue
        if not line.lstrip().startswith(">"):
            kept.append(line.rstrip())
        index += 1
    text = "\n".join(kept)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


class _TextExtractor(HTMLParser):
    """HTML to readable text: block elements break lines, script/style/head are dropped."""

    BLOCKS = frozenset(
        {"p", "div", "br", "tr", "li", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6",
         "blockquote", "pre", "hr", "section", "article", "header", "footer"}
    )  # fmt: skip
    HIDDEN = frozenset({"script", "style", "head", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self.hidden += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self.hidden = max(self.hidden - 1, 0)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """Visible text of an HTML body, one line per block, blank runs collapsed."""
    extractor = _TextExtractor()
    extractor.feed(markup)
    extractor.close()
    text = html.unescape("".join(extractor.parts)).replace("\xa0", " ")
    lines = [" ".join(line.split()) for line in clean(text).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# --- parsing ---------------------------------------------------------------------------


def _header(message: Message, name: str) -> str:
    """A header as text; a value the policy cannot parse is read raw, never raised."""
    try:
        value = message.get(name)
    except Exception:  # malformed header values must not crash intake
        raw = message.get_all(name, failobj=[])
        value = raw[0] if raw else None
    return clean(str(value)) if value is not None else ""


def _sender(message: Message, message_id: str | None) -> tuple[str, str]:
    raw = _header(message, "From")
    if not raw.strip():
        raise MalformedMailError(
            "The mail has no From header.", field="from", message_id=message_id
        )
    try:
        header: Any = message["From"]  # policy.default gives an AddressHeader, typed as str
        found = [(a.display_name, a.addr_spec) for a in header.addresses]
    except Exception:  # fall back to the lenient stdlib address parser
        found = getaddresses([raw])
    for name, spec in found:
        spec = spec.strip()
        if len(spec) <= ADDRESS_MAX and _ADDR_SPEC.match(spec):
            return spec.lower(), one_line(name or "", NAME_MAX)
    raise MalformedMailError(
        "The From header holds no valid e-mail address.", field="from", message_id=message_id
    )


def _date(message: Message) -> datetime | None:
    raw = _header(message, "Date")
    if not raw:
        return None
    try:
        value = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if value.tzinfo is None:  # "-0000": the sender did not know its zone; read it as UTC
        value = value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


def _part_text(part: Message) -> str:
    """The decoded text of a part; an unknown or lying charset is decoded leniently."""
    try:
        content = part.get_content()  # type: ignore[attr-defined]
        if isinstance(content, str):
            return content
    except (LookupError, UnicodeError, KeyError, AssertionError, ValueError):
        pass
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, errors="replace")
    except LookupError:
        return payload.decode("utf-8", errors="replace")


def _body(message: EmailMessage) -> tuple[str, bool]:
    part = message.get_body(preferencelist=("plain",))
    if part is not None:
        return clean(_part_text(part)).strip(), False
    part = message.get_body(preferencelist=("html",))
    if part is not None:
        return html_to_text(_part_text(part)), True
    return "", False


def _attachments(message: EmailMessage) -> tuple[Attachment, ...]:
    found: list[Attachment] = []
    for part in message.iter_attachments():
        payload = part.get_payload(decode=True)
        size = len(payload) if isinstance(payload, bytes) else len(str(part.get_payload()))
        try:
            name = part.get_filename() or ""
        except Exception:  # a broken filename parameter is just no name
            name = ""
        found.append(
            Attachment(
                filename=one_line(name, 255) or "(unnamed)",
                content_type=one_line(part.get_content_type(), 120),
                size_bytes=size,
            )
        )
    return tuple(found)


def _auto_submitted(message: Message) -> bool:
    auto = _header(message, "Auto-Submitted").strip().lower()
    precedence = _header(message, "Precedence").strip().lower()
    return (auto not in ("", "no")) or precedence in ("bulk", "junk", "auto_reply")


def _looks_like_headers(raw: bytes) -> bool:
    first = raw.lstrip(b"\r\n").split(b"\n", 1)[0]
    return bool(_HEADER_LINE.match(first))


def parse_mail(raw: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> ParsedMail:
    """Parse one RFC 822 message; raises MalformedMailError with the reason it is unusable.

    Refused: more than `max_bytes` bytes, empty input, input that does not start with a
    header section, no From header, or a From without a usable address.
    """
    if len(raw) > max_bytes:
        raise MalformedMailError(
            f"The mail is {len(raw)} bytes; the limit is {max_bytes} bytes.", field="message"
        )
    if not raw.strip():
        raise MalformedMailError("The mail is empty.")
    if not _looks_like_headers(raw):
        raise MalformedMailError("This is not an RFC 822 message: it does not start with headers.")
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw)
    except Exception as error:  # the parser is lenient; be sure anyway
        raise MalformedMailError(
            f"The mail could not be parsed ({type(error).__name__})."
        ) from None
    if not isinstance(message, EmailMessage):  # pragma: no cover - policy.default guarantees it
        raise MalformedMailError("The mail could not be parsed.")
    ids = message_ids(_header(message, "Message-ID"))
    message_id = ids[0] if ids else None
    from_address, from_name = _sender(message, message_id)
    try:
        body, was_html = _body(message)
        attachments = _attachments(message)
    except Exception as error:  # a broken MIME structure is a refusal
        raise MalformedMailError(
            f"The mail's MIME structure is broken ({type(error).__name__}).",
            message_id=message_id,
        ) from None
    return ParsedMail(
        from_address=from_address,
        from_name=from_name,
        subject=one_line(_header(message, "Subject"), SUBJECT_MAX),
        message_id=message_id,
        in_reply_to=message_ids(_header(message, "In-Reply-To")),
        references=message_ids(_header(message, "References")),
        date=_date(message),
        body=body,
        body_was_html=was_html,
        attachments=attachments,
        auto_submitted=_auto_submitted(message),
    )
