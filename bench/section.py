"""One benchmark in an interpreter of its own: `python -m bench.section NAME OUT [--quick] [CASE ...]`.

`python -m bench` runs every benchmark this way so that none is measured in a heap another
left behind: a section that wrote 10,000 tasks leaves hundreds of thousands of objects and a
fragmented allocator, which made a later section's large inputs slower than its small ones
(the masking growth figures read 122–134× after the suite's first sections, 70–96× alone).
The figures travel back pickled in OUT, a file in the parent's scratch folder.
"""

from __future__ import annotations

import importlib
import pickle
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from bench.harness import Figure


@dataclass
class SectionResult:
    figures: list[Figure] = field(default_factory=list)
    seconds: float = 0.0
    error: str | None = None


def run_section(name: str, quick: bool, cases: list[str]) -> SectionResult:
    """Run one benchmark here; a failure is reported in the result, not raised."""
    started = time.perf_counter()
    result = SectionResult()
    try:
        module = importlib.import_module(f"bench.{name}")
        result.figures = module.run(quick, cases) if cases else module.run(quick)
    except Exception as exc:  # one broken benchmark must not hide the others' figures
        traceback.print_exc(file=sys.stderr)
        result.error = f"{type(exc).__name__}: {exc}"
    result.seconds = time.perf_counter() - started
    return result


def main(argv: list[str]) -> int:
    name, out, *rest = argv
    quick = "--quick" in rest
    cases = [arg for arg in rest if arg != "--quick"]
    Path(out).write_bytes(pickle.dumps(run_section(name, quick, cases)))
    return 0


if __name__ == "__main__":
    # Run the module's own copy, not `__main__`'s: the result must pickle as bench.section.SectionResult.
    from bench.section import main as section_main

    sys.exit(section_main(sys.argv[1:]))
