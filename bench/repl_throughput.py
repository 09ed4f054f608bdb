"""`repl_throughput`: a heredoc of 500 `true` tasks through the shell executor in strict mode.

The children's own time is measured by spawning the same `/bin/sh -c true` the same way
(own session, piped output) with nothing else around it; everything else in the REPL's
wall time is the runner's: start-up, logging, supervision, verification, output.
"""

from __future__ import annotations

import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.harness import Figure, figure, floor_atomic_durable, scratch
from bench.processes import describe_command, pm_runner

NAME = "repl_throughput"
REPL_ARGS = ["repl", "--executor", "shell", "--durability", "strict", "--non-interactive"]
# The store's durable writes per strict task (spec/durability.md; write_scale's target is in these units).
DURABLE_WRITES_PER_TASK = 6


@dataclass(frozen=True)
class Sample:
    wall: float  # the whole REPL run
    children: float  # the same children spawned bare
    durable_write: float  # one atomic durable write in the same filesystem

    def outside(self, tasks: int) -> float:
        return max(self.wall - self.children, 0.0) / tasks


def bare_children(cwd: Path, tasks: int) -> float:
    """Seconds to spawn and reap `tasks` `/bin/sh -c true` children one after the other."""
    started = time.perf_counter()
    for _ in range(tasks):
        proc = subprocess.Popen(["/bin/sh", "-c", "true"], cwd=cwd, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                start_new_session=True, close_fds=True)
        proc.communicate()
    return time.perf_counter() - started


def _one_run(root: Path, tasks: int) -> Sample:
    project = Path(tempfile.mkdtemp(prefix="project-", dir=root))
    run = pm_runner(REPL_ARGS, cwd=project, stdin=b"true\n" * tasks)
    completed = run.stdout.count(b"RESULT: COMPLETE")
    if completed != tasks:
        raise RuntimeError(f"{completed} of {tasks} tasks completed")
    children = bare_children(project, tasks)
    durable = floor_atomic_durable(project, b"x" * 2048, 20)
    return Sample(run.seconds, children, durable)


def run(quick: bool) -> list[Figure]:
    tasks, runs = (20, 1) if quick else (500, 3)
    with scratch(NAME) as root:
        _one_run(root, 5)  # warm-up: page cache, first imports
        samples = [_one_run(root, tasks) for _ in range(runs)]
    note = f"`{describe_command()} {' '.join(REPL_ARGS)}` with {tasks} lines; start-up included"
    child_ms = [s.children / tasks * 1000 for s in samples]
    store_ms = [DURABLE_WRITES_PER_TASK * s.durable_write * 1000 for s in samples]
    return [
        figure(NAME, "tasks per second", "tasks/s", [tasks / s.wall for s in samples],
               [tasks / s.children for s in samples], "the same children spawned and reaped bare",
               higher_is_better=True, note=note),
        figure(NAME, "runner time per task, outside the children", "ms/task",
               [s.outside(tasks) * 1000 for s in samples], [s.durable_write * 1000 for s in samples],
               "one atomic durable write", note=f"children alone: {sorted(child_ms)[len(child_ms) // 2]:.2f} ms/task"),
        figure(NAME, "share of wall time outside the children", "%",
               [100 * s.outside(tasks) * tasks / s.wall for s in samples],
               [100 * st / (st + ch) for st, ch in zip(store_ms, child_ms, strict=True)],
               f"a runner costing only its {DURABLE_WRITES_PER_TASK} durable writes per task"),
    ]
