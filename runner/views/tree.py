"""The `/logs --tree` view: session → thread → run → task (→ its review iterations and a chunked task's
parts), with box-drawing guides (seed 003 §3.5).

Each task line shows its status and its first and last event types. Index rows only know
those two types, not each event's stored visibility, so a type whose default visibility
is `full` is left out at summary visibility (the arrow is shown only when both ends are).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain
from typing import TYPE_CHECKING, Any

from runner.logs.vocabulary import EventType, RunnerDecision, TaskStatus, Visibility
from runner.views.fields import STATUS_STYLES, omitted_note, one_line
from runner.views.json_contract import SCHEMA_VERSION
from runner.views.plain import Block, Line, Span
from runner.views.plan import split_subtasks
from runner.views.rows import Entry
from runner.views.safe_text import SafeStrings, safe_json, safe_str

if TYPE_CHECKING:  # a tree of stored rows never loads pydantic (rows validate their review iterations)
    from runner.logs.models import ReviewIteration

EMPTY_TREE = "No tasks in this session yet."
NO_MATCH = "No tasks match the filter (--status, --since)."
PROMPT_CHARS = 100
_BRANCH, _LAST, _PIPE, _SPACE = "├─ ", "└─ ", "│  ", "   "
_VERDICT_STYLE = {"PASS": "green", "REJECT": "yellow", "ERROR": "red", "BUDGET_EXCEEDED": "red",
                  "PERMISSION_DENIED": "red"}

# thread id → run id → tasks, all in order of first appearance in the index.
Grouped = dict[str, dict[str, list[Entry]]]


def group_entries(entries: Sequence[Entry]) -> Grouped:
    """Index rows grouped by thread, then run, keeping creation order at every level."""
    grouped: Grouped = {}
    for entry in entries:
        grouped.setdefault(entry.thread_id, {}).setdefault(entry.run_id, []).append(entry)
    return grouped


def shown_type(event_type: EventType | None, visibility: Visibility) -> EventType | None:
    """`event_type` if it may be shown at `visibility`, else None."""
    if event_type is None:
        return None
    if visibility is Visibility.FULL or event_type.default_visibility is Visibility.SUMMARY:
        return event_type
    return None


def tree_renderable(session_id: str, entries: Sequence[Entry], *, visibility: Visibility,
                    filtered: bool = False, omitted: int = 0) -> Block:
    """One line per session, thread, run and task; over-long lines end in an ellipsis.

    `filtered`: the session has tasks but a filter kept none of them (said so, not "yet").
    `omitted`: older tasks left out (the tree is of the newest; said under it).
    """
    block = _tree_block(session_id, entries, visibility=visibility, filtered=filtered)
    if omitted:
        block.add(omitted_note(omitted), "dim")
    return block


def _tree_block(session_id: str, entries: Sequence[Entry], *, visibility: Visibility, filtered: bool) -> Block:
    block = Block([Line([("Session: ", "bold"), (safe_str(session_id), "bold")])])
    if not entries:
        block.add(NO_MATCH if filtered else EMPTY_TREE)
        return block
    shown = SafeStrings()
    shown.prepare(chain.from_iterable((e.thread_id, e.run_id, e.task_id, e.prompt_summary) for e in entries))
    threads = group_entries(entries)
    for t_index, (thread_id, runs) in enumerate(threads.items()):
        t_last = t_index == len(threads) - 1
        first_prompt = next(iter(runs.values()))[0].prompt_summary
        label = [(f"[{shown(thread_id)}] ", "bold"), (one_line(first_prompt, PROMPT_CHARS, shown), "")]
        block.add(_line(_LAST if t_last else _BRANCH, label))
        t_pad = _SPACE if t_last else _PIPE
        for r_index, (run_id, tasks) in enumerate(runs.items()):
            r_last = r_index == len(runs) - 1
            label = [(f"[{shown(run_id)}] ", ""), (run_label(tasks, first=r_index == 0), "bold")]
            block.add(_line(t_pad + (_LAST if r_last else _BRANCH), label))
            r_pad = t_pad + (_SPACE if r_last else _PIPE)
            block.lines += _task_lines(tasks, r_pad, visibility, shown)
    return block


def _task_lines(tasks: list[Entry], pad: str, visibility: Visibility, shown: SafeStrings) -> list[Line]:
    """A run's tasks; under each its review iterations, then a chunked task's parts (with theirs)."""
    tops, parts_of = split_subtasks(tasks)
    lines = []
    for k_index, entry in enumerate(tops):
        last = k_index == len(tops) - 1
        lines.append(_line(pad + (_LAST if last else _BRANCH), _task_label(entry, visibility, shown)))
        below = pad + (_SPACE if last else _PIPE)
        iterations, parts = entry.review_iterations, parts_of.get(entry.task_id, [])
        below_count = len(iterations) + len(parts)
        for index, iteration in enumerate(iterations):
            lines.append(_line(below + (_LAST if index == below_count - 1 else _BRANCH), _iteration_label(iteration, shown)))
        for index, item in enumerate(parts, start=len(iterations)):
            item_last = index == below_count - 1
            guide = below + (_LAST if item_last else _BRANCH)
            lines.append(_line(guide, _task_label(item, visibility, shown)))
            inner = below + (_SPACE if item_last else _PIPE)
            for i_index, iteration in enumerate(item.review_iterations):
                i_guide = inner + (_LAST if i_index == len(item.review_iterations) - 1 else _BRANCH)
                lines.append(_line(i_guide, _iteration_label(iteration, shown)))
    return lines


def _iteration_label(iteration: ReviewIteration, shown: SafeStrings) -> list[Span]:
    """`iteration 2 REJECT claude-haiku-4-5 (check `pytest -q`) 1 retry $0.0123`: one review iteration."""
    verdict = iteration.verdict or "?"
    label: list[Span] = [(f"iteration {iteration.iteration} ", ""),
                         (shown(verdict), _VERDICT_STYLE.get(verdict, ""))]
    extra = []
    if iteration.loop > 1:
        extra.append(f"(loop {iteration.loop})")
    if iteration.model:
        extra.append(shown(iteration.model))
    if iteration.failed:
        extra.append(f"({one_line(', '.join(iteration.failed), PROMPT_CHARS)})")
    if iteration.retries:
        extra.append(f"{iteration.retries} retr{'y' if iteration.retries == 1 else 'ies'}")
    if iteration.fallback:
        extra.append("fallback")
    if iteration.cost_usd:
        extra.append(f"${iteration.cost_usd:.4f}")
    if extra:
        label.append((" " + " ".join(extra), ""))
    return label


def run_label(tasks: Sequence[Entry], *, first: bool) -> str:
    """The seed's run labels (§3.5): a later run of a thread is a Retry; a run where the agent asked
    a question is a Clarification; otherwise an Execution."""
    if not first:
        return "Retry"
    if any(entry.runner_decision is RunnerDecision.CLARIFY for entry in tasks):
        return "Clarification"
    return "Execution"


def asked_question(entry: Entry) -> str | None:
    """The question a task ended with (it asked for clarification), without the runner's prefix."""
    if entry.runner_decision is not RunnerDecision.CLARIFY or not entry.error_reason:
        return None
    question = entry.error_reason
    for prefix in ("Clarification needed: ", "Executor asked a question: "):
        question = question.removeprefix(prefix)
    return question


