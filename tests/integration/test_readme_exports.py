"""The README's exports example is real: replay each command on the same session and compare.

Volatile parts (session and task ids from the clock, times, durations, the receiver's port, the
project's path) are normalised on both sides; everything else must match line for line.
"""

from __future__ import annotations

from pathlib import Path

from tests.helpers.cli import run_pm
from tests.helpers.otlp_receiver import otlp_receiver
from tests.helpers.readme_example import example, normalise, replay

MARKER = "<!-- exports example: replayed by tests/integration/test_readme_exports.py -->"
SCRIPT = 'echo "# Demo" > README.md\ncat does-not-exist.txt\n'


def test_the_readme_exports_example_is_what_the_commands_print(tmp_path: Path) -> None:
    """Each `$ pm-runner logs …` line of the README prints what the README shows after it."""
    project = tmp_path / "demo"
    (project / "traces").mkdir(parents=True)
    run_pm(["repl", "--executor", "shell"], stdin=SCRIPT, cwd=project, expect=1)
    steps = example(MARKER)
    assert len(steps) == 7
    with otlp_receiver() as receiver:
        for command, expected in steps:
            actual = replay(command, project, replacements={"http://127.0.0.1:6006": receiver.url})
            assert normalise(actual, project) == normalise("\n".join(expected)), command
    assert (project / "session.html").exists() and (project / "traces" / "otel-logs.jsonl").exists()
