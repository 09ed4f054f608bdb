"""A benchmark with cases runs only the cases asked for, and a long one prints each figure as it is measured.

No assertion here is about speed: benchmarks are never timed assertions in tests.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_an_unknown_case_is_refused_and_names_the_cases() -> None:
    """`python -m bench big_repos:NAME` with a wrong case exits 2, lists big_repos's cases and runs nothing."""
    proc = subprocess.run([sys.executable, "-m", "bench", "big_repos:no-such-case"], cwd=REPO, capture_output=True,
                          timeout=120, check=False)
    assert proc.returncode == 2
    assert b"no-such-case" in proc.stderr and b"added-plain" in proc.stderr and b"running" not in proc.stderr


def test_a_benchmark_without_cases_refuses_one() -> None:
    """A case after a benchmark that has none is a usage error too, not silently the whole benchmark."""
    proc = subprocess.run([sys.executable, "-m", "bench", "masking:fast"], cwd=REPO, capture_output=True,
                          timeout=120, check=False)
    assert proc.returncode == 2 and b"has no cases" in proc.stderr


def test_the_list_names_the_cases() -> None:
    """`--list` shows each benchmark, and big_repos with its cases."""
    proc = subprocess.run([sys.executable, "-m", "bench", "--list"], cwd=REPO, capture_output=True, timeout=120,
                          check=True)
    assert b"big_repos  (cases: added-git, added-plain, touch-git, append-git, touch-plain)" in proc.stdout


def test_one_case_runs_alone_and_prints_its_figure_at_once(tmp_path: Path) -> None:
    """`big_repos:added-plain` measures only that case and prints its figure on stderr with the load average."""
    proc = subprocess.run([sys.executable, "-m", "bench", "big_repos:added-plain", "--quick", "--json",
                           "--tmp", str(tmp_path)], cwd=REPO, capture_output=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-4000:]
    names = [fig["name"] for fig in json.loads(proc.stdout)["benchmarks"]["big_repos"]]
    assert names == ["added per task, 500 files, no git"]
    assert b"big_repos / added per task, 500 files, no git: " in proc.stderr and b"load average" in proc.stderr
    assert not list(tmp_path.iterdir()), "scratch folders were left behind"


def test_results_are_never_written_from_some_cases() -> None:
    """`--write-results` with `NAME:CASE` is a usage error: a RESULTS.md section holds a whole benchmark."""
    proc = subprocess.run([sys.executable, "-m", "bench", "--write-results", "big_repos:added-plain"], cwd=REPO,
                          capture_output=True, timeout=120, check=False)
    assert proc.returncode == 2 and b"without :CASE" in proc.stderr and b"running" not in proc.stderr
