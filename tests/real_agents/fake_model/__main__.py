"""Serve the fake model by hand: `python -m tests.real_agents.fake_model PROJECT [PORT]`.

Prints the base URL, then one line per model call until Ctrl-C; handy when adding a scenario
or a CLI (see `tests/real_agents/README.md`).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from tests.real_agents.fake_model.server import FakeModelServer


def main(argv: list[str]) -> int:
    if not argv or len(argv) > 2:
        print("usage: python -m tests.real_agents.fake_model PROJECT [PORT]", file=sys.stderr)
        return 2
    with FakeModelServer(Path(argv[0]).resolve(), port=int(argv[1]) if len(argv) == 2 else 0) as server:
        print(server.url, flush=True)
        shown = 0
        try:
            while True:
                time.sleep(0.2)
                calls = server.call_summaries()
                for line in calls[shown:]:
                    print(line, flush=True)
                shown = len(calls)
        except KeyboardInterrupt:
            return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
