"""The command line's grammar: the parsers of `pm-runner`, `repl` and `logs`, and the table that makes a
setting a flag.

Each setting flag is one row of `SETTING_FLAGS` (the `Settings` field it sets, its flag, its help);
argparse and the flags' `Settings` are generated from the table. Parsers write their help and usage
to the `Environment`'s streams. Nothing heavy is imported here: `--help` stays fast.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from runner import __version__
from runner.cli.env import Environment
from runner.cli.folder_flag import LOGS_DIR_HELP, folder_path
from runner.cli.loop_options import add_loop_flags, loop_settings_from
from runner.cli.setting_flag import SettingFlag, model_name

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

    from runner.config import CliOverrides
    from runner.config_schema import Settings

DESCRIPTION = """\
A REPL between you (or a CI script) and a coding agent. Every line you type
becomes a task: pm-runner runs it through an executor, checks on disk which
files really changed, and keeps a masked TaskLog under <project>/.claude/logs/
(or the folder given with --logs-dir or PM_RUNNER_LOGS_DIR).
"""

EPILOG = """\
examples:
  pm-runner repl --executor shell              interactive; each line runs as a shell command
  pm-runner repl --executor shell <<'EOF'      the same from a script (exit code 0/1/2)
  pm-runner logs list --status error --json    failed tasks of the latest session, as JSON
  pm-runner logs show task-001 --full          one task with every executor event
  pm-runner logs report --format html --output session.html   a self-contained HTML report
  pm-runner doctor                             which agent CLIs are installed and logged in
"""


def positive_ms(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of milliseconds, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number of milliseconds, got {text}")
    return value


def subtask_limit(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not 2 <= value <= 100:
        raise argparse.ArgumentTypeError(f"expected a number from 2 to 100, got {value}")
    return value


SETTING_FLAGS: tuple[SettingFlag, ...] = (
    SettingFlag("executor", "--executor",
                "claude-code, codex, gemini, amp, qwen, cursor, opencode, aider (default: the first of them on "
                "PATH), command, shell; `pm-runner doctor` lists them", metavar="NAME"),
    SettingFlag("executor_cmd", "--executor-cmd",
                "command template for --executor command, e.g. 'codex exec --sandbox workspace-write {prompt}'",
                metavar="TEMPLATE"),
    SettingFlag("executor_format", "--executor-format",
                "how --executor command reads its program's stdout: text (default) or an agent's stream format",
                choices=("text", "claude-stream", "codex-jsonl", "gemini-stream")),
    SettingFlag("model", "--model", "model passed to the executor", metavar="NAME", type=model_name),
    SettingFlag("executor_timeout_ms", "--executor-timeout", "end a task running longer than this (default 300000)",
                metavar="MS", type=positive_ms),
    SettingFlag("progress_timeout_ms", "--progress-timeout", "end a task silent for longer than this (default 60000)",
                metavar="MS", type=positive_ms),
    SettingFlag("durability", "--durability",
                "strict: fsync every event (default when non-interactive); normal: fsync at checkpoints",
                choices=("strict", "normal")),
    SettingFlag("require_evidence", "--require-evidence",
                "always: a task with no verified file on disk is incomplete (default auto)",
                choices=("auto", "always", "never")),
    SettingFlag("plan", "--plan",
                "split a request that lists its parts into subtasks, each run and verified on its own: "
                "auto (default) for agent executors, always for every executor (shell too), off never",
                choices=("auto", "off", "always")),
    SettingFlag("max_subtasks", "--max-subtasks",
                "split a request into at most N subtasks (default 10); a longer list runs whole",
                metavar="N", type=subtask_limit),
)


# runner.setting_choices.PermissionMode's values, spelled out so `--help` loads no settings module.
PERMISSION_MODES = ("acceptEdits", "auto", "bypassPermissions", "default", "dontAsk", "plan")


def _add_permission_flags(repl: argparse.ArgumentParser) -> None:
    """claude-code's permissions: flags of their own, since the file keeps them under executors.claude-code."""
    repl.add_argument("--permission-mode", choices=PERMISSION_MODES,
                      help="what claude-code may do without asking (default acceptEdits: write files, "
                           "no shell commands unless allowed; bypassPermissions only if you mean it)")
    repl.add_argument("--allowed-tools", action="append", default=[], metavar="RULE",
                      help="a tool claude-code may use without asking, e.g. 'Bash(npm test)' (repeatable)")


