"""The corpus measure of issue 19: secrets of every family, bare and in context, and ordinary
text that only mentions credential words (figures: `python -m tests.helpers.masking_corpus`)."""

from __future__ import annotations

import pytest

from runner.logs.masking import mask_text
from tests.helpers.masking_corpus import FORMATS, measure, ordinary_cases, secret_cases

pytestmark = pytest.mark.usefixtures("no_env_secrets")


def test_the_corpus_is_as_large_as_the_issue_asks() -> None:
    """At least 400 secret cases across every family, bare and in context, and 150 ordinary texts."""
    cases = secret_cases()
    assert len(cases) >= 400 and len(ordinary_cases()) >= 150
    assert {f.family for f in FORMATS} >= {"ai", "cloud", "vcs", "registry", "ci", "payment", "chat",
                                           "saas", "database", "observability", "auth"}
    assert {case.context for case in cases} >= {"bare", "export", "json", "config line", "url query"}
    assert sum(case.bare_prefix for case in cases) >= 100


def test_coverage_bare_prefixes_and_ordinary_text_meet_the_targets() -> None:
    """Coverage ≥ 95 %, bare prefixed tokens ≥ 95 %, ordinary text changed ≤ 10 %."""
    figures = measure(mask_text)
    missed = [f"{c.provider} [{c.context}]: {c.text[:80]}" for c in figures["missed"]]  # type: ignore[attr-defined]
    assert figures["coverage"] >= 0.95, missed[:20]  # type: ignore[operator]
    assert figures["bare_prefix_coverage"] >= 0.95, missed[:20]  # type: ignore[operator]
    assert figures["ordinary_change_rate"] <= 0.10, figures["changed"]  # type: ignore[operator]


def test_the_measure_can_fail() -> None:
    """A masker that changes nothing hides no secret; one that hides everything changes all ordinary text."""
    nothing = measure(lambda text: text)
    assert nothing["coverage"] == 0 and nothing["ordinary_change_rate"] == 0
    everything = measure(lambda text: "[MASKED:ALL]")
    assert everything["coverage"] == 1 and everything["ordinary_change_rate"] == 1
