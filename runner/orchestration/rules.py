"""`LoopRules`: the settings the loop's policy follows for one task (data only).

Apart from `policy.py` so that a `TaskSpec` (loop/spec.py), built before any task runs, does not load
the policy's judge, verification and change detection: those load with the first task.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LoopRules:
    """The settings the policy follows for one task."""

    review: bool = False
    max_iterations: int = 3
    max_retries: int = 2
    retry_backoff_ms: int = 2_000
    escalate_model: str | None = None
    fallback_model: str | None = None
    natural_language: bool = True  # the executor's prompt can carry the findings
