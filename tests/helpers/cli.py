"""Run `pm-runner` as a real subprocess (`run_pm`) or in this process (`run_cli`), with a transcript in
every failure message."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FAKE_BIN = REPO / "tests" / "fixtures" / "bin"


@dataclass
class Run:
    args: list[str]
    code: int
    stdout: str
    stderr: str

    @property
    def lines(self) -> list[str]:
        return self.stdout.splitlines()

    def transcript(self) -> str:
        return (f"$ pm-runner {' '.join(self.args)}\n--- exit {self.code}\n--- stdout\n{self.stdout}"
                f"--- stderr\n{self.stderr}")


def runner_env(extra: Mapping[str, str] | None = None, *, fake_claude: bool = False) -> dict[str, str]:
    """A clean environment: no real API keys, colour off, optional fake `claude` first on PATH."""
    env = {k: v for k, v in os.environ.items() if not k.endswith(("_API_KEY", "_TOKEN"))}
    env["NO_COLOR"] = "1"
    # The width of the terminal pytest runs in (or xdist's COLUMNS=80) must not change what views show.
    env.pop("COLUMNS", None)
    env.pop("LINES", None)
    env.pop("PM_RUNNER_TEST_MODE", None)
    path = env.get("PATH", "")
    if fake_claude:
        path = f"{FAKE_BIN}{os.pathsep}{path}"
    else:
        # Make sure a real claude on this machine never changes the default executor.
        path = os.pathsep.join(p for p in path.split(os.pathsep) if not (Path(p) / "claude").exists())
    env["PATH"] = path
    env.update(extra or {})
    return env


def run_pm(args: list[str], *, stdin: str | bytes = b"", cwd: Path, expect: int | None = 0,
           env: Mapping[str, str] | None = None, timeout: float = 60, merged: bool = False) -> Run:
    """Run `python -m runner ARGS` in `cwd`; fail with the whole transcript if the exit code differs.

    `merged` is `2>&1`: stderr goes into the same pipe as stdout (`Run.stdout`), in write order."""
    data = stdin.encode() if isinstance(stdin, str) else stdin
    proc = subprocess.run([sys.executable, "-m", "runner", *args], input=data, cwd=cwd,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT if merged else subprocess.PIPE,
                          timeout=timeout, env=dict(env) if env else runner_env())
    run = Run(args, proc.returncode, proc.stdout.decode(errors="replace"),
              (proc.stderr or b"").decode(errors="replace"))
    if expect is not None:
        assert run.code == expect, f"expected exit {expect}\n{run.transcript()}"
    return run


def run_cli(args: list[str], *, stdin: str | bytes = b"", cwd: Path, expect: int | None = 0,
            env: Mapping[str, str] | None = None) -> Run:
    """Run `pm-runner ARGS` in this process (httpie's `http()` helper): `main(argv, Environment(...))`
    with in-memory streams; fail with the transcript on a different exit code.

    The streams, the folder and the variables go in through the `Environment`. Two pieces of process
    state cannot: children inherit `os.environ` and relative paths resolve against the process's
    folder, so both are set for the call (clean, as for `run_pm`) and restored after it, with the
    SIGINT/SIGTERM handlers the REPL installs.
    """
    from runner.cli import Environment, main
    from runner.logs.masking import reset_env_secrets

    data = stdin.encode() if isinstance(stdin, str) else stdin
    out, err = io.StringIO(), io.StringIO()
    environ = dict(env) if env is not None else runner_env()
    streams = Environment(stdin=io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"), stdout=out, stderr=err,
                          environ=environ, cwd=cwd)
    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    handlers = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        os.environ.clear()
        os.environ.update(environ)
        reset_env_secrets()
        os.chdir(cwd)
        code = main(list(args), streams)
    finally:
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
        reset_env_secrets()
        for signum, handler in handlers.items():
            signal.signal(signum, handler)
    run = Run(list(args), int(code), out.getvalue(), err.getvalue())
    if expect is not None:
        assert run.code == expect, f"expected exit {expect}\n{run.transcript()}"
    return run


def project_with_config(tmp_path: Path, config: Mapping[str, object] | None = None) -> Path:
    """A fresh project folder `tmp_path/p` with `.claude/`, and `config` as its runner.config.json when given."""
    project = tmp_path / "p"
    (project / ".claude").mkdir(parents=True)
    if config is not None:
        (project / ".claude" / "runner.config.json").write_text(json.dumps(config))
    return project
