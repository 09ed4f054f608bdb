"""Every test gets its own user config folder, so no answer to a consent question leaks between tests
or into the real `~/.config/pm-runner/` (child processes inherit it through `runner_env`), and
leaves no ended child unreaped for a later test to trip over."""

from __future__ import annotations

import shutil
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


@pytest.fixture(autouse=True)
def no_project_above_the_test_folders(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Fail the test that leaves a `.claude/` or `.git` in a folder above every test's folder (such as /tmp).

    The runner finds its project by walking up to the nearest `.claude/` (then `.git`), so one such
    folder turns every later test's project into that shared folder: dozens of unrelated failures
    instead of one naming the test that made it. What this test made is removed again.

    Only what discovery would take counts (`.claude/` a folder, `.git` as git would use it): the real
    Codex CLI's sandbox mounts over an empty `/tmp/.git` for a moment while a test in another worker
    runs it, which neither decides a project nor belongs to this test.
    """
    from runner.cli.project_root import is_git_marker

    def marks_a_project(marker: Path) -> bool:
        return marker.is_dir() if marker.name == ".claude" else is_git_marker(marker)

    above = tmp_path_factory.getbasetemp().resolve().parents
    markers = [folder / name for folder in above for name in (".claude", ".git")]
    before = {marker for marker in markers if marks_a_project(marker)}
    yield
    made = [marker for marker in markers if marker not in before and marks_a_project(marker)]
    for marker in made:
        shutil.rmtree(marker, ignore_errors=True) if marker.is_dir() else marker.unlink(missing_ok=True)
    assert not made, f"this test left {', '.join(map(str, made))}: later tests would take it for their project"


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


@pytest.fixture
def no_env_secrets() -> Iterator[None]:
    """Masking tests start from an empty exact-value table (the machine's own environment holds
    values that would be masked too) and leave the real environment's table behind."""
    from runner.logs.masking import reset_env_secrets

    reset_env_secrets({})
    yield
    reset_env_secrets()
