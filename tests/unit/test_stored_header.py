"""The plain check of a stored task's header (`stored_header`) takes only what the models take, with the
same values; a header it refuses reads exactly as the general read reads it (the same corruption report)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import orjson
import pytest
from pydantic import BaseModel, ValidationError

from runner.logs.manager import Durability, TaskLogManager, TaskOutcome
from runner.logs.models import (
    Artifacts,
    CorruptedLog,
    DeniedToolEntry,
    EvidenceSummary,
    ExecutorInfo,
    Metrics,
    ReviewIteration,
    TaskLog,
    TaskStatus,
    VerifiedFile,
    Visibility,
)
from runner.logs.store import LogReader
from runner.logs.store.stored_header import (
    ARTIFACTS,
    DENIED_TOOL,
    EVIDENCE,
    EXECUTOR,
    METRICS,
    REQUIRED,
    REVIEW_ITERATION,
    TASK,
    VERIFIED_FILE,
    Shape,
    checked_header,
)
from runner.logs.stored_task import StoredTask
from runner.views.task_detail import task_detail_renderable

STAMP = "2026-11-28T10:00:00.000Z"
SHAPES: list[tuple[Shape, type[BaseModel]]] = [
    (TASK, TaskLog), (EXECUTOR, ExecutorInfo), (EVIDENCE, EvidenceSummary), (ARTIFACTS, Artifacts),
    (VERIFIED_FILE, VerifiedFile), (METRICS, Metrics), (DENIED_TOOL, DeniedToolEntry),
    (REVIEW_ITERATION, ReviewIteration)]


def _plain(value: Any) -> Any:
    """A checked header or a model as plain data (enums as themselves), to compare the two."""
    if isinstance(value, SimpleNamespace):
        return {name: _plain(item) for name, item in vars(value).items()}
    if isinstance(value, BaseModel):
        return {name: _plain(getattr(value, name)) for name in type(value).model_fields}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return (type(value), value)  # 1 and True, 1 and 1.0 are told apart


@pytest.mark.parametrize(("shape", "model"), SHAPES, ids=[model.__name__ for _, model in SHAPES])
def test_each_shape_has_its_models_fields_and_defaults(shape: Shape, model: type[BaseModel]) -> None:
    """Every field of the model (but a task's events), in order, required where the model requires it, with
    the model's default otherwise: a field added to the models fails here until the plain check knows it."""
    fields = {name: info for name, info in model.model_fields.items() if name != "events"}
    assert list(shape.fields) == list(fields)
    for name, info in fields.items():
        default = shape.fields[name][1]
        if info.is_required():
            assert default is REQUIRED, name
        else:
            made = default() if callable(default) else default
            assert _plain(made) == _plain(info.get_default(call_default_factory=True)), name


def _first_event() -> dict[str, Any]:
    return {"event_id": "evt-0001", "event_type": "USER_INPUT", "timestamp": STAMP, "visibility": "summary",
            "content": {"prompt": "p"}}


def _rich_header() -> dict[str, Any]:
    """A finished task with every optional part of a header set, as the store dumps it."""
    log = TaskLog.model_validate({
        "session_id": "sess-20261128-001", "task_id": "task-002", "external_task_id": "task-1764324000000",
        "thread_id": "thr-001", "run_id": "run-002", "parent_task_id": "task-001", "subtask_index": 2,
        "status": "incomplete", "started_at": STAMP, "ended_at": STAMP, "updated_at": STAMP,
        "prompt_summary": "fix the parser", "runner_decision": "reject",
        "executor": {"name": "claude", "model": "opus"}, "executor_summary": "done",
        "evidence_summary": {"files_expected": ["a.py"], "files_verified": [], "files_missing": ["a.py"],
                             "verification_passed": False, "verification_reason": "a.py missing",
                             "verification_complete": False, "change_detection": "git status",
                             "omitted": {"files_expected": 3}},
        "error_reason": "missing files", "error_code": "EVIDENCE_MISSING",
        "artifacts": {"files_touched": ["b.py"], "files_created": ["c.py"], "omitted": {"files_touched": 1},
                      "raw_names": {"\\xff.py": "/y5weQ=="}},
        "verification_root": "/project", "verified_files_omitted": 4, "files_modified_count": 2,
        "verified_files": [{"path": "b.py", "exists": True, "detected_at": STAMP, "detection_method": "diff",
                            "size": 12, "path_b64": None}],
        "sensitive_files_modified": [".env"], "executor_blocked": True, "blocked_reason": "TIMEOUT",
        "timeout_ms": 5000, "terminated_by": "TIMEOUT",
        "metrics": {"duration_ms": 10, "input_tokens": 5, "output_tokens": 6, "cost_usd": 0.25, "model": "opus",
                    "num_turns": 2, "cost_source": "reported", "passes": 1, "cost_covers_session": False},
        "resume_token": "r", "denied_tools": [{"tool": "Bash", "target": "rm -rf /", "message": "no"}],
        "test_mode": True, "review_iterations": [{"iteration": 1, "verdict": "REJECT", "failed": ["tests"],
                                                  "cost_usd": 0.5}],
        "visibility": "full", "events": [_first_event()]})
    document: dict[str, Any] = orjson.loads(orjson.dumps(log.model_dump(mode="json")))
    del document["events"]
    return document


def _models_verdict(document: dict[str, Any]) -> TaskLog | None:
    try:
        return TaskLog.model_validate_json(orjson.dumps({**document, "events": [_first_event()]}))
    except ValidationError:
        return None


CANDIDATES: list[Any] = [None, 0, 1, -1, 2.5, 0.0, 3.0, True, False, "", "x", "0", "true", "/abs", "../up", "a/../..",
                         [], {}, ["a"], [1], {"a": 1}, {"a": "1"}, "task-001", "task-1764324000000", STAMP,
                         "2026-11-28T10:00:0\u0661.000Z", STAMP + "\n", "complete", "running", "error", "full",
                         "diff", "TIMEOUT", "USER", "EVIDENCE_MISSING", "a" * 100, "a" * 101]
_DELETE = object()


def _mutations(document: Any) -> Iterator[tuple[str, Any]]:
    """(where, a copy of `document` with one value replaced by a candidate, or deleted) at every place."""
    places: list[tuple[str, list[Any]]] = []

    def walk(value: Any, path: list[Any]) -> None:
        items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else []
        for key, item in items:
            places.append((".".join(map(str, [*path, key])), [*path, key]))
            walk(item, [*path, key])

    walk(document, [])
    for where, path in places:
        for candidate in [*CANDIDATES, _DELETE]:
            changed = copy.deepcopy(document)
            parent = changed
            for key in path[:-1]:
                parent = parent[key]
            if candidate is _DELETE:
                del parent[path[-1]]
            else:
                parent[path[-1]] = candidate
            yield where, changed


def test_the_plain_check_takes_only_what_the_models_take_with_the_same_values() -> None:
    """Every field of a full header (nested ones too) replaced by each of 37 values or deleted (3,496 headers): whatever the
    plain check takes, the models take, with equal fields; it takes the store's own form."""
    document = _rich_header()
    taken = checked_header(document)
    assert taken is not None and _plain(taken) == {**_plain(_models_verdict(document)), "events": []}
    counts = {"taken": 0, "refused, models take": 0, "both refuse": 0}
    for where, changed in _mutations(document):
        plain, models = checked_header(changed), _models_verdict(changed)
        if plain is not None:
            assert models is not None, (where, changed)
            assert _plain(plain) == {**_plain(models), "events": []}, where
            counts["taken"] += 1
        else:
            counts["refused, models take" if models is not None else "both refuse"] += 1
    assert min(counts.values()) > 100, counts


FAIL_CLOSED: list[tuple[str, dict[str, Any]]] = [
    ("an incomplete task without its reason", {"error_reason": ""}),
    ("an incomplete task without its code", {"error_code": None}),
    ("a blocked task without its reason", {"blocked_reason": None}),
    ("a blocked task not terminated", {"terminated_by": None}),
    ("a finished task without its end", {"ended_at": None}),
    ("a running task with an end", {"status": "running", "error_reason": None, "error_code": None}),
    ("a complete task", {"status": "complete"}),
    ("a queued task", {"status": "queued", "ended_at": None}),
]


@pytest.mark.parametrize(("what", "changes"), FAIL_CLOSED, ids=[row[0] for row in FAIL_CLOSED])
def test_the_fail_closed_rules_decide_as_the_models_do(what: str, changes: dict[str, Any]) -> None:
    """The models' fail-closed rules (error reason and code, blocked reason, ended_at of a terminal task):
    the plain check takes the header exactly when the models do."""
    document = {**_rich_header(), **changes}
    plain, models = checked_header(document), _models_verdict(document)
    assert (plain is None) == (models is None), what
    if plain is not None:
        assert _plain(plain) == {**_plain(models), "events": []}


@pytest.fixture
def store(tmp_path: Path) -> tuple[LogReader, str, str]:
    """A real session holding one finished task, written by the manager; tests rewrite its header."""
    manager = TaskLogManager(tmp_path, durability=Durability.NORMAL)
    session_id = manager.open_session(executor="shell").session_id
    task = manager.create_task("a finished task")
    manager.start_task(task.task_id, executor=ExecutorInfo(name="shell", model="m1"), verification_root=str(tmp_path))
    manager.finish_task(task.task_id, TaskOutcome(status=TaskStatus.COMPLETE))
    manager.close()
    assert session_id is not None
    return LogReader(tmp_path), session_id, task.task_id


DAMAGED: list[tuple[str, dict[str, Any]]] = [
    ("an unknown status", {"status": "finished"}),
    ("a count as text (the models read it)", {"files_modified_count": "2"}),
    ("a relative verification root", {"verification_root": "project"}),
    ("a prompt summary too long", {"prompt_summary": "p" * 101}),
    ("a verified file outside the root", {"verified_files": [{"path": "../x", "exists": True, "detected_at": STAMP,
                                                             "detection_method": "diff"}]}),
    ("an end on a running task", {"status": "running"}),
    ("an error without its code", {"status": "error", "error_reason": "boom"}),
    ("a session id of another form", {"session_id": "sess-1"}),
    ("no started_at", {"started_at": _DELETE}),
    ("masked false", {"masked": False}),
    ("an executor that is a string", {"executor": "shell"}),
    ("a cost as an integer (the models read it)", {"metrics": {"cost_usd": 1}}),
]


@pytest.mark.parametrize(("what", "changes"), DAMAGED, ids=[row[0] for row in DAMAGED])
def test_a_header_the_plain_check_refuses_reads_as_the_general_read(
        store: tuple[LogReader, str, str], what: str, changes: dict[str, Any]) -> None:
    """A header the store did not write so: the view's read shows what `read_task` shows (the same
    'Log file corrupted (...)' line with the models' reason, or the same task the models read)."""
    reader, session_id, task_id = store
    snapshot = reader.paths.task_snapshot(session_id, task_id)
    document = orjson.loads(snapshot.read_bytes())
    for key, value in changes.items():
        if value is _DELETE:
            del document[key]
        else:
            document[key] = value
    snapshot.write_bytes(orjson.dumps(document))
    fast, general = reader.read_task_for_view(session_id, task_id), reader.read_task(session_id, task_id)
    assert checked_header({k: v for k, v in document.items() if k != "events"}) is None, what
    if isinstance(general, CorruptedLog):
        assert fast == general
    else:
        assert isinstance(fast, StoredTask) and isinstance(fast.header, TaskLog)  # validated by the models
    views = [[task_detail_renderable(log, visibility=visibility).to_text(width, color=False)
              for visibility in Visibility for width in (120, 40)] for log in (fast, general)]
    assert views[0] == views[1]


def test_a_header_in_stored_form_is_read_without_the_models(store: tuple[LogReader, str, str]) -> None:
    """The manager's own file: the header read is the plain one, and it shows what the models' read shows."""
    reader, session_id, task_id = store
    fast, general = reader.read_task_for_view(session_id, task_id), reader.read_task(session_id, task_id)
    assert isinstance(fast, StoredTask) and isinstance(fast.header, SimpleNamespace)
    assert ([task_detail_renderable(fast, visibility=v).to_text(120, color=True) for v in Visibility]
            == [task_detail_renderable(general, visibility=v).to_text(120, color=True) for v in Visibility])

