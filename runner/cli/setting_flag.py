"""One setting as a flag of `pm-runner repl`: the tables of `cli/options.py` and `cli/loop_options.py` are
made of these rows."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SettingFlag:
    """One setting as a flag of `pm-runner repl`: the `Settings` field it sets and how it is typed."""

    field: str
    flag: str
    help: str
    metavar: str | None = None
    choices: tuple[str, ...] | None = None
    type: Callable[[str], Any] = str
    repeatable: bool = False  # given several times, the values make a list

    @property
    def dest(self) -> str:
        """The argparse destination: the field, with a section's dot made an underscore."""
        return self.field.replace(".", "_")


def model_name(text: str) -> str:
    """The value of `--model`, `--escalate-model` or `--fallback-model`; one that looks like a secret
    is refused without being echoed (issue 9 item 8)."""
    from runner.logs.masking import find_secret  # only when --model is given: the table loads then

    rule = find_secret(text)
    if rule is not None:
        raise argparse.ArgumentTypeError(f"refused: the value looks like a secret ({rule}); "
                                         "give a model name, e.g. claude-sonnet-4-5")
    return text
