"""Fixtures of the real-agent tier: a sandbox (project, HOME, fake model server) per CLI."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.real_agents.clis import AgentCli, missing_reason
from tests.real_agents.fake_model.server import FakeModelServer
from tests.real_agents.harness import AgentSandbox

# Set by .ci/run: there, a CLI that is missing is a failure, not a skip, so the tier cannot vanish.
REQUIRE_ENV = "PM_RUNNER_REQUIRE_REAL_AGENTS"


@pytest.fixture
def agent_sandbox(tmp_path: Path) -> Iterator[Callable[[AgentCli], AgentSandbox]]:
    """Make a sandbox for a CLI, or skip the test with the reason it cannot run here."""
    with ExitStack() as stack:
        def make(cli: AgentCli) -> AgentSandbox:
            reason = missing_reason(cli)
            if reason is not None and os.environ.get(REQUIRE_ENV) == "1":
                pytest.fail(f"{reason} ({REQUIRE_ENV}=1)")
            if reason is not None:
                pytest.skip(reason)
            root = tmp_path / cli.key
            server = stack.enter_context(FakeModelServer(root / "project"))
            sandbox = AgentSandbox(cli, root, server)
            sandbox.setup()
            return sandbox

        yield make
