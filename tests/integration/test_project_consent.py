"""A repository's settings that make pm-runner run a program need the user's consent (issue 9 item 2).

Real runs of `python -m runner` in a project whose `.claude/` came "with the clone"; the user's
answers live in the per-test `PM_RUNNER_CONFIG_DIR` (tests/conftest.py).
"""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import pexpect

from tests.helpers.cli import run_pm, runner_env

HOSTILE_CMD = "touch PWNED {prompt}"


def _clone(tmp_path: Path, **files: str) -> Path:
    """A project folder whose `.claude/` holds the given files (name with `_` for `.`: runner_config_json)."""
    claude = tmp_path / ".claude"
    claude.mkdir()
    for name, text in files.items():
        (claude / name.replace("_json", ".json").replace("_", ".")).write_text(text)
    return tmp_path


def _trust_file() -> Path:
    return Path(os.environ["PM_RUNNER_CONFIG_DIR"]) / "trusted-projects.json"


def test_an_untrusted_executor_cmd_is_refused_without_a_terminal(tmp_path: Path) -> None:
    """Non-interactively, a repository `executor_cmd` is exit 1 naming the file and --trust-project; nothing runs."""
    root = _clone(tmp_path, runner_config_json=json.dumps({"executor": "command", "executor_cmd": HOSTILE_CMD}))
    run = run_pm(["repl"], stdin="hello\n", cwd=root, expect=1)
    assert f"{root / '.claude' / 'runner.config.json'} sets executor" in run.stderr, run.transcript()
    assert "--trust-project" in run.stderr
    assert not (root / "PWNED").exists()
    assert not (root / ".claude" / "logs").exists(), "a session was opened before consent"


def test_trust_project_runs_it_and_is_remembered_until_the_file_changes(tmp_path: Path) -> None:
    """--trust-project applies the setting and remembers the file's digest (0600); an edit asks again."""
    config = root_config = _clone(tmp_path, runner_config_json=json.dumps(
        {"executor": "command", "executor_cmd": HOSTILE_CMD})) / ".claude" / "runner.config.json"
    root = root_config.parents[1]
    run_pm(["repl", "--trust-project"], stdin="hello\n", cwd=root)
    assert (root / "PWNED").exists()
    stored = json.loads(_trust_file().read_text())
    assert list(stored["projects"]) == [str(root.resolve())]
    assert stat.S_IMODE(_trust_file().stat().st_mode) == 0o600
    (root / "PWNED").unlink()
    run_pm(["repl"], stdin="again\n", cwd=root)  # remembered: no flag needed
    assert (root / "PWNED").exists()
    (root / "PWNED").unlink()
    config.write_text(json.dumps({"executor": "command", "executor_cmd": "touch PWNED2 {prompt}"}))
    run = run_pm(["repl"], stdin="third\n", cwd=root, expect=1)
    assert "not trusted" in run.stderr and not (root / "PWNED2").exists()


def test_a_shell_provider_in_repl_json_is_refused_without_a_terminal(tmp_path: Path) -> None:
    """A committed repl.json choosing the shell executor would run typed lines as commands: refused."""
    root = _clone(tmp_path, repl_json='{"provider": "shell"}')
    run = run_pm(["repl"], stdin="touch TYPED\n", cwd=root, expect=1)
    assert "repl.json sets provider = 'shell'" in run.stderr, run.transcript()
    assert not (root / "TYPED").exists()


def test_settings_that_do_not_take_effect_need_no_consent(tmp_path: Path) -> None:
    """A flag that overrides the file, or a template the chosen executor never uses, asks nothing."""
    root = _clone(tmp_path, runner_config_json=json.dumps({"executor": "shell", "executor_cmd": HOSTILE_CMD,
                                                           "progress_timeout_ms": 60000}))
    run = run_pm(["repl", "--executor", "command", "--executor-cmd", "echo {prompt}"], stdin="flagged\n", cwd=root)
    assert "  | flagged" in run.stdout
    assert not (root / "PWNED").exists() and not _trust_file().exists()


def test_provider_in_the_repl_makes_an_untrusted_template_take_effect_only_with_consent(tmp_path: Path) -> None:
    """`/provider command` would start using the repository's executor_cmd: refused in a script, nothing saved."""
    root = _clone(tmp_path, runner_config_json=json.dumps({"executor_cmd": HOSTILE_CMD}))
    run = run_pm(["repl", "--executor", "shell"], stdin="/provider command\necho hello\n", cwd=root, expect=1)
    assert "sets executor_cmd = 'touch PWNED {prompt}'" in run.stderr, run.transcript()
    assert not (root / "PWNED").exists()
    assert not (root / ".claude" / "repl.json").exists()
    assert "  | hello" in run.stdout  # the shell executor stayed


def test_the_users_own_provider_choice_is_remembered_as_trusted(tmp_path: Path) -> None:
    """`/provider shell` typed by the user is saved and trusted: the next start uses it without asking."""
    run_pm(["repl", "--executor", "command", "--executor-cmd", "echo {prompt}"], stdin="/provider shell\n",
           cwd=tmp_path)
    later = run_pm(["repl"], stdin="echo saved\n", cwd=tmp_path)
    assert "  | saved" in later.stdout


def _spawn(root: Path) -> pexpect.spawn:
    env = runner_env({"TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1"})
    return pexpect.spawn(sys.executable, ["-m", "runner", "repl"], cwd=str(root), env=env, dimensions=(30, 160),
                         encoding="utf-8", codec_errors="replace", timeout=30)


def test_at_a_terminal_one_question_shows_what_would_run(tmp_path: Path) -> None:
    """At a terminal: the question names file, key and exact value (escapes shown, not sent); n stops, y runs."""
    root = _clone(tmp_path, runner_config_json=json.dumps(
        {"executor": "command", "executor_cmd": "touch PWNED {prompt} \x1b]52;c;aGk=\x07"}))
    child = _spawn(root)
    child.expect(r"runner\.config\.json sets executor_cmd = ")
    child.expect(r"Trust these settings of this project and run them\? \[y/N\]")
    shown = child.before or ""
    assert "\\x1b]52" in shown and "\x1b]52" not in shown
    child.sendline("n")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1 and "nothing was run" in (child.before or "")
    assert not _trust_file().exists()

    child = _spawn(root)
    child.expect(r"\[y/N\]")
    child.sendline("y")
    child.expect("pm-runner>")  # the REPL's prompt: consent given
    child.sendline("hello")
    child.expect("RESULT:")
    child.sendline("/exit")
    child.expect(pexpect.EOF)
    child.close()
    assert (root / "PWNED").exists()
    assert _trust_file().exists()


def test_a_model_name_from_repl_json_is_shown_not_sent_to_the_terminal(tmp_path: Path) -> None:
    """`/model` shows a hostile model name from repl.json with its escapes visible (no OSC 52, no ESC[2J)."""
    root = _clone(tmp_path, repl_json=json.dumps({"model": "m\x1b]52;c;aGk=\x07\x1b[2J"}))
    run = run_pm(["repl", "--executor", "shell"], stdin="/model\n", cwd=root)
    assert "\x1b" not in run.stdout and "\x07" not in run.stdout
    assert "Model: m\\x1b]52;c;aGk=\\x07\\x1b[2J" in run.stdout
