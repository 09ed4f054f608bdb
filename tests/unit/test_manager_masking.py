"""Masking on every save path: no secret given to the manager reaches any file under `.claude/logs`."""

from __future__ import annotations

from pathlib import Path

from runner.logs.manager import TaskLogManager, TaskOutcome
from runner.logs.models import (
    Artifacts,
    ErrorCode,
    EventType,
    EvidenceSummary,
    ExecutorInfo,
    Metrics,
    TaskStatus,
)
from runner.logs.parts import Evidence, RunFacts

SECRET = "sk-proj-Abc123Def456Ghi789Jkl012Mno345Pqr678"


def _all_bytes(root: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted((root / ".claude" / "logs").rglob("*")) if p.is_file())


def test_a_secret_reaches_no_log_file(tmp_path: Path) -> None:
    """A key in the prompt, events, raw output, outcome fields and session meta is masked in every stored file."""
    manager = TaskLogManager(tmp_path)
    manager.open_session(executor=f"shell {SECRET}", model=SECRET)
    task = manager.create_task(f"use the key {SECRET} to call the API")
    manager.start_task(task.task_id, executor=ExecutorInfo(name="shell", model=SECRET),
                       verification_root=str(tmp_path))
    event_id = manager.add_event(task.task_id, EventType.EXECUTOR_START,
                                 {"command": f"curl -H 'Authorization: Bearer {SECRET}'", SECRET: [SECRET]})
    assert event_id is not None
    raw = manager.open_raw_log(task.task_id, event_id)
    raw.write(f"[stdout] token is {SECRET[:20]}")
    raw.write(f"{SECRET[20:]} end\n")
    raw.close()
    manager.finish_task(task.task_id, TaskOutcome(
        status=TaskStatus.ERROR, error_code=ErrorCode.EXECUTOR_FAILED, error_reason=f"bad key {SECRET}",
        executor_summary=f"tried {SECRET}", facts=RunFacts(resume_token=SECRET, metrics=Metrics(model=SECRET)),
        evidence=Evidence(evidence_summary=EvidenceSummary(files_expected=[SECRET], verification_passed=False,
                                                           verification_reason=SECRET),
                          artifacts=Artifacts(files_touched=[f"{SECRET}.txt"])),
        final_event_content={"summary": SECRET}))
    queued = manager.create_task(f"left open with {SECRET}")
    manager.add_event(queued.task_id, EventType.EXECUTOR_OUTPUT, {"line": SECRET})
    manager.close()  # closes the open task as error: another save path
    stored = _all_bytes(tmp_path)
    assert b"use the key" in stored and b"token is" in stored  # the files are really there
    assert SECRET.encode() not in stored
    assert SECRET[:20].encode() not in stored
    assert all(SECRET not in warning for warning in manager.warnings)