def _line(guide: str, label: list[Span]) -> Line:
    # The guide is a styled span of its own, so the dim style does not reach the label.
    return Line([(guide, "dim"), *label])


def _task_label(entry: Entry, visibility: Visibility, shown: SafeStrings) -> list[Span]:
    status = entry.status
    label: list[Span] = [(shown(entry.task_id) + " ", ""), _STATUS_SPANS[status]]
    first, last = _SHOWN_TYPE[visibility].get(entry.first_event_type), _SHOWN_TYPE[visibility].get(entry.last_event_type)
    types = [t for t in (first, last) if t is not None]
    if len(types) == 2 and entry.event_count == 1:
        types = types[:1]  # a task with one event so far: its first is its last
    text = " " + " → ".join(types) if types else ""
    label.append((f'{text} "{one_line(entry.prompt_summary, PROMPT_CHARS, shown)}"', ""))
    question = asked_question(entry)
    if question is not None:
        label += [(" asked ", "dim"), (f'"{one_line(question, PROMPT_CHARS)}"', "")]
    return label


# Looked up per task line instead of worked out again for each of thousands of rows.
_STATUS_SPANS: dict[TaskStatus, Span] = {status: (status.value.upper(), STATUS_STYLES.get(status, ""))
                                         for status in TaskStatus}
_SHOWN_TYPE: dict[Visibility, dict[EventType | None, str]] = {
    visibility: {event_type: event_type.value for event_type in EventType
                 if shown_type(event_type, visibility) is not None}
    for visibility in Visibility
}


def tree_json(session_id: str, entries: Sequence[Entry], *, visibility: Visibility,
              omitted: int = 0) -> dict[str, Any]:
    """The same nesting as JSON: threads → runs → tasks; hidden event types are null; `omitted`: the
    older tasks left out."""
    threads: list[dict[str, Any]] = []
    for thread_id, runs in group_entries(entries).items():
        threads.append(
            {
                "thread_id": thread_id,
                "prompt": next(iter(runs.values()))[0].prompt_summary,
                "runs": [
                    {"run_id": run_id, "label": run_label(tasks, first=index == 0),
                     "tasks": _tasks_json(tasks, visibility)}
                    for index, (run_id, tasks) in enumerate(runs.items())
                ],
            }
        )
    document = {"schema_version": SCHEMA_VERSION, "session_id": session_id, "visibility": visibility.value, "threads": threads,
                "omitted": omitted}
    result: dict[str, Any] = safe_json(document)
    return result


def _tasks_json(tasks: list[Entry], visibility: Visibility) -> list[dict[str, Any]]:
    """A run's tasks; a chunked task carries its parts under `subtasks`."""
    tops, parts_of = split_subtasks(tasks)
    documents = []
    for entry in tops:
        document = _task_json(entry, visibility)
        if entry.task_id in parts_of:
            document["subtasks"] = [_task_json(part, visibility) for part in parts_of[entry.task_id]]
        documents.append(document)
    return documents


def _task_json(entry: Entry, visibility: Visibility) -> dict[str, Any]:
    first = shown_type(entry.first_event_type, visibility)
    last = shown_type(entry.last_event_type, visibility)
    task: dict[str, Any] = {
        "task_id": entry.task_id,
        "external_task_id": entry.external_task_id,
        "parent_task_id": entry.parent_task_id,
        **({"subtask_index": entry.subtask_index} if entry.subtask_index is not None else {}),
        "status": entry.status.value,
        "first_event_type": first.value if first else None,
        "last_event_type": last.value if last else None,
        "prompt_summary": entry.prompt_summary,
    }
    if entry.review_iterations:  # only a task the review loop judged has iterations to show
        task["review_iterations"] = [i.model_dump() for i in entry.review_iterations]
    return task
