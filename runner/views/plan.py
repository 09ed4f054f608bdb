"""How a plan reads on screen: the block shown before a chunked request runs, the `/plan` preview, and
the list of parts in a chunked task's result (spec/planning.md "What you see").

Plain lines a script can grep (`PLAN:`, `SUBTASKS:`); every request text in them is masked,
neutralised and kept to one line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from runner.logs.vocabulary import EventType, PlanMode
from runner.views.fields import one_line
from runner.views.rows import Entry
from runner.views.safe_text import safe_str

if TYPE_CHECKING:  # annotations only: the list's log ids need neither the models nor the planner's types
    from runner.logs.models import TaskLog
    from runner.orchestration.planning.model import Plan

ITEM_CHARS = 100
REASON_CHARS = 120
FILES_SHOWN = 5


def plan_block(plan: Plan) -> list[str]:
    """`PLAN: N subtasks (...)` and one line per part, with what it waits for."""
    lines = [f"PLAN: {len(plan.items)} subtasks from the {plan.structure} (size {plan.size.size})"]
    for item in plan.items:
        waits = plan.depends_on(item.number)
        after = f"  (after {', '.join(map(str, waits))})" if waits else ""
        lines.append(f"  {item.number}. {one_line(item.text, ITEM_CHARS)}{after}")
    return lines


def plan_preview(plan: Plan, here: str) -> list[str]:
    """`/plan TEXT`: the size, the decision and its reason, the parts with every dependency's reason,
    the order and groups, and what would happen here (`here`)."""
    size = plan.size
    lines = [f"Plan for: {one_line(plan.request, ITEM_CHARS)}",
             f"Size: {size.size} (items {size.items}, files {len(size.files)}, symbols {len(size.symbols)}, "
             f"length {size.length}; set by {size.decided_by})",
             f"Decision: {one_line(plan.decision.reason, 300)}"]
    reasons = {(d.item, d.on): d.reason for d in plan.dependencies}
    for item in plan.items:
        waits = [f"after {on}: {one_line(reasons[(item.number, on)], REASON_CHARS)}"
                 for on in plan.depends_on(item.number)]
        lines.append(f"  {item.number}. {one_line(item.text, ITEM_CHARS)}" + (f"  ({'; '.join(waits)})" if waits else ""))
    for text in plan.left_out:
        lines.append(f"  (checked, left out: {one_line(text, ITEM_CHARS)})")
    if plan.chunked:
        groups = " then ".join("[" + ", ".join(map(str, group)) + "]" for group in plan.groups)
        lines.append(f"Order: {', '.join(map(str, plan.order))}, one at a time; could run in parallel: {groups}")
    lines += [f"  note: {one_line(note, 200)}" for note in plan.notes]
    lines.append(f"Here: {safe_str(here)}")
    lines.append("Nothing was run or logged.")
    return lines


def planning_note(mode: PlanMode, executor: str | None, *, active: bool) -> str:
    """Whether new requests are planned now, and why."""
    name = executor or "no executor"
    if active:
        return f"requests to {name} are planned and split when they list their parts"
    if mode is PlanMode.OFF:
        return "requests run whole"
    return f"requests to {name} run whole (--plan auto plans for agent executors; /plan always splits them)"


def preview_verdict(plan: Plan, *, mode: PlanMode, active: bool, note: str, problem: str | None) -> str:
    """What `/plan TEXT` says would happen to TEXT here and now."""
    if problem is not None:
        return f"nothing would run: {problem}"
    if not active:
        return f"runs as one task: {note}"
    if plan.chunked:
        return f"runs as {len(plan.items)} subtasks, in order (--plan {mode.value})"
    return "runs as one task"


def aggregate_of(log: TaskLog) -> dict[str, Any] | None:
    """The CHUNKING_AGGREGATION content of a chunked task, or None for any other task."""
    return next((e.content for e in reversed(log.events) if e.event_type is EventType.CHUNKING_AGGREGATION), None)


def subtask_lines(log: TaskLog) -> list[str]:
    """`SUBTASKS: X of N complete (...)` and one line per part, for a chunked task that has concluded."""
    aggregate = aggregate_of(log)
    if aggregate is None:
        return []
    parts = [p for p in aggregate.get("subtasks", []) if isinstance(p, dict)]
    done = sum(p.get("status") == "complete" for p in parts)
    return [f"SUBTASKS: {done} of {len(parts)} complete ({safe_str(aggregate.get('summary', ''))})",
            *("  " + line for line in parts_lines(log))]


def parts_lines(log: TaskLog) -> list[str]:
    """One line per part of a chunked task: its task, status, text, files or why not. Before the task
    concludes (or when it was recovered after a crash) the parts created so far, with what is known."""
    aggregate = aggregate_of(log)
    if aggregate is not None:
        parts = [p for p in aggregate.get("subtasks", []) if isinstance(p, dict)]
    else:
        ended = {e.content.get("subtask_id"): e.content for e in log.events
                 if e.event_type in (EventType.SUBTASK_COMPLETE, EventType.SUBTASK_FAILED)}
        created = [e.content for e in log.events if e.event_type is EventType.SUBTASK_CREATED]
        parts = [ended.get(c.get("subtask_id")) or {**c, "status": "not finished"} for c in created]
    width = max((len(str(p.get("status", ""))) for p in parts), default=0)
    return [_part_line(part, width) for part in parts]


def _part_line(part: dict[str, Any], width: int) -> str:
    status = str(part.get("status", "?"))
    line = f"{safe_str(part.get('number', '?'))}. {safe_str(part.get('subtask_id', '?'))} {status.upper().ljust(width)}"
    line += f"  {one_line(part.get('text', ''), 60)}"
    files = [str(f) for f in part.get("files", [])]
    if files:
        shown = ", ".join(one_line(f, 60) for f in files[:FILES_SHOWN])
        more = f" (+{len(files) - FILES_SHOWN} more)" if len(files) > FILES_SHOWN else ""
        line += f"  files: {shown}{more}"
    elif status != "complete" and part.get("reason"):
        line += f"  ({one_line(part['reason'], REASON_CHARS)})"
    if part.get("carried_over"):
        line += "  (done in an earlier run)"
    return line


def split_subtasks(entries: list[Entry]) -> tuple[list[Entry], dict[str, list[Entry]]]:
    """The rows that stand on their own, and each chunked task's parts by its id (a part whose
    parent is not among `entries` stands on its own)."""
    ids = {entry.task_id for entry in entries}
    tops: list[Entry] = []
    parts_of: dict[str, list[Entry]] = {}
    for entry in entries:
        parent = entry.parent_task_id
        if entry.subtask_index is not None and parent is not None and parent in ids:
            parts_of.setdefault(parent, []).append(entry)
        else:
            tops.append(entry)
    return tops, parts_of


SUBTASK_MARK = "└ "


def log_id_label(entry: Entry) -> str:
    """A row's log id as lists show it: a chunked task's part is marked as under the row above."""
    return SUBTASK_MARK + entry.task_id if entry.subtask_index is not None else entry.task_id
