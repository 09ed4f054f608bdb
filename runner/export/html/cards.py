"""Session › Thread › Run › Task, as nested `<details>`, each task a card with everything it did.

A card holds the prompt, status, error, files (claimed / verified / missing), one `<details>` per
tool call, the final message, the clarification question and its answer, review iterations and
subtasks when present, and the usage line. Failed cards start open.
"""

from __future__ import annotations

from runner.export.html.text import (
    EMPTY,
    PREVIEW_LINES,
    badge,
    cost,
    duration,
    esc,
    number,
    path_list,
    pre,
)
from runner.export.masked import MaskedSession
from runner.export.otlp.spans import is_failure
from runner.export.task_facts import TaskFacts
from runner.export.task_parts import Phase, ToolCall
from runner.logs.models import TaskLog


def _tool_call(call: ToolCall, facts: TaskFacts) -> str:
    state = "no result" if call.is_error is None else ("error" if call.is_error else "ok")
    target = f" <code>{esc(call.target)}</code>" if call.target else ""
    body = pre(call.result_preview, limit_lines=PREVIEW_LINES) if call.result_preview else '<p class="note">No output recorded.</p>'
    css = "tool err" if call.is_error else "tool"
    return (f'<details class="{css}" data-testid="tool-call"><summary><b>{esc(call.tool)}</b>{target} · {state} · '
            f"{duration(facts.call_duration_ms(call))}</summary>"
            f'<p class="note">call <code>{esc(call.call_id)}</code> at {esc(call.started_at)}</p>{body}</details>')


def _phase(phase: Phase) -> str:
    outcome = esc(phase.outcome) if phase.outcome else "in progress"
    return f"<li>{esc(phase.kind.replace('_', ' '))} <b>{esc(phase.name)}</b>: {outcome}</li>"


def _row(label: str, value: str) -> str:
    return f"<dt>{label}</dt><dd>{value}</dd>"


def _clarification(facts: TaskFacts) -> str:
    if not facts.question:
        return ""
    answer = facts.answer
    answered = (f'{pre(answer.prompt_summary)}<p class="note">answered in <a href="#{esc(answer.task_id)}">'
                f"{esc(answer.task_id)}</a></p>") if answer else '<p class="note">Not answered yet.</p>'
    return _row("Question", pre(facts.question)) + _row("Answer", answered)


def _error(log: TaskLog) -> str:
    if not log.error_reason:
        return ""
    code = esc(log.error_code.value) if log.error_code else EMPTY
    return _row("Error", f"<b>[{code}]</b> {esc(log.error_reason)}")


def _usage_line(log: TaskLog, facts: TaskFacts) -> str:
    m = log.metrics
    return (f"{number(m.input_tokens if m else None)} in / {number(m.output_tokens if m else None)} out tokens · "
            f"{cost(m.cost_usd if m else None)} · {duration(facts.duration_ms)} · {esc(facts.executor_model)}")


def task_card(session: MaskedSession, log: TaskLog) -> str:
    facts = TaskFacts.of(session, log.task_id)
    failed = is_failure(log)
    calls = "".join(_tool_call(call, facts) for call in facts.calls) or EMPTY
    phases = "".join(_phase(p) for p in facts.phases)
    parent = (f' · continues <a href="#{esc(log.parent_task_id)}">{esc(log.parent_task_id)}</a>'
              if log.parent_task_id else "")
    rows = [
        _row("Prompt", pre(facts.prompt, limit_lines=PREVIEW_LINES)), _row("Status", badge(log.status) + parent),
        _error(log), _row("Files claimed", path_list(facts.claimed)), _row("Files verified", path_list(facts.verified)),
        _row("Files missing", path_list(facts.missing)), _row(f"Tool calls ({len(facts.calls)})", calls),
        _row("Final message", pre(facts.final_message, limit_lines=PREVIEW_LINES)), _clarification(facts),
        _row("Review and subtasks", f"<ul>{phases}</ul>") if phases else "", _row("Usage", _usage_line(log, facts)),
        _row("Resume token", f"<code>{esc(log.resume_token)}</code>") if log.resume_token else "",
    ]
    return (f'<details class="task{" failed" if failed else ""}" id="{esc(log.task_id)}" data-testid="task-card"'
            f' data-status="{log.status.value}"{" open" if failed else ""}><summary>{badge(log.status)} '
            f'<span class="mono">{esc(log.task_id)}</span> {esc(log.prompt_summary)}</summary>'
            f'<dl class="card">{"".join(rows)}</dl></details>')


def tree_section(session: MaskedSession) -> str:
    """Threads in the order they started, runs inside them, task cards inside the runs."""
    threads: dict[str, dict[str, list[TaskLog]]] = {}
    for log in session.logs:
        threads.setdefault(log.thread_id, {}).setdefault(log.run_id, []).append(log)
    parts = []
    for thread_id, runs in threads.items():
        first = next(iter(runs.values()))[0]
        inner = "".join(
            f'<details class="run" open><summary>Run <span class="mono">{esc(run_id)}</span> · {len(logs)} task(s)'
            f'</summary>{"".join(task_card(session, log) for log in logs)}</details>'
            for run_id, logs in runs.items())
        parts.append(f'<details class="thread" open data-testid="thread"><summary>Thread <span class="mono">'
                     f"{esc(thread_id)}</span> · {esc(first.prompt_summary)}</summary>{inner}</details>")
    return (f'<section id="tasks"><h2>Session › Thread › Run › Task</h2><details class="session" open><summary>'
            f'Session <span class="mono">{esc(session.session_id)}</span></summary>{"".join(parts)}</details></section>')
