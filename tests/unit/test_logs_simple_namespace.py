"""`pm-runner logs` reads simple command lines without argparse: the answer is argparse's, or none at all."""

from __future__ import annotations

import itertools
from io import StringIO

import pytest

from runner.cli.env import Environment
from runner.cli.logs_grammar import (
    LOGS_COMMANDS,
    OPTIONS,
    build_logs_parser,
    parse_logs_command,
    simple_namespace,
)


def _argparse_answer(name: str, argv: list[str]) -> dict[str, object]:
    env = Environment(stdout=StringIO(), stderr=StringIO())
    parsed, unknown = build_logs_parser(env, name).parse_known_args(argv)
    assert unknown == []
    return vars(parsed)


def _simple_lines(name: str) -> list[list[str]]:
    """Every order-free combination of NAME's on/off flags (each twice, too), with a task id where one is taken."""
    switches = [flag for flag in LOGS_COMMANDS[name].options if not OPTIONS[flag].takes_value]
    lines = [list(chosen) for size in range(len(switches) + 1) for chosen in itertools.combinations(switches, size)]
    lines += [switches + switches]
    if LOGS_COMMANDS[name].task == "required":
        lines = [line[:1] + ["task-007"] + line[1:] for line in lines] + [["sess-20260101-001/task-002"]]
    return lines


@pytest.mark.parametrize("name", list(LOGS_COMMANDS))
def test_simple_command_lines_read_as_argparse_reads_them(name: str) -> None:
    """For every combination of a subcommand's on/off flags (and its task id), the values are argparse's exactly."""
    for argv in _simple_lines(name):
        namespace = simple_namespace(name, argv)
        assert namespace is not None, argv
        assert vars(namespace) == _argparse_answer(name, argv), argv


@pytest.mark.parametrize(("name", "argv"), [
    ("list", ["--limit", "5"]), ("list", ["--limit=5"]), ("list", ["--js"]), ("list", ["--json=1"]),
    ("list", ["-h"]), ("list", ["--help"]), ("list", ["--"]), ("list", ["--session", "latest"]),
    ("list", ["--full"]), ("list", ["task-001"]), ("tree", ["--follow"]), ("show", []), ("show", ["--full"]),
    ("show", ["task-001", "task-002"]), ("show", ["-1"]), ("show", [""]), ("list", ["--project", "x"]),
    ("sessions", ["--status"]),
])
def test_anything_else_is_left_to_argparse(name: str, argv: list[str]) -> None:
    """A value, an abbreviation, help, `--`, another subcommand's flag or a missing or extra task id gets no fast answer."""
    assert simple_namespace(name, argv) is None


def test_a_value_flag_still_goes_through_the_parser() -> None:
    """`logs list --limit 5 --json` is parsed by argparse, and the result names the action like the fast path's."""
    env = Environment(stdout=StringIO(), stderr=StringIO())
    parsed = parse_logs_command(env, "list", ["--limit", "5", "--json"])
    fast = parse_logs_command(env, "list", ["--json"])
    assert (parsed.limit, parsed.json, parsed.action) == (5, True, "list")
    assert vars(fast) == {**vars(parsed), "limit": None}
