"""Reading raw mail (pure: no app, no database): bodies, headers, threading ids, refusals."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from fieldops.inbound.parsing import (
    MalformedMailError,
    html_to_text,
    parse_mail,
    service_codes_in,
    strip_quoted,
    ticket_number_in,
)
from tests.inbound.mail import build_mail, sample


def test_plain_mail_gives_sender_subject_ids_date_and_body() -> None:
    mail = parse_mail(sample("plain.eml"))

    assert mail.from_address == "ada@customer.test"  # lower-cased for the contact lookup
    assert mail.from_name == "Ada Lovelace"
    assert mail.subject == "Link down at the Krakow PoP"
    assert mail.message_id == "<plain-1@customer.test>"
    assert mail.date == datetime(2026, 11, 18, 8, 30, tzinfo=UTC)
    assert "has been down since 09:15." in mail.body
    assert not mail.body_was_html
    assert mail.attachments == ()


def test_multipart_alternative_prefers_the_plain_part() -> None:
    mail = parse_mail(sample("alternative.eml"))

    assert mail.body == "Plain part: 3% packet loss since this morning."
    assert not mail.body_was_html


def test_html_only_mail_is_reduced_to_its_visible_text() -> None:
    mail = parse_mail(sample("html_only.eml"))

    assert mail.body_was_html
    assert mail.body == "Latency is > 200 ms & rising.\n\nSecond line"
    assert "alert" not in mail.body
    assert "ignored title" not in mail.body
    assert mail.date is None  # no Date header: the caller uses "now"


def test_rfc2047_encoded_subject_decodes_and_yields_the_ticket_id() -> None:
    mail = parse_mail(sample("encoded_subject.eml"))

    assert mail.subject == "Re: [TT-2026-000042] \u0141\u0105cze w Krakowie"
    assert ticket_number_in(mail.subject) == "TT-2026-000042"
    assert mail.from_name == "Zo\u00eb Kowalska"


def test_quoted_printable_body_in_a_legacy_charset_decodes() -> None:
    mail = parse_mail(sample("quoted_printable.eml"))

    assert mail.body.startswith("Za\u017c\u00f3\u0142\u0107 g\u0119\u015bl\u0105 ja\u017a\u0144:")
    assert "wrapped with a soft line break." in mail.body  # the soft break is undone


def test_reply_carries_in_reply_to_and_references_most_specific_first() -> None:
    mail = parse_mail(sample("reply.eml"))

    assert mail.in_reply_to == ("<ack-1@fieldops.invalid>",)
    assert mail.references == ("<older@fieldops.invalid>", "<ack-1@fieldops.invalid>")
    assert mail.thread_ids == ("<ack-1@fieldops.invalid>", "<older@fieldops.invalid>")


def test_quoted_reply_is_stripped_for_the_work_log() -> None:
    mail = parse_mail(sample("reply.eml"))

    new_text = strip_quoted(mail.body)

    assert new_text == "The engineer may come after 14:00; the site is open until 18:00."


@pytest.mark.parametrize(
    "body",
    [
        "Fixed now, thanks.\n\n-----Original Message-----\nFrom: desk\nPlease confirm.",
        "Fixed now, thanks.\n\nFrom: fieldops <noreply@fieldops.invalid>\nSent: Wednesday\n"
        "Please confirm.",
        "Fixed now, thanks.\n\nOn Wed, 18 Nov 2026 at 10:05, fieldops\n<noreply@x> wrote:\n"
        "> Please confirm.",
    ],
    ids=["outlook-separator", "outlook-header-block", "wrapped-attribution"],
)
def test_other_reply_styles_are_cut_at_the_old_mail(body: str) -> None:
    assert strip_quoted(body) == "Fixed now, thanks."


def test_inline_answers_between_quotes_are_kept() -> None:
    body = "> Is the site open at night?\nNo, until 18:00.\n> Is there parking?\nYes."

    assert strip_quoted(body) == "No, until 18:00.\nYes."


def test_attachments_are_listed_with_name_type_and_size() -> None:
    raw = build_mail(attachments=[("trace.txt", "text/plain", b"x" * 1500)])

    mail = parse_mail(raw)

    assert [(a.filename, a.content_type, a.size_bytes) for a in mail.attachments] == [
        ("trace.txt", "text/plain", 1500)
    ]
    assert mail.body == "Our uplink has been down since 09:15."  # not the attachment


def test_auto_replies_are_recognised() -> None:
    assert parse_mail(build_mail(headers={"Auto-Submitted": "auto-replied"})).auto_submitted
    assert parse_mail(build_mail(headers={"Precedence": "bulk"})).auto_submitted
    assert not parse_mail(build_mail(headers={"Auto-Submitted": "no"})).auto_submitted


def test_nul_characters_never_reach_the_text() -> None:
    raw = build_mail(subject="Link\x00 down", body="down\x00 since 9")

    mail = parse_mail(raw)

    assert "\x00" not in mail.subject
    assert "\x00" not in mail.body


def test_raw_8bit_utf8_headers_are_read_as_utf8_and_storable() -> None:
    raw = (
        "From: Zo\u00eb <zoe@customer.test>\n"
        "Subject: \u0141\u0105cze pad\u0142o\n\nTre\u015b\u0107\n"
    )

    mail = parse_mail(raw.encode() + b"\xff")

    assert (mail.from_name, mail.subject) == ("Zo\u00eb", "\u0141\u0105cze pad\u0142o")
    for text in (mail.from_name, mail.subject, mail.body):
        text.encode("utf-8")  # no lone surrogates: both database drivers would refuse them


def test_a_date_without_a_zone_is_read_as_utc() -> None:
    raw = build_mail(date=None, headers={"Date": "Wed, 18 Nov 2026 09:30:00 -0000"})

    assert parse_mail(raw).date == datetime(2026, 11, 18, 9, 30, tzinfo=UTC)


def test_an_unreadable_date_is_no_date() -> None:
    raw = build_mail(date=None, headers={"Date": "yesterday-ish"})

    assert parse_mail(raw).date is None


@pytest.mark.parametrize(
    ("raw", "reason", "field"),
    [
        (b"", "empty", "message"),
        (b"  \r\n\r\n", "empty", "message"),
        (b"\x00\x01\x02binary junk", "not an RFC 822 message", "message"),
        (b"Dear support, my link is down.\n", "not an RFC 822 message", "message"),
        (b"Subject: no sender\n\nbody\n", "no From header", "from"),
        (b"From: nobody\nSubject: x\n\nbody\n", "no valid e-mail address", "from"),
        (b"From: <@>\nSubject: x\n\nbody\n", "no valid e-mail address", "from"),
    ],
    ids=["empty", "blank", "binary", "prose", "no-from", "from-no-address", "from-empty"],
)
def test_malformed_mail_is_refused_with_a_clear_reason(raw: bytes, reason: str, field: str) -> None:
    with pytest.raises(MalformedMailError) as refused:
        parse_mail(raw)

    assert reason in refused.value.reason
    assert refused.value.field == field


def test_too_large_mail_is_refused_and_names_the_limit() -> None:
    raw = build_mail(body="x" * 5000)

    with pytest.raises(MalformedMailError) as refused:
        parse_mail(raw, max_bytes=1000)

    assert "the limit is 1000 bytes" in refused.value.reason


def test_a_refusal_still_reports_the_message_id_it_could_read() -> None:
    raw = b"From: nobody\nMessage-ID: <broken-1@x.test>\n\nbody\n"

    with pytest.raises(MalformedMailError) as refused:
        parse_mail(raw)

    assert refused.value.message_id == "<broken-1@x.test>"


def test_ticket_ids_and_service_codes_are_found_in_text() -> None:
    assert ticket_number_in("Re: [tt-2026-000123] still down") == "TT-2026-000123"
    assert ticket_number_in("TT-2026-12345 is too short") is None
    assert ticket_number_in("XTT-2026-000123") is None
    assert service_codes_in("svc-10001 and SVC-10002, again SVC-10001") == [
        "SVC-10001",
        "SVC-10002",
    ]


def test_html_to_text_breaks_blocks_and_unescapes() -> None:
    assert html_to_text("<p>a&amp;b</p><ul><li>one</li><li>two</li></ul>") == "a&b\n\none\n\ntwo"