def parser_class(env: Environment) -> type[argparse.ArgumentParser]:
    """argparse writing its help, usage and errors to `env`'s streams instead of the process's."""

    class EnvParser(argparse.ArgumentParser):
        def error(self, message: str) -> NoReturn:
            from runner.errors import UsageError

            raise UsageError(f"{self.prog}: {message}", hint=f"{self.prog} --help shows the options")

        def _print_message(self, message: str, file: SupportsWrite[str] | None = None) -> None:
            if message:
                (env.stderr if file is sys.stderr else env.stdout).write(message)

    return EnvParser


def _add_repl_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    repl = subparsers.add_parser("repl", help="start the REPL (the default)", description=DESCRIPTION,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    repl.add_argument("--project", type=Path, metavar="DIR", help="project folder (default: current folder)")
    repl.add_argument("--project-mode", choices=["cwd", "temp", "fixed"],
                      help="cwd (default), temp (a fresh temporary folder) or fixed (needs --project-root)")
    repl.add_argument("--project-root", type=Path, metavar="DIR", help="existing folder for --project-mode fixed")
    repl.add_argument("--logs-dir", type=folder_path, metavar="DIR", help=LOGS_DIR_HELP)
    repl.add_argument("--print-project-path", action="store_true",
                      help="print PROJECT_PATH=<abs path> as the first line of output")
    repl.add_argument("-c", "--continue", dest="continue_session", nargs="?", const="latest", metavar="ID",
                      help="continue the latest session (or session ID): its tasks, threads and logs")
    repl.add_argument("-q", "--quiet", action="store_true",
                      help="at a terminal, show only each task's result, not its output as it runs")
    repl.add_argument("--non-interactive", action="store_true",
                      help="read lines from stdin without a prompt (automatic when stdin is not a terminal)")
    repl.add_argument("--trust-project", action="store_true",
                      help="trust the program-running settings in this project's .claude/ files without asking "
                      "(remembered until a file changes; see spec/security.md)")
    for setting in SETTING_FLAGS:
        repl.add_argument(setting.flag, dest=setting.field, metavar=setting.metavar, choices=setting.choices,
                          type=setting.type, help=setting.help)
    _add_permission_flags(repl)
    add_loop_flags(repl)


def _add_logs_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    # Listed for `pm-runner --help` only: `pm-runner logs ...` is parsed by runner.cli.logs_grammar.
    subparsers.add_parser("logs", help="list, show, tree, sessions, clear, export, report, stats, schema "
                          "(pm-runner logs --help)")


def build_parser(env: Environment | None = None) -> argparse.ArgumentParser:
    """The parser of `pm-runner [repl]` (`pm-runner logs` has its own tree: `cli/logs_grammar.py`)."""
    parser = parser_class(env or Environment())(
        prog="pm-runner", description=DESCRIPTION, epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-V", "--version", action="version", version=f"pm-runner {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="{repl,logs,doctor}")
    _add_repl_parser(subparsers)
    _add_logs_parser(subparsers)
    subparsers.add_parser("doctor", help="which agent CLIs are installed, their versions and login state",
                          description="List every executor: installed or not, its version and path, whether the "
                          "agent says it is logged out (with what to run), the one `repl` would choose, and "
                          "which API keys are set (never their values). Exit code 1 when no agent CLI is found.")
    return parser


def settings_from(args: argparse.Namespace) -> Settings | None:
    """The settings given as flags (a flag not given stays unset); None when no setting flag was given."""
    given = {setting.field: getattr(args, setting.field) for setting in SETTING_FLAGS
             if getattr(args, setting.field, None) is not None}
    if not given:
        return None  # nothing to validate: the schema (pydantic) is not loaded
    from runner.config_schema import Settings

    return Settings.model_validate(given)


def overrides_from(args: argparse.Namespace, env: Environment) -> CliOverrides:
    """Everything `pm-runner repl` was told on its command line."""
    from runner.cli.project_root import project_from
    from runner.config import CliOverrides, PermissionMode, ProjectMode
    from runner.logs.store.logs_root import choose_logs_dir

    return CliOverrides(
        project=project_from(args.project, env) if not args.project_mode or args.project_mode == "cwd" else env.cwd,
        project_mode=ProjectMode(args.project_mode) if args.project_mode else None,
        project_root=args.project_root,
        non_interactive=args.non_interactive,
        print_project_path=args.print_project_path,
        trust_project=args.trust_project,
        logs_choice=choose_logs_dir(args.logs_dir, env.environ, env.cwd),
        settings=settings_from(args),
        permission_mode=PermissionMode(args.permission_mode) if args.permission_mode else None,
        allowed_tools=tuple(args.allowed_tools),
        loop=loop_settings_from(args),
    )
