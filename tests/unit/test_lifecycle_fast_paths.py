"""A task's start and its timestamps' read-back take shortcuts that give exactly the general path's answer."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from pydantic import ValidationError

from runner import timestamps
from runner.logs.manager import Durability, TaskLogManager
from runner.logs.models import EventType, ExecutorInfo, TaskLog
from runner.logs.store import codec
from runner.timestamps import epoch_ms_of, iso_from_epoch_ms, now_iso, parse_iso


def _parsed_ms(value: str) -> int:
    """The general read: parse, then the float steps of `datetime.timestamp()`."""
    return int(parse_iso(value).timestamp() * 1000)


def test_a_started_task_equals_its_validated_log(tmp_path: Path) -> None:
    """The running log start_task keeps (and writes) is the model validation makes of the same fields."""
    manager = TaskLogManager(tmp_path, durability=Durability.NORMAL)
    manager.open_session(executor="shell")
    for timeout in (None, 5000):
        task = manager.create_task("start me")
        manager.start_task(task.task_id, executor=ExecutorInfo(name="claude-code", model="sonnet"),
                           verification_root=str(tmp_path), timeout_ms=timeout)
        kept = manager._tasks[task.task_id].log
        validated = TaskLog.model_validate(kept.__dict__)
        assert kept == validated
        assert kept.model_fields_set == validated.model_fields_set
        assert kept.model_dump_json() == validated.model_dump_json()
        assert (kept.status, kept.timeout_ms, kept.verification_root) == ("running", timeout, str(tmp_path))
    manager.close()


def _last_state_line(manager: TaskLogManager, task_id: str) -> bytes:
    """The journal's last line that is a whole TaskLog (a state line), as written."""
    state = manager._tasks[task_id]
    lines = Path(state.journal.path).read_bytes().splitlines()
    return [line for line in lines if line.startswith(b'{"session_id"')][-1]


@pytest.mark.parametrize("before_start", ["nothing", "events", "checkpoint"])
def test_the_running_state_line_is_the_whole_dump_of_the_running_log(tmp_path: Path, before_start: str) -> None:
    """The running state line, made from the queued line's fields and start_task's changes, has the very bytes
    of dumping the running log whole, whatever happened between create and start."""
    manager = TaskLogManager(tmp_path, durability=Durability.NORMAL)
    manager.open_session(executor="shell")
    for timeout, model in ((None, None), (3000, "sonnet")):
        task = manager.create_task(f"start me ({before_start})")
        state = manager._tasks[task.task_id]
        if before_start != "nothing":
            manager.add_event(task.task_id, EventType.EXECUTOR_OUTPUT, {"stream": "stdout", "line": "early"})
        if before_start == "checkpoint":
            state.checkpoint(durable_write=False)
        manager.start_task(task.task_id, executor=ExecutorInfo(name="claude-code", model=model),
                           verification_root=str(tmp_path), timeout_ms=timeout)
        assert _last_state_line(manager, task.task_id) == codec.dumps_task_log(state.log, state.line_of)
        assert b'"status":"running"' in _last_state_line(manager, task.task_id)
    manager.close()


def test_a_start_the_model_refuses_is_still_refused(tmp_path: Path) -> None:
    """A relative verification root fails validation as before; a timeout of another type is validated."""
    manager = TaskLogManager(tmp_path, durability=Durability.NORMAL)
    manager.open_session(executor="shell")
    task = manager.create_task("start me")
    with pytest.raises(ValidationError, match="absolute"):
        manager.start_task(task.task_id, executor=ExecutorInfo(name="shell"), verification_root="relative/dir")
    manager.start_task(task.task_id, executor=ExecutorInfo(name="shell"), verification_root=str(tmp_path),
                       timeout_ms=7000.0)  # type: ignore[arg-type]
    kept = manager._tasks[task.task_id].log
    assert kept.timeout_ms == 7000 and type(kept.timeout_ms) is int  # validation's coercion, not the float
    manager.close()


def test_a_recent_timestamp_reads_back_as_the_parse_reads_it() -> None:
    """epoch_ms_of of a timestamp made here gives the parse's milliseconds, its float rounding included."""
    rng = random.Random(4)
    for _ in range(20_000):
        epoch_ms = rng.randrange(0, 4_102_444_800_000)
        text = iso_from_epoch_ms(epoch_ms)
        assert epoch_ms_of(text) == _parsed_ms(text)
    now = now_iso()
    assert now[:19] in timestamps._recent and epoch_ms_of(now) == _parsed_ms(now)


@pytest.mark.parametrize("text", [
    "2001-02-03T04:05:06.789Z",  # not made here lately: parsed
    "2026-11-28T11:30:00.123+00:00", "2026-11-28T11:30:00Z", "2026-11-28T11:30:00.123456Z",
])
def test_other_timestamps_are_parsed(text: str) -> None:
    """A timestamp not made here in the last seconds, or in another form, takes the parse."""
    assert epoch_ms_of(text) == _parsed_ms(text)


def test_a_lookalike_with_the_same_second_but_odd_millis_is_parsed() -> None:
    """Only three ASCII digits of milliseconds take the lookup (the parse decides anything else)."""
    now = now_iso()
    odd = now[:20] + "\u0661\u0662\u0663Z"  # Arabic-Indic digits: isdigit, but not what we write
    with pytest.raises(ValueError):
        epoch_ms_of(odd)
