"""/provider and /model persist to .claude/repl.json, which sits between the config file and flags."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from tests.helpers.cli import run_pm


def test_provider_choice_persists_and_flags_still_win(tmp_path: Path) -> None:
    """`/provider shell` is saved (0600) and used next time; a flag overrides it."""
    run = run_pm(["repl", "--executor", "command"], stdin="/provider shell\n/model tiny\n", cwd=tmp_path)
    assert "Provider set to shell" in run.stdout and "Model set to tiny" in run.stdout
    state_file = tmp_path / ".claude" / "repl.json"
    assert json.loads(state_file.read_text()) == {"provider": "shell", "model": "tiny"}
    assert stat.S_IMODE(os.stat(state_file).st_mode) == 0o600

    later = run_pm(["repl"], stdin="echo saved-provider\n/status\n", cwd=tmp_path)
    assert "  | saved-provider" in later.stdout
    flagged = run_pm(["repl", "--executor", "command"], stdin="/provider\n", cwd=tmp_path)
    assert "Provider: command" in flagged.stdout


def test_repl_json_beats_the_config_file(tmp_path: Path) -> None:
    """defaults < runner.config.json < repl.json: the saved provider wins over the file's."""
    claude = tmp_path / ".claude"
    claude.mkdir()
    (claude / "runner.config.json").write_text('{"executor": "command"}')
    (claude / "repl.json").write_text('{"provider": "shell"}')
    run = run_pm(["repl", "--trust-project"], stdin="echo layered\n", cwd=tmp_path)
    assert "  | layered" in run.stdout


def test_unknown_provider_is_an_error_listing_the_known_ones(tmp_path: Path) -> None:
    """`/provider nope` names the known executors and saves nothing."""
    run = run_pm(["repl", "--executor", "shell"], stdin="/provider nope\necho still-shell\n",
                 cwd=tmp_path, expect=1)
    assert "ERROR:" in run.stderr and "shell" in run.stderr
    assert not (tmp_path / ".claude" / "repl.json").exists()
    assert "  | still-shell" in run.stdout and "RESULT: COMPLETE" in run.stdout
