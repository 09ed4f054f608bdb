"""Session-index rows as stored, read by the views without a model per row (lazy validation).

Validating 10,000 rows into `TaskLogEntry` models costs more than reading and parsing the
index. `rows_or_none` checks, in one pass, only what the views branch on (each row is an
object with string ids and a known status); every other field is checked where it is shown,
and shown as safe text (or `-`) when it holds something unexpected. A row failing the pass
makes the caller read the validated index instead (which rebuilds a corrupted one).
"""

from __future__ import annotations

from itertools import chain
from operator import itemgetter
from typing import TYPE_CHECKING, Any, TypeAlias

from runner.logs.vocabulary import EventType, RunnerDecision, TaskStatus

if TYPE_CHECKING:  # a view of stored rows never loads pydantic: the models load where a row's review is shown
    from runner.logs.models import ReviewIteration, TaskLogEntry

_STATUSES = {status.value: status for status in TaskStatus}
_DECISIONS = {decision.value: decision for decision in RunnerDecision}
_EVENT_TYPES = {event_type.value: event_type for event_type in EventType}
_STATUS_OF = itemgetter("status")
_IDS_OF = itemgetter("task_id", "external_task_id", "thread_id", "run_id", "started_at")


# Every field of a row with its default as JSON (required fields: None), in `TaskLogEntry`'s order
# (written out so the views need no pydantic; tests/integration/test_startup_imports.py holds it equal to the model's).
DEFAULT_ROW: dict[str, Any] = {
    "task_id": None, "external_task_id": None, "thread_id": None, "run_id": None, "parent_task_id": None,
    "subtask_index": None, "status": None, "started_at": None, "ended_at": None, "updated_at": None,
    "prompt_summary": "", "runner_decision": "accept", "executor": None, "model": None,
    "files_modified_count": 0, "error_reason": None, "error_code": None, "executor_blocked": False,
    "blocked_reason": None, "duration_ms": None, "cost_usd": None, "input_tokens": None, "output_tokens": None,
    "event_count": 0, "first_event_type": None, "last_event_type": None, "test_mode": False,
    "review_iterations": [],
}


def _text(value: object) -> str | None:
    return value if type(value) is str or value is None else str(value)


def _number(value: object) -> int | None:
    return value if type(value) is int else None


class IndexRow:
    """One stored row with `TaskLogEntry`'s field names; a field of the wrong type reads as None."""

    __slots__ = ("raw",)

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw

    @property
    def task_id(self) -> str:
        return str(self.raw["task_id"])

    @property
    def external_task_id(self) -> str:
        return str(self.raw["external_task_id"])

    @property
    def thread_id(self) -> str:
        return str(self.raw["thread_id"])

    @property
    def run_id(self) -> str:
        return str(self.raw["run_id"])

    @property
    def started_at(self) -> str:
        return str(self.raw["started_at"])

    @property
    def status(self) -> TaskStatus:
        return _STATUSES[self.raw["status"]]

    @property
    def subtask_index(self) -> int | None:
        return _number(self.raw.get("subtask_index"))

    @property
    def parent_task_id(self) -> str | None:
        return _text(self.raw.get("parent_task_id"))

    @property
    def ended_at(self) -> str | None:
        return _text(self.raw.get("ended_at"))

    @property
    def prompt_summary(self) -> str:
        return _text(self.raw.get("prompt_summary")) or ""

    @property
    def runner_decision(self) -> RunnerDecision:
        return _DECISIONS.get(self.raw.get("runner_decision"), RunnerDecision.ACCEPT)  # type: ignore[arg-type]

    @property
    def executor(self) -> str | None:
        return _text(self.raw.get("executor"))

    @property
    def model(self) -> str | None:
        return _text(self.raw.get("model"))

    @property
    def error_reason(self) -> str | None:
        return _text(self.raw.get("error_reason"))

    @property
    def files_modified_count(self) -> int:
        return _number(self.raw.get("files_modified_count")) or 0

    @property
    def duration_ms(self) -> int | None:
        return _number(self.raw.get("duration_ms"))

    @property
    def event_count(self) -> int:
        return _number(self.raw.get("event_count")) or 0

    @property
    def cost_usd(self) -> float | None:
        value = self.raw.get("cost_usd")
        return float(value) if isinstance(value, int | float) and type(value) is not bool else None

    @property
    def first_event_type(self) -> EventType | None:
        return _EVENT_TYPES.get(self.raw.get("first_event_type"))  # type: ignore[arg-type]

    @property
    def last_event_type(self) -> EventType | None:
        return _EVENT_TYPES.get(self.raw.get("last_event_type"))  # type: ignore[arg-type]

    @property
    def review_iterations(self) -> list[ReviewIteration]:
        """The task's review iterations (few, and only on reviewed tasks), validated where they are shown.

        An entry that does not validate is left out: the TaskLog itself keeps the full story.
        """
        raw = self.raw.get("review_iterations")
        if not isinstance(raw, list) or not raw:
            return []
        from pydantic import ValidationError

        from runner.logs.models import ReviewIteration

        shown = []
        for item in raw:
            try:
                shown.append(ReviewIteration.model_validate(item))
            except ValidationError:
                continue
        return shown

    def json_row(self) -> dict[str, Any]:
        """Every field, defaults filled in, in the model's order (as `model_dump(mode="json")` gives it).

        A stored field this version does not know is kept: the caller leaves it out.
        """
        return {**DEFAULT_ROW, **self.raw}


Entry: TypeAlias = "TaskLogEntry | IndexRow"


def rows_or_none(raw_rows: list[dict[str, Any]]) -> list[IndexRow] | None:
    """The rows wrapped for the views, or None when one lacks a string id or a known status.

    Three passes that run at C speed (map, itemgetter, set), so the check costs a small part
    of the parse it follows.
    """
    if not raw_rows:
        return []
    try:
        if (set(map(type, raw_rows)) != {dict} or not set(map(_STATUS_OF, raw_rows)) <= _STATUSES.keys()
                or set(map(type, chain.from_iterable(map(_IDS_OF, raw_rows)))) != {str}):
            return None
    except (KeyError, TypeError):  # a field missing, or an unhashable status
        return None
    return list(map(IndexRow, raw_rows))
