"""Owning a session in one project does not make the same session id in another project look alive:
session ids repeat across projects (`sess-<day>-001` in each), so ownership is per logs folder."""

from __future__ import annotations

from pathlib import Path

from runner.logs.manager import TaskLogManager
from runner.logs.models import ExecutorInfo
from runner.logs.store import sessions


def test_a_dead_runners_session_is_recovered_while_this_process_owns_the_same_id_elsewhere(tmp_path: Path) -> None:
    """Project B's abandoned `sess-…-001` is recovered by a process that owns project A's `sess-…-001`."""
    project_a, project_b = tmp_path / "a", tmp_path / "b"
    project_a.mkdir()
    project_b.mkdir()
    left = TaskLogManager(project_b)
    session = left.open_session(executor="shell").session_id
    task = left.create_task("left running").task_id
    left.start_task(task, executor=ExecutorInfo(name="shell"), verification_root=str(project_b))
    sessions.release_ownership(left.paths, session)  # that runner dies: the kernel lets its lock go
    owner = TaskLogManager(project_a)
    assert owner.open_session(executor="shell").session_id == session  # the same id, in project A
    assert TaskLogManager(project_b).recover_project() == [(session, task)]
    assert sessions.owner_alive(owner.paths, session) and not sessions.owner_alive(left.paths, session)
