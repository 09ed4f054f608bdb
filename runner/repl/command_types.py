"""The shapes of a slash command: its result, its context, its registry entry, and the `@command` decorator.

Kept apart from the handlers (`commands.py`, `logs_command.py`, ...) so a handler module never
imports another handler module to return its result.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from runner.core import RunnerCore
from runner.errors import RunnerError
from runner.orchestration.request import RequestOutcome
from runner.repl.output import Terminal


@dataclass
class CommandResult:
    """What a command produced: things to show, whether it failed, whether the REPL should stop."""

    output: list[Any] = field(default_factory=list)
    error: RunnerError | None = None
    exit: bool = False
    request: RequestOutcome | None = None  # what a command that ran tasks (/retry) produced


@dataclass
class CommandContext:
    core: RunnerCore
    terminal: Terminal
    interactive: bool


Handler = Callable[[CommandContext, list[str]], CommandResult]


@dataclass(frozen=True)
class Command:
    name: str
    usage: str
    summary: str
    handler: Handler
    raw: bool = False  # the handler gets the rest of the line as one argument, quotes and all


REGISTRY: dict[str, Command] = {}


def command(name: str, usage: str, summary: str, *, raw: bool = False) -> Callable[[Handler], Handler]:
    """Register a handler under `/name` with its usage line and one-line help."""

    def register(handler: Handler) -> Handler:
        REGISTRY[name] = Command(name, usage, summary, handler, raw)
        return handler

    return register
