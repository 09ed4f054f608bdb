"""Executors for agent CLIs whose stream pm-runner reads natively (codex, gemini, ...), on one shared path.

Each agent is an `AgentProfile`: its program, its command line (first run and resume), its
stream decoder, and what its exit codes mean when the stream has no result. The status comes
from the stream's own result (DESIGN §7: the exit code alone is never trusted):

| stream says | result |
|---|---|
| no result line | FAILED: "<agent> ended without a result (exit code N): <why>" |
| failed / max turns | FAILED, EXECUTOR_FAILED / MAX_TURNS, the agent's message |
| success, exit code not 0 | FAILED, the exit code and the last meaningful stderr line |
| success, a write refused and nothing written | FAILED, what was refused |
| success | SUCCEEDED; a question (request, or a final message that asks) with no claims is a clarification |
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from runner.errors import ExecutorUnavailableError
from runner.executors.base import EventSink, ExecutorResult, ExecutorStatus, ExecutorTask
from runner.executors.failure_kind import from_error_text
from runner.executors.failure_reason import meaningful_stderr_line
from runner.executors.formats.fold import Decoder, ItemFold
from runner.executors.formats.items import Outcome, UsageItem
from runner.executors.outcome import is_question
from runner.executors.streams import OutputBudget
from runner.executors.supervise import SpawnSpec, supervise
from runner.executors.supervised_run import SupervisedRun
from runner.logs.masking import mask_and_truncate
from runner.logs.models import ErrorCode, Metrics

_STDERR_ONLY = frozenset({"stderr"})
_REASON_CHARS = 1_000


@dataclass(frozen=True)
class AgentProfile:
    """Everything agent-specific about a natively read agent CLI."""

    executor: str  # the executor name
    label: str  # how messages name the agent, e.g. "Codex"
    program: str
    argv: Callable[[str, ExecutorTask], list[str]]  # (program path, task) -> command line
    decoder: Callable[[], Decoder]
    install_hint: str
    # Exit codes that explain a run without a result line: code -> (error code, words).
    exit_meanings: Mapping[int, tuple[ErrorCode, str]] = field(default_factory=dict)
    # stderr phrases that explain a failure better than the last line: phrase -> words.
    stderr_meanings: Mapping[str, str] = field(default_factory=dict)


class NativeAgentExecutor:
    """Runs one agent CLI under the supervisor and folds its stream into a result."""

    warning: str | None = None

    def __init__(self, profile: AgentProfile) -> None:
        self.profile = profile
        self.name = profile.executor
        # Running totals already counted per session, for formats whose usage is cumulative (Codex).
        self._totals: dict[str, UsageItem] = {}

    def check_available(self) -> None:
        if shutil.which(self.profile.program) is None:
            raise ExecutorUnavailableError(
                f"the {self.name} executor needs the `{self.profile.program}` CLI, which is not on PATH",
                hint=self.profile.install_hint)

    def run(self, task: ExecutorTask, sink: EventSink) -> ExecutorResult:
        self.check_available()
        profile = self.profile
        program = shutil.which(profile.program) or profile.program
        budget = OutputBudget(sink)
        fold = ItemFold(profile.decoder(), budget, profile.label)
        # stdout is structured: its lines feed the fold, not prompt detection or output events.
        spec = SpawnSpec(argv=profile.argv(program, task), cwd=task.project_root, executor=self.name,
                         event_streams=_STDERR_ONLY, prompt_streams=_STDERR_ONLY)
        run = supervise(spec, task, sink, fold)
        budget.close()
        usage = self._usage(fold, task)
        early = run.early_result()
        if early is not None:
            early.claimed_files = fold.claimed_files()
            early.usage = usage
            early.resume_token = fold.session_id or task.resume_token
            early.final_message = fold.final_text
            return early
        return decide(profile, fold, run, usage, task.resume_token)

    def _usage(self, fold: ItemFold, task: ExecutorTask) -> Metrics | None:
        """This task's usage: a running total minus what earlier tasks of the same session counted."""
        item = fold.usage
        model = (item.model if item else None) or fold.model or task.model
        if item is None:
            return Metrics(model=model) if model else None
        if item.running_total and fold.session_id:
            before = self._totals.get(fold.session_id) if fold.session_id == task.resume_token else None
            self._totals[fold.session_id] = item
            if before is not None:
                item = UsageItem(_minus(item.input_tokens, before.input_tokens),
                                 _minus(item.cached_input_tokens, before.cached_input_tokens),
                                 _minus(item.output_tokens, before.output_tokens))
        return Metrics(model=model, input_tokens=item.input_tokens, cache_read_input_tokens=item.cached_input_tokens,
                     output_tokens=item.output_tokens, cost_usd=item.cost_usd, duration_ms=item.duration_ms,
                     num_turns=item.num_turns)


def decide(profile: AgentProfile, fold: ItemFold, run: SupervisedRun, usage: Metrics | None,
           resumed: str | None) -> ExecutorResult:
    """The status from the stream's result, with the exit code as a witness (the table above)."""
    claims = fold.claimed_files()
    final = fold.final_text or (fold.question.text if fold.question else "")
    base = ExecutorResult(status=ExecutorStatus.SUCCEEDED, exit_code=run.exit_code, final_message=final,
                          claimed_files=claims, usage=usage, resume_token=fold.session_id or resumed)
    failure = _failure(profile, fold, run, wrote=bool(claims))
    if failure is not None:
        base.status, base.error_code = ExecutorStatus.FAILED, failure[0]
        base.error_message = mask_and_truncate(failure[1], _REASON_CHARS)
        # The agent's own error words say whether a retry or the fallback model may help (review loop);
        # a turn limit is neither.
        if failure[0] is ErrorCode.EXECUTOR_FAILED:
            base.failure_kind = from_error_text(failure[1])
        return base
    base.is_question = fold.question is not None or (not claims and is_question(final))
    return base


def _failure(profile: AgentProfile, fold: ItemFold, run: SupervisedRun, *,
             wrote: bool) -> tuple[ErrorCode, str] | None:
    label, result = profile.label, fold.result
    if result is None:
        code, meaning = profile.exit_meanings.get(run.exit_code or 0, (ErrorCode.EXECUTOR_FAILED, ""))
        why = f"{label} ended without a result (exit code {run.exit_code})"
        detail = meaning or _stderr_reason(profile, run)
        return code, f"{why}: {detail}" if detail else why
    if result.outcome is Outcome.MAX_TURNS:
        return ErrorCode.MAX_TURNS, f"{label} stopped at its turn limit: {result.message}"
    if result.outcome is Outcome.FAILED:
        kind = f" ({result.error_type})" if result.error_type else ""
        return ErrorCode.EXECUTOR_FAILED, f"{label} reported a failure{kind}: {result.message}"
    if run.exit_code not in (0, None):
        detail = _stderr_reason(profile, run)
        why = f"{label} reported success but exited with code {run.exit_code}"
        return ErrorCode.EXECUTOR_FAILED, f"{why}: {detail}" if detail else why
    if fold.denials and not wrote:
        shown = "; ".join(dict.fromkeys(fold.denials))
        return ErrorCode.EXECUTOR_FAILED, f"{label} was refused a write and wrote nothing: {shown}"
    return None


def _stderr_reason(profile: AgentProfile, run: SupervisedRun) -> str:
    for line in reversed(run.stderr_tail):
        for phrase, words in profile.stderr_meanings.items():
            if phrase in line:
                return words
    return meaningful_stderr_line(run.stderr_tail)


def _minus(total: int | None, before: int | None) -> int | None:
    if total is None or before is None:
        return total
    return max(total - before, 0)
