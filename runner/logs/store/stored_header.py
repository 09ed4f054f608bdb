"""A stored task's header (its fields but the events) checked by plain code, without the models.

Importing pydantic and building `TaskLog`'s validator cost ~300 ms of a `pm-runner logs show` that
shows one stored task. So the detail view's read checks the header here, accepting only the exact
form the store writes: each field present or left to its default, of the JSON type the store dumps
it as (a string, an integer that is not a bool, a float, a bool, null), enums by their values, ids
and stamps by their whole ASCII patterns, and the models' own rules (the fail-closed rules, relative
verified paths, an absolute verification root, the summary's length). What passes is what the
models accept unchanged, with the same values; anything else gives None, and the caller validates
through the models, which report a damaged header exactly as before. Keys the models do not know
are ignored, as the models ignore them. `test_stored_header` holds each model's fields and
defaults equal to these, and the two checks' outcomes equal over damaged headers.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from runner.ids import IdKind, is_valid
from runner.logs.log_rules import climbs_out, fail_closed_problem
from runner.logs.vocabulary import (
    PROMPT_SUMMARY_MAX,
    BlockedReason,
    DetectionMethod,
    ErrorCode,
    RunnerDecision,
    TaskStatus,
    TerminatedBy,
    Visibility,
)
from runner.timestamps import ISO_PATTERN

Check = Callable[[Any], Any]  # the value to keep, or `Refused`
REQUIRED = object()
_STAMP = re.compile(ISO_PATTERN)


class Refused(Exception):
    """A value the store would not have written so: the models decide."""


def _of(kind: type) -> Check:
    def check(value: Any) -> Any:
        if type(value) is not kind:
            raise Refused
        return value
    return check


_STR, _INT, _BOOL, _FLOAT = _of(str), _of(int), _of(bool), _of(float)


def _optional(check: Check) -> Check:
    return lambda value: None if value is None else check(value)


def _list_of(check: Check) -> Check:
    def checked(value: Any) -> list[Any]:
        if type(value) is not list:
            raise Refused
        return [check(item) for item in value]
    return checked


def _dict_of(check: Check) -> Check:
    def checked(value: Any) -> dict[str, Any]:
        if type(value) is not dict:
            raise Refused
        return {_STR(key): check(item) for key, item in value.items()}
    return checked


def _enum(kind: Any) -> Check:
    members = {member.value: member for member in kind}

    def checked(value: Any) -> Any:
        if type(value) is not str or value not in members:
            raise Refused
        return members[value]
    return checked


def _where(check: Check, rule: Callable[[Any], bool]) -> Check:
    def checked(value: Any) -> Any:
        kept = check(value)
        if not rule(kept):
            raise Refused
        return kept
    return checked


def _id(kind: IdKind) -> Check:
    return _where(_STR, lambda value: is_valid(kind, value))


class Shape:
    """A model's check: `fields` maps each field, in the model's order, to (check, default: a value, a
    factory, or `REQUIRED`); called on a value, the model's fields as attributes, or `Refused`."""

    def __init__(self, **fields: tuple[Check, Any]) -> None:
        self.fields = fields

    def __call__(self, value: Any) -> SimpleNamespace:
        if type(value) is not dict:
            raise Refused
        kept = {}
        for name, (check, default) in self.fields.items():
            if name in value:
                kept[name] = check(value[name])
            elif default is REQUIRED:
                raise Refused
            else:
                kept[name] = default() if callable(default) else default
        return SimpleNamespace(**kept)


_STAMP_CHECK = _where(_STR, lambda value: value.isascii() and _STAMP.fullmatch(value) is not None)
_STRINGS = (_list_of(_STR), list)
_COUNTS = (_dict_of(_INT), dict)

EXECUTOR = Shape(name=(_STR, REQUIRED), model=(_optional(_STR), None))
EVIDENCE = Shape(files_expected=_STRINGS, files_verified=_STRINGS, files_missing=_STRINGS,
                  verification_passed=(_BOOL, REQUIRED), verification_reason=(_STR, REQUIRED),
                  verification_complete=(_BOOL, True), change_detection=(_optional(_STR), None), omitted=_COUNTS)
ARTIFACTS = Shape(files_touched=_STRINGS, files_expected=_STRINGS, files_created=_STRINGS, files_modified=_STRINGS,
                   files_deleted=_STRINGS, omitted=_COUNTS, raw_names=(_dict_of(_STR), dict))
