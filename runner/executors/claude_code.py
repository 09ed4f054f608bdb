"""The `claude-code` executor: `claude -p --output-format stream-json --verbose` under the supervisor.

The exit code alone is not trusted (DESIGN §7): the status comes from the final `result` line
(`subtype`, `is_error`, `permission_denials`), and a stream without one is an error. The
session id is the resume token, passed back as `--resume <id>` to answer a question.
"""

from __future__ import annotations

import shutil
from typing import Any

from runner.errors import ExecutorUnavailableError
from runner.executors.base import EventSink, ExecutorResult, ExecutorStatus, ExecutorTask
from runner.executors.claude_stream import WRITE_TOOLS, StreamJsonParser
from runner.executors.outcome import is_question
from runner.executors.streams import OutputBudget
from runner.executors.supervise import SpawnSpec, supervise
from runner.executors.supervised_run import SupervisedRun
from runner.logs.masking import mask_and_truncate, mask_text
from runner.logs.models import ErrorCode

PROGRAM = "claude"
_STDERR_ONLY = frozenset({"stderr"})
_INSTALL_HINT = ("install Claude Code with `npm install -g @anthropic-ai/claude-code` (then run `claude` "
                 "once to log in), or pick another executor: --executor shell, or --executor command "
                 "--executor-cmd 'codex exec --sandbox workspace-write {prompt}'")


def build_argv(program: str, task: ExecutorTask) -> list[str]:
    """The command line; the prompt is the last argument, after `--` when it looks like an option."""
    argv = [program, "-p", "--output-format", "stream-json", "--verbose"]
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
        spec = SpawnSpec(argv=build_argv(program, task), cwd=task.project_root, executor=self.name,
                         event_streams=_STDERR_ONLY, prompt_streams=_STDERR_ONLY)
        run = supervise(spec, task, sink, parser)
        budget.close()
        early = run.early_result()
        if early is not None:
            early.claimed_files = parser.claimed_files()
            early.usage = parser.usage()
            early.resume_token = parser.session_id
            early.final_message = parser.last_text
            return early
        return result_from_stream(parser, run)


def result_from_stream(parser: StreamJsonParser, run: SupervisedRun) -> ExecutorResult:
    """Decide the executor status from the `result` line, with the exit code as a witness only."""
    claims = parser.claimed_files()
    record = parser.result
    final = _final_message(parser, record)
    failure = _failure(record, run, wrote_files=bool(claims))
    # A write that was refused still names a file the task meant to produce: verification checks it.
    claims += [path for path in _denied_writes(record) if path not in claims]
    base: dict[str, Any] = {
        "exit_code": run.exit_code, "final_message": final, "claimed_files": claims,
        "usage": parser.usage(), "resume_token": parser.session_id,
    }
    if failure is not None:
        code, why = failure
        return ExecutorResult(status=ExecutorStatus.FAILED, error_code=code,
                              error_message=mask_and_truncate(why, 1_000), **base)
    asks = not claims and is_question(final)
    return ExecutorResult(status=ExecutorStatus.SUCCEEDED, is_question=asks, **base)


def _final_message(parser: StreamJsonParser, record: dict[str, Any] | None) -> str:
    text = record.get("result") if record is not None else None
    return mask_text(text) if isinstance(text, str) and text.strip() else parser.last_text


def _failure(record: dict[str, Any] | None, run: SupervisedRun, *,
             wrote_files: bool) -> tuple[ErrorCode, str] | None:
    """Why the run failed, or None when the `result` line reports success.

    Permission denials fail the run only when nothing was written; otherwise the disk decides.
    """
    if record is None:
        last = next((line for line in reversed(run.stderr_tail) if line.strip()), "")
        why = f"Claude Code ended without a result line (exit code {run.exit_code})"
        return ErrorCode.EXECUTOR_FAILED, f"{why}: {last.strip()}" if last else why
    subtype = record.get("subtype")
    detail = record.get("result") if isinstance(record.get("result"), str) else ""
    if subtype == "error_max_turns":
        return ErrorCode.MAX_TURNS, f"Claude Code stopped at its turn limit ({record.get('num_turns')} turns)"
    if record.get("is_error") is True or (isinstance(subtype, str) and subtype != "success"):
        why = f"Claude Code reported an error ({subtype or 'is_error'})"
        return ErrorCode.EXECUTOR_FAILED, f"{why}: {mask_text(str(detail))}" if detail else why
    denials = record.get("permission_denials")
    if isinstance(denials, list) and denials and not wrote_files:
        return ErrorCode.EXECUTOR_FAILED, _denials_message(denials)
    return None


def _denied_writes(record: dict[str, Any] | None) -> list[str]:
    denials = record.get("permission_denials") if record is not None else None
    paths: list[str] = []
    for denial in denials if isinstance(denials, list) else []:
        tool_input = denial.get("tool_input") if isinstance(denial, dict) else None
        path = tool_input.get("file_path") if isinstance(tool_input, dict) else None
        tool = denial.get("tool_name") if isinstance(denial, dict) else None
        if isinstance(path, str) and isinstance(tool, str) and tool in WRITE_TOOLS:
            paths.append(path)
    return paths


def _denials_message(denials: list[Any]) -> str:
    names = []
    for denial in denials[:5]:
        if isinstance(denial, dict):
            raw_input = denial.get("tool_input")
            tool_input: dict[str, Any] = raw_input if isinstance(raw_input, dict) else {}
            target = tool_input.get("file_path") or tool_input.get("command") or ""
            names.append(f"{denial.get('tool_name', 'tool')} {target}".strip())
    shown = ", ".join(names) or f"{len(denials)} tool call(s)"
    return mask_text(f"Claude Code was denied permission for: {shown} (allow these tools in "
                     ".claude/settings.json or choose a permission mode in the Claude Code settings)")
