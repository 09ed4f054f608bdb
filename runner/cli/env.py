"""`Environment`: the process around the CLI — its streams, whether they are terminals, its variables
and its folder — passed to `main` so a test can give its own (httpie's `context.Environment`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from runner.repl.tty import default_width


@dataclass
class Environment:
    """Where the CLI reads and writes, and what it knows of its surroundings."""

    stdin: TextIO = field(default_factory=lambda: sys.stdin)
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    environ: Mapping[str, str] = field(default_factory=lambda: os.environ)
    cwd: Path = field(default_factory=Path.cwd)

    @property
    def stdin_isatty(self) -> bool:
        return self.stdin.isatty()

    @property
    def stdout_isatty(self) -> bool:
        return self.stdout.isatty()

    @property
    def width(self) -> int | None:
        """None at a terminal (it knows its width); piped output gets COLUMNS or 120 so no column is hidden."""
        return default_width(self.stdout, self.environ)
