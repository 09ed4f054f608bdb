"""`pm-runner logs` as a command tree: help per subcommand, flags anywhere, usage errors exit 64,
the `--json` contract (schema_version, `logs schema`), `--follow` exit codes and JSONL, the project
root found from a subfolder, task ids resolved across sessions, hints in shell syntax."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import jsonschema
import pytest

from runner.cli.logs_grammar import ALL_NAMES, COMMON_FLAGS, LOGS_COMMANDS, OPTIONS
from tests.helpers.cli import run_pm

SHELL = ["repl", "--executor", "shell"]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A git project with two sessions: the first has three tasks (complete, error, incomplete-free), the
    second one task, so task-003 exists only in the older session."""
    root = tmp_path_factory.mktemp("logs-tree")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    run_pm(SHELL, stdin="echo one\nfalse\ntouch made.txt\n", cwd=root, expect=1)
    run_pm(SHELL, stdin="echo two\n", cwd=root)
    (root / "src" / "deep").mkdir(parents=True)
    return root


@pytest.mark.parametrize("name", ALL_NAMES)
def test_every_subcommand_has_its_own_help_with_examples(project: Path, name: str) -> None:
    """`pm-runner logs NAME --help` exits 0 and shows that subcommand's usage and examples."""
    run = run_pm(["logs", name, "--help"], cwd=project)
    assert f"pm-runner logs {name}" in run.stdout and "examples:" in run.stdout, run.transcript()


def test_logs_help_lists_every_subcommand(project: Path) -> None:
    """`pm-runner logs --help` names each subcommand with one line, and says usage errors exit 64."""
    out = run_pm(["logs", "--help"], cwd=project).stdout
    assert all(f"  {name}" in out for name in ALL_NAMES) and "exit 64" in out


def test_flags_may_stand_anywhere(project: Path) -> None:
    """The subcommand, its flags and the task id give the same document in any order."""
    orders = (["logs", "show", "--full", "--json", "task-001"], ["logs", "show", "task-001", "--json", "--full"],
              ["logs", "--json", "show", "--full", "task-001"], ["logs", "--full", "--json", "task-001"])
    documents = [json.loads(run_pm(argv, cwd=project).stdout) for argv in orders]
    assert all(doc == documents[0] for doc in documents) and documents[0]["visibility"] == "full"


@pytest.mark.parametrize("name", [name for name, command in LOGS_COMMANDS.items() if not command.hidden])
def test_a_flag_of_another_subcommand_is_a_usage_error(project: Path, name: str) -> None:
    """Every flag a subcommand does not take exits 64 and names where it does apply; nothing is ignored."""
    command = LOGS_COMMANDS[name]
    foreign = [flag for flag in OPTIONS if flag not in command.options and flag not in COMMON_FLAGS]
    for flag in foreign:
        argv = ["logs", name, *(["task-001"] if command.task == "required" else []), flag]
        if OPTIONS[flag].takes_value:
            argv.append("7d")
        run = run_pm(argv, cwd=project, expect=64)
        assert f"{flag} does not apply here" in run.stderr and f"HINT: {flag} works with: pm-runner logs" \
            in run.stderr, run.transcript()


def test_usage_errors_exit_64_and_runtime_errors_exit_1(project: Path) -> None:
    """An unknown subcommand, option or status is 64; a task that does not exist is 1 with a shell hint."""
    for argv in (["logs", "lsit"], ["logs", "list", "--colour"], ["logs", "list", "--status", "done"],
                 ["logs", "show"], ["--bogus"], ["repl", "--executer", "shell"]):
        run = run_pm(argv, cwd=project, expect=64)
        assert run.stderr.startswith("ERROR: ") and "HINT: " in run.stderr and "Traceback" not in run.stderr
    missing = run_pm(["logs", "show", "task-099"], cwd=project, expect=1)
    assert "HINT: pm-runner logs sessions" in missing.stderr and "/sessions" not in missing.stderr, missing.transcript()


def test_version_short_and_long(project: Path) -> None:
    """`-V` and `--version` print the version."""
    assert run_pm(["-V"], cwd=project).stdout == run_pm(["--version"], cwd=project).stdout != ""


