"""The cyclic garbage collector paused for the length of one view (`collector_paused`).

A view of a large task allocates tens of thousands of small containers at once (every parsed
event's dict, the columns, the lines), none of them part of a reference cycle: reference counting
frees them all when the view ends. With the collector running, each 700 new containers start a
young-generation pass, and the survivors are walked again by the older generations: for a task of
2,000 events those passes cost about as much as building the view. Pausing the collector for the
view skips them; memory stays bounded because the pause lasts one view, never while the REPL waits
for a line, a full-screen browser runs or `--follow` polls.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block with the cyclic collector disabled; enable it again after, also on an exception.

    Nested pauses are safe: only the pause that disabled the collector enables it again, and a
    collector someone else disabled stays disabled. No collection is forced at the end: the next
    allocations start one as usual.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def show_paused(build: Callable[[], Iterable[Any]], render: Callable[[Any], None]) -> None:
    """Build a view's items and render each, the read and the render in one pause of the collector."""
    with collector_paused():
        for item in build():
            render(item)
