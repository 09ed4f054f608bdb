"""The planner's vocabulary: a request's size, the structure its parts were read from, and the `Plan`.

Data only. `planner.make_plan` builds a Plan; the core runs it; the events record it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Size(StrEnum):
    """The documented S/M/L/XL scale (spec/planning.md "Size")."""

    S = "S"
    M = "M"
    L = "L"
    XL = "XL"


class Structure(StrEnum):
    """The explicit structure a request's parts were read from."""

    CHECKLIST = "checklist"
    NUMBERED = "numbered list"
    BULLETED = "bulleted list"
    PLAN_LINES = "pasted plan"
    INLINE_NUMBERED = "inline numbered list"
    SEQUENCE = "first/then/finally sequence"


@dataclass(frozen=True)
class Extraction:
    """What the request's structure yields: the parts, the text around them, and why parts were refused.

    `structure` is None when no structure was found, or when the one found is not a plan
    (`refused` says why: a bulleted list under an instruction, two separate lists, ...).
    """

    structure: Structure | None
    items: tuple[str, ...] = ()
    preamble: str = ""
    epilogue: str = ""
    left_out: tuple[str, ...] = ()  # checked checklist items: already done, not run
    refused: str | None = None
    references: dict[int, int] = field(default_factory=dict)  # a written item number -> its position
    order_words: tuple[str | None, ...] = ()  # per item: the order word that introduced it, if any


@dataclass(frozen=True)
class SizeEstimate:
    """How big the request is, on each measured dimension, and which one set the size."""

    size: Size
    items: int
    files: tuple[str, ...]
    symbols: tuple[str, ...]
    length: int  # characters, a wide (CJK) character counting as two
    decided_by: str  # "items", "files", "symbols" or "length"


@dataclass(frozen=True)
class PlanItem:
    """One part of the request: its place (1-based), its text as written, the files and symbols it names."""

    number: int
    text: str
    names: tuple[str, ...] = ()


@dataclass(frozen=True)
class Dependency:
    """`item` must wait for `on` (an earlier item), and why."""

    item: int
    on: int
    reason: str


@dataclass(frozen=True)
class ChunkingDecision:
    chunk: bool
    reason: str


@dataclass(frozen=True)
class Plan:
    """The planner's whole judgment of one request (pure data; spec/planning.md)."""

    request: str
    size: SizeEstimate
    structure: Structure | None
    decision: ChunkingDecision
    items: tuple[PlanItem, ...] = ()
    dependencies: tuple[Dependency, ...] = ()
    order: tuple[int, ...] = ()  # item numbers in the order they run
    groups: tuple[tuple[int, ...], ...] = ()  # items that could run in parallel, level by level
    preamble: str = ""
    epilogue: str = ""
    left_out: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # what the dependency analysis noticed and did not act on

    @property
    def chunked(self) -> bool:
        return self.decision.chunk

    def depends_on(self, number: int) -> tuple[int, ...]:
        """The items `number` waits for, in order."""
        return tuple(sorted({d.on for d in self.dependencies if d.item == number}))

    def item(self, number: int) -> PlanItem:
        return self.items[number - 1]
