"""Scenarios marked `slow` (over a minute) are skipped unless selected with `-m slow`, as the README says."""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "slow" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="longer than a minute: run with `pytest -m slow`")
    for item in items:
        if "slow" in item.keywords and item.path.resolve().is_relative_to(HERE):
            item.add_marker(skip)
