"""`--logs-dir DIR` and `PM_RUNNER_LOGS_DIR`: the REPL keeps every log in DIR, every `logs` command reads it
there, the flag beats the variable, and no repository file can choose the folder."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers.cli import run_pm, runner_env

SHELL = ["repl", "--executor", "shell"]


def project_in(tmp_path: Path) -> Path:
    project = tmp_path / "proj"
    project.mkdir()
    return project


def listed(logs: Path, cwd: Path, env: dict[str, str] | None = None) -> list[str]:
    """The prompts of the latest session's tasks, as `pm-runner logs list --logs-dir` shows them."""
    run = run_pm(["logs", "list", "--json", "--logs-dir", str(logs)], cwd=cwd, env=env)
    return [task["prompt_summary"] for task in json.loads(run.stdout)["tasks"]]


def test_the_repl_keeps_every_log_in_the_logs_dir_and_every_logs_command_reads_it(tmp_path: Path) -> None:
    """`repl --logs-dir DIR` makes DIR (and a missing parent) 0700, lays the logs out as under `.claude/logs`
    and writes nothing there; list, show, sessions, tree, stats, report and export read DIR."""
    project = project_in(tmp_path)
    logs = tmp_path / "elsewhere" / "logs"
    run_pm([*SHELL, "--logs-dir", str(logs)], stdin="echo one\necho two\n", cwd=project)
    assert not (project / ".claude").exists()
    for folder in (logs, logs.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    assert {"sessions", "index.json", ".gitignore"} <= {p.name for p in logs.iterdir()}
    assert listed(logs, project) == ["echo one", "echo two"]
    show = json.loads(run_pm(["logs", "show", "task-002", "--json", "--logs-dir", str(logs)], cwd=project).stdout)
    assert show["status"] == "complete"
    sessions = run_pm(["logs", "sessions", "--logs-dir", str(logs)], cwd=project).stdout
    assert "echo one" in sessions
    assert "task-002" in run_pm(["logs", "tree", "--logs-dir", str(logs)], cwd=project).stdout
    stats = json.loads(run_pm(["logs", "stats", "--json", "--logs-dir", str(logs)], cwd=project).stdout)
    assert stats["tasks"]["total"] == 2, stats
    report = run_pm(["logs", "report", "--logs-dir", str(logs)], cwd=project).stdout
    assert "echo two" in report
    exported = run_pm(["logs", "export", "--format", "jsonl", "--logs-dir", str(logs)], cwd=project).stdout
    assert exported.count("\n") >= 2 and "task-002" in exported
    without = run_pm(["logs", "list"], cwd=project, expect=1)
    assert f"no logs in {project}/.claude/logs" in without.stderr and "--logs-dir" in without.stderr


def test_the_environment_variable_chooses_the_folder_for_the_repl_and_the_logs_commands(tmp_path: Path) -> None:
    """PM_RUNNER_LOGS_DIR (relative to the current folder) works like the flag, for writing and reading."""
    project = project_in(tmp_path)
    env = runner_env({"PM_RUNNER_LOGS_DIR": "../ci-logs"})
    run_pm(SHELL, stdin="echo from-ci\n", cwd=project, env=env)
    assert not (project / ".claude").exists()
    assert listed(tmp_path / "ci-logs", project) == ["echo from-ci"]
    data = json.loads(run_pm(["logs", "list", "--json"], cwd=project, env=env).stdout)
    assert [task["prompt_summary"] for task in data["tasks"]] == ["echo from-ci"]


def test_the_flag_wins_over_the_environment_variable(tmp_path: Path) -> None:
    """With both given, the REPL writes and `logs list` reads the flag's folder; the variable's is never made."""
    project = project_in(tmp_path)
    env = runner_env({"PM_RUNNER_LOGS_DIR": str(tmp_path / "from-env")})
    run_pm([*SHELL, "--logs-dir", str(tmp_path / "from-flag")], stdin="echo flag\n", cwd=project, env=env)
    assert not (tmp_path / "from-env").exists()
    assert listed(tmp_path / "from-flag", project, env) == ["echo flag"]
    empty = runner_env({"PM_RUNNER_LOGS_DIR": ""})
    run_pm(SHELL, stdin="echo default\n", cwd=project, env=empty)
    assert (project / ".claude" / "logs" / "sessions").is_dir(), "an empty variable is no choice"


@pytest.mark.parametrize(("file", "content", "key"), [
    ("runner.config.json", {"logs_dir": "/tmp/stolen"}, "logs_dir"),
    ("runner.config.json", {"logsDir": "../../outside"}, "logsDir"),
    ("runner.config.json", {"logging": {"dir": "/tmp/stolen"}}, "logging.dir"),
    ("repl.json", {"logs-dir": "/tmp/stolen"}, "logs-dir"),
], ids=["logs_dir", "logsDir", "logging.dir", "repl.json"])
def test_a_repository_file_cannot_choose_the_logs_folder(tmp_path: Path, file: str, content: dict[str, object],
                                                         key: str) -> None:
    """A cloned repository's `.claude/` file naming a logs folder is refused: exit 1, the key and the way the
    user chooses one named, no task run, nothing written anywhere."""
    project = project_in(tmp_path)
    (project / ".claude").mkdir()
    (project / ".claude" / file).write_text(json.dumps(content))
    run = run_pm(SHELL, stdin="touch ran.txt\n", cwd=project, expect=1)
    error, hint = run.stderr.splitlines()[:2]
    assert error == (f"ERROR: {project}/.claude/{file}: {key} is not allowed: a project's files never choose "
                     "where pm-runner writes its logs"), run.stderr
    assert "--logs-dir DIR or PM_RUNNER_LOGS_DIR" in hint
    assert not (project / "ran.txt").exists() and not (project / ".claude" / "logs").exists()
    assert not Path("/tmp/stolen").exists()


def test_help_names_the_flag_and_the_variable(tmp_path: Path) -> None:
    """`repl --help`, `logs list --help` and `logs export --help` document --logs-dir and PM_RUNNER_LOGS_DIR."""
    for args in (["repl", "--help"], ["logs", "list", "--help"], ["logs", "show", "--help"],
                 ["logs", "clear", "--help"], ["logs", "export", "--help"], ["logs", "stats", "--help"]):
        text = " ".join(run_pm(args, cwd=tmp_path).stdout.split())
        assert "--logs-dir DIR" in text and "PM_RUNNER_LOGS_DIR" in text, (args, text)


@pytest.mark.parametrize("args", [["repl", "--logs-dir"], ["repl", "--logs-dir", ""], ["logs", "list", "--logs-dir"],
                                  ["logs", "stats", "--logs-dir"]],
                         ids=["repl-missing", "repl-empty", "logs-missing", "stats-missing"])
def test_a_missing_value_is_a_usage_error(tmp_path: Path, args: list[str]) -> None:
    """`--logs-dir` without a folder (or with an empty one) exits 64 with ERROR and HINT, running nothing."""
    run = run_pm(args, stdin="touch ran.txt\n", cwd=tmp_path, expect=64)
    assert run.stderr.startswith("ERROR: ") and "--logs-dir" in run.stderr and "HINT: " in run.stderr, run.stderr
    assert not (tmp_path / "ran.txt").exists()


@pytest.mark.parametrize("where", ["is-a-file", "under-a-file"])
def test_a_file_where_the_logs_folder_should_be_is_exit_73(tmp_path: Path, where: str) -> None:
    """DIR is a file, or a file stands on the way to it: one ERROR naming it and its source, exit 73, nothing run."""
    project = project_in(tmp_path)
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder\n")
    logs = blocker if where == "is-a-file" else blocker / "logs"
    run = run_pm([*SHELL, "--logs-dir", str(logs)], stdin="touch ran.txt\n", cwd=project, expect=73)
    assert run.stdout == "" and run.stderr.splitlines() == [
        f"ERROR: cannot use the logs folder {logs} (from --logs-dir): {blocker} is a regular file, not a folder",
        "HINT: pass a folder you can write to --logs-dir (or PM_RUNNER_LOGS_DIR); it is created 0700 when missing"]
    assert not (project / "ran.txt").exists()


def test_a_logs_dir_given_as_a_link_is_resolved_once_and_links_inside_are_refused(tmp_path: Path) -> None:
    """A link the user made as DIR is followed at start (the logs land in its target); a link planted below
    DIR is never followed: the REPL refuses to start and nothing is written through it."""
    project = project_in(tmp_path)
    target = tmp_path / "real-logs"
    target.mkdir()
    link = tmp_path / "logs-link"
    link.symlink_to(target)
    run_pm([*SHELL, "--logs-dir", str(link)], stdin="echo through-link\n", cwd=project)
    assert (target / "sessions").is_dir() and link.is_symlink()
    assert listed(link, project) == ["echo through-link"]

    planted = tmp_path / "planted"
    planted.mkdir()
    fresh = tmp_path / "fresh-logs"
    fresh.mkdir()
    (fresh / "sessions").symlink_to(planted)
    run = run_pm([*SHELL, "--logs-dir", str(fresh)], stdin="touch ran.txt\n", cwd=project, expect=None)
    assert run.code == 1 and (f"ERROR: {fresh}/sessions is a symbolic link; pm-runner never follows links or "
                              "opens special files in its logs folder") in run.stderr, run.transcript()
    assert list(planted.iterdir()) == [] and not (project / "ran.txt").exists()


def test_logs_clear_and_retention_act_in_the_logs_dir(tmp_path: Path) -> None:
    """`logs clear --logs-dir DIR --force` deletes the sessions in DIR; retention at start removes the
    sessions of DIR past their age, not those of `.claude/logs`."""
    project = project_in(tmp_path)
    logs = tmp_path / "logs"
    run_pm([*SHELL, "--logs-dir", str(logs)], stdin="echo first\n", cwd=project)
    run_pm(SHELL, stdin="echo in-project\n", cwd=project)
    cleared = run_pm(["logs", "clear", "--force", "--logs-dir", str(logs)], cwd=project)
    assert "Removing" in cleared.stdout, cleared.transcript()
    assert list((logs / "sessions").iterdir()) == []
    assert len(list((project / ".claude" / "logs" / "sessions").iterdir())) == 1

    run_pm([*SHELL, "--logs-dir", str(logs)], stdin="echo old\n", cwd=project)
    # About 0.9 s: every session finished before the pause below is past it.
    (project / ".claude" / "runner.config.json").write_text(json.dumps({"logging": {"retention_days": 0.00001}}))
    time.sleep(1.2)
    run = run_pm([*SHELL, "--logs-dir", str(logs)], stdin="echo new\n", cwd=project)
    assert "retention is removing session" in run.stdout + run.stderr, run.transcript()
    assert listed(logs, project) == ["echo new"]
    assert len(list((logs / "sessions").iterdir())) == 1
    assert len(list((project / ".claude" / "logs" / "sessions").iterdir())) == 1, "the project's logs were touched"


def test_crash_recovery_closes_a_task_left_running_in_the_logs_dir(tmp_path: Path) -> None:
    """A runner killed mid-task (logs in DIR): the next start with the same DIR closes the task as crashed."""
    project = project_in(tmp_path)
    logs = tmp_path / "logs"
    child = subprocess.Popen([sys.executable, "-m", "runner", *SHELL, "--logs-dir", str(logs)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=project,
                             env=runner_env(), start_new_session=True)
    assert child.stdin is not None
    child.stdin.write(b"sleep 30\n")
    child.stdin.flush()
    deadline = time.monotonic() + 30
    tasks = logs / "sessions"
    while time.monotonic() < deadline and not list(tasks.glob("*/tasks/task-001.json")):
        time.sleep(0.1)
    time.sleep(0.3)
    os.killpg(child.pid, signal.SIGKILL)
    child.wait(timeout=10)
    run_pm([*SHELL, "--logs-dir", str(logs)], stdin="echo after\n", cwd=project, expect=None)
    data = json.loads(run_pm(["logs", "list", "--json", "--session", _first_session(logs), "--logs-dir", str(logs)],
                             cwd=project).stdout)
    assert [(task["prompt_summary"], task["status"]) for task in data["tasks"]] == [("sleep 30", "error")], data
    assert not (project / ".claude").exists()


def _first_session(logs: Path) -> str:
    return sorted(p.name for p in (logs / "sessions").iterdir())[0]


def test_a_task_report_names_the_chosen_logs_folder_not_claude_logs(tmp_path: Path) -> None:
    """A task's Markdown report says where its log is: under a folder inside the project by its path from
    the project, under one outside as `<logs-dir>` (no full path of the machine); never `.claude/logs`."""
    project = project_in(tmp_path)
    outside = tmp_path / "elsewhere"
    for logs, shown in ((outside, "<logs-dir>"), (project / "build" / "logs", "build/logs")):
        run_pm([*SHELL, "--logs-dir", str(logs)], stdin="echo one\n", cwd=project)
        (session,) = (p.name for p in (logs / "sessions").iterdir())
        report = run_pm(["logs", "report", "task-001", "--logs-dir", str(logs)], cwd=project).stdout
        assert f"- Log: `{shown}/sessions/{session}/tasks/task-001.json`" in report, report
        assert ".claude/logs" not in report and str(tmp_path) not in report
    run_pm(SHELL, stdin="echo default\n", cwd=project)
    default = run_pm(["logs", "report", "task-001"], cwd=project).stdout
    assert "- Log: `.claude/logs/sessions/" in default


def test_the_html_report_is_saved_in_the_logs_dir(tmp_path: Path) -> None:
    """`/logs --report` and `pm-runner logs --report` save under the chosen logs folder's reports/, never
    under the project's .claude/logs/."""
    project, logs = project_in(tmp_path), tmp_path / "elsewhere"
    run = run_pm([*SHELL, "--logs-dir", str(logs)], stdin="echo hi\n/logs --report\n", cwd=project)
    saved = [line.removeprefix("Report: ") for line in run.lines if line.startswith("Report: ")]
    cli = run_pm(["logs", "--report", "--logs-dir", str(logs)], cwd=project).stdout.strip().removeprefix("Report: ")
    for path in [*saved, cli]:
        assert Path(path).parent == logs / "reports" and Path(path).is_file(), run.transcript()
    assert len(saved) == 1 and not (project / ".claude" / "logs").exists()
