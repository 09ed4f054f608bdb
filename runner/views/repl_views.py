"""The REPL's own blocks: the result block after each task, `/tasks` and `/status` (DESIGN §9).

Plain lines a script can grep (`RESULT: ...`, `Total: ...`); every logged value in them is
masked, neutralised and kept to one line.
"""

from __future__ import annotations

from collections.abc import Sequence

from runner.logs.models import RunnerDecision, TaskLog, TaskLogEntry, TaskStatus
from runner.orchestration.budget import BudgetLimits, Spend, SpendReport
from runner.views.fields import STATUS_STYLES, Counts, count_statuses, counts_phrase, one_line
from runner.views.plain import Block, Line, Span
from runner.views.plan import aggregate_of, split_subtasks, subtask_lines
from runner.views.rows import Entry
from runner.views.safe_text import SafeStrings, safe_str

WHY_CHARS = 200
REASON_CHARS = 100
EMPTY_TASKS = "No tasks in this session yet."

# DESIGN §9 prints two result words: COMPLETE, or ERROR for any task that did not complete;
# the exit code and `/logs` tell incomplete from error.
_RESULT_WORD = {
    TaskStatus.COMPLETE: "COMPLETE",
    TaskStatus.INCOMPLETE: "INCOMPLETE",
    TaskStatus.ERROR: "ERROR",
}

# `/tasks` sections, in the order a person needs them: what failed, what runs, what waits, what is done.
_SECTIONS: tuple[tuple[str, tuple[TaskStatus, ...]], ...] = (
    ("Failed", (TaskStatus.ERROR, TaskStatus.INCOMPLETE)),
    ("Active", (TaskStatus.RUNNING,)),
    ("Pending", (TaskStatus.QUEUED,)),
    ("Completed", (TaskStatus.COMPLETE,)),
)


def summary_block(log: TaskLog, spend: SpendReport | None = None) -> list[str]:
    """`RESULT:` / `TASK:` (/ `SUBTASKS:`) / `NEXT:` (/ `WHY:`) (/ `WARNING:`) (/ `SPENT:` when a budget is set) /
    `HINT:` lines for a task that just ended."""
    task_id = safe_str(log.task_id)
    logs_command = f"/logs {task_id}"
    result = _RESULT_WORD.get(log.status, log.status.value.upper())
    place = f" (part {log.subtask_index} of {safe_str(log.parent_task_id)})" if log.subtask_index else ""
    head = [f"RESULT: {result}", f"TASK: {task_id}{place}", *subtask_lines(log)]
    spent = [f"SPENT: {spend_text(spend)}"] if spend is not None and spend.limits.any else []
    if log.status is TaskStatus.COMPLETE:
        return [*head, "NEXT: (none)", *warning_lines(log), *spent, f"HINT: {logs_command}"]
    # NEXT is the step to take; HINT adds something NEXT did not say (never the same command twice).
    hint = f"{logs_command} --full shows the executor's own events"
    if log.runner_decision is RunnerDecision.CLARIFY:
        next_step, hint = f"type your answer, or {logs_command}", "/skip drops the question"
    elif aggregate_of(log) is not None:
        next_step = f"/retry {task_id} runs the subtasks that did not complete again, or {logs_command}"
    else:
        next_step = logs_command
    lines = [*head, f"NEXT: {next_step}"]
    if log.error_reason:
        lines.append(f"WHY: {one_line(log.error_reason, WHY_CHARS)}")
    lines.extend(warning_lines(log))
    lines += spent
    lines.append(f"HINT: {hint}")
    return lines


def warning_lines(log: TaskLog) -> list[str]:
    """`WARNING:` lines for what verification could not count but the user must see."""
    lines = []
    sensitive = log.sensitive_files_modified
    if sensitive:
        shown = ", ".join(sensitive[:5]) + (f" and {len(sensitive) - 5} more" if len(sensitive) > 5 else "")
        lines.append(f"WARNING: {one_line('sensitive hidden file(s) changed: ' + shown, WHY_CHARS)}")
    summary = log.evidence_summary
    if summary is not None and not summary.verification_complete:
        lines.append(f"WARNING: {one_line('verification incomplete: ' + summary.verification_reason, WHY_CHARS)}")
    return lines


def _usd(value: float) -> str:
    return f"${value:.4f}"


def spend_text(report: SpendReport) -> str:
    """`$0.0123 this task; session $0.0246 of $0.0300 (82%); 2 passes of unknown cost`."""
    parts = []
    if report.task_cost_usd is not None:
        parts.append(f"{_usd(report.task_cost_usd)} this task")
    parts.append(f"session {session_spend(report.limits, report.session)}")
    return "; ".join(parts)


