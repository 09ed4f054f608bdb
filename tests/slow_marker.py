"""Tests marked `slow` are skipped unless selected with `-m slow`, as the README says: scenarios over a
minute, and the heaviest variants of checks whose lighter variant runs every time (CI's 15-minute budget)."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "slow" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="slow (over a minute, or a heavy variant of a check that runs anyway): run with `pytest -m slow`")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
