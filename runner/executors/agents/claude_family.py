"""Agents that print Claude Code's stream-json shape, read natively: `amp` (Amp) and `qwen` (Qwen Code).

Their invocations come from their documentation (research §1.4); neither was run for real here.
- amp: `amp --dangerously-allow-all -x PROMPT --stream-json` (without the flag Amp refuses shell
  commands in execute mode); resume `amp threads continue THREAD --dangerously-allow-all -x ...`;
  thread ids start with `T-`; no model in the stream, usage per assistant message.
- qwen: `qwen -p PROMPT --output-format stream-json --approval-mode yolo` (a Gemini CLI fork:
  without an approval mode its write tools are refused); resume `--resume ID`; the model is on
  `system/session_start`, usage on `result`.
"""

from __future__ import annotations

from runner.executors.base import ExecutorTask
from runner.executors.formats.claude_shaped import AMP, QWEN, ClaudeShapedDecoder
from runner.executors.native import AgentProfile, NativeAgentExecutor


def amp_argv(program: str, task: ExecutorTask) -> list[str]:
    """`amp [threads continue ID] --dangerously-allow-all -x PROMPT --stream-json` (no model flag)."""
    head = [program, "threads", "continue", task.resume_token] if task.resume_token else [program]
    return [*head, "--dangerously-allow-all", "-x", task.prompt, "--stream-json"]


def qwen_argv(program: str, task: ExecutorTask) -> list[str]:
    """`qwen -p PROMPT --output-format stream-json --approval-mode yolo [-m M] [--resume ID]`."""
    prompt = [f"--prompt={task.prompt}"] if task.prompt.startswith("-") else ["-p", task.prompt]
    argv = [program, *prompt, "--output-format", "stream-json", "--approval-mode", "yolo"]
    if task.model:
        argv += ["-m", task.model]
    if task.resume_token:
        argv += ["--resume", task.resume_token]
    return argv


AMP_PROFILE = AgentProfile(
    executor="amp", label="Amp", program="amp", argv=amp_argv, decoder=lambda: ClaudeShapedDecoder(AMP),
    install_hint="install Amp with `npm install -g @sourcegraph/amp`, then run `amp login` (or set AMP_API_KEY)",
    stderr_meanings={"not found": "Amp has no such thread to resume; type the request again to start afresh"},
)
QWEN_PROFILE = AgentProfile(
    executor="qwen", label="Qwen Code", program="qwen", argv=qwen_argv, decoder=lambda: ClaudeShapedDecoder(QWEN),
    install_hint="install Qwen Code with `npm install -g @qwen-code/qwen-code`, then run `qwen` once to log in",
    stderr_meanings={"No saved session found": "Qwen Code has no such session to resume; type the request "
                                               "again to start afresh"},
)


class AmpExecutor(NativeAgentExecutor):
    """Amp in execute mode, its stream-json read natively."""

    def __init__(self) -> None:
        super().__init__(AMP_PROFILE)


class QwenExecutor(NativeAgentExecutor):
    """Qwen Code headless, its stream-json read natively."""

    def __init__(self) -> None:
        super().__init__(QWEN_PROFILE)
