"""The review loop's flags of `pm-runner repl`: one row per key of the config file's `review`, `budget`
and `models` sections (spec/review-loop.md), so a flag and its config key cannot drift apart.

Nothing heavy is imported here: `--help` stays fast.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from runner.cli.setting_flag import SettingFlag, model_name

if TYPE_CHECKING:
    from runner.loop_settings import LoopSettings


def at_least(least: int) -> Callable[[str], int]:
    """An argparse type: a whole number not below `least`."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < least:
            raise argparse.ArgumentTypeError(f"expected a number of at least {least}, got {text}")
        return value

    return parse


def usd(text: str) -> float:
    """An argparse type: a positive amount in US dollars (`2.50` or `$2.50`)."""
    try:
        value = float(text.removeprefix("$"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an amount in US dollars such as 2.50, got {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive amount in US dollars, got {text}")
    return value


# `field` is the key's path in the config file: section.key.
LOOP_FLAGS: tuple[SettingFlag, ...] = (
    SettingFlag("review.mode", "--review", "judge each pass and send the agent back when it fails (auto: on for "
                "agent executors such as claude-code, and for any executor once --check is given)",
                choices=("on", "off", "auto")),
    SettingFlag("review.checks", "--check", "a command run in the project after each pass (repeatable); a non-zero "
                "exit rejects the pass and its output goes back to the agent, e.g. --check 'pytest -q'",
                metavar="CMD", repeatable=True),
    SettingFlag("review.max_iterations", "--max-iterations", "review iterations before the task ends incomplete "
                "(default 3)", metavar="N", type=at_least(1)),
    SettingFlag("review.max_retries", "--max-retries", "retries of a pass after a transient failure such as an "
                "overloaded API (default 2)", metavar="N", type=at_least(0)),
    SettingFlag("models.escalate", "--escalate-model", "when the iterations run out, try once more in a fresh loop "
                "with this model", metavar="NAME", type=model_name),
    SettingFlag("models.fallback", "--fallback-model", "re-run a pass on this model when the agent reports its "
                "model unavailable", metavar="NAME", type=model_name),
    SettingFlag("budget.max_cost_usd", "--max-cost-usd", "session budget in US dollars: warn at 80%%, stop and "
                "refuse new tasks at 100%%", metavar="X", type=usd),
    SettingFlag("budget.max_task_cost_usd", "--max-task-cost-usd", "budget of one task in US dollars",
                metavar="Y", type=usd),
    SettingFlag("budget.max_tokens", "--max-tokens", "session budget in tokens (input + output), for agents whose "
                "cost is unknown", metavar="N", type=at_least(1)),
)


def add_loop_flags(repl: argparse.ArgumentParser) -> None:
    """The loop's flags, in their own group of `pm-runner repl --help`."""
    group = repl.add_argument_group("review loop, retries and budgets (see spec/review-loop.md)")
    for flag in LOOP_FLAGS:
        group.add_argument(flag.flag, dest=flag.dest, metavar=flag.metavar, choices=flag.choices, type=flag.type,
                           help=flag.help, action="append" if flag.repeatable else "store")


def loop_settings_from(args: argparse.Namespace) -> LoopSettings | None:
    """The loop's sections as the flags gave them (a flag not given stays unset); None when none was given."""
    sections: dict[str, dict[str, Any]] = {}
    for flag in LOOP_FLAGS:
        value = getattr(args, flag.dest, None)
        if value is not None:
            section, key = flag.field.split(".")
            sections.setdefault(section, {})[key] = value
    if not sections:
        return None  # nothing to validate: the schema (pydantic) is not loaded
    from runner.loop_settings import LoopSettings

    return LoopSettings.model_validate(sections)
