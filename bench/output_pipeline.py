"""`output_pipeline`: short output lines from a child's pipe to the raw log, the events and the screen.

A task `cat`s a file of 63-byte log lines (20 MB: every byte fits under the raw log's cap, so all
of it is masked and written). The runner's cost is the REPL's wall time for that task less the
same REPL run whose task `cat`s an empty file (start-up, session, verification and the ~500
event appends are the same in both). The floor is the same bytes copied bare: `cat` into a pipe
that a reader writes to a file. Strict durability (the CI default) and normal are both shown.
"""

from __future__ import annotations

import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.harness import Figure, Target, figure, scratch
from bench.processes import describe_command, pm_runner

NAME = "output_pipeline"
LINE = b"2026-11-28 01:45:12 INFO worker-3 processed item 12345 in 3 ms\n"  # 63 bytes
TARGET_MB_S = 50.0


@dataclass(frozen=True)
class Sample:
    runner_s: float  # the big task's REPL run less the empty task's
    bare_s: float  # the same bytes piped and written bare


def _lines_file(folder: Path, megabytes: float) -> Path:
    path = folder / "output.log"
    count = int(megabytes * 1_000_000) // len(LINE)
    path.write_bytes(LINE * count)
    return path


def _repl_seconds(root: Path, source: Path, durability: str) -> float:
    project = Path(tempfile.mkdtemp(prefix="project-", dir=root))
    run = pm_runner(["repl", "--executor", "shell", "--non-interactive", "--durability", durability],
                    cwd=project, stdin=f"cat {source}\n".encode())
    if b"RESULT: COMPLETE" not in run.stdout:
        raise RuntimeError(f"the task did not complete: {run.stdout[-400:]!r}")
    return run.seconds


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
    empty_s = _repl_seconds(root, empty, durability)
    big_s = _repl_seconds(root, source, durability)
    return Sample(max(big_s - empty_s, 1e-6), _bare_seconds(source, root / "copy.log"))


def run(quick: bool) -> list[Figure]:
    megabytes, runs = (2.0, 1) if quick else (20.0, 3)
    figures = []
    with scratch(NAME) as root:
        source, empty = _lines_file(root, megabytes), root / "empty.log"
        empty.write_bytes(b"")
        _repl_seconds(root, empty, "normal")  # warm-up: page cache, first imports
        size = source.stat().st_size / 1_000_000
        for durability in ("strict", "normal"):
            samples = [_sample(root, source, empty, durability) for _ in range(runs)]
            figures.append(figure(
                NAME, f"short-line output through the runner ({durability})", "MB/s",
                [size / s.runner_s for s in samples], [size / s.bare_s for s in samples],
                "the same bytes piped and written to a file bare", higher_is_better=True,
                target=Target(TARGET_MB_S, at_most=False),
                note=f"{size:.0f} MB of {len(LINE)}-byte lines; `{describe_command()} repl --executor shell "
                     f"--durability {durability}` with `cat FILE`, less the same run with an empty file"))
    return figures
