"""Which executor failures are worth trying again, and which mean the model itself is unavailable.

`FailureKind.TRANSIENT`: overloaded (HTTP 529, 503), rate limited (429), a gateway or network
failure (502, 504, a reset or dropped connection), or an agent run that timed out without printing
anything. The review loop retries these with backoff. `FailureKind.MODEL_UNAVAILABLE`: the model
does not exist or this account may not use it (404 on the model, "not found", "does not exist or you
do not have access"); the loop re-runs the pass once on `--fallback-model`. Anything else is not
retried: a 500 may be a bug that happens every time, a refused tool is a setting.

Each executor decides from its own facts (spec/review-loop.md "Transient failures" lists them):
claude-code from the `result` line's `api_error_status` and text, the `command` executor from its
failure reason, and natively parsed agents from their error lines. The phrases below come from
the recorded real streams (tests/fixtures/streams/). Pure.
"""

from __future__ import annotations

import re
from enum import StrEnum


class FailureKind(StrEnum):
    TRANSIENT = "transient"
    MODEL_UNAVAILABLE = "model_unavailable"


TRANSIENT_STATUSES = frozenset({429, 502, 503, 504, 529})
MODEL_UNAVAILABLE_STATUSES = frozenset({404})

_MODEL_UNAVAILABLE = re.compile(
    r"issue with the selected model"  # Claude Code: "There's an issue with the selected model (X). It may not exist…"
    r"|does not exist or you do not have access"  # Codex: "The model `x` does not exist or you do not have access to it."
    r"|model[^\n]{0,80}?\bis not found\b"  # Gemini: "models/x is not found for API version v1beta"
    r"|ModelNotFoundError|model_not_found|not_found_error"
    r"|\bunknown model\b|\bmodel not found\b|\binvalid model\b",
    re.I)
_TRANSIENT = re.compile(
    r"\b(?:529|503)\b[^\n]{0,40}?overloaded|\boverloaded\b"  # Claude "529 Overloaded", Gemini "The model is overloaded"
    r"|\b429\b|too many requests|rate[ _-]?limit|RetryableQuotaError|resource[ _]exhausted"
    r"|\b(?:502|504)\b|bad gateway|gateway time-?out|service unavailable"
    r"|connection (?:reset|refused|closed|aborted)|ECONNRESET|ETIMEDOUT|EAI_AGAIN|socket hang up"
    r"|stream disconnected|network error|temporarily unavailable",
    re.I)


def from_http_status(status: int | None) -> FailureKind | None:
    """The kind an API status stands for, when it stands for one."""
    if status in TRANSIENT_STATUSES:
        return FailureKind.TRANSIENT
    if status in MODEL_UNAVAILABLE_STATUSES:
        return FailureKind.MODEL_UNAVAILABLE
    return None


def from_error_text(text: str | None) -> FailureKind | None:
    """The kind an agent's error message describes; model-unavailable wins (it is not worth a retry)."""
    if not text:
        return None
    sample = text[:4_000]
    if _MODEL_UNAVAILABLE.search(sample):
        return FailureKind.MODEL_UNAVAILABLE
    if _TRANSIENT.search(sample):
        return FailureKind.TRANSIENT
    return None
