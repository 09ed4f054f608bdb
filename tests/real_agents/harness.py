"""Running a real agent CLI against the fake model server, the way the recordings were made.

`AgentSandbox` is one project folder, one isolated HOME and one fake model server. `run` starts
the CLI with stdin from the null device in its own process group (Gemini CLI relaunches itself;
a timeout ends the whole group) and returns what it printed, its exit code and the model calls.
`replay_argv` turns a recorded argv into one for this machine (the cached binary, this server's
port, the session ids of this sandbox's earlier runs).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.helpers.cli import Run, run_pm
from tests.helpers.recorded_streams import RECORDED_PORT, Recording
from tests.real_agents.clis import AgentCli, cache_dir, environment, prepare_home
from tests.real_agents.fake_model.server import FakeModelServer

RUN_TIMEOUT_S = 120


@dataclass(frozen=True)
class CliRun:
    """What one CLI run left behind."""

    argv: list[str]
    exit_code: int
    stdout: list[str]
    stderr: str
    model_calls: list[str]
    files_after: list[str]
    seconds: float

    def records(self) -> list[dict[str, Any]]:
        """The stdout lines that are JSON objects."""
        records = []
        for line in self.stdout:
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict):
                records.append(record)
        return records

    def session_id(self) -> str | None:
        return first_session_id(self.records())


@dataclass
class AgentSandbox:
    """A project, a HOME and a fake model server for one CLI; ids map recorded → ours."""

    cli: AgentCli
    root: Path
    server: FakeModelServer
    ids: dict[str, str] = field(default_factory=dict)

    @property
    def project(self) -> Path:
        return self.root / "project"

    @property
    def home(self) -> Path:
        return self.root / "home"

    def setup(self) -> None:
        self.project.mkdir(parents=True, exist_ok=True)
        self.home.mkdir(parents=True, exist_ok=True)
        prepare_home(self.cli, self.home, self.server.url)

    def environment(self) -> dict[str, str]:
        return environment(self.cli, self.home, self.server.url)

    def replay_argv(self, recorded: Recording) -> list[str]:
        """The recorded argv with our binary, our port and our session ids."""
        argv = [str(self.cli.executable(cache_dir()))]
        for word in recorded.argv[1:]:
            word = word.replace(f"127.0.0.1:{RECORDED_PORT}", f"127.0.0.1:{self.server.port}")
            argv.append(self.ids.get(word, word))
        return argv

    def run(self, argv: list[str], *, timeout_s: float = RUN_TIMEOUT_S) -> CliRun:
        seen = len(self.server.calls)
        started = time.monotonic()
        child = subprocess.Popen(argv, cwd=self.project, env=self.environment(), stdin=subprocess.DEVNULL,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                 errors="replace", start_new_session=True)
        try:
            out, err = child.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            out, err = child.communicate()
            err += f"\n[harness] killed after {timeout_s} s"
        _end_group(child.pid)
        files = sorted(str(p.relative_to(self.project)) for p in self.project.rglob("*") if p.is_file())
        return CliRun(argv, child.returncode, out.splitlines(), err, self.server.call_summaries()[seen:],
                      files, time.monotonic() - started)

    def pm_runner(self, args: list[str], lines: list[str], *, expect: int | None) -> Run:
        """`pm-runner ARGS` in the project with LINES on stdin, this CLI first on PATH, its model faked."""
        env = self.environment()
        bin_dir = str(self.cli.executable(cache_dir()).parent)
        env.update(PATH=os.pathsep.join([bin_dir, env["PATH"]]), NO_COLOR="1")
        return run_pm(args, stdin="".join(f"{line}\n" for line in lines), cwd=self.project, env=env,
                      expect=expect, timeout=RUN_TIMEOUT_S + 60)

    def replay(self, recorded: Recording) -> CliRun:
        """Run the recorded scenario here; a session id it prints stands in for the recorded one."""
        run = self.run(self.replay_argv(recorded))
        recorded_id, our_id = first_session_id(recorded.records()), run.session_id()
        if recorded_id and our_id:
            self.ids[recorded_id] = our_id
        return run


def first_session_id(records: list[dict[str, Any]]) -> str | None:
    """Claude's and Gemini's `session_id`, Codex's `thread_id`: whichever comes first."""
    for record in records:
        for key in ("session_id", "thread_id"):
            if isinstance(record.get(key), str):
                return str(record[key])
    return None


def _end_group(pgid: int) -> None:
    """Helpers a CLI left in its process group (a relaunched Gemini CLI) end with the test."""
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass
