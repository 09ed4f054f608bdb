"""CPU time of the calling thread for the tests that check growth (linear, not quadratic).

They compare two sizes of the same work. Wall-clock time would also count the time slices other
processes take (a parallel test worker, a busy CI machine) and make the ratio noise; the thread's
own CPU time counts only the work itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable


def best_cpu_time(action: Callable[[], object], runs: int = 3) -> float:
    """The least CPU time this thread spent in `action` over `runs` runs, in seconds."""
    best = float("inf")
    for _ in range(runs):
        start = time.thread_time()
        action()
        best = min(best, time.thread_time() - start)
    return best
