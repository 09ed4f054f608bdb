"""The TaskLog's vocabularies (DESIGN §4, seed 003 §2, §5.3): statuses, visibility levels, event types,
error codes and the other closed sets of words a log holds, as plain enums.

Kept apart from the pydantic models (`runner.logs.models`, which re-exports them) so a reader that
only needs the words — `pm-runner logs list`, the views of stored index rows — never imports pydantic.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "PROMPT_SUMMARY_MAX",
    "BlockedReason",
    "DetectionMethod",
    "Durability",
    "ErrorCode",
    "EventType",
    "PlanMode",
    "RequireEvidence",
    "RunnerDecision",
    "SUMMARY_EVENT_TYPES",
    "TaskStatus",
    "TerminatedBy",
    "Visibility",
]


PROMPT_SUMMARY_MAX = 100  # characters of a task's prompt_summary


class TaskStatus(StrEnum):
    """Lifecycle states of a task; the last three are terminal."""

    QUEUED = "queued"
    RUNNING = "running"
    COMPLETE = "complete"
    INCOMPLETE = "incomplete"
    ERROR = "error"

    @property
    def is_terminal(self) -> bool:
        return self in _TERMINAL


_TERMINAL = frozenset({TaskStatus.COMPLETE, TaskStatus.INCOMPLETE, TaskStatus.ERROR})


class Visibility(StrEnum):
    """Display levels: `summary` is what the user and the runner said; `full` adds executor detail."""

    SUMMARY = "summary"
    FULL = "full"

    @classmethod
    def parse(cls, value: str | None) -> Visibility:
        """An unknown level asked for is treated as `summary` (DESIGN §4)."""
        return cls.FULL if value == cls.FULL.value else cls.SUMMARY


class RunnerDecision(StrEnum):
    ACCEPT = "accept"
    REJECT = "reject"
    CLARIFY = "clarify"


class BlockedReason(StrEnum):
    INTERACTIVE_PROMPT = "INTERACTIVE_PROMPT"
    TIMEOUT = "TIMEOUT"
    STDIN_REQUIRED = "STDIN_REQUIRED"


class TerminatedBy(StrEnum):
    REPL_FAIL_CLOSED = "REPL_FAIL_CLOSED"
    USER = "USER"
    TIMEOUT = "TIMEOUT"


class ErrorCode(StrEnum):
    """Closed failure taxonomy carried next to the free-text `error_reason`."""

    EXECUTOR_FAILED = "EXECUTOR_FAILED"
    EXECUTOR_BLOCKED = "EXECUTOR_BLOCKED"
    TIMEOUT = "TIMEOUT"
    INTERRUPTED = "INTERRUPTED"
    MAX_TURNS = "MAX_TURNS"
    EVIDENCE_MISSING = "EVIDENCE_MISSING"
    CLARIFICATION_NEEDED = "CLARIFICATION_NEEDED"
    PERMISSION_DENIED = "PERMISSION_DENIED"
    REJECTED = "REJECTED"
    RUNNER_CRASHED = "RUNNER_CRASHED"
    LOG_WRITE_FAILED = "LOG_WRITE_FAILED"
    SKIPPED = "SKIPPED"  # a subtask not run: a subtask it depends on did not complete, or the plan stopped
    PLAN_INCOMPLETE = "PLAN_INCOMPLETE"  # a chunked task whose subtasks did not all complete
    REVIEW_REJECTED = "REVIEW_REJECTED"  # the review loop ran out of iterations with its criteria failing
    BUDGET_EXCEEDED = "BUDGET_EXCEEDED"  # a cost or token budget stopped the task, or refused it


class DetectionMethod(StrEnum):
    DIFF = "diff"
    EXECUTOR_CLAIM = "executor_claim"


class Durability(StrEnum):
    """How hard the store works to survive a power cut (DESIGN §3 "Writing")."""

    STRICT = "strict"  # fsync every journal append and every snapshot
    NORMAL = "normal"  # writes reach the OS at once; fsync at checkpoints, terminal states and close


class RequireEvidence(StrEnum):
    """`auto`: claimed/expected files must exist; `always`: and at least one file must be verified;
    `never`: evidence is reported but never changes the status."""

    AUTO = "auto"
    ALWAYS = "always"
    NEVER = "never"


class PlanMode(StrEnum):
    """`--plan`: `auto` plans requests for agent executors only; `always` for every executor; `off` never."""

    AUTO = "auto"
    OFF = "off"
    ALWAYS = "always"


class EventType(StrEnum):
    """Every event type of seed 003 §5.3 and §7.1, plus the runner's own; each knows its visibility."""

    USER_INPUT = "USER_INPUT"
    USER_RESPONSE = "USER_RESPONSE"
    CLARIFICATION_REQUEST = "CLARIFICATION_REQUEST"
    MEDIATION_OUTPUT = "MEDIATION_OUTPUT"
    TASK_COMPLETE = "TASK_COMPLETE"
    TASK_INCOMPLETE = "TASK_INCOMPLETE"
    TASK_ERROR = "TASK_ERROR"
    EXECUTOR_START = "EXECUTOR_START"
    EXECUTOR_PROGRESS = "EXECUTOR_PROGRESS"
    EXECUTOR_OUTPUT = "EXECUTOR_OUTPUT"
    EXECUTOR_ERROR = "EXECUTOR_ERROR"
    EXECUTOR_BLOCKED = "EXECUTOR_BLOCKED"
    EVIDENCE_CREATED = "EVIDENCE_CREATED"
    EVIDENCE_MISSING = "EVIDENCE_MISSING"
    MODEL_CHANGE = "MODEL_CHANGE"
    REVIEW_LOOP_START = "REVIEW_LOOP_START"
    REVIEW_ITERATION_START = "REVIEW_ITERATION_START"
    QUALITY_JUDGMENT = "QUALITY_JUDGMENT"
    REJECTION_DETAILS = "REJECTION_DETAILS"
    MODIFICATION_PROMPT = "MODIFICATION_PROMPT"
    REVIEW_ITERATION_END = "REVIEW_ITERATION_END"
    REVIEW_LOOP_END = "REVIEW_LOOP_END"
    CHUNKING_START = "CHUNKING_START"
    CHUNKING_ANALYSIS = "CHUNKING_ANALYSIS"
    SUBTASK_CREATED = "SUBTASK_CREATED"
    SUBTASK_START = "SUBTASK_START"
    SUBTASK_COMPLETE = "SUBTASK_COMPLETE"
    SUBTASK_FAILED = "SUBTASK_FAILED"
    SUBTASK_RETRY = "SUBTASK_RETRY"
    CHUNKING_AGGREGATION = "CHUNKING_AGGREGATION"
    CHUNKING_COMPLETE = "CHUNKING_COMPLETE"
    PLANNING_START = "PLANNING_START"
    SIZE_ESTIMATION = "SIZE_ESTIMATION"
    CHUNKING_DECISION = "CHUNKING_DECISION"
    DEPENDENCY_ANALYSIS = "DEPENDENCY_ANALYSIS"
    EXECUTION_PLAN = "EXECUTION_PLAN"
    PLANNING_END = "PLANNING_END"
    RETRY_DECISION = "RETRY_DECISION"
    RETRY_START = "RETRY_START"
    RETRY_SUCCESS = "RETRY_SUCCESS"
    ESCALATE_DECISION = "ESCALATE_DECISION"
    ESCALATE_EXECUTED = "ESCALATE_EXECUTED"
    RECOVERY_START = "RECOVERY_START"
    SNAPSHOT_RESTORE = "SNAPSHOT_RESTORE"
    RECOVERY_COMPLETE = "RECOVERY_COMPLETE"
    MODEL_SELECTED = "MODEL_SELECTED"
    MODEL_SWITCH = "MODEL_SWITCH"
    MODEL_USAGE = "MODEL_USAGE"
    COST_WARNING = "COST_WARNING"
    COST_LIMIT_EXCEEDED = "COST_LIMIT_EXCEEDED"
    MODEL_FALLBACK = "MODEL_FALLBACK"
    # The runner's own: a marker left when retention drops middle events of an oversized log.
    EVENTS_DROPPED = "EVENTS_DROPPED"
    # The runner's own: something the user must know although the task went on (a refused tool call).
    WARNING = "WARNING"

    @property
    def default_visibility(self) -> Visibility:
        """Seed 003 §5.3: types marked summary there are summary; every other type is full."""
        return Visibility.SUMMARY if self in SUMMARY_EVENT_TYPES else Visibility.FULL


