"""The `aider` executor: `aider --message PROMPT --yes-always --no-stream --no-pretty [--model M]`.

aider has no JSON output and no way to resume a conversation from the command line, so its text
is read line by line (`formats/aider_text.py`) and a question is answered with a fresh run whose
prompt carries the original request, the question and the answer. `--no-check-update` and
`--no-analytics` keep a headless run from updating itself or phoning home. It exits 0 whatever
happened: the verdict comes from its lines.
"""

from __future__ import annotations

from runner.executors.base import ExecutorTask
from runner.executors.formats.aider_text import AiderDecoder
from runner.executors.native import AgentProfile, NativeAgentExecutor


def build_argv(program: str, task: ExecutorTask) -> list[str]:
    argv = [program, "--message", task.prompt, "--yes-always", "--no-stream", "--no-pretty",
            "--no-check-update", "--no-analytics"]
    if task.model:
        argv += ["--model", task.model]
    return argv


PROFILE = AgentProfile(
    executor="aider", label="aider", program="aider", argv=build_argv, decoder=AiderDecoder,
    install_hint="install aider with `python -m pip install aider-install && aider-install`, and set the "
                 "API key of your model's provider (e.g. ANTHROPIC_API_KEY)",
)


class AiderExecutor(NativeAgentExecutor):
    """aider with one message, its text read line by line."""

    def __init__(self) -> None:
        super().__init__(PROFILE)
