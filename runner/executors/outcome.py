"""Turning a child that exited on its own into an `ExecutorResult`, and spotting a final question.

Shared by the executors whose output is plain text (`shell`, `command`); `claude-code`
reads its status from the stream instead but uses the same question rule.
"""

from __future__ import annotations

from runner.executors.base import ExecutorResult, ExecutorStatus
from runner.executors.failure_kind import from_error_text
from runner.executors.failure_reason import failure_reason, meaningful_stderr_line
from runner.executors.supervised_run import SupervisedRun
from runner.logs.models import ErrorCode

FINAL_MESSAGE_LINES = 20
FINAL_MESSAGE_CHARS = 4_000
# Markdown emphasis and closing quotes that may follow the question mark of a question line.
_TRAILING_DECORATION = "*_`'\")] \t"


def is_question(message: str) -> bool:
    """True when the message ends with a question or contains a line that is one."""
    for line in message.strip().splitlines():
        if line.strip().rstrip(_TRAILING_DECORATION).endswith("?"):
            return True
    return False


def final_message(lines: list[str]) -> str:
    """The last non-blank lines of masked output, as the run's closing words."""
    kept = [line for line in lines if line.strip()][-FINAL_MESSAGE_LINES:]
    text = "\n".join(kept)
    return text[-FINAL_MESSAGE_CHARS:]


def exited_result(run: SupervisedRun, *, detect_question: bool, agent_output: bool = False) -> ExecutorResult:
    """Exit code 0 is success; anything else is a failure naming the code and why.

    Why: the last meaningful stderr line; for an agent CLI (`agent_output`) a JSON-lines error on
    stdout comes first (Codex `turn.failed`, Gemini's error `result`), since its stderr often ends
    with a notice or a stack dump.
    """
    message = final_message(run.stdout_tail) or final_message(run.stderr_tail)
    if run.exit_code == 0:
        asks = detect_question and is_question(message)
        return ExecutorResult(status=ExecutorStatus.SUCCEEDED, exit_code=0, final_message=message,
                              is_question=asks)
    if agent_output:
        reason = failure_reason(run.stdout_tail, run.stderr_tail)
    else:
        reason = meaningful_stderr_line(run.stderr_tail)
    why = f"Executor exited with code {run.exit_code}"
    if reason:
        why += f": {reason.strip()}"
    # Only an agent CLI's own error words say a failure was transient; a shell command's never do.
    kind = from_error_text(reason) if agent_output else None
    return ExecutorResult(status=ExecutorStatus.FAILED, exit_code=run.exit_code, final_message=message,
                          error_message=why, error_code=ErrorCode.EXECUTOR_FAILED, failure_kind=kind)
