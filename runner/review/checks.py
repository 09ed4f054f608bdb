"""Running the user's checks (`--check CMD`, `review.checks`) after a pass, supervised like an executor.

Each check is `/bin/sh -c CMD` in the project root under the same supervisor as the executors:
its own process group, stdin closed, interactive prompts and timeouts end it, every output line is
masked and logged (`EXECUTOR_START` with `executor: "check"`, `EXECUTOR_OUTPUT`, the exit). A check
passes when it exits 0; its masked output tail (the end, where test runners say what failed) goes
into the modification prompt.
"""

from __future__ import annotations

import threading
from pathlib import Path

from runner.executors.base import EventSink, ExecutorLimits, ExecutorTask
from runner.executors.supervise import SpawnSpec, supervise
from runner.executors.supervised_run import RunEnd, SupervisedRun
from runner.logs.masking import mask_and_truncate
from runner.review.facts import CheckOutcome

SHELL = "/bin/sh"
CHECK_EXECUTOR = "check"
TAIL_CHARS = 2_000
_COMMAND_CHARS = 300


def run_check(command: str, root: Path, *, timeout_ms: int, kill_grace_ms: int,
              cancel: threading.Event | None, sink: EventSink) -> CheckOutcome:
    """Run one check to its end; a check that blocks, times out or cannot start has failed."""
    limits = ExecutorLimits(executor_timeout_ms=timeout_ms, progress_timeout_ms=timeout_ms,
                            kill_grace_ms=kill_grace_ms)
    task = ExecutorTask(prompt=command, project_root=root, limits=limits, cancel=cancel)
    run = supervise(SpawnSpec(argv=[SHELL, "-c", command], cwd=root, executor=CHECK_EXECUTOR), task, sink)
    passed = run.end is RunEnd.EXITED and run.exit_code == 0
    return CheckOutcome(command=mask_and_truncate(command, _COMMAND_CHARS), passed=passed,
                        exit_code=run.exit_code, summary=_summary(run), output_tail=output_tail(run),
                        duration_ms=run.duration_ms)


def _summary(run: SupervisedRun) -> str:
    if run.end is RunEnd.EXITED:
        return f"exit {run.exit_code}"
    if run.end is RunEnd.BLOCKED:
        return f"stopped: {run.message}" if run.message else "stopped"
    if run.end is RunEnd.CANCELLED:
        return "cancelled"
    return f"could not start: {run.message}" if run.message else "could not start"


def output_tail(run: SupervisedRun, limit: int = TAIL_CHARS) -> str:
    """The last lines of stdout then stderr (already masked by the supervisor), cut to `limit` from the end."""
    lines = [line for line in run.stdout_tail if line.strip()]
    errors = [line for line in run.stderr_tail if line.strip()]
    if errors:
        lines += ["[stderr]", *errors]
    text = "\n".join(lines)
    return text if len(text) <= limit else "…" + text[-(limit - 1):]
