"""The `gemini` executor: `gemini --output-format stream-json --skip-trust --approval-mode yolo -p PROMPT`.

`-p` is needed for a headless run (a positional prompt starts the interactive UI). Without an
approval mode Gemini CLI drops its write and shell tools and "succeeds" having done nothing, and
without `--skip-trust` an untrusted folder exits 55. Stdin is /dev/null: a non-terminal stdin
is prepended to the prompt. The session id is the resume token (`--resume ID`).
"""

from __future__ import annotations

from runner.executors.base import ExecutorTask
from runner.executors.formats.gemini_stream import GeminiDecoder
from runner.executors.native import AgentProfile, NativeAgentExecutor
from runner.logs.models import ErrorCode

APPROVAL_MODE = "yolo"


def build_argv(program: str, task: ExecutorTask) -> list[str]:
    """The command line; the prompt is the value of `-p`, joined as `--prompt=...` when it starts with `-`
    (yargs would read it as an option)."""
    argv = [program, "--output-format", "stream-json", "--skip-trust", "--approval-mode", APPROVAL_MODE]
    if task.model:
        argv += ["-m", task.model]
    if task.resume_token:
        argv += ["--resume", task.resume_token]
    if task.prompt.startswith("-"):
        return [*argv, f"--prompt={task.prompt}"]
    return [*argv, "-p", task.prompt]


# Exit codes of Gemini CLI (packages/core/src/utils/errors.ts) for runs that printed no result.
EXIT_MEANINGS = {
    41: (ErrorCode.EXECUTOR_FAILED, "Gemini CLI is not authenticated; run `gemini` once to log in, "
                                    "or set GEMINI_API_KEY"),
    42: (ErrorCode.EXECUTOR_FAILED, "Gemini CLI refused its input (an unknown --resume session is one "
                                    "cause; type the request again to start a fresh run)"),
    52: (ErrorCode.EXECUTOR_FAILED, "Gemini CLI's configuration is invalid"),
    53: (ErrorCode.MAX_TURNS, "Gemini CLI reached its session turn limit"),
    55: (ErrorCode.EXECUTOR_FAILED, "Gemini CLI does not trust this folder"),
}

PROFILE = AgentProfile(
    executor="gemini", label="Gemini CLI", program="gemini", argv=build_argv, decoder=GeminiDecoder,
    install_hint="install Gemini CLI with `npm install -g @google/gemini-cli`, then run `gemini` once to "
                 "log in (or set GEMINI_API_KEY)",
    exit_meanings=EXIT_MEANINGS,
    stderr_meanings={"Error resuming session": "Gemini CLI has no such session to resume; type the request "
                                               "again to start a fresh run"},
)


class GeminiExecutor(NativeAgentExecutor):
    """Gemini CLI headless, its stream-json read natively."""

    def __init__(self) -> None:
        super().__init__(PROFILE)
