"""What `pm-runner` loads to start: each command imports only what it needs (issue 10's start-up targets).

Each command runs in a real child process (`python -c` running `runner` as `__main__`), which writes
the names in `sys.modules` at exit; the test asserts which heavy modules are NOT among them.
"""

from __future__ import annotations

import gc
import importlib.util
import json
import shutil
import subprocess
import sys
from enum import Enum
from pathlib import Path

import pytest

from tests.helpers.cli import REPO, run_cli, run_pm, runner_env

# Runs `runner` as `pm-runner ARGS` would, and writes sys.modules' names to the file named by argv[1] at exit.
_WRAPPER = """
import atexit, json, runpy, sys
out, args = sys.argv[1], sys.argv[2:]
atexit.register(lambda: open(out, "w").write(json.dumps(sorted(sys.modules))))
sys.argv = ["pm-runner", *args]
runpy.run_module("runner", run_name="__main__", alter_sys=True)
"""
# Loaded only by a command that validates a TaskLog, runs a task or draws a rich view.
MODELS = {"pydantic", "pydantic_core", "runner.logs.models"}
TASK_MACHINERY = {"runner.repl.output", "runner.core", "runner.orchestration.loop", "runner.logs.manager",
                  "runner.orchestration.budget", "runner.orchestration.planning.model", "runner.executors.supervise"}
SCREEN = {"rich", "prompt_toolkit"}


