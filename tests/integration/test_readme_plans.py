"""The README's plans example is real: replay the script and `logs tree`, and compare line for line.

Volatile parts (session and external task ids from the clock) are normalised on both sides.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from tests.helpers.cli import run_pm

README = Path(__file__).resolve().parents[2] / "README.md"
MARKER = "<!-- plans example: replayed by tests/integration/test_readme_plans.py -->"
_VOLATILE = [(re.compile(r"sess-\d{8}-\d{3}"), "sess-ID"), (re.compile(r"task-\d{13}"), "task-EPOCH")]


def normalise(lines: list[str]) -> list[str]:
    text = "\n".join(line.rstrip() for line in lines)
    for pattern, replacement in _VOLATILE:
        text = pattern.sub(replacement, text)
    return text.splitlines()


def example(marker: str = MARKER) -> list[tuple[str, list[str], list[str]]]:
    """(command, heredoc lines, expected output lines) of the README's console block after `marker`."""
    block = README.read_text().split(marker, 1)[1].split("```console\n", 1)[1].split("\n```", 1)[0]
    steps: list[tuple[str, list[str], list[str]]] = []
    heredoc: list[str] | None = None
    for line in block.splitlines():
        if line.startswith("$ "):
            heredoc = [] if line.endswith("<<'EOF'") else None
            steps.append((line[2:].removesuffix(" <<'EOF'"), heredoc or [], []))
        elif heredoc is not None:
            if line == "EOF":
                steps[-1] = (steps[-1][0], heredoc, steps[-1][2])
                heredoc = None
            else:
                heredoc.append(line)
        else:
            steps[-1][2].append(line)
    return steps


def test_the_readme_plans_example_is_what_the_commands_print(tmp_path: Path) -> None:
    """The script prints the README's plan, parts, parent and retry; `echo $?` and `logs tree` match too."""
    steps = example()
    assert [command for command, _, _ in steps] == [
        "pm-runner repl --executor shell --plan always", "echo $?", "pm-runner logs tree"]
    (repl, script, expected), (_, _, code), (tree, _, expected_tree) = steps
    run = run_pm(shlex.split(repl)[1:], stdin="\n".join(script) + "\n", cwd=tmp_path, expect=int(code[0]))
    assert normalise(run.lines) == normalise(expected)
    shown = run_pm(shlex.split(tree)[1:], cwd=tmp_path)
    assert normalise(shown.lines) == normalise(expected_tree)
