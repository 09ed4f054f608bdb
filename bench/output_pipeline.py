"""`output_pipeline`: short output lines from a child's pipe to the raw log, the events and the screen.

A task `cat`s a file of 63-byte log lines (20 MB asked for, but no more lines than fit under the raw
log's cap with their `[stdout] ` prefixes: 18.3 MB, so every byte is masked and written; past the cap
the runner would only count bytes and the figure would flatter it). The runner's cost is that task's
span in its own TaskLog, from EXECUTOR_START (before the spawn) to TASK_COMPLETE (after the raw log
is closed and fsynced, verification and the terminal save), less the same span of a task that
`cat`s an empty file. The REPL's start-up, session and shutdown are left out: not the pipeline, and
under load their wall time varies by seconds between two runs, more than the pipeline takes. The
end-to-end difference (whole REPL runs) is shown too, without a target. The floor is the same bytes
copied bare: `cat` into a pipe that a reader writes to a file. Strict durability (the CI default)
and normal are both shown.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bench.harness import Figure, Target, figure, scratch
from bench.processes import describe_command, pm_runner
from runner.executors.base import raw_log_line
from runner.executors.streams import MAX_RAW_BYTES

NAME = "output_pipeline"
LINE = b"2026-11-28 01:45:12 INFO worker-3 processed item 12345 in 3 ms\n"  # 63 bytes
TARGET_MB_S = 50.0


@dataclass(frozen=True)
class Sample:
    task_s: float  # the big task's span in its TaskLog less the empty task's
    runner_s: float  # the big task's whole REPL run less the empty task's
    bare_s: float  # the same bytes piped and written bare


@dataclass(frozen=True)
class ReplRun:
    seconds: float  # the whole REPL process
    task_s: float  # EXECUTOR_START to TASK_COMPLETE in the task's log


def _lines_file(folder: Path, megabytes: float) -> Path:
    path = folder / "output.log"
    logged = len(raw_log_line("stdout", LINE.decode().removesuffix("\n")))  # the line as the raw log keeps it
    count = min(int(megabytes * 1_000_000) // len(LINE), MAX_RAW_BYTES // logged)
    path.write_bytes(LINE * count)
    return path


def _repl_run(root: Path, source: Path, durability: str) -> ReplRun:
    project = Path(tempfile.mkdtemp(prefix="project-", dir=root))
    run = pm_runner(["repl", "--executor", "shell", "--non-interactive", "--durability", durability],
                    cwd=project, stdin=f"cat {source}\n".encode())
    if b"RESULT: COMPLETE" not in run.stdout:
        raise RuntimeError(f"the task did not complete: {run.stdout[-400:]!r}")
    return ReplRun(run.seconds, _task_span(project))


def _task_span(project: Path) -> float:
    """Seconds from the task's EXECUTOR_START event to its TASK_COMPLETE event (millisecond stamps)."""
    (snapshot,) = project.glob(".claude/logs/sessions/*/tasks/task-001.json")
    stamps = {event["event_type"]: datetime.fromisoformat(event["timestamp"].replace("Z", "+00:00"))
              for event in json.loads(snapshot.read_bytes())["events"]
              if event["event_type"] in ("EXECUTOR_START", "TASK_COMPLETE")}
    return (stamps["TASK_COMPLETE"] - stamps["EXECUTOR_START"]).total_seconds()


def _bare_seconds(source: Path, target: Path) -> float:
    """`cat source` into a pipe, read in 64 KiB pieces and written to `target`."""
    started = time.perf_counter()
    with target.open("wb") as sink:
        proc = subprocess.Popen(["cat", str(source)], stdout=subprocess.PIPE)
        assert proc.stdout is not None
        while chunk := proc.stdout.read(65_536):
            sink.write(chunk)
        proc.wait()
    return time.perf_counter() - started


def _sample(root: Path, source: Path, empty: Path, durability: str) -> Sample:
    empty_run = _repl_run(root, empty, durability)
    big_run = _repl_run(root, source, durability)
    return Sample(max(big_run.task_s - empty_run.task_s, 1e-3), max(big_run.seconds - empty_run.seconds, 1e-3),
                  _bare_seconds(source, root / "copy.log"))


def run(quick: bool) -> list[Figure]:
    megabytes, runs = (2.0, 1) if quick else (20.0, 3)
    figures = []
    with scratch(NAME) as root:
        source, empty = _lines_file(root, megabytes), root / "empty.log"
        empty.write_bytes(b"")
        _repl_run(root, empty, "normal")  # warm-up: page cache, first imports
        size = source.stat().st_size / 1_000_000
        for durability in ("strict", "normal"):
            samples = [_sample(root, source, empty, durability) for _ in range(runs)]
            floors = [size / s.bare_s for s in samples]
            command = f"`{describe_command()} repl --executor shell --durability {durability}` with `cat FILE`"
            figures.append(figure(
                NAME, f"short-line output through the runner ({durability})", "MB/s",
                [size / s.task_s for s in samples], floors,
                "the same bytes piped and written to a file bare", higher_is_better=True,
                target=Target(TARGET_MB_S, at_most=False),
                note=f"{size:.1f} MB of {len(LINE)}-byte lines; {command}: the task's EXECUTOR_START to "
                     "TASK_COMPLETE, less the same span of a task with an empty file"))
            figures.append(figure(
                NAME, f"the same, whole REPL runs ({durability})", "MB/s",
                [size / s.runner_s for s in samples], floors,
                "the same bytes piped and written to a file bare", higher_is_better=True,
                note=f"{command}, the whole process less the same run with an empty file (start-up and "
                     "shutdown included: noisy under load)"))
    return figures
