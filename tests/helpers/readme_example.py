"""README console examples that tests replay: find a block after its marker, split it into commands and
their output, and normalise what varies between runs (ids from the clock, times, paths, ports)."""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from pathlib import Path

from tests.helpers.cli import run_pm

README = Path(__file__).resolve().parents[2] / "README.md"
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
    """The lines of `text` with the project's path and every volatile part replaced by a placeholder."""
    if project is not None:
        text = text.replace(str(project), "/home/dev/demo")
    for pattern, replacement in _VOLATILE:
        text = pattern.sub(replacement, text)
    return [line.rstrip() for line in text.splitlines()]


def example(marker: str) -> list[tuple[str, list[str]]]:
    """(command, expected output lines) of the console block that follows `marker` in the README."""
    block = README.read_text().split(marker, 1)[1].split("```console\n", 1)[1].split("\n```", 1)[0]
    steps: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        else:
            steps[-1][1].append(line)
    return steps


def replay(command: str, project: Path, *, env: Mapping[str, str] | None = None,
           replacements: Mapping[str, str] | None = None, expect: int | None = 0) -> str:
    """Run one README command as the user would (`| head -n N` and a `<<< 'line'` string included)."""
    for old, new in (replacements or {}).items():
        command = command.replace(old, new)
    head = re.search(r" \| head -n (\d+)$", command)
    stdin = ""
    if head:
        command = command[: head.start()]
    if " <<< " in command:
        command, _, quoted = command.partition(" <<< ")
        stdin = shlex.split(quoted)[0] + "\n"
    args = shlex.split(command)
    assert args[0] == "pm-runner"
    run = run_pm(args[1:], cwd=project, stdin=stdin, env=env, expect=expect)
    output = run.stdout if head or stdin else run.stdout + run.stderr
    if head:
        output = "\n".join(output.splitlines()[: int(head.group(1))])
    return output
