"""What a subtask's executor is told: its one part, and — for an agent — the whole request as context.

A shell command or a test directive cannot carry context, so for executors that do not read prose
the prompt is the part alone (spec/planning.md "Subtask prompts").
"""

from __future__ import annotations

from collections.abc import Mapping

from runner.orchestration.planning.model import Plan


def subtask_prompt(plan: Plan, number: int, *, reads_prose: bool, earlier: Mapping[int, str]) -> str:
    """The prompt of part `number`; `earlier` maps the parts that ran or were settled before it to their outcome."""
    part = plan.item(number).text
    if not reads_prose:
        return part
    lines = [part, "",
             f"This is part {number} of {len(plan.items)} of the request below, which pm-runner split into "
             "parts that run as separate tasks. Do only this part; the other parts are done separately."]
    if earlier:
        lines.append("Parts before this one: " + ", ".join(f"{n} {outcome}" for n, outcome in sorted(earlier.items()))
                     + ".")
    lines += ["", "The whole request:", plan.request.strip()]
    return "\n".join(lines)
