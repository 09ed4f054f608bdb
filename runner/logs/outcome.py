"""How a task ends: the `TaskOutcome` the caller hands over and the terminal TaskLog made from it.

Everything that reaches a log passes through here or `clean_content`: strings
are masked first, then cut; an outcome that breaks the fail-closed rules is not
dropped but saved as an `error` that says what was wrong with it.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import orjson
from pydantic import BaseModel, ValidationError

from runner.logs.masking import (
    MASKING_ERROR,
    is_credential_key,
    mask_lines,
    mask_obj,
    mask_text,
    mask_texts,
)
from runner.logs.models import (
    ErrorCode,
    EventType,
    LogEvent,
    ReviewIteration,
    RunnerDecision,
    TaskLog,
    TaskStatus,
    VerifiedFile,
)
from runner.logs.parts import Evidence, RunFacts
from runner.logs.store.codec import json_safe

TRUNCATED = "[TRUNCATED]"
TERMINAL_EVENTS = {
    TaskStatus.COMPLETE: EventType.TASK_COMPLETE,
    TaskStatus.INCOMPLETE: EventType.TASK_INCOMPLETE,
    TaskStatus.ERROR: EventType.TASK_ERROR,
}


@dataclass
class TaskOutcome:
    """What the caller decided about a finished task, with the parts it decided from; the manager
    turns it into the terminal TaskLog."""

    status: TaskStatus
    error_reason: str | None = None
    error_code: ErrorCode | None = None
    runner_decision: RunnerDecision | None = None
    executor_summary: str | None = None
    evidence: Evidence = field(default_factory=Evidence)
    facts: RunFacts = field(default_factory=RunFacts)
    review_iterations: list[ReviewIteration] = field(default_factory=list)  # the review loop's, when it ran
    final_event_content: dict[str, Any] = field(default_factory=dict)


def cut_utf8(text: str, max_bytes: int) -> str:
    """`text` cut to at most `max_bytes` UTF-8 bytes plus a `[TRUNCATED]` marker when it was longer."""
    if len(text) * 4 <= max_bytes:
        return text
    encoded = text.encode("utf-8", "replace")
    if len(encoded) <= max_bytes:
        return text
    return encoded[:max_bytes].decode("utf-8", "ignore") + TRUNCATED


_MARKER = re.compile(r"\[MASKED:([A-Z0-9_]+)\]")


def masked_counts(content: Any) -> dict[str, int]:
    """How many values each masking rule hid in stored event content (its `[MASKED:RULE]`
    markers, whether the stream masker or `clean_content` put them there)."""
    if isinstance(content, dict) and _plain_strings(content):
        return {}  # the common event: a few strings, none holding a marker
    counts: Counter[str] = Counter()
    _count_markers(content, counts)
    return dict(sorted(counts.items()))


def _plain_strings(content: dict[Any, Any]) -> bool:
    """True when every key and value is a string holding no `[MASK` (so no marker, no MASKING_ERROR)."""
    for key, value in content.items():
        if type(value) is not str or type(key) is not str or "[MASK" in value or "[MASK" in key:
            return False
    return True


def _count_markers(value: Any, counts: Counter[str]) -> None:
    if isinstance(value, str):
        if "[MASKED:" in value:
            counts.update(_MARKER.findall(value))
        elif value.startswith(MASKING_ERROR):
            counts["MASKING_ERROR"] += 1
    elif isinstance(value, dict):
        for key, item in value.items():
            _count_markers(key, counts)
            _count_markers(item, counts)
    elif isinstance(value, list):
        for item in value:
            _count_markers(item, counts)


def clean_content(content: dict[str, Any], max_bytes: int) -> dict[str, Any]:
    """Event content as stored: masked (keys and values), each string cut to `max_bytes`, plain JSON."""
    flat = _clean_flat(content, max_bytes)
    return flat if flat is not None else _clean_any(content, max_bytes)


def _clean_any(content: Any, max_bytes: int) -> dict[str, Any]:
    """`clean_content` for any content: JSON's round trip, the masking walk, the cut."""
    masked = mask_obj(json_safe(content if isinstance(content, dict) else {"value": content}))
    cut = _cut_strings(masked, max_bytes)
    return cut if isinstance(cut, dict) else {"value": cut}


FLAT_FIELDS = 8


def _clean_flat(content: Any, max_bytes: int) -> dict[str, Any] | None:
    """The common event (`{"stream": "stdout", "line": ...}`) cleaned without the general walk, or
    None when the general path is needed: exactly its answer for a small dict of `str` to `str`
    whose keys name no credential and mask to themselves (so no value is hidden whole and no
    two keys collide) and whose strings are valid UTF-8 (JSON's round trip changes nothing)."""
    if type(content) is not dict or len(content) > FLAT_FIELDS:
        return None
    ascii_only = True
    for key, value in content.items():
        if type(key) is not str or type(value) is not str or is_credential_key(key):
            return None
        ascii_only = ascii_only and key.isascii() and value.isascii()  # a flag of the string: O(1)
    if not ascii_only:
        try:
            orjson.dumps(content)  # a lone surrogate: the general path replaces it before masking
        except TypeError:
            return None
    keys = list(content)
    masked = mask_texts([*keys, *content.values()])
    if masked[:len(keys)] != keys:
        return None
    return {key: cut_utf8(value, max_bytes) for key, value in zip(keys, masked[len(keys):], strict=True)}


