"""The `claude-code` executor: `claude -p --output-format stream-json --verbose` under the supervisor.

The exit code alone is not trusted (DESIGN §7): the status comes from the final `result` line
(`subtype`, `is_error`, `permission_denials`), and a stream without one is an error. The
session id is the resume token, passed back as `--resume <id>` to answer a question.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from runner.errors import ExecutorUnavailableError
from runner.executors.base import (
    AgentPermissions,
    EventSink,
    ExecutorResult,
    ExecutorStatus,
    ExecutorTask,
)
from runner.executors.claude_facts import result_error
from runner.executors.claude_stream import WRITE_TOOLS, StreamJsonParser
from runner.executors.denied_tool import DeniedTool
from runner.executors.failure_kind import FailureKind, from_error_text, from_http_status
from runner.executors.outcome import is_question
from runner.executors.streams import OutputBudget
from runner.executors.supervise import SpawnSpec, supervise
from runner.executors.supervised_run import SupervisedRun
from runner.logs.masking import mask_and_truncate, mask_text
from runner.logs.models import BlockedReason, ErrorCode

PROGRAM = "claude"
_STDERR_ONLY = frozenset({"stderr"})
_INSTALL_HINT = ("install Claude Code with `npm install -g @anthropic-ai/claude-code` (then run `claude` "
                 "once to log in), or pick another executor: --executor shell, or --executor command "
                 "--executor-cmd 'codex exec --sandbox workspace-write {prompt}'")


def build_argv(program: str, task: ExecutorTask, permissions: AgentPermissions | None = None) -> list[str]:
    """The command line; the prompt is the last argument, after `--` when it looks like an option.

    `--allowedTools` takes several values, so the rules go after an `=` in one argument: given
    as separate words it would swallow the prompt too.
    """
    permissions = permissions or AgentPermissions()
    argv = [program, "-p", "--output-format", "stream-json", "--verbose", "--permission-mode", permissions.mode]
    if permissions.allowed_tools:
        argv.append("--allowedTools=" + ",".join(permissions.allowed_tools))
    if task.model:
        argv += ["--model", task.model]
    if task.resume_token:
        argv += ["--resume", task.resume_token]
    if task.prompt.startswith("-"):
        argv.append("--")
    argv.append(task.prompt)
    return argv


class ClaudeCodeExecutor:
    """Runs Claude Code headless and reads its stream-json."""

    name = "claude-code"
    warning: str | None = None

    def __init__(self, permissions: AgentPermissions | None = None) -> None:
        self.permissions = permissions or AgentPermissions()

    def check_available(self) -> None:
        if shutil.which(PROGRAM) is None:
            raise ExecutorUnavailableError(
                "the claude-code executor needs the `claude` CLI (Claude Code), which is not on PATH",
                hint=_INSTALL_HINT)

    def run(self, task: ExecutorTask, sink: EventSink) -> ExecutorResult:
        self.check_available()
        program = shutil.which(PROGRAM) or PROGRAM
        budget = OutputBudget(sink)
        parser = StreamJsonParser(budget)
        # stdout is structured: its lines feed the parser, not prompt detection or output events.
        spec = SpawnSpec(argv=build_argv(program, task, self.permissions), cwd=task.project_root, executor=self.name,
                         event_streams=_STDERR_ONLY, prompt_streams=_STDERR_ONLY)
        run = supervise(spec, task, sink, parser)
        budget.close()
        early = run.early_result()
        if early is not None:
            early.claimed_files = parser.claimed_files()
            early.usage = parser.usage()
            early.resume_token = parser.session_id
            early.final_message = parser.last_text
            early.notices = parser.notices
            if early.blocked_reason is BlockedReason.TIMEOUT and run.silent:
                # Not one line in the whole run: a hung connection, not an agent at work.
                early.failure_kind = FailureKind.TRANSIENT
            return early
        return result_from_stream(parser, run, task.project_root)


def result_from_stream(parser: StreamJsonParser, run: SupervisedRun, root: Path | None = None) -> ExecutorResult:
    """Decide the executor status from the `result` line, with the exit code as a witness only."""
    claims = parser.claimed_files()
    record = parser.result
    final = _final_message(parser, record)
    denied = parser.denied_tools()
    failure = _failure(record, run)
    if failure is None and denied and not claims:
        failure = ErrorCode.EXECUTOR_FAILED, denials_reason(denied, root)
    # A write that was refused still names a file the task meant to produce: verification checks it.
    claims += [d.target for d in denied if d.tool in WRITE_TOOLS and d.target and d.target not in claims]
    base: dict[str, Any] = {
        "exit_code": run.exit_code, "final_message": final, "claimed_files": claims,
        "usage": parser.usage(), "resume_token": parser.session_id, "denied_tools": denied,
        "notices": parser.notices,
    }
    if failure is not None:
        code, why = failure
        return ExecutorResult(status=ExecutorStatus.FAILED, error_code=code,
                              error_message=mask_and_truncate(why, 1_000), failure_kind=_failure_kind(record, why),
                              **base)
    asks = not claims and not denied and is_question(final)
    why_denied = mask_and_truncate(denials_reason(denied, root), 1_000) if denied else None
    return ExecutorResult(status=ExecutorStatus.SUCCEEDED, is_question=asks, error_message=why_denied, **base)


def _failure_kind(record: dict[str, Any] | None, why: str) -> FailureKind | None:
    """The API status Claude Code reports for a failed model call, else what its error text says."""
    status = record.get("api_error_status") if record is not None else None
    by_status = from_http_status(status) if isinstance(status, int) and not isinstance(status, bool) else None
    return by_status or from_error_text(why)


def _final_message(parser: StreamJsonParser, record: dict[str, Any] | None) -> str:
    text = record.get("result") if record is not None else None
    return mask_text(text) if isinstance(text, str) and text.strip() else parser.last_text


def _failure(record: dict[str, Any] | None, run: SupervisedRun) -> tuple[ErrorCode, str] | None:
    """Why the run failed, or None when the `result` line reports success (denials are judged apart)."""
    if record is None:
        last = next((line for line in reversed(run.stderr_tail) if line.strip()), "")
        why = f"Claude Code ended without a result line (exit code {run.exit_code})"
        return ErrorCode.EXECUTOR_FAILED, f"{why}: {last.strip()}" if last else why
    error = result_error(record)
    if error is None:
        return None
    why = mask_text(error.reason) + (f"; {error.hint}" if error.hint else "")
    return (ErrorCode.MAX_TURNS if error.kind == "max_turns" else ErrorCode.EXECUTOR_FAILED), why


def denials_reason(denied: list[DeniedTool], root: Path | None = None) -> str:
    """Which calls Claude Code refused (paths relative to the project) and the setting that allows each kind."""
    prefix = f"{root}{os.sep}" if root is not None else None
    labels = [d.label.replace(prefix, "", 1) if prefix else d.label for d in denied[:5]]
    shown = ", ".join(labels) + (f" and {len(denied) - 5} more" if len(denied) > 5 else "")
    fixes = []
    if any(d.tool in WRITE_TOOLS for d in denied):
        fixes.append("allow writes with --permission-mode acceptEdits")
    fixes += [f"allow it with --allowed-tools '{_rule(d)}'" for d in denied if d.tool not in WRITE_TOOLS][:3]
    return f"Claude Code was denied permission for: {shown} ({'; '.join(fixes)})"


def _rule(denied: DeniedTool) -> str:
    return f"{denied.tool}({denied.target})" if denied.tool == "Bash" and denied.target else denied.tool
