"""Install the pinned agent CLIs into the cache: `python -m tests.real_agents.install [NAME-VERSION...]`.

Idempotent: a CLI whose binary already reports the pinned version is left alone. Each goes to
its own prefix with `npm install --prefix`, so versions never mix and nothing lands in the
repository. Exit code 1 when an install failed (the message names it and shows npm's last lines).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time

from tests.real_agents.clis import PINNED, AgentCli, cache_dir


def installed_version(cli: AgentCli) -> str | None:
    binary = cli.executable(cache_dir())
    if not binary.exists():
        return None
    try:
        done = subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=60,
                              stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() or None


def install(cli: AgentCli) -> str | None:
    """Install one CLI; the error text, or None on success."""
    version = installed_version(cli)
    if version is not None and cli.version in version:
        print(f"{cli.spec}: already installed ({version})")
        return None
    prefix = cli.prefix(cache_dir())
    shutil.rmtree(prefix, ignore_errors=True)
    prefix.mkdir(parents=True)
    started = time.monotonic()
    done = subprocess.run(["npm", "install", "--prefix", str(prefix), "--no-audit", "--no-fund",
                           "--loglevel=error", cli.spec], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-5:])
        return f"{cli.spec}: npm install failed (exit {done.returncode}):\n{tail}"
    version = installed_version(cli)
    if version is None or cli.version not in version:
        return f"{cli.spec}: installed, but `{cli.name} --version` says {version!r}"
    print(f"{cli.spec}: installed in {time.monotonic() - started:.0f} s ({version})")
    return None


def main(argv: list[str]) -> int:
    if shutil.which("npm") is None:
        print("npm is not on PATH: the real-agent CLIs cannot be installed", file=sys.stderr)
        return 1
    wanted = [cli for cli in PINNED if not argv or cli.key in argv]
    unknown = sorted(set(argv) - {cli.key for cli in PINNED})
    if unknown:
        print(f"unknown CLI {', '.join(unknown)}; pinned: {', '.join(c.key for c in PINNED)}", file=sys.stderr)
        return 2
    errors = [error for error in map(install, wanted) if error]
    for error in errors:
        print(error, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
