"""Every test gets its own user config folder, so no answer to a consent question leaks between tests
or into the real `~/.config/pm-runner/` (child processes inherit it through `runner_env`), and
leaves no ended child unreaped for a later test to trip over."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.children import live_children, reap, zombie_children


@pytest.fixture(autouse=True)
def own_user_config(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh `PM_RUNNER_CONFIG_DIR` for this test."""
    folder = tmp_path_factory.mktemp("user-config")
    monkeypatch.setenv("PM_RUNNER_CONFIG_DIR", str(folder))
    return folder


@pytest.fixture(autouse=True)
def reap_orphaned_zombies() -> Iterator[None]:
    """Reap children that ended during this test without their parent reaping them.

    Once a test has supervised a task in-process, pytest is a child subreaper: a runner killed
    with -9 hands its own children to pytest, and they stay zombies until someone reaps them.
    """
    before = set(live_children())
    yield
    reap(set(zombie_children()) - before, kill=False)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked `slow` are skipped unless selected with `-m slow`, as the README says: scenarios over
    a minute, and the heaviest variants of checks whose lighter variant runs every time (CI's budget)."""
    if "slow" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="slow (over a minute, or a heavy variant of a check that runs anyway): "
                                   "run with `pytest -m slow`")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
