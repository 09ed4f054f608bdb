"""The modification prompt: the failed criteria, with their details, in words an agent can act on.

Two shapes (spec/review-loop.md "Prompts"): a resumed agent session gets only the findings (it still
has the task in its context); an executor that cannot resume gets the original request with the
findings appended. Escalation uses the second shape for the stronger model. Pure; the findings are
masked and cut at `MAX_FINDINGS_CHARS`; the original request is sent as the first pass sent it.
"""

from __future__ import annotations

from collections.abc import Sequence

from runner.logs.masking import mask_and_truncate
from runner.review.criteria import CHECK_KEY, CriterionResult
from runner.review.facts import CheckOutcome

MAX_FINDINGS_CHARS = 8_000

_OPENING = ("pm-runner reviewed the result of your last pass on disk and rejected it. Fix each problem "
            "below, keep every other change you made, and then say which files you changed.")
_CLOSING = ("Do not leave TODO/FIXME/XXX markers or placeholders such as \"... rest unchanged\": "
            "write the complete content.")


def findings_text(failed: Sequence[CriterionResult], checks: Sequence[CheckOutcome]) -> str:
    """One numbered item per failed criterion, with its details and, for a check, its output tail."""
    tails = {f"check `{check.command}`": check for check in checks if not check.passed}
    items: list[str] = []
    for number, result in enumerate(failed, 1):
        lines = [f"{number}. {result.label} failed."]
        lines += [f"   - {detail}" for detail in result.details]
        check = tails.get(result.label) if result.key == CHECK_KEY else None
        if check is not None and check.output_tail:
            lines += ["   Last output:", "   ```", *(f"   {line}" for line in check.output_tail.splitlines()), "   ```"]
        items.append("\n".join(lines))
    return "\n\n".join(items)


def resume_prompt(failed: Sequence[CriterionResult], checks: Sequence[CheckOutcome]) -> str:
    """What a resumed agent session is told after a REJECT."""
    return f"{_OPENING}\n\n{_bounded_findings(failed, checks)}\n\n{_CLOSING}"


def restart_prompt(original: str, failed: Sequence[CriterionResult], checks: Sequence[CheckOutcome], *,
                   escalation: bool = False) -> str:
    """The original request as it was first sent, then the findings of the rejected pass.

    For an executor that cannot resume a session, and for the stronger model of an escalation.
    """
    who = "another model" if escalation else "a previous pass"
    header = (f"The files on disk already hold the changes of {who}, which pm-runner reviewed and "
              "rejected for these reasons; fix them while doing the request:")
    return f"{original}\n\n---\n{header}\n\n{_bounded_findings(failed, checks)}\n\n{_CLOSING}"


def _bounded_findings(failed: Sequence[CriterionResult], checks: Sequence[CheckOutcome]) -> str:
    return mask_and_truncate(findings_text(failed, checks), MAX_FINDINGS_CHARS)
