"""Golden files under tests/golden/: compare, or rewrite with PM_RUNNER_UPDATE_GOLDEN=1 (then review the diff)."""

from __future__ import annotations

import os
from pathlib import Path

GOLDEN = Path(__file__).resolve().parents[1] / "golden"


def check_golden(name: str, text: str) -> None:
    """Assert `text` equals the golden file `name`; rewrite it instead when asked to."""
    path = GOLDEN / name
    if os.environ.get("PM_RUNNER_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing golden file {path}; run with PM_RUNNER_UPDATE_GOLDEN=1 and review it"
    expected = path.read_text(encoding="utf-8")
    assert text == expected, f"{name} differs from its golden file; rerun with PM_RUNNER_UPDATE_GOLDEN=1 to review"