def _cut_strings(value: Any, max_bytes: int) -> Any:
    if isinstance(value, str):
        return cut_utf8(value, max_bytes)
    if isinstance(value, dict):
        return {key: _cut_strings(item, max_bytes) for key, item in value.items()}
    if isinstance(value, list):
        return [_cut_strings(item, max_bytes) for item in value]
    return value


def mask_optional(text: str | None) -> str | None:
    return None if text is None else mask_text(text)


def _masked_model(model: BaseModel | None) -> Any:
    return None if model is None else mask_obj(model.model_dump(mode="json"))


def _masked_verified(files: list[VerifiedFile]) -> list[dict[str, Any]]:
    """Verified files with their paths masked in one pass; the other fields are typed (bool, enum,
    timestamp, size) and carry no free text. A raw name is dropped when masking changed its path."""
    paths = mask_lines([item.path for item in files])
    dumped = []
    for item, path in zip(files, paths, strict=True):
        fields = item.model_dump(mode="json")
        fields["path"] = path
        if path != item.path:
            fields["path_b64"] = None
        dumped.append(fields)
    return dumped


def terminal_log(current: TaskLog, outcome: TaskOutcome, *, event_id: str, now: str,
                 max_event_bytes: int) -> tuple[TaskLog, str | None]:
    """The terminal TaskLog, and a problem description when the outcome had to be saved as an error."""
    fields = _outcome_fields(current, outcome, now)
    try:
        return _validated(current, fields, outcome, event_id, now, max_event_bytes), None
    except ValidationError as exc:
        problem = _first_error(exc)
    reason = f"{fields['error_reason'] or 'no reason given'} (outcome was invalid: {problem})"
    fields.update(status=TaskStatus.ERROR, error_reason=reason,
                  error_code=fields["error_code"] or ErrorCode.LOG_WRITE_FAILED)
    if fields["executor_blocked"] and (fields["blocked_reason"] is None or fields["terminated_by"] is None):
        fields.update(executor_blocked=False)
    return _validated(current, fields, outcome, event_id, now, max_event_bytes), problem


def _outcome_fields(current: TaskLog, outcome: TaskOutcome, now: str) -> dict[str, Any]:
    evidence, facts = outcome.evidence, outcome.facts
    return {
        "status": outcome.status, "ended_at": now, "updated_at": now,
        "error_reason": mask_optional(outcome.error_reason), "error_code": outcome.error_code,
        "runner_decision": outcome.runner_decision or current.runner_decision,
        "executor_summary": mask_optional(outcome.executor_summary),
        "evidence_summary": _masked_model(evidence.evidence_summary),
        "artifacts": _masked_model(evidence.artifacts) or current.artifacts,
        "verified_files": _masked_verified(evidence.verified_files),
        "verified_files_omitted": evidence.verified_files_omitted,
        "files_modified_count": evidence.files_modified_count,
        "sensitive_files_modified": mask_lines(list(evidence.sensitive_files_modified)),
        "executor_blocked": facts.executor_blocked, "blocked_reason": facts.blocked_reason,
        "terminated_by": facts.terminated_by,
        "timeout_ms": facts.timeout_ms if facts.timeout_ms is not None else current.timeout_ms,
        "metrics": _masked_model(facts.metrics), "resume_token": mask_optional(facts.resume_token),
        "denied_tools": [_masked_model(entry) for entry in facts.denied_tools],
        "test_mode": facts.test_mode or current.test_mode,
        "review_iterations": [_masked_model(i) for i in outcome.review_iterations],
    }


def _validated(current: TaskLog, fields: dict[str, Any], outcome: TaskOutcome, event_id: str,
               now: str, max_event_bytes: int) -> TaskLog:
    status = TaskStatus(fields["status"])
    content = dict(outcome.final_event_content)
    if status is not TaskStatus.COMPLETE and "reason" not in content:
        content["reason"] = fields["error_reason"]
    event_type = TERMINAL_EVENTS.get(status, EventType.TASK_ERROR)
    cleaned = clean_content(content, max_event_bytes)
    event = LogEvent.made_here(event_id, event_type, now, event_type.default_visibility, cleaned, masked_counts(cleaned))
    # Existing events are LogEvent instances and pass through without being re-validated.
    return TaskLog.model_validate({**current.__dict__, **fields, "events": [*current.events, event]})


def _first_error(exc: ValidationError) -> str:
    errors = exc.errors(include_url=False, include_input=False)
    return str(errors[0]["msg"]) if errors else "invalid"