def imported(args: list[str], cwd: Path, tmp_path: Path, *, codes: tuple[int, ...] = (0,)) -> set[str]:
    """The modules `pm-runner ARGS` had loaded when it exited (stdin empty, stdout piped)."""
    out = tmp_path / "modules.json"
    done = subprocess.run([sys.executable, "-c", _WRAPPER, str(out), *args], cwd=cwd, env=runner_env(),
                          input=b"", capture_output=True, timeout=120, check=False)
    assert done.returncode in codes, done.stderr.decode(errors="replace")
    return set(json.loads(out.read_text()))


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with one session of two shell tasks, one of them failed."""
    root = tmp_path_factory.mktemp("startup")
    run_pm(["repl", "--executor", "shell"], stdin="echo one\nfalse\n", cwd=root, expect=1)
    return root


@pytest.mark.parametrize("args", [["logs", "list"], ["logs", "list", "--json"], ["logs", "tree"]])
def test_logs_reads_load_no_models_no_task_machinery(project: Path, tmp_path: Path, args: list[str]) -> None:
    """`logs list`, `list --json` and `tree` read the stored rows: no pydantic, no REPL output, no rich."""
    loaded = imported(args, project, tmp_path)
    assert "runner.views.rows" in loaded  # the rows were shown (the wrapper really ran the command)
    assert loaded & (MODELS | TASK_MACHINERY | SCREEN) == set()


# What a plain read never needs: a command-line parser (its simple flags are read directly), the REPL's
# parsers, what only a write or a deletion uses (`secrets` for a temp name, `shutil`, `tempfile`), a
# question's signal handling, a notice nobody is shown, and masking's judging of a match when no shown value
# holds a candidate (rows of plain prompts).
READ_EXTRAS = {"argparse", "gettext", "runner.cli.options", "runner.repl.logs_args", "secrets", "hmac", "random",
               "shutil", "tempfile", "signal", "runner.notices", "runner.logs.masking.judge",
               "runner.logs.masking.values"}
if importlib.util.find_spec("_sha256") is not None:  # the masking cache's digests then load no OpenSSL
    READ_EXTRAS |= {"hashlib", "_hashlib"}


@pytest.mark.parametrize("args", [["logs", "list"], ["logs", "list", "--json"], ["logs", "tree"],
                                  ["logs", "list", "--all", "--json"]])
def test_logs_reads_load_no_parser_nor_writer_helpers(project: Path, tmp_path: Path, args: list[str]) -> None:
    """`logs list|tree [--json] [--all]` build no argparse parser and load nothing a write, a deletion or a notice needs."""
    loaded = imported(args, project, tmp_path)
    assert "runner.views.rows" in loaded
    assert loaded & READ_EXTRAS == set()


# Runs `pm-runner ARGS` as the program, and writes how many objects gc.freeze() set aside to argv[1] at exit.
_FREEZE_WRAPPER = """
import atexit, gc, runpy, sys
out, args = sys.argv[1], sys.argv[2:]
atexit.register(lambda: open(out, "w").write(str(gc.get_freeze_count())))
sys.argv = ["pm-runner", *args]
runpy.run_module("runner", run_name="__main__", alter_sys=True)
"""


def test_a_read_view_leaves_its_objects_to_the_exit(project: Path, tmp_path: Path) -> None:
    """`logs list` run as the program freezes what it made before exiting (no final collection over it);
    the same view run in-process, writing to a buffer, leaves the collector alone."""
    out = tmp_path / "frozen.txt"
    done = subprocess.run([sys.executable, "-c", _FREEZE_WRAPPER, str(out), "logs", "list"], cwd=project,
                          env=runner_env(), capture_output=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert int(out.read_text()) > 1000
    before = gc.get_freeze_count()
    run_cli(["logs", "list"], cwd=project)
    assert gc.get_freeze_count() == before


def test_logs_list_of_an_empty_project_loads_no_models(tmp_path: Path) -> None:
    """`logs list` where there are no logs says so without loading the models or the task machinery."""
    (tmp_path / "empty").mkdir()
    loaded = imported(["logs", "list"], tmp_path / "empty", tmp_path, codes=(1,))
    assert "runner.cli.logs" in loaded
    assert loaded & (MODELS | TASK_MACHINERY | SCREEN) == set()


# What a REPL that runs no task never needs: the loop's steps, the chunked run and the planner.
TASK_STEPS = {"runner.orchestration.loop.sequence", "runner.orchestration.loop.passes", "runner.orchestration.record",
              "runner.orchestration.attempt", "runner.orchestration.chunking.run", "runner.orchestration.planner",
              "runner.executors.supervise", "runner.review.checks"}


def test_repl_with_no_input_loads_no_task_steps(tmp_path: Path) -> None:
    """`repl --non-interactive </dev/null` starts and ends without loading what runs a task, nor rich or prompt-toolkit."""
    (tmp_path / "project").mkdir()
    loaded = imported(["repl", "--non-interactive"], tmp_path / "project", tmp_path)
    assert "runner.core" in loaded  # the REPL really started
    assert loaded & (TASK_STEPS | SCREEN) == set()


# What loads with the first task line, judged, planned or shown: never for a REPL that reads no line.
FIRST_TASK = {"runner.orchestration.policy", "runner.orchestration.judge", "runner.verify", "runner.changes",
              "runner.review", "runner.review.criteria", "runner.orchestration.planning.model",
              "runner.orchestration.planning.names", "runner.orchestration.chunking.plan_events",
              "runner.orchestration.gates", "runner.orchestration.request", "runner.executors.leftovers",
              "runner.views.plan", "runner.views.repl_views", "runner.repl.commands", "runner.repl.keys",
              "runner.repl.typeahead", "runner.executors.failure_kind", "runner.logs.parts"}


# What validates (or asks consent to) a settings file or a flag; what writes or reads the task logs, and the session's budget:
# none is needed by a REPL started without settings that records nothing.
SETTINGS_SCHEMA = {"runner.config_schema", "runner.loop_settings", "runner.pricing", "runner.consent"}
LOGS_AND_BUDGET = {"runner.logs.manager", "runner.logs.outcome", "runner.logs.recovery", "runner.logs.allocation",
              "runner.logs.store.session_rows", "runner.logs.store.sessions", "runner.logs.store.reader",
              "runner.logs.store.indexes", "runner.logs.store.journal", "runner.orchestration.budget",
              "runner.orchestration.loop.spec"}


def test_repl_with_empty_stdin_loads_only_the_start(tmp_path: Path) -> None:
    """`repl --non-interactive </dev/null` in an empty folder loads no pydantic, no settings schema, no write
    path, and nothing a task, its judgment or a command needs."""
    (tmp_path / "project").mkdir()
    loaded = imported(["repl", "--non-interactive"], tmp_path / "project", tmp_path)
    assert "runner.repl.startup" in loaded  # the REPL really started and said what it says at start
    assert loaded & (MODELS | SETTINGS_SCHEMA | LOGS_AND_BUDGET | FIRST_TASK) == set()


def test_repl_with_a_config_file_validates_it(tmp_path: Path) -> None:
    """With `.claude/runner.config.json` the start validates it (the schema loads), and still records nothing."""
    (tmp_path / "project" / ".claude").mkdir(parents=True)
    (tmp_path / "project" / ".claude" / "runner.config.json").write_text('{"logging": {"retention_days": 7}}')
    loaded = imported(["repl", "--non-interactive"], tmp_path / "project", tmp_path)
    assert {"pydantic", "runner.config_schema"} <= loaded
    assert loaded & (LOGS_AND_BUDGET | FIRST_TASK) == set()


def test_repl_with_a_setting_flag_validates_it(tmp_path: Path) -> None:
    """A setting given as a flag is validated by the same schema as the file's."""
    (tmp_path / "project").mkdir()
    loaded = imported(["repl", "--non-interactive", "--executor-timeout", "5000"], tmp_path / "project", tmp_path)
    assert {"pydantic", "runner.config_schema"} <= loaded


