"""The `cursor` executor: `cursor-agent -p --output-format stream-json --force [--model M] [--resume ID] PROMPT`.

`--force` lets it run shell commands without asking (it cannot ask: stdin is /dev/null); the
session id is the resume token. Not run for real here (closed source); flags from cursor.com's
CLI reference (research §1.4).
"""

from __future__ import annotations

from runner.executors.base import ExecutorTask
from runner.executors.formats.cursor_stream import CursorDecoder
from runner.executors.native import AgentProfile, NativeAgentExecutor


def build_argv(program: str, task: ExecutorTask) -> list[str]:
    argv = [program, "-p", "--output-format", "stream-json", "--force"]
    if task.model:
        argv += ["--model", task.model]
    if task.resume_token:
        argv += ["--resume", task.resume_token]
    return [*argv, task.prompt]


PROFILE = AgentProfile(
    executor="cursor", label="Cursor", program="cursor-agent", argv=build_argv, decoder=CursorDecoder,
    install_hint="install Cursor's CLI with `curl https://cursor.com/install -fsS | bash`, then run "
                 "`cursor-agent login` (or set CURSOR_API_KEY)",
    stderr_meanings={"Session": "Cursor has no such session to resume; type the request again to start afresh"},
)


class CursorExecutor(NativeAgentExecutor):
    """Cursor's agent CLI headless, its stream-json read natively."""

    def __init__(self) -> None:
        super().__init__(PROFILE)
