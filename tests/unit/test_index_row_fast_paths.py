"""A task's index row, made without validation and written by orjson, equals the validated row and pydantic's bytes."""

from __future__ import annotations

from pathlib import Path

import orjson

from bench.workload import run_task
from runner.logs.manager import Durability, TaskLogManager, TaskOutcome
from runner.logs.models import (
    Artifacts,
    DeniedToolEntry,
    DetectionMethod,
    ErrorCode,
    EvidenceSummary,
    ExecutorInfo,
    Metrics,
    ReviewIteration,
    TaskLog,
    TaskLogEntry,
    TaskStatus,
    VerifiedFile,
)
from runner.logs.parts import RunFacts
from runner.logs.store import codec, indexes


def _logs(project: Path) -> list[TaskLog]:
    """Logs in every state the workload and a few odd outcomes leave: queued, running, terminal."""
    manager = TaskLogManager(project, durability=Durability.NORMAL)
    manager.open_session(executor="claude-code", model="sonnet")
    logs: list[TaskLog] = []
    previous = None
    for number in range(1, 13):
        previous = run_task(manager, number, previous)
        logs.append(previous)
    task = manager.create_task("prompt with non-ASCII: é ✓ \u2028 and \"quotes\"", parent_task_id=logs[0].task_id,
                               subtask_index=2)
    logs.append(manager.get_task(task.task_id))
    manager.start_task(task.task_id, executor=ExecutorInfo(name="codex", model=None),
                       verification_root=str(project))
    logs.append(manager.get_task(task.task_id))
    metrics = Metrics(input_tokens=0, output_tokens=7, cost_usd=1e-7, model="", duration_ms=0)
    logs.append(manager.finish_task(task.task_id, TaskOutcome(status=TaskStatus.ERROR, error_code=ErrorCode.TIMEOUT,
                                                              error_reason="took too long",
                                                              facts=RunFacts(metrics=metrics))))
    manager.close()
    return logs


def _validated_row(log: TaskLog) -> TaskLogEntry:
    return TaskLogEntry.model_validate(indexes.entry_from_log(log).__dict__)


def test_rows_made_without_validation_equal_validated_rows(tmp_path: Path) -> None:
    """entry_from_log gives the row validation gives, with the same fields set."""
    for log in _logs(tmp_path):
        row = indexes.entry_from_log(log)
        assert row == _validated_row(log)
        assert row.model_fields_set == set(TaskLogEntry.model_fields)
        assert row.review_iterations is not log.review_iterations  # its own list


def test_row_bytes_equal_pydantics(tmp_path: Path) -> None:
    """entry_bytes writes the bytes of model_dump_json(exclude_defaults=True), defaults left out."""
    for log in _logs(tmp_path):
        row = indexes.entry_from_log(log)
        assert indexes.entry_bytes(row) == row.model_dump_json(exclude_defaults=True).encode()
        assert "review_iterations" not in orjson.loads(indexes.entry_bytes(row))


def test_a_row_with_review_iterations_takes_pydantics_path(tmp_path: Path) -> None:
    """Rows holding models inside are written by pydantic itself."""
    log = _logs(tmp_path)[0]
    review = ReviewIteration(iteration=1, verdict="PASS", cost_usd=0.25)
    row = indexes.entry_from_log(log.model_copy(update={"review_iterations": [review]}))
    assert indexes.entry_bytes(row) == row.model_dump_json(exclude_defaults=True).encode()


def test_snapshot_bytes_equal_the_models_dump(tmp_path: Path) -> None:
    """dumps_task_log writes the bytes of codec.dumps (pydantic's JSON mode) for logs in every state,
    nested models and lists of them included."""
    logs = _logs(tmp_path)
    stamp = logs[-1].started_at
    logs.append(logs[-1].model_copy(update={
        "artifacts": Artifacts(files_modified=["a.py", "é.py"], omitted={"files_touched": 3}),
        "evidence_summary": EvidenceSummary(verification_passed=True, verification_reason="ok", files_verified=["a.py"]),
        "verified_files": [VerifiedFile(path="a.py", exists=True, detected_at=stamp,
                                        detection_method=list(DetectionMethod)[0], size=12)],
        "denied_tools": [DeniedToolEntry(tool="Bash", target="rm -rf /")],
        "review_iterations": [ReviewIteration(iteration=1, verdict="PASS", cost_usd=0.1 + 0.2)],
    }))
    for log in logs:
        assert codec.dumps_task_log(log) == codec.dumps(log)
