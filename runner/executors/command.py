"""The `command` executor: any agent CLI from a template such as `codex exec {prompt}`.

The template is split like a shell would split it, but nothing runs through a shell: the
prompt replaces `{prompt}` inside a single argument (or is appended as the last one).
"""

from __future__ import annotations

import shlex
import shutil

from runner.errors import ExecutorUnavailableError
from runner.executors.base import EventSink, ExecutorResult, ExecutorTask
from runner.executors.outcome import exited_result
from runner.executors.supervise import SpawnSpec, supervise

PLACEHOLDER = "{prompt}"
_TEMPLATE_HINT = ("give one with --executor-cmd, e.g. --executor-cmd 'codex exec --sandbox workspace-write "
                  "{prompt}' or 'gemini --skip-trust --approval-mode auto_edit -p {prompt}', or set "
                  "executor_cmd in .claude/runner.config.json")


def parse_template(template: str | None) -> list[str]:
    """The template's words; an empty or unbalanced template is an error with a hint."""
    if template is None or not template.strip():
        raise ExecutorUnavailableError("the command executor needs a command template", hint=_TEMPLATE_HINT)
    try:
        words = shlex.split(template)
    except ValueError as exc:
        raise ExecutorUnavailableError(f"cannot parse the command template: {exc}",
                                       hint=_TEMPLATE_HINT) from None
    if not words:
        raise ExecutorUnavailableError("the command executor needs a command template", hint=_TEMPLATE_HINT)
    return words


def build_argv(words: list[str], prompt: str) -> list[str]:
    """Put the prompt into the words: each `{prompt}` is replaced in place, else it goes last."""
    if any(PLACEHOLDER in word for word in words):
        return [word.replace(PLACEHOLDER, prompt) for word in words]
    return [*words, prompt]


class CommandExecutor:
    """Runs an agent CLI built from a template under the supervisor."""

    name = "command"
    warning: str | None = None

    def __init__(self, template: str | None) -> None:
        self.template = template

    def check_available(self) -> None:
        program = parse_template(self.template)[0]
        if shutil.which(program) is None:
            raise ExecutorUnavailableError(
                f"the command executor cannot find {program!r} on PATH",
                hint="install it, fix --executor-cmd, or pick another executor with --executor",
            )

    def run(self, task: ExecutorTask, sink: EventSink) -> ExecutorResult:
        words = parse_template(self.template)
        program = shutil.which(words[0]) or words[0]
        argv = build_argv([program, *words[1:]], task.prompt)
        run = supervise(SpawnSpec(argv=argv, cwd=task.project_root, executor=self.name), task, sink)
        return run.early_result() or exited_result(run, detect_question=True, agent_output=True)
