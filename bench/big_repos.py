"""`big_repos`: what verification costs per task on a 100,000-file project, and after a 100,000-file change.

Trees are generated here (bench/big_trees.py): 100,000 source files at depth 4-7, as many in
`node_modules/`, a `.gitignore`d `dist/`; one variant is a git work tree, one is not.

- "added per task": what the runner does around a task that changes nothing, in this process
  with the runner's own code (the look before, a log write under `.claude/logs`, the look after,
  the verification), after two warm-up tasks so the previous "after" can serve as the next
  "before". Floors from the same run: one `git status` on the git tree; one full scan
  (`os.walk` + `lstat` of every counted file) on the other.
- "touch 100k": one task changing every source file. Exit → RESULT is the time from the child's
  last act (it writes a timestamp) to the `RESULT:` line; floor: `git status` after the same
  change. Also the TaskLog's size and the runner's peak RSS (wait4).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.big_trees import build_tree, git, git_status_floor, source_path
from bench.harness import Figure, Target, figure, paired, scratch, timed
from bench.processes import bench_env, pm_runner_command
from bench.report import figure_line
from runner.changes import ChangeDetector
from runner.verify import verify_task

NAME = "big_repos"
REPL = ["repl", "--executor", "shell", "--non-interactive"]
SKIPPED_DIRS = ("node_modules", "dist", "__pycache__", "venv")
MB = 1024 * 1024


def walk_floor(root: Path) -> int:
    """One full scan: walk every counted folder and lstat every file (what reuse saves per task)."""
    count = 0
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d not in SKIPPED_DIRS]
        for name in names:
            if not name.startswith("."):
                os.lstat(os.path.join(folder, name))
                count += 1
    return count


def _one_task(detector: ChangeDetector, root: Path) -> None:
    """What the runner adds to a task that changes nothing: the look before, its log write under
    `.claude/logs` (as a task does), the look after, and the verification."""
    before = detector.before()
    logs = root / ".claude" / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    (logs / "bench-task.json").write_bytes(b"{}")
    verify_task(root, detector.after(before), [])


def _added_per_task(tree: Path, floor: Callable[[], object], runs: int) -> tuple[list[float], list[float]]:
    detector = ChangeDetector(tree)
    try:
        samples, floors = paired(lambda: _one_task(detector, tree), floor, runs, warmup=2)
    finally:
        detector.close()
    return [s * 1000 for s in samples], [f * 1000 for f in floors]


@dataclass(frozen=True)
class TouchRun:
    exit_to_result_ms: float
    tasklog_bytes: int
    peak_rss_mb: float
    listed: int


def _write_touch_script(folder: Path, files: int, how: str) -> Path:
    """A python child that changes every source file (`touch`: new mtime; `append`: new content),
    then writes the time it finished to `child-done`."""
    action = "os.utime(p)" if how == "touch" else "open(p, 'ab').write(b'//\\n')"
    script = folder / "touch_task.py"
    script.write_text(
        "import os, sys, time\n"
        f"sys.path.insert(0, {str(folder)!r})\n"
        "from big_trees_copy import source_path\n"
        f"for i in range({files}):\n    p = source_path(i)\n    {action}\n"
        f"open({str(folder / 'child-done')!r}, 'w').write(repr(time.time()))\n")
    (folder / "big_trees_copy.py").write_text(Path(__file__).with_name("big_trees.py").read_text())
    return script


def _run_touch(project: Path, script: Path) -> TouchRun:
    stamp = script.with_name("child-done")
    stamp.unlink(missing_ok=True)
    proc = subprocess.Popen([*pm_runner_command(), *REPL], cwd=project, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=bench_env())
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(f"python3 {script}\n".encode())
    proc.stdin.close()
    result_at = None
    for line in proc.stdout:
        if line.startswith(b"RESULT:"):
            result_at = time.time()
            if b"COMPLETE" not in line:
                raise RuntimeError(f"the touch task ended {line!r}")
    _pid, _status, usage = os.wait4(proc.pid, 0)
    proc.returncode = 0
    if result_at is None or not stamp.exists():
        raise RuntimeError("the touch task gave no RESULT line")
    (log,) = project.glob(".claude/logs/sessions/*/tasks/task-001.json")
    listed = log.read_bytes().count(b'"detection_method"')
    return TouchRun((result_at - float(stamp.read_text())) * 1000, log.stat().st_size, usage.ru_maxrss / 1024, listed)


def _touch_figures(root: Path, files: int, runs: int, how: str, git_tree: bool) -> list[Figure]:
    project = root / "project"
    build_tree(project, files, git=git_tree)
    script = _write_touch_script(root, files, how)
    results, floors = [], []
    for _ in range(runs):
        subprocess.run(["rm", "-rf", str(project / ".claude")], check=True)
        results.append(_run_touch(project, script))
        _change_again(project, files, how)
        floors.append(timed(lambda: git_status_floor(project)) * 1000 if git_tree else timed(lambda: walk_floor(project)) * 1000)
        if git_tree and how == "append":
            git(project, "checkout", "-q", "--", ".")
    label = f"{how} {files:,} files, {'git' if git_tree else 'no git'}"
    floor_label = "`git status` after the same change" if git_tree else "one full scan after the same change"
    note = f"{results[-1].listed} entries in verified_files; every list capped, counts exact"
    return [
        figure(NAME, f"{label}: exit → RESULT", "ms", [r.exit_to_result_ms for r in results], floors, floor_label,
               target=Target(3, of="ratio") if git_tree else None, note=note),
        figure(NAME, f"{label}: TaskLog size", "MB", [r.tasklog_bytes / MB for r in results], [5.0],
               "the 5 MB target", target=Target(5)),
        figure(NAME, f"{label}: runner peak RSS", "MB", [r.peak_rss_mb for r in results], [200.0],
               "the 200 MB target", target=Target(200)),
    ]


def _change_again(project: Path, files: int, how: str) -> None:
    for index in range(files):
        path = project / source_path(index)
        if how == "touch":
            os.utime(path)
        else:
            with open(path, "ab") as handle:
                handle.write(b"//\n")


def _added_figure(root: Path, files: int, runs: int, git_tree: bool) -> list[Figure]:
    tree = root / "project"
    build_tree(tree, files, git=git_tree)
    floor = (lambda: git_status_floor(tree)) if git_tree else (lambda: walk_floor(tree))
    samples, floors = _added_per_task(tree, floor, runs)
    name = f"added per task, {files:,} files, {'git' if git_tree else 'no git'}"
    floor_label = "one `git status`" if git_tree else "one full scan (os.walk + lstat)"
    return [figure(NAME, name, "ms", samples, floors, floor_label, target=Target(1.5 if git_tree else 1.0, of="ratio"),
                   note="a task that changes nothing, after two warm-up tasks")]


# Each case builds its own tree in its own folder, so one can be run alone: `python -m bench big_repos:touch-git`.
CASES: dict[str, Callable[[Path, int, int, int], list[Figure]]] = {
    "added-git": lambda root, files, runs, _touches: _added_figure(root, files, runs, True),
    "added-plain": lambda root, files, runs, _touches: _added_figure(root, files, runs, False),
    "touch-git": lambda root, files, _runs, touches: _touch_figures(root, files, touches, "touch", git_tree=True),
    "append-git": lambda root, files, _runs, touches: _touch_figures(root, files, touches, "append", git_tree=True),
    "touch-plain": lambda root, files, _runs, touches: _touch_figures(root, files, touches, "touch", git_tree=False),
}
QUICK_CASES = ("added-git", "added-plain", "touch-git")  # the smoke run checks that the touch case works once


def run(quick: bool, cases: Sequence[str] | None = None) -> list[Figure]:
    """The chosen cases (default: all; `--quick`: small trees, and the touch case once), each
    figure printed on stderr the moment it is measured, so a long run can be checked in parts."""
    files, runs, touches = (500, 1, 1) if quick else (100_000, 10, 3)
    chosen = list(cases) if cases else list(QUICK_CASES if quick else CASES)
    figures: list[Figure] = []
    with scratch(NAME) as root:
        for case in chosen:
            folder = root / case
            folder.mkdir()
            measured = CASES[case](folder, files, runs, touches)
            for fig in measured:
                print(f"{figure_line(fig)}; load average {_load()}", file=sys.stderr, flush=True)
            figures += measured
            subprocess.run(["rm", "-rf", str(folder)], check=True)  # 200,000 files: before the next tree
    return figures


def _load() -> str:
    return " / ".join(f"{value:.1f}" for value in os.getloadavg())
