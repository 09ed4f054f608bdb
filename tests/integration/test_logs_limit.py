"""`logs list|tree --limit N / --all`: the newest tasks, with the counts of all and a line saying what is left out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from runner.errors import UsageError
from runner.logs.view_limit import DEFAULT_LIMIT
from runner.repl.logs_args import parse_repl_logs_args
from tests.helpers.cli import run_pm

NOTE = "older tasks not shown; --all shows every task, --limit N the newest N."


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with one session of five tasks: complete, error, complete, complete, error."""
    root = tmp_path_factory.mktemp("logs-limit")
    run_pm(["repl", "--executor", "shell"], stdin="echo one\nfalse\necho three\necho four\nfalse\n", cwd=root,
           expect=1)
    return root


def test_the_text_list_shows_the_newest_tasks_numbered_in_the_session_and_counts_them_all(project: Path) -> None:
    """`--limit 2`: rows 4 and 5 (numbered as in the session), the footer counts all five, the last line says 3 are left out."""
    lines = run_pm(["logs", "list", "--limit", "2"], cwd=project).stdout.splitlines()
    rows = [line.split() for line in lines if "task-00" in line]
    assert [(row[0], row[1]) for row in rows] == [("4", "task-004"), ("5", "task-005")]
    assert lines[-2:] == ["5 tasks: 3 complete, 2 error", f"3 {NOTE}"]
    every = run_pm(["logs", "list", "--all"], cwd=project).stdout
    assert "task-001" in every and NOTE not in every and every.rstrip().endswith("5 tasks: 3 complete, 2 error")


def test_the_json_list_holds_the_newest_rows_the_counts_of_all_and_how_many_are_omitted(project: Path) -> None:
    """`--json --limit 2` is the last two rows of `--all --json`, with the same counts and `omitted: 3`."""
    every = json.loads(run_pm(["logs", "list", "--all", "--json"], cwd=project).stdout)
    newest = json.loads(run_pm(["logs", "list", "--json", "--limit", "2"], cwd=project).stdout)
    assert every["omitted"] == 0 and len(every["tasks"]) == 5
    assert newest["tasks"] == every["tasks"][-2:]
    assert newest["counts"] == every["counts"] == {"queued": 0, "running": 0, "complete": 3, "incomplete": 0,
                                                   "error": 2, "total": 5}
    assert newest["omitted"] == 3
    default = json.loads(run_pm(["logs", "list", "--json"], cwd=project).stdout)
    assert 5 < DEFAULT_LIMIT and default == every  # a short session is shown whole


def test_a_filter_then_a_limit_counts_what_the_filter_kept(project: Path) -> None:
    """`--status complete --limit 1`: the newest complete task; counts and `omitted` are of the complete ones."""
    data = json.loads(run_pm(["logs", "list", "--status", "complete", "--limit", "1", "--json"], cwd=project).stdout)
    assert [task["task_id"] for task in data["tasks"]] == ["task-004"]
    assert (data["counts"]["total"], data["counts"]["complete"], data["omitted"]) == (3, 3, 2)


def test_the_tree_shows_the_newest_tasks_and_says_how_many_it_leaves_out(project: Path) -> None:
    """`tree --limit 1` holds task-005 alone, ends with the note; its JSON says `omitted: 4`."""
    text = run_pm(["logs", "tree", "--limit", "1"], cwd=project).stdout
    assert "task-005" in text and "task-004" not in text and text.rstrip().endswith(f"4 {NOTE}")
    data = json.loads(run_pm(["logs", "tree", "--limit", "1", "--json"], cwd=project).stdout)
    tasks = [task["task_id"] for thread in data["threads"] for run in thread["runs"] for task in run["tasks"]]
    assert tasks == ["task-005"] and data["omitted"] == 4


@pytest.mark.parametrize("args", [["--limit", "0"], ["--limit", "two"], ["--all", "--limit", "2"]])
def test_a_limit_that_is_not_a_number_of_tasks_or_that_contradicts_all_is_a_usage_error(
        project: Path, args: list[str]) -> None:
    """Exit 64 with the fix named; nothing on stdout."""
    run = run_pm(["logs", "list", *args], cwd=project, expect=64)
    assert run.stdout == "" and "HINT:" in run.stderr and "--limit" in run.stderr, run.transcript()


def test_the_repl_logs_command_takes_the_same_flags() -> None:
    """`/logs --limit 3`, `/logs --all`, the default, and both at once (an error)."""
    assert parse_repl_logs_args(["--limit", "3"]).limit == 3
    assert parse_repl_logs_args(["--all"]).limit is None
    assert parse_repl_logs_args([]).limit == DEFAULT_LIMIT
    with pytest.raises(UsageError):
        parse_repl_logs_args(["--all", "--limit", "3"])
