"""Docs stay true by test: every registered command has help and appears in /help and spec/repl.md; CI runs the README's test command."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from runner.repl.commands import REGISTRY

SPEC = Path(__file__).resolve().parents[2] / "spec"


def test_every_command_has_usage_and_help_text() -> None:
    """A registered command without a usage line or a one-line summary fails."""
    for name, entry in REGISTRY.items():
        assert entry.usage.startswith(f"/{name}"), name
        assert entry.summary.strip(), name


def test_every_command_is_in_help_output() -> None:
    """/help is generated from the registry and lists every command."""
    wide_terminal = SimpleNamespace(terminal=SimpleNamespace(width=200))
    help_lines = REGISTRY["help"].handler(wide_terminal, []).output  # type: ignore[arg-type]
    text = "\n".join(help_lines)
    for entry in REGISTRY.values():
        assert entry.usage in text, entry.name


def test_every_command_is_in_the_spec() -> None:
    """spec/repl.md's command table names every registered command."""
    spec = (SPEC / "repl.md").read_text()
    missing = [name for name in REGISTRY if f"`/{name}" not in spec]
    assert not missing, f"commands missing from spec/repl.md: {missing}"


def test_spec_names_no_command_that_does_not_exist() -> None:
    """The spec's command table lists no command the registry lacks."""
    spec = (SPEC / "repl.md").read_text()
    table = [line for line in spec.splitlines() if line.startswith("| `/")]
    named = {line.split("`")[1].split()[0].lstrip("/") for line in table}
    assert named <= set(REGISTRY), named - set(REGISTRY)


def test_ci_runs_exactly_the_readme_test_command() -> None:
    """The README's second command (the tests) is the line `.ci/run` runs, word for word."""
    root = Path(__file__).resolve().parents[2]
    blocks = (root / "README.md").read_text(encoding="utf-8").split("```bash\n")
    install, tests = (block.split("\n```", 1)[0].strip() for block in blocks[1:3])
    assert "pm-runner" in install and "pytest" in tests
    assert tests in (root / ".ci" / "run").read_text(encoding="utf-8").splitlines()
