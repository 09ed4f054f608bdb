"""The `opencode` executor: `opencode run --format json --auto [-m provider/model] [--session ID] PROMPT`.

Without `--auto` opencode rejects every permission request (edits, shell) in a headless run;
the session id (`sessionID` on every line) is the resume token. Not run for real here; flags
from opencode's run command (research §1.4).
"""

from __future__ import annotations

from runner.executors.base import ExecutorTask
from runner.executors.formats.opencode_json import OpencodeDecoder
from runner.executors.native import AgentProfile, NativeAgentExecutor


def build_argv(program: str, task: ExecutorTask) -> list[str]:
    argv = [program, "run", "--format", "json", "--auto"]
    if task.model:
        argv += ["-m", task.model]
    if task.resume_token:
        argv += ["--session", task.resume_token]
    return [*argv, task.prompt]


PROFILE = AgentProfile(
    executor="opencode", label="opencode", program="opencode", argv=build_argv, decoder=OpencodeDecoder,
    install_hint="install opencode with `npm install -g opencode-ai`, then run `opencode auth login`",
    stderr_meanings={"Session not found": "opencode has no such session to resume; type the request again "
                                          "to start afresh"},
)


class OpencodeExecutor(NativeAgentExecutor):
    """opencode headless, its JSON lines read natively."""

    def __init__(self) -> None:
        super().__init__(PROFILE)
