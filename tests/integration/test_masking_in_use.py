"""Masking where the runner uses it: per-event counts in saved logs and views, `/model` and
`--model` refusing a secret, and a key in `\\uXXXX` escapes from Claude's stream-json (issues 9 and 19)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers.cli import run_pm, runner_env
from tests.helpers.logs_check import all_log_bytes

BODY = "Zq8" + "xW2vR5tY7uI9oP1aS3dF6gH4jK0lM"  # synthetic, joined at run time
OPENAI = "sk-" + "proj-" + BODY


def test_saved_events_count_what_each_rule_masked(tmp_path: Path) -> None:
    """An output line with two keys is saved with `masked: {rule: n}`; `--full` shows it, the
    JSON carries it, and an event with nothing masked has no such field."""
    line = f"echo first {OPENAI} then DB_PASSWORD={BODY[::-1]}"
    run_pm(["repl", "--executor", "shell"], stdin=line + "\n", cwd=tmp_path)
    detail = run_pm(["logs", "show", "task-001", "--full", "--json"], cwd=tmp_path)
    events = json.loads(detail.stdout)["events"]
    output = [e for e in events if e["event_type"] == "EXECUTOR_OUTPUT"]
    assert output and output[0]["masked"] == {"ENV_CREDENTIAL": 1, "OPENAI_KEY": 1}, output
    assert all("masked" not in e for e in events if e["event_type"] == "EXECUTOR_PROGRESS")
    shown = run_pm(["logs", "show", "task-001", "--full"], cwd=tmp_path).stdout
    assert "masked: ENV_CREDENTIAL ×1, OPENAI_KEY ×1" in shown
    assert BODY not in shown and BODY.encode() not in all_log_bytes(tmp_path)
    exported = run_pm(["logs", "export", "--format", "jsonl"], cwd=tmp_path).stdout
    rows = [json.loads(row) for row in exported.splitlines()]
    assert [row["masked"] for row in rows if row["event_type"] == "EXECUTOR_OUTPUT"] == [
        {"ENV_CREDENTIAL": 1, "OPENAI_KEY": 1}]


def test_model_refuses_a_secret_and_saves_nothing(tmp_path: Path) -> None:
    """`/model sk-ant-…` is refused with a message naming the rule; the key is neither echoed
    nor saved in .claude/repl.json nor in the history; a real model name still works."""
    key = "sk-" + "ant-api03-" + BODY + BODY
    run = run_pm(["repl", "--executor", "shell"], stdin=f"/model {key}\n/model\n/model claude-sonnet-4-5\n",
                 cwd=tmp_path, expect=None)
    assert "looks like a secret (ANTHROPIC_KEY)" in run.stdout + run.stderr
    assert "Model: (executor default)" in run.stdout and "Model set to claude-sonnet-4-5" in run.stdout
    assert BODY not in run.stdout + run.stderr
    claude = tmp_path / ".claude"
    assert json.loads((claude / "repl.json").read_text())["model"] == "claude-sonnet-4-5"
    for path in claude.rglob("*"):
        if path.is_file():
            assert BODY.encode() not in path.read_bytes(), path


def test_a_secret_given_as_model_on_the_command_line_is_refused_unechoed(tmp_path: Path) -> None:
    """`repl --model sk-ant-…` is a usage error naming the rule: nothing starts, the key is
    neither printed nor saved; a model set in repl.json that holds a key is shown masked."""
    key = "sk-" + "ant-api03-" + BODY + BODY
    run = run_pm(["repl", "--executor", "shell", "--model", key], stdin="echo hi\n", cwd=tmp_path, expect=None)
    assert run.code != 0 and "looks like a secret (ANTHROPIC_KEY)" in run.stderr
    assert BODY not in run.stdout + run.stderr and not (tmp_path / ".claude" / "logs").exists()
    fallback = run_pm(["repl", "--executor", "shell", "--fallback-model", key], stdin="", cwd=tmp_path, expect=None)
    assert fallback.code != 0 and "looks like a secret" in fallback.stderr and BODY not in fallback.stderr
    (tmp_path / ".claude").mkdir(exist_ok=True)
    (tmp_path / ".claude" / "repl.json").write_text(json.dumps({"model": key}))
    shown = run_pm(["repl", "--executor", "shell"], stdin="/model\n", cwd=tmp_path, expect=None)
    assert "Model: [MASKED:ANTHROPIC_KEY]" in shown.stdout and BODY not in shown.stdout + shown.stderr


def test_a_key_in_unicode_escapes_from_claude_is_masked_in_the_raw_log(tmp_path: Path) -> None:
    """Claude's stream-json line carrying a key as `\\uXXXX` escapes: neither the raw log (escaped
    form) nor any event (decoded form) nor the REPL output keeps a piece of it."""
    env = runner_env({"FAKE_CLAUDE_SCENARIO": "escaped_secret", "FAKE_CLAUDE_TEXT_PART": BODY + BODY},
                     fake_claude=True)
    run = run_pm(["repl", "--executor", "claude-code"], stdin="say the key\n", cwd=tmp_path, env=env, expect=None)
    stored = all_log_bytes(tmp_path)
    assert b"raw" in b"".join(p.name.encode() for p in (tmp_path / ".claude" / "logs").rglob("*"))
    pieces = [BODY[i:i + 12] for i in range(0, len(BODY) - 12)]
    escaped_pieces = ["".join(f"\\u{ord(c):04x}" if (i + 13) % 2 == 0 else c for i, c in enumerate(p))
                      for p in pieces]
    for piece in pieces + escaped_pieces:
        assert piece.encode() not in stored and piece not in run.stdout + run.stderr, piece
    assert b"[MASKED:ANTHROPIC_KEY]" in stored
