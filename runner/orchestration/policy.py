"""What to do after an attempt has been judged: the next step of a task, as data (pure).

Today one attempt decides a task, so the only step is `Conclude`. The review loop, retries and
escalation (issue 12) add their steps here (`Resume(prompt)`, `Retry(...)`, `Escalate(...)`) and
their rules to `next_step`; `loop.run_task` applies whatever step comes back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from runner.orchestration.judge import StatusDecision


@dataclass(frozen=True)
class Conclude:
    """Stop here and record the task with this decision."""

    decision: StatusDecision


Step = Conclude


def next_step(decisions: Sequence[StatusDecision]) -> Step:
    """The step after the latest judgment (`decisions` holds every judgment of the task so far, oldest first)."""
    return Conclude(decisions[-1])
