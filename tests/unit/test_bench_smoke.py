"""The benchmark suite keeps working: a `--quick` run yields figures with floors, ratios and judged targets.

No assertion here is about speed: benchmarks are never timed assertions in tests.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bench.__main__ import BENCHMARKS
from bench.harness import Figure, Target, figure
from bench.machine import describe
from bench.report import Results, markdown, merge_sections

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    scratch = tmp_path_factory.mktemp("bench")
    proc = subprocess.run([sys.executable, "-m", "bench", "--quick", "--json", "--tmp", str(scratch)],
                          cwd=REPO, capture_output=True, timeout=900, check=False)  # no timing asserted: room for a loaded machine
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-4000:]
    document: dict[str, Any] = json.loads(proc.stdout)
    assert not list(scratch.iterdir()), "scratch folders were left behind"
    return document


@pytest.mark.slow
def test_every_benchmark_produced_figures(quick_run: dict[str, Any]) -> None:
    """Every benchmark of the suite ran without error and reported at least one figure."""
    assert quick_run["errors"] == {}
    assert list(quick_run["benchmarks"]) == list(BENCHMARKS)
    assert all(quick_run["benchmarks"][name] for name in BENCHMARKS)


def test_every_figure_has_a_floor_and_a_ratio(quick_run: dict[str, Any]) -> None:
    """Each figure has min <= median <= max, a positive floor that says what it is, and a finite positive ratio."""
    for name, figures in quick_run["benchmarks"].items():
        for fig in figures:
            where = f"{name} / {fig['name']}"
            assert 0 <= fig["min"] <= fig["median"] <= fig["max"], where
            assert fig["runs"] >= 1 and fig["unit"], where
            assert fig["floor"] > 0 and fig["floor_label"], where
            assert math.isfinite(fig["ratio"]) and fig["ratio"] > 0, where


def test_targets_are_judged(quick_run: dict[str, Any]) -> None:
    """A figure with a target says whether it was met, one without says nothing, and every targeted benchmark has one."""
    targeted = set()
    for name, figures in quick_run["benchmarks"].items():
        for fig in figures:
            if fig["target"] is None:
                assert fig["met"] is None
            else:
                assert isinstance(fig["met"], bool)
                targeted.add(name)
    # The issue sets no target for throughput; read_scale's targets are for 10,000 tasks (not in a quick run).
    assert targeted == set(BENCHMARKS) - {"repl_throughput", "read_scale"}


def test_the_run_records_the_machine(quick_run: dict[str, Any]) -> None:
    """The JSON document names the CPU, the core count, the Python version and the scratch filesystem."""
    machine = quick_run["machine"]
    assert machine["cpu"] and machine["cores"] >= 1 and machine["python"]
    assert machine["filesystem"]
    assert quick_run["quick"] is True


def test_an_unknown_benchmark_is_refused() -> None:
    """`python -m bench NAME` with a wrong name exits 2 and lists the valid names, running nothing."""
    proc = subprocess.run([sys.executable, "-m", "bench", "no_such_bench"], cwd=REPO, capture_output=True,
                          timeout=60, check=False)
    assert proc.returncode == 2
    assert b"event_append" in proc.stderr and b"running" not in proc.stderr


def test_ratio_is_the_cost_relative_to_the_floor() -> None:
    """Times divide by the floor, rates divide the floor: both read "times the floor's cost"."""
    slow = figure("b", "time", "ms", [3.0, 4.0, 5.0], [2.0], "floor", target=Target(1.5, of="ratio"))
    assert slow.ratio == 2.0 and slow.met is False
    rate = figure("b", "rate", "ops/s", [50.0], [100.0], "floor", target=Target(40, at_most=False),
                  higher_is_better=True)
    assert rate.ratio == 2.0 and rate.met is True


def test_results_markdown_lists_every_figure_and_the_misses(tmp_path: Path) -> None:
    """RESULTS.md shows the machine line, one table row per figure and names each missed target."""
    missed = figure("demo", "slow path", "ms", [40.0], [10.0], "bare read", target=Target(30))
    fine = figure("demo", "fast path", "ms", [5.0], [10.0], "bare read", target=Target(30))
    results = Results(date="2026-01-01 00:00 UTC", command="python -m bench", quick=False,
                      machine=describe(tmp_path), load_start="0.00", load_end="0.00",
                      figures={"demo": [missed, fine]}, seconds={"demo": 1.0})
    text = markdown(results)
    assert results.machine.line() in text
    assert "| slow path | 40.0 |" in text and "| fast path | 5.00 |" in text
    assert "Targets missed: demo / slow path." in text


def test_a_benchmark_re_run_alone_replaces_only_its_own_section(tmp_path: Path) -> None:
    """`--write-results NAME` keeps the other sections, says when and under what load the new one ran, and
    recomputes the missed targets from every section."""
    def results(date: str, figures: dict[str, list[Figure]]) -> Results:
        return Results(date=date, command="python -m bench", quick=False, machine=describe(tmp_path),
                       load_start="0.10", load_end="0.20", figures=figures, seconds=dict.fromkeys(figures, 1.0))

    first = markdown(results("2026-01-01 00:00 UTC", {
        "alpha": [figure("alpha", "kept", "ms", [40.0], [10.0], "floor", target=Target(30))],
        "beta": [figure("beta", "slow", "ms", [40.0], [10.0], "floor", target=Target(30))]}))
    assert "Targets missed: alpha / kept, beta / slow." in first
    rerun = results("2026-01-02 00:00 UTC", {"beta": [figure("beta", "slow", "ms", [20.0], [10.0], "floor",
                                                             target=Target(30))]})
    merged = merge_sections(first, rerun, ("alpha", "beta"))
    assert "Targets missed: alpha / kept." in merged
    alpha = first[first.index("## alpha"):first.index("## beta")]
    assert alpha in merged and merged.index("## alpha") < merged.index("## beta")
    assert "Re-run alone on 2026-01-02 00:00 UTC" in merged and "| slow | 20.0 |" in merged
    assert "| slow | 40.0 |" not in merged
    assert merge_sections(merged, rerun, ("alpha", "beta")).count("## beta") == 1


def test_a_benchmark_runs_in_an_interpreter_of_its_own(tmp_path: Path) -> None:
    """`python -m bench` hands each benchmark to `bench.section` in a fresh process; a broken one comes back as an error."""
    from bench.__main__ import _run_one
    from bench.machine import describe as machine

    results = Results(date="now", command="python -m bench", quick=True, machine=machine(tmp_path), load_start="")
    _run_one("no_such_benchmark", True, results, [])
    assert results.errors["no_such_benchmark"].startswith("ModuleNotFoundError")
    assert "no_such_benchmark" not in results.figures
    probe = subprocess.run([sys.executable, "-c", "import sys, bench.section as s; "
                            "r = s.run_section('startup', True, []); print(r.error, 'bench.write_scale' in sys.modules)"],
                           cwd=REPO, capture_output=True, text=True, timeout=300, check=False)
    assert probe.stdout.split() == ["None", "False"], probe.stderr[-2000:]
