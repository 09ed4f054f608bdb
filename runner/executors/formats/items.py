"""The common items every agent's stream decodes into, whatever its wire format.

A decoder (one module per format in this package) turns one decoded stdout line, or one stderr
line, into a list of these; `fold.ItemFold` masks them, records events and keeps the run's state.
Nothing here is masked yet: the fold masks every string before it is logged or kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class ClaimKind(StrEnum):
    WRITE = "write"
    DELETE = "delete"


@dataclass(frozen=True)
class Claim:
    """A file the agent says a tool wrote or deleted (a path as the agent gave it)."""

    path: str
    kind: ClaimKind = ClaimKind.WRITE


@dataclass(frozen=True)
class SessionItem:
    """The agent's session (its resume token) and, when the stream names it, the model."""

    session_id: str | None
    model: str | None = None


@dataclass(frozen=True)
class TextItem:
    """Assistant text: a whole message, or a `delta` to append to the current turn's text."""

    text: str
    delta: bool = False


@dataclass(frozen=True)
class ToolStart:
    """A tool call began; its claims count once it ends without an error. `label` says what it acts on."""

    tool_id: str
    name: str
    label: str = ""
    claims: tuple[Claim, ...] = ()


@dataclass(frozen=True)
class ToolEnd:
    """A tool call ended; `denied` when a permission rule or sandbox refused it."""

    tool_id: str
    name: str = ""  # known again at the end, for formats that have no start line
    is_error: bool = False
    denied: bool = False
    preview: str = ""
    claims: tuple[Claim, ...] = ()  # claims only known at the end (a tool with no start line)


@dataclass(frozen=True)
class UsageItem:
    """Tokens (input includes cached), optional cost; `running_total` when it counts the whole session."""

    input_tokens: int | None = None
    cached_input_tokens: int | None = None
    output_tokens: int | None = None
    cost_usd: float | None = None
    model: str | None = None
    duration_ms: int | None = None
    num_turns: int | None = None
    running_total: bool = False


class Outcome(StrEnum):
    SUCCESS = "success"
    FAILED = "failed"
    MAX_TURNS = "max_turns"


@dataclass(frozen=True)
class ResultItem:
    """The stream's own verdict on the run (the exit code is only a witness)."""

    outcome: Outcome
    error_type: str | None = None
    message: str = ""


@dataclass(frozen=True)
class WarningItem:
    """A problem the agent reported that is not the run's result (a retry, a warning, a refused write)."""

    message: str
    transient: bool = False
    denial: bool = False  # a permission rule or sandbox refused a tool call


@dataclass(frozen=True)
class NoteItem:
    """Progress worth showing that changes no state (reasoning summaries, plan updates)."""

    text: str


@dataclass(frozen=True)
class QuestionItem:
    """The agent asked the user something (e.g. Codex `request_user_input`)."""

    text: str
    options: tuple[str, ...] = field(default=())


Item = (SessionItem | TextItem | ToolStart | ToolEnd | UsageItem | ResultItem | WarningItem | QuestionItem
        | NoteItem)
