"""Intake rules for e-mail (pure): service choice, impact, summary, fault start, text fitting."""

from __future__ import annotations

from datetime import timedelta

from fieldops.inbound import rules
from fieldops.inbound.parsing import Attachment, parse_mail
from tests.factories import DEFAULT_NOW
from tests.inbound.mail import build_mail

OWN = ["SVC-10001", "SVC-10002"]


def test_a_service_named_in_the_subject_wins() -> None:
    choice = rules.choose_service("SVC-10002 down", "see also SVC-10001", OWN)

    assert choice.code == "SVC-10002"


def test_a_service_named_only_in_the_body_is_used() -> None:
    assert rules.choose_service("Link down", "Service svc-10001 flaps", OWN).code == "SVC-10001"


def test_other_customers_services_are_ignored_and_not_reported() -> None:
    choice = rules.choose_service("SVC-99999 down", "", OWN)

    assert choice.code is None
    assert choice.reason is not None
    assert "SVC-99999" not in choice.reason
    assert "service not identified" in choice.reason


def test_the_only_service_is_used_when_none_is_named() -> None:
    assert rules.choose_service("Link down", "", ["SVC-10001"]).code == "SVC-10001"


def test_several_services_named_in_one_place_is_ambiguous() -> None:
    choice = rules.choose_service("SVC-10001 and SVC-10002 down", "", OWN)

    assert choice.code is None
    assert choice.reason is not None
    assert "several services" in choice.reason


def test_a_customer_without_services_cannot_be_placed() -> None:
    assert rules.choose_service("Link down", "", []).reason == (
        "service not identified: the customer has no services"
    )


def test_impact_heuristic_reads_down_and_outage_as_words() -> None:
    assert rules.impact_for("Link down", "") == "service_affecting"
    assert rules.impact_for("Question", "We have an OUTAGE in Krakow") == "service_affecting"
    assert rules.impact_for("Slow downloads", "throughput dropped") == "degraded"
    assert rules.impact_for("Latency", "pings are slow") == "degraded"


def test_summary_drops_reply_prefixes_and_fits_200_characters() -> None:
    assert rules.summary_for("Re: Fwd: AW: Link down", "") == "Link down"
    long = rules.summary_for("x" * 500, "")
    assert len(long) == 200
    assert long.endswith("\u2026")


def test_a_missing_or_tiny_subject_falls_back_to_the_body_then_a_fixed_text() -> None:
    assert rules.summary_for("", "\n\nFirst line here\nsecond") == "First line here"
    assert rules.summary_for("Re:", "ok") == rules.NO_SUBJECT


def test_fault_start_is_the_mail_date_never_in_the_future() -> None:
    past = parse_mail(build_mail(date=DEFAULT_NOW - timedelta(hours=2)))
    future = parse_mail(build_mail(date=DEFAULT_NOW + timedelta(days=3)))
    undated = parse_mail(build_mail(date=None))

    assert rules.fault_start(past, DEFAULT_NOW) == DEFAULT_NOW - timedelta(hours=2)
    assert rules.fault_start(future, DEFAULT_NOW) == DEFAULT_NOW
    assert rules.fault_start(undated, DEFAULT_NOW) == DEFAULT_NOW


def test_long_text_is_cut_with_a_pointer_to_the_kept_original() -> None:
    note = rules.attachment_note([Attachment("a.pdf", "application/pdf", 2048)], 7)
    text = rules.fit_text("y" * 500, 200, 7, note)

    assert len(text) <= 200
    assert "inbound e-mail #7" in text
    assert text.endswith("a.pdf (application/pdf, 2 KB)")
