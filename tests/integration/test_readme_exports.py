"""The README's exports example is real: replay each command on the same session and compare.

Volatile parts (session and task ids from the clock, times, durations, the receiver's port, the
project's path) are normalised on both sides; everything else must match line for line.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from tests.helpers.cli import run_pm
from tests.helpers.otlp_receiver import otlp_receiver

README = Path(__file__).resolve().parents[2] / "README.md"
MARKER = "<!-- exports example: replayed by tests/integration/test_readme_exports.py -->"
SCRIPT = 'echo "# Demo" > README.md\ncat does-not-exist.txt\n'
_VOLATILE = [
    (re.compile(r"sess-\d{8}-\d{3}"), "sess-ID"),
    (re.compile(r"task-\d{13}"), "task-EPOCH"),
    (re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z"), "TIMESTAMP"),
    (re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}"), "TIME"),
    (re.compile(r"\d{4}-\d{2}-\d{2}"), "DAY"),
    (re.compile(r"\b\d+\.\ds\b"), "N.Ns"),
    (re.compile(r"127\.0\.0\.1:\d+"), "127.0.0.1:PORT"),
]


def normalise(text: str, project: Path | None = None) -> list[str]:
    if project is not None:
        text = text.replace(str(project), "/home/dev/demo")
    for pattern, replacement in _VOLATILE:
        text = pattern.sub(replacement, text)
    return [line.rstrip() for line in text.splitlines()]


def example() -> list[tuple[str, list[str]]]:
    """(command, expected output lines) of the README's console block."""
    block = README.read_text().split(MARKER, 1)[1].split("```console\n", 1)[1].split("\n```", 1)[0]
    steps: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        else:
            steps[-1][1].append(line)
    return steps


def replay(command: str, project: Path, endpoint: str) -> str:
    """Run one README command as the user would, pipes and heredoc-string included."""
    command = command.replace("http://127.0.0.1:6006", endpoint)
    head = re.search(r" \| head -n (\d+)$", command)
    stdin = ""
    if head:
        command = command[: head.start()]
    if " <<< " in command:
        command, _, quoted = command.partition(" <<< ")
        stdin = shlex.split(quoted)[0] + "\n"
    args = shlex.split(command)
    assert args[0] == "pm-runner"
    run = run_pm(args[1:], cwd=project, stdin=stdin)
    output = run.stdout if head or stdin else run.stdout + run.stderr
    if head:
        output = "\n".join(output.splitlines()[: int(head.group(1))])
    return output


def test_the_readme_exports_example_is_what_the_commands_print(tmp_path: Path) -> None:
    """Each `$ pm-runner logs …` line of the README prints what the README shows after it."""
    project = tmp_path / "demo"
    (project / "traces").mkdir(parents=True)
    run_pm(["repl", "--executor", "shell"], stdin=SCRIPT, cwd=project, expect=1)
    steps = example()
    assert len(steps) == 7
    with otlp_receiver() as receiver:
        for command, expected in steps:
            actual = replay(command, project, receiver.url)
            assert normalise(actual, project) == normalise("\n".join(expected)), command
    assert (project / "session.html").exists() and (project / "traces" / "otel-logs.jsonl").exists()
