"""A session in Markdown: a header, one summary table with totals, then one short block per task.

For pasting into a pull request or a CI summary; each task's full 12-section report is one
`pm-runner logs report TASK_ID --format md` away.
"""

from __future__ import annotations

from runner.export.markdown import text as md
from runner.export.masked import MaskedSession
from runner.export.task_facts import TaskFacts
from runner.export.usage_totals import Usage, model_of, total_of, usage_of
from runner.logs.models import TaskLog
from runner.views.fields import (
    count_statuses,
    counts_phrase,
    format_cost,
    format_duration,
    format_timestamp,
)

_BLOCK_TEXT = 300


def _number(value: int | None) -> str:
    return md.EMPTY if value is None else str(value)


def _usage_cells(usage: Usage) -> list[str]:
    return [_number(usage.input_tokens), _number(usage.output_tokens),
            format_cost(usage.cost_usd) if usage.cost_usd is not None else md.EMPTY,
            format_duration(usage.duration_ms) if usage.duration_ms is not None else md.EMPTY]


def _row(log: TaskLog) -> list[str]:
    executor = log.executor.name if log.executor else md.EMPTY
    return [md.code(log.task_id, in_table=True), f"**{log.status.value.upper()}**",
            format_timestamp(log.started_at), md.inline(f"{executor} / {model_of(log)}", 60),
            *_usage_cells(usage_of(log)), md.inline(log.prompt_summary, 60)]


def _header(session: MaskedSession) -> str:
    facts = session.facts
    logs = session.logs
    executors = sorted({log.executor.name for log in logs if log.executor})
    models = sorted({model_of(log) for log in logs})
    counts = counts_phrase(count_statuses(log.status for log in logs)) or "no tasks"
    first = min((log.started_at for log in logs), default=session.started_at)
    last = max((log.ended_at or log.started_at for log in logs), default=None)
    lines = [f"- Project: {md.inline(facts.project_name or md.EMPTY)}",
             f"- Executors: {md.inline(', '.join(executors) or md.EMPTY)}; models: {md.inline(', '.join(models) or md.EMPTY)}",
             f"- Tasks: {len(logs)} ({md.inline(counts)})",
             f"- From {format_timestamp(first)} to {format_timestamp(last)} UTC"]
    lines += [f"- Left out: {md.code(item.task_id)} ({md.inline(item.reason)})" for item in session.left_out]
    return "\n".join(lines)


def _task_block(session: MaskedSession, log: TaskLog) -> str:
    facts = TaskFacts.of(session, log.task_id)
    lines = [f"### {md.code(log.task_id)} {log.status.value.upper()}", "",
             f"- Prompt: {md.inline(facts.prompt or md.EMPTY, _BLOCK_TEXT)}"]
    if log.error_reason:
        lines.append(f"- Why: {md.inline(f'[{log.error_code.value if log.error_code else log.status.value}] {log.error_reason}', _BLOCK_TEXT)}")
    if facts.verified or facts.missing:
        lines.append(f"- Files: {md.inline(', '.join(facts.verified) or md.EMPTY)}"
                     + (f"; missing: {md.inline(', '.join(facts.missing))}" if facts.missing else ""))
    if facts.calls:
        failed = sum(1 for call in facts.calls if call.is_error)
        lines.append(f"- Tool calls: {len(facts.calls)}" + (f" ({failed} failed)" if failed else ""))
    if facts.final_message:
        lines.append(f"- Final message: {md.inline(facts.final_message, _BLOCK_TEXT)}")
    lines.append(f"- Full report: {md.code(f'pm-runner logs report {log.task_id} --session {log.session_id} --format md')}")
    return "\n".join(lines)


def render_session_markdown(session: MaskedSession) -> str:
    """The session summary: header, task table with a totals row, one block per task."""
    total = total_of(session.logs)
    rows = [_row(log) for log in session.logs]
    rows.append(["**Total**", md.EMPTY, md.EMPTY, md.EMPTY, *_usage_cells(total), f"{total.tasks} tasks"])
    table = md.table(["Task", "Status", "Started (UTC)", "Executor / model", "Input tokens", "Output tokens",
                      "Cost", "Duration", "Prompt"], rows)
    blocks = [_task_block(session, log) for log in session.logs]
    parts = [f"# Session report: {session.session_id}", _header(session), "## Tasks", table, *blocks]
    return "\n\n".join(parts) + "\n"
