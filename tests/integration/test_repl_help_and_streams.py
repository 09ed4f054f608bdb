"""`/help` by width and per command, `/logs --help`, and MODEL_CHANGE on the next task."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers.cli import run_pm, runner_env

SHELL = ["repl", "--executor", "shell"]


def test_help_fits_the_width_and_explains_one_command(tmp_path: Path) -> None:
    """At 100 columns usage and summary share a line; at 50 they stack; `/help logs` lists the options."""
    wide = run_pm(SHELL, stdin="/help\n", cwd=tmp_path, env=runner_env({"COLUMNS": "100"})).stdout
    assert any(line.startswith("  /start") and "Start a new session" in line for line in wide.splitlines())
    narrow = run_pm(SHELL, stdin="/help\n", cwd=tmp_path, env=runner_env({"COLUMNS": "50"})).stdout
    assert all(len(line) <= 50 for line in narrow.splitlines() if not line.startswith(">"))
    one = run_pm(SHELL, stdin="/help logs\n/logs --help\n", cwd=tmp_path).stdout
    assert one.count("--older-than DURATION") == 2 and "/help /nope" not in one
    bad = run_pm(SHELL, stdin="/help nope\n", cwd=tmp_path, expect=1)
    assert "unknown command /nope" in bad.stderr


def test_model_change_is_recorded_on_the_next_task(tmp_path: Path) -> None:
    """Two /model changes before a task make one MODEL_CHANGE event (first old → last new) on that task."""
    run_pm(SHELL, stdin="/model m-one\n/model m-two\necho x\necho y\n", cwd=tmp_path)
    events = {task: [e for e in json.loads(run_pm(["logs", "show", task, "--full", "--json"], cwd=tmp_path).stdout)
                     ["events"] if e["event_type"] == "MODEL_CHANGE"] for task in ("task-001", "task-002")}
    assert [e["content"]["to_model"] for e in events["task-001"]] == ["m-two"]
    assert events["task-001"][0]["content"]["from_model"] == "(executor default)" and events["task-002"] == []

