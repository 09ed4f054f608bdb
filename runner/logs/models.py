"""The TaskLog data model (DESIGN §4, seed 003 §2, §3, §5.3, §7.1): data and validation only.

Serialisation lives in the store (one orjson pair); these models never touch disk.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    StringConstraints,
    field_validator,
    model_serializer,
    model_validator,
)

from runner.ids import ID_PATTERNS, IdKind
from runner.logs.log_rules import climbs_out, fail_closed_problem
from runner.logs.vocabulary import (
    PROMPT_SUMMARY_MAX,
    SUMMARY_EVENT_TYPES,
    BlockedReason,
    DetectionMethod,
    Durability,
    ErrorCode,
    EventType,
    PlanMode,
    RequireEvidence,
    RunnerDecision,
    TaskStatus,
    TerminatedBy,
    Visibility,
)
from runner.timestamps import ISO_PATTERN

# The vocabularies live in `runner.logs.vocabulary` (no pydantic) and are re-exported here.
__all__ = [
    "Artifacts",
    "BlockedReason",
    "CorruptedLog",
    "DeniedToolEntry",
    "DetectionMethod",
    "Durability",
    "ErrorCode",
    "EventType",
    "EvidenceSummary",
    "ExecutorInfo",
    "ExternalTaskId",
    "GlobalIndex",
    "LogEvent",
    "Metrics",
    "PROMPT_SUMMARY_MAX",
    "PlanMode",
    "RequireEvidence",
    "ReviewIteration",
    "RunId",
    "RunnerDecision",
    "SUMMARY_EVENT_TYPES",
    "SessionId",
    "SessionIndex",
    "SessionMeta",
    "SessionSummary",
    "StatusCounts",
    "TaskId",
    "TaskLog",
    "TaskLogEntry",
    "TaskStatus",
    "TerminatedBy",
    "ThreadId",
    "Timestamp",
    "VerifiedFile",
    "Visibility",
]

Timestamp = Annotated[str, StringConstraints(pattern=ISO_PATTERN)]


# Ids are constrained to their whole pattern: a tampered file cannot smuggle text into an id.
SessionId = Annotated[str, StringConstraints(pattern=f"^{ID_PATTERNS[IdKind.SESSION].pattern}$")]
TaskId = Annotated[str, StringConstraints(pattern=f"^{ID_PATTERNS[IdKind.TASK].pattern}$")]
ExternalTaskId = Annotated[str, StringConstraints(pattern=f"^{ID_PATTERNS[IdKind.EXTERNAL_TASK].pattern}$")]
ThreadId = Annotated[str, StringConstraints(pattern=f"^{ID_PATTERNS[IdKind.THREAD].pattern}$")]
RunId = Annotated[str, StringConstraints(pattern=f"^{ID_PATTERNS[IdKind.RUN].pattern}$")]


class _Model(BaseModel):
    # defer_build: a model's validator is built when it is first used, so commands that only read
    # (the list, the tree) do not pay for building every model at import.
    model_config = ConfigDict(extra="ignore", frozen=False, use_enum_values=False, defer_build=True)


class LogEvent(_Model):
    event_id: str
    event_type: EventType
    timestamp: Timestamp
    visibility: Visibility
    content: dict[str, Any] = Field(default_factory=dict)
    # How many values each masking rule hid in this event's content: {"OPENAI_KEY": 1}. Left
    # out of the JSON when nothing was masked, so logs without secrets read as before.
    masked: dict[str, int] = Field(default_factory=dict)

    @model_serializer(mode="wrap")
    def _leave_out_no_masks(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        if not data.get("masked"):
            data.pop("masked", None)
        return data

    @classmethod
    def made_here(cls, event_id: str, event_type: EventType, timestamp: str, visibility: Visibility,
                  content: dict[str, Any], masked: dict[str, int]) -> LogEvent:
        """An event from fields the runner has just made, each already of its type (an id it
        formatted, `now_iso()`, the enums, plain JSON content from `clean_content`, counts), set
        without validation: validating (or `model_construct`, slower still) was a third of an
        output event's cost. Equal to `LogEvent(...)` of the same fields (test_event_fast_paths)."""
        return trusted(cls, {"event_id": event_id, "event_type": event_type, "timestamp": timestamp,
                             "visibility": visibility, "content": content, "masked": masked})


_set_attribute = object.__setattr__
ModelT = TypeVar("ModelT", bound=BaseModel)