VERIFIED_FILE = Shape(path=(_where(_STR, lambda path: not climbs_out(path)), REQUIRED), exists=(_BOOL, REQUIRED),
                       detected_at=(_STAMP_CHECK, REQUIRED), detection_method=(_enum(DetectionMethod), REQUIRED),
                       size=(_optional(_INT), None), path_b64=(_optional(_STR), None))
_OPTIONAL_INT, _OPTIONAL_STR = (_optional(_INT), None), (_optional(_STR), None)
METRICS = Shape(duration_ms=_OPTIONAL_INT, input_tokens=_OPTIONAL_INT, cache_read_input_tokens=_OPTIONAL_INT,
                 cache_creation_input_tokens=_OPTIONAL_INT, output_tokens=_OPTIONAL_INT,
                 cost_usd=(_optional(_FLOAT), None), model=_OPTIONAL_STR, num_turns=_OPTIONAL_INT,
                 cost_source=_OPTIONAL_STR, passes=_OPTIONAL_INT, cost_covers_session=(_optional(_BOOL), None))
DENIED_TOOL = Shape(tool=(_STR, REQUIRED), target=(_STR, ""), message=(_STR, ""))
REVIEW_ITERATION = Shape(iteration=(_INT, REQUIRED), loop=(_INT, 1), verdict=_OPTIONAL_STR, model=_OPTIONAL_STR,
                          failed=_STRINGS, retries=(_INT, 0), fallback=(_BOOL, False),
                          cost_usd=(_optional(_FLOAT), None))
TASK = Shape(
    session_id=(_id(IdKind.SESSION), REQUIRED), task_id=(_id(IdKind.TASK), REQUIRED),
    external_task_id=(_id(IdKind.EXTERNAL_TASK), REQUIRED), thread_id=(_id(IdKind.THREAD), REQUIRED),
    run_id=(_id(IdKind.RUN), REQUIRED), parent_task_id=(_optional(_id(IdKind.TASK)), None),
    subtask_index=(_optional(_where(_INT, lambda number: number >= 1)), None),
    status=(_enum(TaskStatus), REQUIRED), started_at=(_STAMP_CHECK, REQUIRED),
    ended_at=(_optional(_STAMP_CHECK), None), updated_at=(_optional(_STAMP_CHECK), None),
    prompt_summary=(_where(_STR, lambda text: len(text) <= PROMPT_SUMMARY_MAX), REQUIRED),
    runner_decision=(_enum(RunnerDecision), RunnerDecision.ACCEPT), executor=(_optional(EXECUTOR), None),
    executor_summary=_OPTIONAL_STR, evidence_summary=(_optional(EVIDENCE), None), error_reason=_OPTIONAL_STR,
    error_code=(_optional(_enum(ErrorCode)), None), artifacts=(ARTIFACTS, lambda: ARTIFACTS({})),
    verification_root=(_optional(_where(_STR, lambda path: path.startswith("/"))), None),
    verified_files=(_list_of(VERIFIED_FILE), list), verified_files_omitted=(_INT, 0),
    files_modified_count=(_INT, 0), sensitive_files_modified=_STRINGS, executor_blocked=(_BOOL, False),
    blocked_reason=(_optional(_enum(BlockedReason)), None), timeout_ms=_OPTIONAL_INT,
    terminated_by=(_optional(_enum(TerminatedBy)), None), metrics=(_optional(METRICS), None),
    resume_token=_OPTIONAL_STR, denied_tools=(_list_of(DENIED_TOOL), list), test_mode=(_BOOL, False),
    review_iterations=(_list_of(REVIEW_ITERATION), list), visibility=(_enum(Visibility), Visibility.SUMMARY),
    masked=(_where(_BOOL, lambda value: value is True), True),
)


def checked_header(document: dict[str, Any]) -> SimpleNamespace | None:
    """The task's fields (but `events`, left empty) as attributes, or None when the models must decide."""
    try:
        header = TASK(document)
    except Refused:
        return None
    header.events = []
    problem = fail_closed_problem(header.status, error_reason=header.error_reason, error_code=header.error_code,
                                  executor_blocked=header.executor_blocked, blocked_reason=header.blocked_reason,
                                  terminated_by=header.terminated_by, ended_at=header.ended_at)
    return header if problem is None else None
