"""`pm-runner doctor`: the agent CLIs on PATH with their versions and login state, which one `repl` would
use, and whether each API key is set (never its value). Exit 0 when some agent CLI is installed, else 1."""

from __future__ import annotations

import argparse

from runner import __version__
from runner.cli.env import Environment
from runner.errors import ExitStatus

_NO_AGENT_HINT = ("HINT: install one of them, or run without an agent: --executor shell, or --executor command "
                  "--executor-cmd 'my-agent {prompt}'")


def doctor_lines(environ: dict[str, str]) -> tuple[list[str], bool]:
    """What `doctor` prints, and whether an agent CLI was found."""
    from runner.executors.detect import all_statuses, status_lines
    from runner.executors.keys import key_statuses
    from runner.executors.registry import default_executor, default_order_text

    chosen = default_executor()
    lines = [f"pm-runner {__version__}", "Executors (* = the one `pm-runner repl` uses without --executor):",
             *status_lines(all_statuses(check_login=True), chosen, hints=True), ""]
    if chosen is None:
        lines += [f"No agent CLI found on PATH (looked for: {default_order_text()})", _NO_AGENT_HINT]
    else:
        lines.append(f"Default executor: {chosen} (the first agent CLI found on PATH in the order "
                     f"{default_order_text()})")
    rows = key_statuses({}, environ)
    width = max(len(row.env_var) for row in rows)
    lines += ["", "API keys (values are never shown):",
              *(f"  {row.env_var.ljust(width)}  {'SET' if row.is_set else 'NOT SET'}  ({row.provider})" for row in rows)]
    return lines, chosen is not None


def run_doctor(args: argparse.Namespace, env: Environment) -> ExitStatus:
    from runner.views.safe_text import safe_str

    lines, found = doctor_lines(dict(env.environ))
    for line in lines:
        env.stdout.write(safe_str(line) + "\n")
    env.stdout.flush()
    return ExitStatus.SUCCESS if found else ExitStatus.ERROR
