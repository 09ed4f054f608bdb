"""A Plan as the events that record it (`PLANNING_START` … `PLANNING_END`, seed 003 §5.3), and back: the
plan of a chunked task read from its log, which is what `/retry` and crash recovery keep.

Pure functions over data (spec/planning.md "Events").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from runner.logs.models import EventType, LogEvent, PlanMode
from runner.orchestration.planning.model import (
    ChunkingDecision,
    Dependency,
    Plan,
    PlanItem,
    Size,
    SizeEstimate,
    Structure,
)
from runner.orchestration.planning.names import names_in
from runner.orchestration.planning.size import estimate_size

RUN_ORDER = "in order, one at a time"  # what EXECUTION_PLAN says about the groups (shown, not run in parallel)
PlannedEvent = tuple[EventType, dict[str, Any]]


def planning_events(plan: Plan, *, mode: PlanMode, max_subtasks: int, retry_of: str | None = None) -> list[PlannedEvent]:
    """The planning events of `plan`, in the order they are recorded."""
    start: dict[str, Any] = {"mode": mode.value, "max_subtasks": max_subtasks}
    if retry_of is not None:
        start["plan_of"] = retry_of
    events: list[PlannedEvent] = [(EventType.PLANNING_START, start)]
    size = plan.size
    events.append((EventType.SIZE_ESTIMATION, {
        "size": size.size.value, "decided_by": size.decided_by, "items": size.items,
        "files": list(size.files), "symbols": list(size.symbols), "length": size.length}))
    decision: dict[str, Any] = {"chunk": plan.chunked, "reason": plan.decision.reason,
                                "structure": plan.structure.value if plan.structure else None}
    if plan.left_out:
        decision["left_out"] = list(plan.left_out)
    events.append((EventType.CHUNKING_DECISION, decision))
    if plan.chunked:
        events.append((EventType.DEPENDENCY_ANALYSIS, {
            "dependencies": [{"item": d.item, "on": d.on, "reason": d.reason} for d in plan.dependencies],
            "notes": list(plan.notes)}))
        events.append((EventType.EXECUTION_PLAN, execution_plan(plan)))
    events.append((EventType.PLANNING_END, {"chunked": plan.chunked,
                                            "subtasks": len(plan.items) if plan.chunked else 0}))
    return events


def execution_plan(plan: Plan) -> dict[str, Any]:
    """EXECUTION_PLAN's content: every item with what it waits for, the order, the parallel groups."""
    return {
        "structure": plan.structure.value if plan.structure else None,
        "items": [{"number": item.number, "text": item.text, "depends_on": list(plan.depends_on(item.number))}
                  for item in plan.items],
        "order": list(plan.order),
        "parallel_groups": [list(group) for group in plan.groups],
        "runs": RUN_ORDER,
        "context": {"before": plan.preamble, "after": plan.epilogue},
    }


def plan_from_events(events: Sequence[LogEvent], request: str) -> Plan | None:
    """The plan a chunked task recorded (its last EXECUTION_PLAN), or None when it recorded none that reads."""
    content = _last(events, EventType.EXECUTION_PLAN)
    if content is None:
        return None
    try:
        items = tuple(PlanItem(int(raw["number"]), str(raw["text"]), names_in(str(raw["text"])).all)
                      for raw in content["items"])
        if [item.number for item in items] != list(range(1, len(items) + 1)) or len(items) < 2:
            return None
        waits = {(int(raw["number"]), int(on)) for raw in content["items"] for on in raw.get("depends_on", [])}
        context = content.get("context") or {}
        structure = Structure(content["structure"]) if content.get("structure") else None
    except (KeyError, TypeError, ValueError):
        return None
    return Plan(request=request, size=_size(events, request, len(items)), structure=structure,
                decision=ChunkingDecision(True, _reason(events)), items=items,
                dependencies=_dependencies(events, waits), order=tuple(range(1, len(items) + 1)),
                groups=tuple(tuple(int(n) for n in group) for group in content.get("parallel_groups", [])),
                preamble=str(context.get("before", "")), epilogue=str(context.get("after", "")))


def _last(events: Sequence[LogEvent], event_type: EventType) -> dict[str, Any] | None:
    return next((e.content for e in reversed(events) if e.event_type is event_type), None)


def _size(events: Sequence[LogEvent], request: str, items: int) -> SizeEstimate:
    content = _last(events, EventType.SIZE_ESTIMATION) or {}
    try:
        return SizeEstimate(size=Size(content["size"]), items=items, files=tuple(content.get("files", ())),
                            symbols=tuple(content.get("symbols", ())), length=int(content["length"]),
                            decided_by=str(content["decided_by"]))
    except (KeyError, TypeError, ValueError):
        return estimate_size(request, items, names_in(request))


def _reason(events: Sequence[LogEvent]) -> str:
    content = _last(events, EventType.CHUNKING_DECISION) or {}
    return str(content.get("reason") or "the logged plan")


def _dependencies(events: Sequence[LogEvent], waits: set[tuple[int, int]]) -> tuple[Dependency, ...]:
    content = _last(events, EventType.DEPENDENCY_ANALYSIS) or {}
    reasons: dict[tuple[int, int], str] = {}
    for raw in content.get("dependencies", []):
        if isinstance(raw, dict) and isinstance(raw.get("item"), int) and isinstance(raw.get("on"), int):
            reasons[(raw["item"], raw["on"])] = str(raw.get("reason", ""))
    return tuple(Dependency(item, on, reasons.get((item, on), "from the logged plan"))
                 for item, on in sorted(waits) if on < item)
