"""The README's review-loop example is real: replay its commands with the fake `claude` and compare.

The stand-in agent (tests/fixtures/bin/claude, scenario `revise_on_resume`) writes notes.md, and once
its session is resumed with the review's findings adds the line the check asks for. Volatile parts
(session ids, the project's path) are normalised on both sides; the rest must match line for line.
"""

from __future__ import annotations

from pathlib import Path

from tests.helpers.cli import runner_env
from tests.helpers.readme_example import example, normalise, replay

MARKER = "<!-- review example: replayed by tests/integration/test_readme_review.py -->"


def test_the_readme_review_example_is_what_the_commands_print(tmp_path: Path) -> None:
    """`pm-runner repl --check …` and `pm-runner logs tree` print what the README shows after them."""
    project = tmp_path / "demo"
    project.mkdir()
    env = runner_env({"FAKE_CLAUDE_SCENARIO": "revise_on_resume", "FAKE_CLAUDE_PATH": "notes.md",
                      "FAKE_CLAUDE_COST": "0.0123", "ANTHROPIC_API_KEY": "test-key-not-a-secret"}, fake_claude=True)
    steps = example(MARKER)
    assert [command.split()[:3] for command, _ in steps] == [["pm-runner", "repl", "--check"],
                                                           ["pm-runner", "logs", "tree"]]
    for command, expected in steps:
        actual = replay(command, project, env=env)
        assert normalise(actual, project) == normalise("\n".join(expected)), command
    assert (project / "notes.md").read_text() == "# Hello\n\nRevised after review.\n"
