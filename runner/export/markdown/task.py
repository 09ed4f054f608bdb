"""The 12-section task report of seed 000 (PRD 0020) in Markdown, with its JSON checkpoint block.

Sections, always all twelve and in this order, "—" when there is nothing to say: 1 Correlation
ID / Task Summary, 2 Input Micro-Task, 3 Plan, 4 Execute, 5 Test, 6 Debug, 7 Retry, 8 Checkpoint
(with the `{section: value}` JSON snapshot the seed asks for), 9 Output Artifacts, 10 Failure
Analysis, 11 Ball With / Ownership, 12 Final Status. The report is capped at 100 kB: long lists
(events, tool calls, files) lose their middle first, with an explicit `[… N events elided …]`.
"""

from __future__ import annotations

from typing import Any

import orjson

from runner.export.markdown import text as md
from runner.export.masked import MaskedSession
from runner.export.task_facts import TaskFacts
from runner.views.fields import format_duration, format_timestamp

MAX_REPORT_BYTES = 100 * 1024
SECTION_TITLES = (
    "1. Correlation ID / Task Summary", "2. Input Micro-Task", "3. Plan", "4. Execute", "5. Test",
    "6. Debug", "7. Retry", "8. Checkpoint", "9. Output Artifacts", "10. Failure Analysis",
    "11. Ball With / Ownership", "12. Final Status",
)


class _Sections:
    """The twelve section bodies of one task; `keep` limits every long list to its head and tail."""

    def __init__(self, facts: TaskFacts, keep: int | None) -> None:
        self.f, self.keep = facts, keep
        self.log = facts.log

    def _list(self, items: list[str]) -> str:
        return md.bullets(md.head_and_tail(items, self.keep))

    def summary(self) -> str:
        log, f = self.log, self.f
        rows = [["Session", md.code(log.session_id, in_table=True)], ["Thread / run", f"{md.code(log.thread_id, in_table=True)} / {md.code(log.run_id, in_table=True)}"],
                ["Task", f"{md.code(log.task_id, in_table=True)} ({md.code(log.external_task_id, in_table=True)})"],
                ["Continues", md.code(log.parent_task_id, in_table=True) if log.parent_task_id else md.EMPTY],
                ["Status", f"**{log.status.value.upper()}**"], ["Executor / model", md.inline(f.executor_model)],
                ["Started", format_timestamp(log.started_at) + " UTC"],
                ["Ended", format_timestamp(log.ended_at) + (" UTC" if log.ended_at else "")],
                ["Duration", format_duration(f.duration_ms)], ["Summary", md.inline(log.prompt_summary)]]
        return md.table(["Field", "Value"], rows)

    def input(self) -> str:
        if not self.f.prompt:
            return md.EMPTY
        lead = f"Answer to the question of {md.code(self.log.parent_task_id)}:\n\n" if self.f.is_answer else ""
        return lead + md.block(self.f.prompt)

    def plan(self) -> str:
        return self._list([md.inline(item) for item in self.f.plan_items])

    def execute(self) -> str:
        parts = []
        if self.f.command:
            parts.append(f"Command: {md.code(self.f.command)}")
        if self.f.calls:
            rows = [[md.inline(c.tool, 60), md.code(c.target, in_table=True) if c.target else md.EMPTY,
                     _call_result(c.is_error), format_duration(self.f.call_duration_ms(c))] for c in self.f.calls]
            parts.append(md.table(["Tool", "Target", "Result", "Duration"], _rows_head_tail(rows, self.keep)))
        if self.f.output_lines:
            tail = md.head_and_tail(self.f.output_lines, self.keep)
            parts.append("Output:\n\n" + md.block("\n".join(tail)))
        return "\n\n".join(parts) or md.EMPTY

    def test(self) -> str:
        items = [f"{md.code(c.target)}: {_call_result(c.is_error)}" for c in self.f.test_calls]
        items += [md.inline(line) for line in self.f.evidence_lines]
        return self._list(items)

    def debug(self) -> str:
        return self._list([md.inline(line) for line in self.f.debug_lines])

    def retry(self) -> str:
        return self._list([md.inline(line) for line in self.f.retry_lines])

    def checkpoint(self) -> str:
        log = self.log
        items = [f"Resume token: {md.code(log.resume_token) if log.resume_token else md.EMPTY}",
                 f"Updated: {format_timestamp(log.updated_at or log.ended_at or log.started_at)} UTC",
                 f"Log: {md.code(self.f.log_path)}",
                 f"Last event: {md.code(log.events[-1].event_id)} {md.inline(log.events[-1].event_type.value)}"]
        snapshot = orjson.dumps(self.f.checkpoint(), option=orjson.OPT_INDENT_2).decode()
        return md.bullets(items) + "\n\nCheckpoint (JSON, one value per section):\n\n" + md.block(
            snapshot, language="json", limit=20_000)

    def artifacts(self) -> str:
        return self._list([f"{md.code(path)} ({md.inline(what)})" for path, what in self.f.artifact_lines])

    def failure(self) -> str:
        return self._list([md.inline(line) for line in self.f.failure_lines])

    def ball(self) -> str:
        return md.inline(self.f.ball_with)

    def final(self) -> str:
        return f"**{self.f.final_status}** ({md.inline(self.log.status.value)}) — {md.inline(self.f.metrics_line)}"

    def bodies(self) -> list[str]:
        return [self.summary(), self.input(), self.plan(), self.execute(), self.test(), self.debug(),
                self.retry(), self.checkpoint(), self.artifacts(), self.failure(), self.ball(), self.final()]


def _call_result(is_error: bool | None) -> str:
    return "running or no result" if is_error is None else ("error" if is_error else "ok")


def _rows_head_tail(rows: list[list[str]], keep: int | None) -> list[list[str]]:
    if keep is None or len(rows) <= 2 * keep:
        return rows
    marker = [md.elided(len(rows) - 2 * keep), "", "", ""]
    return rows[:keep] + [marker] + rows[len(rows) - keep:]


def _document(facts: TaskFacts, keep: int | None) -> str:
    log = facts.log
    title = f"# Task report: {log.task_id} ({log.status.value.upper()})"
    sections = [f"## {heading}\n\n{body}" for heading, body in zip(SECTION_TITLES, _Sections(facts, keep).bodies(),
                                                                     strict=True)]
    return "\n\n".join([title, *sections]) + "\n"


def render_task_markdown(session: MaskedSession, task_id: str) -> str:
    """The report of one task of `session`, at most `MAX_REPORT_BYTES` of UTF-8."""
    facts = TaskFacts.of(session, task_id)
    text = _document(facts, None)
    if len(text.encode()) <= MAX_REPORT_BYTES:
        return text
    low, high = 0, facts.longest_list()  # the largest head/tail that fits; 0 always fits
    while low < high:
        middle = (low + high + 1) // 2
        if len(_document(facts, middle).encode()) <= MAX_REPORT_BYTES:
            low = middle
        else:
            high = middle - 1
    return _document(facts, low)


def checkpoint_of(session: MaskedSession, task_id: str) -> dict[str, Any]:
    """The JSON checkpoint alone (the seed's `{section: value}`)."""
    return TaskFacts.of(session, task_id).checkpoint()
