"""Every test gets its own user config folder, so no answer to a consent question leaks between tests
or into the real `~/.config/pm-runner/` (child processes inherit it through `runner_env`)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def own_user_config(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh `PM_RUNNER_CONFIG_DIR` for this test."""
    folder = tmp_path_factory.mktemp("user-config")
    monkeypatch.setenv("PM_RUNNER_CONFIG_DIR", str(folder))
    return folder
