"""The `codex` executor: `codex exec --json --sandbox workspace-write --skip-git-repo-check PROMPT`.

Stdin is /dev/null (the supervisor's default): with a prompt argument Codex also reads a
non-terminal stdin to its end, and a pipe left open would hang it. The thread id is the resume
token; `codex exec resume` refuses `--sandbox`, so the resumed run gets the same sandbox as a
`-c sandbox_mode=...` override (flags are not remembered across resume).
"""

from __future__ import annotations

from runner.executors.base import ExecutorTask
from runner.executors.formats.codex_jsonl import CodexDecoder
from runner.executors.native import AgentProfile, NativeAgentExecutor
from runner.logs.models import ErrorCode

SANDBOX = "workspace-write"


def build_argv(program: str, task: ExecutorTask) -> list[str]:
    """The command line; the prompt is the last argument, after `--` when it looks like an option."""
    if task.resume_token:
        argv = [program, "exec", "resume", task.resume_token, "--json", "--skip-git-repo-check",
                "-c", f'sandbox_mode="{SANDBOX}"']
    else:
        argv = [program, "exec", "--json", "--sandbox", SANDBOX, "--skip-git-repo-check"]
    if task.model:
        argv += ["-m", task.model]
    if task.prompt.startswith("-"):
        argv.append("--")
    argv.append(task.prompt)
    return argv


PROFILE = AgentProfile(
    executor="codex", label="Codex", program="codex", argv=build_argv, decoder=CodexDecoder,
    install_hint="install Codex CLI with `npm install -g @openai/codex`, then run `codex login`",
    stderr_meanings={
        "no rollout found for thread id": "Codex has no such thread to resume; type the request again "
                                          "to start a fresh run",
        "Not inside a trusted directory": "Codex refused the folder (not a git repository)",
        "Not logged in": "Codex is not logged in; run `codex login`",
    },
    exit_meanings={2: (ErrorCode.EXECUTOR_FAILED, "Codex refused its command line (usage error)")},
)


class CodexExecutor(NativeAgentExecutor):
    """Codex CLI headless, its JSON lines read natively."""

    def __init__(self) -> None:
        super().__init__(PROFILE)