def test_every_json_document_carries_schema_version_and_matches_the_schema(project: Path) -> None:
    """list, show (summary/full), tree, sessions and stats documents validate against `logs schema`."""
    schema = json.loads(run_pm(["logs", "schema"], cwd=project).stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    documents = {argv[1]: json.loads(run_pm(["logs", *argv[1:], "--json"], cwd=project).stdout) for argv in (
        ["logs", "list"], ["logs", "show", "task-001"], ["logs", "tree"], ["logs", "sessions"])}
    documents["show-full"] = json.loads(run_pm(["logs", "show", "task-001", "--full", "--json"], cwd=project).stdout)
    documents["stats"] = json.loads(run_pm(["logs", "stats", "--json"], cwd=project).stdout)
    for name, document in documents.items():
        assert document["schema_version"] == schema["schema_version"] == 1, name
        if name != "stats":
            jsonschema.validate(document, schema)
    broken = dict(documents["list"], schema_version=2)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


@pytest.mark.parametrize(("task", "code", "status"), [("task-001", 0, "complete"), ("task-002", 1, "error")])
def test_follow_exits_like_the_task_and_streams_jsonl(project: Path, task: str, code: int, status: str) -> None:
    """`--follow --json` is one JSON object per line (task, events, end) and exits 0/1 like the task."""
    run = run_pm(["logs", "show", f"sess-{_first_session(project)}/{task}", "--follow", "--json"],
                 cwd=project, expect=code)
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    assert [line["kind"] for line in lines][0] == "task" and lines[-1] == {
        "schema_version": 1, "kind": "end", "task_id": task, "status": status, "exit_code": code}
    assert {line["kind"] for line in lines[1:-1]} == {"event"} and len(lines) > 2


def test_follow_exits_2_for_an_incomplete_task(tmp_path: Path) -> None:
    """A task that ended INCOMPLETE makes `--follow` exit 2."""
    run_pm(["repl", "--executor", "shell", "--require-evidence", "always"], stdin="echo nothing\n",
           cwd=tmp_path, expect=2)
    assert run_pm(["logs", "show", "task-001", "--follow"], cwd=tmp_path, expect=2).stdout


def test_the_project_root_is_found_from_a_subfolder(project: Path) -> None:
    """From src/deep, `logs` and `repl` use the project above (its .claude/), and say so on stderr."""
    deep = project / "src" / "deep"
    assert json.loads(run_pm(["logs", "sessions", "--json"], cwd=deep).stdout)["sessions"]
    run = run_pm(SHELL, stdin="echo three\n", cwd=deep)
    assert f"Project: {project}" in run.stderr and not (deep / ".claude").exists()


def test_a_git_folder_is_the_root_when_no_claude_folder_exists(tmp_path: Path) -> None:
    """With only .git above, the repository's top is the project; the home folder's .claude is no marker."""
    home = tmp_path / "home"
    (home / ".claude").mkdir(parents=True)
    repo = home / "repo"
    (repo / "pkg").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    from tests.helpers.cli import runner_env

    run_pm(SHELL, stdin="echo hi\n", cwd=repo / "pkg", env=runner_env({"HOME": str(home)}))
    assert (repo / ".claude" / "logs").is_dir() and not (home / ".claude" / "logs").exists()
    loose = home / "loose"
    loose.mkdir()
    run_pm(SHELL, stdin="echo hi\n", cwd=loose, env=runner_env({"HOME": str(home)}))
    assert (loose / ".claude" / "logs").is_dir()


def test_a_task_id_resolves_to_the_latest_session_that_has_it(project: Path) -> None:
    """task-003 is only in the first session: found there, with a note naming the session on stderr."""
    run = run_pm(["logs", "show", "task-003", "--json"], cwd=project)
    first = f"sess-{_first_session(project)}"
    assert json.loads(run.stdout)["session_id"] == first and f"NOTE: task-003 is in session {first}" in run.stderr
    explicit = run_pm(["logs", "show", f"{first}/task-003", "--json"], cwd=project)
    assert json.loads(explicit.stdout)["task_id"] == "task-003" and "NOTE" not in explicit.stderr
    latest = json.loads(run_pm(["logs", "sessions", "--json"], cwd=project).stdout)["sessions"][-1]["session_id"]
    pinned = run_pm(["logs", "show", "task-003", "--session", latest], cwd=project, expect=1)
    assert "no task task-003" in pinned.stderr


def _first_session(project: Path) -> str:
    sessions = json.loads(run_pm(["logs", "sessions", "--json"], cwd=project).stdout)["sessions"]
    return str(sessions[0]["session_id"]).removeprefix("sess-")


def test_an_empty_filter_result_says_no_task_matches(project: Path) -> None:
    """A filter that keeps nothing says so, instead of claiming the session has no tasks yet."""
    for argv in (["logs", "list", "--status", "running"], ["logs", "tree", "--status", "running"]):
        out = run_pm(argv, cwd=project).stdout
        assert "No tasks match the filter" in out and "yet" not in out


def test_claude_code_starts_without_an_api_key_warning(tmp_path: Path) -> None:
    """claude-code can use its own login: no ANTHROPIC_API_KEY warning at start-up."""
    from tests.helpers.cli import runner_env

    run = run_pm(["repl", "--executor", "claude-code"], stdin="/status\n", cwd=tmp_path,
                 env=runner_env(fake_claude=True))
    assert "ANTHROPIC_API_KEY" not in run.stdout + run.stderr and "WARNING" not in run.stdout + run.stderr