def session_spend(limits: BudgetLimits, spent: Spend) -> str:
    """The session's spend against each of its limits (or with none)."""
    money = _usd(spent.cost_usd)
    if not limits.any:
        unknown = f"; {spent.unpriced_passes} pass(es) of unknown cost" if spent.unpriced_passes else ""
        return f"none set ({money} spent{unknown})"
    if limits.max_cost_usd is not None:
        money += f" of {_usd(limits.max_cost_usd)} ({int(100 * spent.cost_usd / limits.max_cost_usd)}%)"
    parts = [money]
    if limits.max_task_cost_usd is not None:
        parts.append(f"per-task limit {_usd(limits.max_task_cost_usd)}")
    if limits.max_tokens is not None:
        parts.append(f"{spent.tokens} of {limits.max_tokens} tokens ({int(100 * spent.tokens / limits.max_tokens)}%)")
    if spent.unpriced_passes:
        parts.append(f"{spent.unpriced_passes} pass(es) of unknown cost not counted in dollars")
    return ", ".join(parts)


FILES_SHOWN = 8


def result_preface(log: TaskLog) -> list[str]:
    """At a terminal, before the RESULT block: the agent's question, and the files verified as changed."""
    lines: list[str] = []
    if log.runner_decision is RunnerDecision.CLARIFY and log.error_reason:
        question = log.error_reason
        for prefix in ("Clarification needed: ", "Executor asked a question: "):
            question = question.removeprefix(prefix)
        lines.append(f"QUESTION: {one_line(question, WHY_CHARS)}")
    changed = [*log.artifacts.files_created, *log.artifacts.files_modified, *log.artifacts.files_deleted]
    if changed:
        shown = ", ".join(safe_str(path) for path in changed[:FILES_SHOWN])
        more = f" (+{len(changed) - FILES_SHOWN} more)" if len(changed) > FILES_SHOWN else ""
        lines.append(f"FILES: {shown}{more}")
    return lines


def tasks_renderable(entries: Sequence[Entry]) -> Block:
    """`/tasks`: sections Failed, Active, Pending, Completed (empty ones left out), then totals.

    A chunked task's parts are listed under it, indented, whatever their own status.
    """
    block = Block()
    if not entries:
        block.add(EMPTY_TASKS)
    shown = SafeStrings()
    tops, parts_of = split_subtasks(list(entries))
    for title, statuses in _SECTIONS:
        rows = [entry for entry in tops if entry.status in statuses]
        if rows:
            block.add(f"{title}:", "bold")
            for entry in rows:
                block.lines.append(_task_row(entry, shown))
                block.lines += [_task_row(child, shown, subtask=True) for child in parts_of.get(entry.task_id, [])]
    block.add(total_line(count_statuses(entry.status for entry in entries)))
    return block


def _task_row(entry: Entry, shown: SafeStrings, *, subtask: bool = False) -> Line:
    # One line per task whatever the width: an over-long row ends with an ellipsis.
    lead = f"    {entry.subtask_index}. " if subtask else "  "
    spans: list[Span] = [(f"{lead}{shown(entry.external_task_id)} [log: {shown(entry.task_id)}] ", ""),
                         (entry.status.value.upper(), STATUS_STYLES.get(entry.status, "")),
                         (f"  files: {entry.files_modified_count}", "")]
    if entry.status in (TaskStatus.ERROR, TaskStatus.INCOMPLETE) and entry.error_reason:
        spans.append((f"  {one_line(entry.error_reason, REASON_CHARS)}", ""))
    return Line(spans)


def total_line(counts: Counts) -> str:
    """`Total: N (complete X, incomplete Y, error Z, running R, queued Q)`."""
    parts = ", ".join(
        f"{name} {getattr(counts, name)}"
        for name in ("complete", "incomplete", "error", "running", "queued")
    )
    return f"Total: {counts.total} ({parts})"


def status_lines(
    *,
    session_id: str | None,
    project_root: str,
    executor: str | None,
    model: str | None,
    durability: str,
    counts: Counts | None = None,
    entries: Sequence[TaskLogEntry] | None = None,
    executor_problem: str | None = None,
    project_mode: str | None = None,
    interactive: bool | None = None,
    loop: Sequence[str] = (),
) -> list[str]:
    """`/status`: where the runner works, with what, how durably, and how its tasks went.

    Counts come from `counts`, else are counted from `entries`, else are zero.
    """
    if counts is None:
        counts = count_statuses(entry.status for entry in entries or ())
    root = safe_str(project_root) + (f" ({safe_str(project_mode)})" if project_mode else "")
    executor_line = f"Executor: {safe_str(executor) if executor else '(not set)'}"
    if executor_problem:
        executor_line += f" (not usable: {one_line(executor_problem, REASON_CHARS)})"
    lines = [
        f"Session: {safe_str(session_id) if session_id else '(none yet)'}",
        f"Project: {root}",
        executor_line,
        f"Model: {safe_str(model) if model else '(executor default)'}",
        f"Durability: {safe_str(durability)}",
    ]
    if interactive is not None:
        lines.append(f"Mode: {'interactive' if interactive else 'non-interactive'}")
    lines += [safe_str(line) for line in loop]
    phrase = counts_phrase(counts)
    lines.append(f"Tasks: {counts.total}" + (f" ({phrase})" if phrase else ""))
    return lines
