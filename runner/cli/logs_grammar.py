"""The grammar of `pm-runner logs`: a tree of subcommands, each with its own options, help and examples.

`logs list|show|tree|sessions|clear|schema` are rows of `LOGS_COMMANDS`; `export|report|stats` keep
their parsers in `cli/export.py` and are routed from here. The subcommand may stand anywhere among
the flags (`logs --json list`, `logs show --full task-001`); with none, `logs` lists, and a lone
task id shows it. A flag that belongs to another subcommand is a usage error naming the
subcommands it works with; every usage error exits 64 (`UsageError`), never 2, which a script
reads as "incomplete".
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, NoReturn

from runner.cli.env import Environment
from runner.cli.folder_flag import LOGS_DIR_READ_HELP, folder_path
from runner.errors import UsageError
from runner.logs.view_limit import DEFAULT_LIMIT as _DEFAULT_LIMIT
from runner.logs.view_limit import limit_arg as _limit_arg

if TYPE_CHECKING:  # argparse builds a parser only for a command line simple_namespace cannot read
    import argparse

EXPORT_SUBCOMMANDS = ("export", "report", "stats")


@dataclass(frozen=True)
class LogsOption:
    """One flag of a logs subcommand: its argparse definition."""

    flag: str
    kwargs: dict[str, Any]

    @property
    def takes_value(self) -> bool:
        return self.kwargs.get("action") not in ("store_true", "store_false")


def _statuses() -> list[str]:
    from runner.logs.models import TaskStatus

    return [status.value for status in TaskStatus]


OPTIONS: dict[str, LogsOption] = {option.flag: option for option in (
    LogsOption("--project", {"type": Path, "metavar": "DIR",
                             "help": "project folder (default: the nearest folder up with .claude/, then .git)"}),
    LogsOption("--logs-dir", {"type": folder_path, "metavar": "DIR", "help": LOGS_DIR_READ_HELP}),
    LogsOption("--session", {"metavar": "ID", "help": "session id, or 'latest' (default: the latest)"}),
    LogsOption("--full", {"action": "store_true", "help": "every event, executor details included"}),
    LogsOption("--json", {"action": "store_true", "help": "one JSON document (with schema_version)"}),
    LogsOption("--status", {"metavar": "STATUS", "help": "only tasks in this status: complete, incomplete, error, ..."}),
    LogsOption("--since", {"metavar": "DURATION", "help": "only tasks started within e.g. 30m, 2h, 7d"}),
    LogsOption("--limit", {"type": _limit_arg, "metavar": "N",
                           "help": f"show the newest N tasks (default: {_DEFAULT_LIMIT}; the output says how many are left out)"}),
    LogsOption("--all", {"action": "store_true", "help": "show every task of the session, not only the newest"}),
    LogsOption("--follow", {"action": "store_true",
                            "help": "stream new events until the task ends; exit 0/1/2 like the task"}),
    LogsOption("--force", {"action": "store_true", "help": "do not ask before deleting"}),
    LogsOption("--older-than", {"metavar": "DURATION", "help": "only sessions older than e.g. 7d"}),
    LogsOption("--dry-run", {"action": "store_true", "help": "show what would go, delete nothing"}),
)}


# Flags every subcommand takes: which project, and which logs folder (`repl --logs-dir`).
COMMON_FLAGS = ("--project", "--logs-dir")


@dataclass(frozen=True)
class LogsCommand:
    """A subcommand of `pm-runner logs`: what it does, its task argument, its flags and examples."""

    name: str
    summary: str
    options: tuple[str, ...]
    task: str = "none"  # "none" | "required"
    examples: tuple[str, ...] = ()
    hidden: bool = False  # accepted, not listed: an older spelling kept for scripts


LOGS_COMMANDS: dict[str, LogsCommand] = {command.name: command for command in (
    LogsCommand("list", "the tasks of a session (the default)",
                ("--session", "--status", "--since", "--limit", "--all", "--json"),
                examples=("pm-runner logs list", "pm-runner logs list --status error --json",
                          "pm-runner logs list --all --json",
                          "pm-runner logs list --session sess-20250112-001 --since 2h")),
    LogsCommand("show", "one task: summary events, or every event with --full",
                ("--session", "--full", "--json", "--follow"), task="required",
                examples=("pm-runner logs show task-003", "pm-runner logs show --full sess-20250112-001/task-003",
                          "pm-runner logs show task-003 --follow --json")),
    LogsCommand("tree", "session → thread → run → task",
                ("--session", "--full", "--status", "--since", "--limit", "--all", "--json"),
                examples=("pm-runner logs tree", "pm-runner logs tree --full --json")),
    LogsCommand("sessions", "the sessions of the project", ("--json",),
                examples=("pm-runner logs sessions", "pm-runner logs sessions --json")),
    LogsCommand("clear", "delete logs (asks first unless --force)",
                ("--session", "--older-than", "--dry-run", "--force"),
                examples=("pm-runner logs clear --dry-run", "pm-runner logs clear --older-than 7d --force",
                          "pm-runner logs clear --session sess-20250112-001")),
    LogsCommand("schema", "the JSON Schema of every --json document", (),
                examples=("pm-runner logs schema > pm-runner-logs.schema.json",)),
    # `logs --report`: the REPL's `/logs --report` (the session's HTML under .claude/logs/reports/).
    LogsCommand("--report", "save the session's HTML report under the logs folder's reports/ (.claude/logs/reports/ by default)", ("--session",),
                hidden=True),
)}
ALL_NAMES = (*(name for name, command in LOGS_COMMANDS.items() if not command.hidden), *EXPORT_SUBCOMMANDS)
SUMMARIES = {**{name: command.summary for name, command in LOGS_COMMANDS.items() if not command.hidden},
             "export": "OTLP/JSON Lines or JSONL for other tools, or send to an OTLP endpoint",
             "report": "a Markdown or self-contained HTML report",
             "stats": "totals by status, error code, executor, model, session and day"}


def usage_parser_class(env: Environment) -> type[argparse.ArgumentParser]:
    """Parsers writing to `env` whose mistakes are `UsageError`s (exit 64) naming the fix."""
    from runner.cli.options import parser_class

    class UsageParser(parser_class(env)):  # type: ignore[misc]
        def error(self, message: str) -> NoReturn:
            raise UsageError(f"{self.prog}: {message}", hint=f"{self.prog} --help shows the options")

    return UsageParser


def split_subcommand(argv: list[str]) -> tuple[str, list[str]]:
    """Find the subcommand among `argv` (not a flag's value); `list` (or `show` for a task id) when absent."""
    valued = {flag for flag, option in OPTIONS.items() if option.takes_value} | {
        "--format", "--output", "--content", "--endpoint", "--header"}
    after_flag = False
    for index, word in enumerate(argv):
        if after_flag:
            after_flag = False
            continue
        if word.startswith("-"):
            after_flag = word in valued
            continue
        rest = argv[:index] + argv[index + 1:]
        if word in ALL_NAMES:
            return word, rest
        if word == "help":
            return "help", rest
        return ("show" if _looks_like_task(word) else "unknown:" + word), argv
    for flag, name in (("--clear", "clear"), ("--tree", "tree"), ("--report", "--report")):
        if flag in argv:  # the REPL's spellings, kept for scripts written against them
            return name, [word for word in argv if word != flag]
    return "list", argv


def _looks_like_task(word: str) -> bool:
    return word.startswith("task-") or ("/task-" in word and word.startswith("sess-"))


def build_logs_parser(env: Environment, name: str) -> argparse.ArgumentParser:
    """The parser of `pm-runner logs NAME` (one of `LOGS_COMMANDS`)."""
    import argparse

    command = LOGS_COMMANDS[name]
    parser = usage_parser_class(env)(
        prog=f"pm-runner logs {name}", description=command.summary[0].upper() + command.summary[1:] + ".",
        epilog="examples:\n" + "\n".join(f"  {example}" for example in command.examples),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    if command.task == "required":
        parser.add_argument("task", metavar="ID", help="task-003, an external id, or sess-…/task-003")
    for flag in (*COMMON_FLAGS, *command.options):
        parser.add_argument(flag, **OPTIONS[flag].kwargs)
    return parser


def parse_logs_command(env: Environment, name: str, argv: list[str]) -> SimpleNamespace:
    """Parse `pm-runner logs NAME ARGV`; a flag of another subcommand is a usage error saying where it belongs."""
    namespace = simple_namespace(name, argv)
    if namespace is None:
        parsed, unknown = build_logs_parser(env, name).parse_known_args(argv)
        if unknown:
            _refuse(name, unknown[0])
        namespace = SimpleNamespace(**vars(parsed))
    if namespace.__dict__.get("status") and namespace.status not in _statuses():
        raise UsageError(f"pm-runner logs {name}: --status {namespace.status!r} is not a status",
                         hint="use one of: " + ", ".join(_statuses()))
    namespace.action = name
    return namespace


def simple_namespace(name: str, argv: list[str]) -> SimpleNamespace | None:
    """What argparse would answer for `ARGV` made only of NAME's on/off flags written out in full (`--json`,
    `--all`) and, for a subcommand taking a task, one task id; None for anything else (a value, `--help`,
    an abbreviation, `--`), which the parser reads. The common `logs list|tree [--json]` thus builds no parser."""
    command = LOGS_COMMANDS[name]
    values: dict[str, Any] = {"task": None} if command.task == "required" else {}
    values |= {_dest(flag): None for flag in COMMON_FLAGS}
    values |= {_dest(flag): False if not OPTIONS[flag].takes_value else None for flag in command.options}
    for word in argv:
        if word in command.options and not OPTIONS[word].takes_value:
            values[_dest(word)] = True
        elif "task" in values and values["task"] is None and word and not word.startswith("-"):
            values["task"] = word
        else:
            return None
    return None if values.get("task", "") is None else SimpleNamespace(**values)


def _dest(flag: str) -> str:
    return flag.removeprefix("--").replace("-", "_")


def _refuse(name: str, word: str) -> NoReturn:
    flag = word.split("=", 1)[0]
    users = [other for other, command in LOGS_COMMANDS.items() if flag in command.options and not command.hidden]
    if users:
        raise UsageError(f"pm-runner logs {name}: {flag} does not apply here",
                         hint=f"{flag} works with: " + ", ".join(f"pm-runner logs {user}" for user in users))
    if flag.startswith("-"):
        raise UsageError(f"pm-runner logs {name}: unknown option {flag}",
                         hint=f"pm-runner logs {name} --help shows the options")
    raise UsageError(f"pm-runner logs {name}: unexpected argument {word!r}",
                     hint=f"pm-runner logs {name} --help shows the arguments")


def logs_help(env: Environment) -> str:
    """`pm-runner logs --help`: the subcommands with one line each, and examples."""
    width = max(len(name) for name in ALL_NAMES)
    lines = ["usage: pm-runner logs [SUBCOMMAND] [options]", "",
             "Read the TaskLogs of a project (masked; summary unless --full).", "", "subcommands:"]
    lines += [f"  {name.ljust(width)}  {SUMMARIES[name]}" for name in ALL_NAMES]
    lines += ["", "Each subcommand has its own --help. With no subcommand, `logs` lists the latest session;",
              "`pm-runner logs task-003` shows one task. Usage errors exit 64.",
              "Every subcommand takes --project DIR and --logs-dir DIR (the folder given to `repl --logs-dir`;",
              "default $PM_RUNNER_LOGS_DIR, else <project>/.claude/logs).", "", "examples:",
              "  pm-runner logs list --status error --json",
              "  pm-runner logs show task-003 --full",
              "  pm-runner logs report --format html --output session.html", ""]
    return "\n".join(lines)