SUMMARY_EVENT_TYPES: frozenset[EventType] = frozenset(
    {
        EventType.USER_INPUT,
        EventType.USER_RESPONSE,
        EventType.CLARIFICATION_REQUEST,
        EventType.MEDIATION_OUTPUT,
        EventType.TASK_COMPLETE,
        EventType.TASK_INCOMPLETE,
        EventType.TASK_ERROR,
        EventType.EXECUTOR_BLOCKED,
        EventType.EVIDENCE_MISSING,
        EventType.REVIEW_LOOP_START,
        EventType.QUALITY_JUDGMENT,
        EventType.REVIEW_LOOP_END,
        EventType.CHUNKING_START,
        EventType.SUBTASK_START,
        EventType.SUBTASK_COMPLETE,
        EventType.SUBTASK_FAILED,
        EventType.SUBTASK_RETRY,
        EventType.CHUNKING_COMPLETE,
        EventType.PLANNING_START,
        EventType.EXECUTION_PLAN,
        EventType.PLANNING_END,
        EventType.RETRY_DECISION,
        EventType.RETRY_START,
        EventType.RETRY_SUCCESS,
        EventType.ESCALATE_DECISION,
        EventType.ESCALATE_EXECUTED,
        EventType.RECOVERY_COMPLETE,
        EventType.MODEL_SWITCH,
        EventType.COST_WARNING,
        EventType.COST_LIMIT_EXCEEDED,
        EventType.MODEL_FALLBACK,
        EventType.WARNING,
    }
)
