"""The planner: one request in, a `Plan` out — its size, whether to split it and why, its parts, what
waits for what, and the order they run in. Deterministic rules, no model call (spec/planning.md).

Parts come only from explicit structure (`planning.lines`, `planning.inline`); prose is never
split. Pure: the core applies the plan and the manager records it.
"""

from __future__ import annotations

from dataclasses import replace

from runner.logs.models import PlanMode
from runner.orchestration.planning.dependencies import analyse, parallel_groups
from runner.orchestration.planning.inline import inline_numbered, sequence
from runner.orchestration.planning.lines import classify, list_items, plan_lines
from runner.orchestration.planning.model import (
    ChunkingDecision,
    Extraction,
    Plan,
    PlanItem,
    Size,
    SizeEstimate,
    Structure,
)
from runner.orchestration.planning.names import names_in
from runner.orchestration.planning.size import estimate_size

DEFAULT_MAX_SUBTASKS = 10
MIN_SUBTASKS = 2  # a request with fewer parts is never split
_LIST_KINDS = (Structure.CHECKLIST, Structure.NUMBERED, Structure.BULLETED)


def planning_on(mode: PlanMode, plans_by_default: bool) -> bool:
    """`--plan always` plans for every executor, `auto` for those that plan by default (agents), `off` never."""
    return mode is PlanMode.ALWAYS or (mode is PlanMode.AUTO and plans_by_default)


def make_plan(request: str, *, max_subtasks: int = DEFAULT_MAX_SUBTASKS) -> Plan:
    """The plan for `request`; `plan.chunked` says whether it runs as subtasks."""
    text = request.replace("\r\n", "\n").replace("\r", "\n").strip()
    extraction = extract_parts(text)
    size = estimate_size(text, len(extraction.items), names_in(text))
    decision = decide(extraction, size, max_subtasks)
    items = tuple(PlanItem(number, part, names_in(part).all) for number, part in enumerate(extraction.items, 1))
    plan = Plan(request=request, size=size, structure=extraction.structure, decision=decision, items=items,
                preamble=extraction.preamble, epilogue=extraction.epilogue, left_out=extraction.left_out)
    if not decision.chunk:
        return plan
    dependencies, notes = analyse(items, extraction.order_words, extraction.references)
    return replace(plan, dependencies=dependencies, order=tuple(item.number for item in items),
                   groups=parallel_groups(len(items), dependencies), notes=notes)


def extract_parts(text: str) -> Extraction:
    """The parts of the first structure (in the order of spec/planning.md "Parts") with at least two;
    else the first structure found, else the first refused (with why), else nothing.

    A one-item structure does not stop the search: `1. add the parser 2. add tests` is one
    numbered line, and an inline numbered list of two.
    """
    lines = [classify(raw) for raw in text.split("\n")]
    found = [*(list_items(lines, kind) for kind in _LIST_KINDS), plan_lines(lines), inline_numbered(text),
             sequence(text)]
    structured = [e for e in found if e is not None and e.structure is not None]
    refused = [e for e in found if e is not None and e.structure is None]
    return next((e for e in structured if len(e.items) >= MIN_SUBTASKS),
                structured[0] if structured else refused[0] if refused else Extraction(None))


def decide(extraction: Extraction, size: SizeEstimate, max_subtasks: int) -> ChunkingDecision:
    """Split or not, with the reason a person reads in the plan and in CHUNKING_DECISION."""
    count = len(extraction.items)
    structure = extraction.structure
    if structure is None:
        if extraction.refused:
            return ChunkingDecision(False, f"not split: {extraction.refused}")
        hint = "; write its parts as a numbered list to split it" if size.size in (Size.L, Size.XL) else ""
        return ChunkingDecision(False, "not split: no numbered or bulleted list, checklist, plan or "
                                f"first/then/finally sequence{hint}")
    done = f" ({len(extraction.left_out)} checked item(s) left out)" if extraction.left_out else ""
    if count < MIN_SUBTASKS:
        return ChunkingDecision(False, f"not split: the {structure} has {count} item(s) to run{done}; "
                                f"a request with fewer than {MIN_SUBTASKS} is never split")
    if count > max_subtasks:
        return ChunkingDecision(False, f"not split: {count} items is more than --max-subtasks {max_subtasks}; "
                                "raise it to split this request")
    return ChunkingDecision(True, f"split into {count} subtasks, one per item of the {structure}{done} "
                            f"(size {size.size})")