def trusted(cls: type[ModelT], fields: dict[str, Any]) -> ModelT:
    """A model set from `fields` without validation: every field given, in the model's order, each
    already of its type because it comes from validated models or was just made by the runner.
    What `model_construct` does, without its per-field default and alias handling (several times
    slower than validating)."""
    model = cls.__new__(cls)
    _set_attribute(model, "__dict__", fields)
    _set_attribute(model, "__pydantic_fields_set__", set(fields))
    _set_attribute(model, "__pydantic_extra__", None)
    _set_attribute(model, "__pydantic_private__", None)
    return model


class DeniedToolEntry(_Model):
    """A tool call the agent's own permissions refused (masked like every logged string)."""

    tool: str
    target: str = ""
    message: str = ""


class Artifacts(_Model):
    """File lists of a task, each cut at verify.MAX_LISTED_FILES entries: `omitted` counts what each
    cut list leaves out (a list absent from it is whole); `raw_names` maps the display form of a
    name that is not valid UTF-8 (bytes shown as \\xNN) to the base64 of its bytes."""

    files_touched: list[str] = Field(default_factory=list)
    files_expected: list[str] = Field(default_factory=list)
    files_created: list[str] = Field(default_factory=list)
    files_modified: list[str] = Field(default_factory=list)
    files_deleted: list[str] = Field(default_factory=list)
    omitted: dict[str, int] = Field(default_factory=dict)
    raw_names: dict[str, str] = Field(default_factory=dict)


class EvidenceSummary(_Model):
    files_expected: list[str] = Field(default_factory=list)
    files_verified: list[str] = Field(default_factory=list)
    files_missing: list[str] = Field(default_factory=list)
    verification_passed: bool
    verification_reason: str
    # False when changes may have gone unseen (a scan past its entry cap, git failing after the task).
    verification_complete: bool = True
    change_detection: str | None = None  # "git status", or "scan" (with why git was not used)
    omitted: dict[str, int] = Field(default_factory=dict)


def _require_relative(path: str) -> str:
    """A verified path is relative to the verification root and never climbs out of it."""
    if climbs_out(path):
        raise ValueError(f"verified file path must be relative to verification_root: {path!r}")
    return path


class VerifiedFile(_Model):
    path: str
    exists: bool
    detected_at: Timestamp
    detection_method: DetectionMethod
    size: int | None = None
    path_b64: str | None = None  # the name's bytes when it is not valid UTF-8 (`path` shows them as \\xNN)

    @field_validator("path")
    @classmethod
    def _path_is_relative(cls, value: str) -> str:
        return _require_relative(value)


class Metrics(_Model):
    duration_ms: int | None = None
    input_tokens: int | None = None  # every input token, cached ones included (OTel GenAI usage rule)
    cache_read_input_tokens: int | None = None  # the part of input_tokens read from the prompt cache
    cache_creation_input_tokens: int | None = None  # the part of input_tokens written to the cache
    output_tokens: int | None = None
    cost_usd: float | None = None
    model: str | None = None
    num_turns: int | None = None
    # Where cost_usd comes from: "reported" by the executor, "estimated" from the price table
    # (some passes at least), "partial" when some passes had no known cost (cost_usd covers the rest).
    cost_source: str | None = None
    passes: int | None = None  # executor passes summed here (review iterations, retries, fallback)
    # Set by an executor when cost_usd is the agent session's running total, not this run's (Claude Code
    # 2.1.332 reports a resumed session's cost so); the loop turns it into the pass's own cost and the
    # task's stored metrics never carry it.
    cost_covers_session: bool | None = None


class ReviewIteration(_Model):
    """One iteration of the review loop, as the index, the tree and the exports show it."""

    iteration: int
    loop: int = 1  # 2 after an escalation
    # PASS / REJECT / RETRY, or ERROR / CLARIFY / PERMISSION_DENIED / BUDGET_EXCEEDED when the pass ended the task
    verdict: str | None = None
    model: str | None = None
    failed: list[str] = Field(default_factory=list)  # labels of the criteria that failed
    retries: int = 0
    fallback: bool = False
    cost_usd: float | None = None


class ExecutorInfo(_Model):
    name: str
    model: str | None = None