def test_repl_running_a_task_loads_the_task_steps(tmp_path: Path) -> None:
    """The steps load with the first task: a line run through the shell executor loads the loop."""
    (tmp_path / "project").mkdir()
    out = tmp_path / "modules.json"
    done = subprocess.run([sys.executable, "-c", _WRAPPER, str(out), "repl", "--executor", "shell"],
                          cwd=tmp_path / "project", env=runner_env(), input=b"echo hi\n", capture_output=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert b"hi" in done.stdout
    assert {"runner.orchestration.loop.sequence", "runner.orchestration.record", *FIRST_TASK} - {
        "runner.views.plan", "runner.repl.commands", "runner.executors.leftovers", "runner.repl.keys",
        "runner.repl.typeahead", "runner.orchestration.chunking.plan_events"} <= set(json.loads(out.read_text()))


@pytest.mark.parametrize("args", [["logs", "show", "task-001", "--full"], ["logs", "show", "task-002"]])
def test_logs_show_of_a_stored_task_loads_no_models(project: Path, tmp_path: Path, args: list[str]) -> None:
    """`logs show ID [--full]` of a finished task (complete, failed) as the store wrote it checks its header by
    plain code: no pydantic, no task machinery, no rich, no prompt-toolkit."""
    loaded = imported(args, project, tmp_path)
    assert "runner.views.task_detail" in loaded
    assert loaded & (MODELS | TASK_MACHINERY | SCREEN) == set()
    assert "runner.logs.store.stored_header" in loaded


def test_logs_show_of_a_damaged_header_validates_it(project: Path, tmp_path: Path) -> None:
    """A header the store would not have written so (a count as text) goes through the models, which say
    whether the task reads: the boundary is where the stored form is not trusted."""
    snapshot = next(project.glob(".claude/logs/sessions/*/tasks/task-001.json"))
    document = json.loads(snapshot.read_text())
    copy = tmp_path / "copy"
    shutil.copytree(project, copy)
    (copy / snapshot.relative_to(project)).write_text(json.dumps({**document, "files_modified_count": "0"}))
    assert MODELS <= imported(["logs", "show", "task-001", "--full"], copy, tmp_path)


def test_default_row_is_the_models_row() -> None:
    """`views.rows.DEFAULT_ROW`, written out, is `TaskLogEntry`'s fields with their JSON defaults, in order."""
    from runner.logs.models import TaskLogEntry
    from runner.views.rows import DEFAULT_ROW

    def as_json(value: object) -> object:
        return value.value if isinstance(value, Enum) else value

    expected = {name: None if info.is_required() else as_json(info.get_default(call_default_factory=True))
                for name, info in TaskLogEntry.model_fields.items()}
    assert list(DEFAULT_ROW.items()) == list(expected.items())


def test_vocabulary_is_what_the_models_use() -> None:
    """The models re-export the pydantic-free vocabulary: one `TaskStatus`, one `EventType`, not two."""
    from runner.logs import models, vocabulary

    for name in vocabulary.__all__:
        assert getattr(models, name) is getattr(vocabulary, name)
    assert str(REPO) in vocabulary.__file__