class TaskLog(_Model):
    """One task, end to end. Fail-closed rules are enforced here, so an invalid log is never saved."""

    session_id: SessionId
    task_id: TaskId
    external_task_id: ExternalTaskId
    thread_id: ThreadId
    run_id: RunId
    parent_task_id: TaskId | None = None
    subtask_index: int | None = Field(default=None, ge=1)  # set on a subtask: its place in the parent's plan
    status: TaskStatus
    started_at: Timestamp
    ended_at: Timestamp | None = None
    updated_at: Timestamp | None = None
    prompt_summary: str = Field(max_length=PROMPT_SUMMARY_MAX)
    runner_decision: RunnerDecision = RunnerDecision.ACCEPT
    executor: ExecutorInfo | None = None
    executor_summary: str | None = None
    evidence_summary: EvidenceSummary | None = None
    error_reason: str | None = None
    error_code: ErrorCode | None = None
    artifacts: Artifacts = Field(default_factory=Artifacts)
    verification_root: str | None = None
    verified_files: list[VerifiedFile] = Field(default_factory=list)
    verified_files_omitted: int = 0  # entries left out of verified_files (cut at verify.MAX_LISTED_FILES)
    files_modified_count: int = 0
    # Hidden files a task must not change unnoticed (CI workflows, git hooks and config, .env*, Claude settings).
    sensitive_files_modified: list[str] = Field(default_factory=list)
    executor_blocked: bool = False
    blocked_reason: BlockedReason | None = None
    timeout_ms: int | None = None
    terminated_by: TerminatedBy | None = None
    metrics: Metrics | None = None
    resume_token: str | None = None
    denied_tools: list[DeniedToolEntry] = Field(default_factory=list)
    test_mode: bool = False  # set when a test-only executor (`fake`) produced this log
    review_iterations: list[ReviewIteration] = Field(default_factory=list)  # empty when no review ran
    visibility: Visibility = Visibility.SUMMARY
    masked: Literal[True] = True
    events: list[LogEvent] = Field(min_length=1)

    @field_validator("verification_root")
    @classmethod
    def _root_is_absolute(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("/"):
            raise ValueError(f"verification_root must be an absolute path: {value!r}")
        return value

    @model_validator(mode="after")
    def _fail_closed_rules(self) -> TaskLog:
        problem = fail_closed_problem(self.status, error_reason=self.error_reason, error_code=self.error_code,
                                      executor_blocked=self.executor_blocked, blocked_reason=self.blocked_reason,
                                      terminated_by=self.terminated_by, ended_at=self.ended_at)
        if problem is not None:
            raise ValueError(problem)
        return self


class TaskLogEntry(_Model):
    """One row of a session index: what `/tasks` and `/logs` list, without the events."""

    task_id: TaskId
    external_task_id: ExternalTaskId
    thread_id: ThreadId
    run_id: RunId
    parent_task_id: TaskId | None = None
    subtask_index: int | None = Field(default=None, ge=1)
    status: TaskStatus
    started_at: Timestamp
    ended_at: Timestamp | None = None
    updated_at: Timestamp | None = None
    prompt_summary: str = ""
    runner_decision: RunnerDecision = RunnerDecision.ACCEPT
    executor: str | None = None
    model: str | None = None
    files_modified_count: int = 0
    error_reason: str | None = None
    error_code: ErrorCode | None = None
    executor_blocked: bool = False
    blocked_reason: BlockedReason | None = None
    duration_ms: int | None = None
    cost_usd: float | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    event_count: int = 0
    first_event_type: EventType | None = None
    last_event_type: EventType | None = None
    test_mode: bool = False
    review_iterations: list[ReviewIteration] = Field(default_factory=list)


class SessionIndex(_Model):
    """`sessions/<id>/index.json`: one entry per task, in creation order."""

    session_id: SessionId
    updated_at: Timestamp
    entries: list[TaskLogEntry] = Field(default_factory=list)


class StatusCounts(_Model):
    queued: int = 0
    running: int = 0
    complete: int = 0
    incomplete: int = 0
    error: int = 0

    @property
    def total(self) -> int:
        return self.queued + self.running + self.complete + self.incomplete + self.error


class SessionSummary(_Model):
    """One row of the global index."""

    session_id: SessionId
    started_at: Timestamp
    updated_at: Timestamp
    project_root: str | None = None
    executor: str | None = None
    task_count: int = 0
    counts: StatusCounts = Field(default_factory=StatusCounts)
    # Set when the session was released or recovered: its counts are final. Until then (a live
    # session, or one whose runner died) readers count its own index instead.
    ended_at: Timestamp | None = None


class GlobalIndex(_Model):
    """`logs/index.json`: one row per session."""

    updated_at: Timestamp
    sessions: list[SessionSummary] = Field(default_factory=list)


class SessionMeta(_Model):
    """`sessions/<id>/session.json`: where and how a session ran."""

    session_id: SessionId
    started_at: Timestamp
    updated_at: Timestamp | None = None
    ended_at: Timestamp | None = None
    project_root: str
    project_mode: str = "cwd"
    executor: str | None = None
    model: str | None = None
    durability: str = "normal"
    interactive: bool = False
    runner_version: str
    python_version: str
    pid: int


class CorruptedLog(_Model):
    """What reading a task file that does not parse yields: shown as "Log file corrupted", nothing else breaks."""

    session_id: SessionId
    task_id: str
    reason: str
    message: str = "Log file corrupted"
