"""`.claude/repl_history`: the prompt's history on disk, masked, never through a link.

The file may have come with a cloned repository, so it is read and appended only through
`safe_files`: a link, FIFO, device or hard-linked file in its place (or one over
`Limit.HISTORY`) is never read or written. History then lives in memory for this run, and one
WARNING at start says why.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterable
from pathlib import Path

from prompt_toolkit.history import History

from runner.logs.masking import mask_text
from runner.logs.store import safe_files
from runner.logs.store.safe_files import Limit

HISTORY_FILE = "repl_history"


class SafeFileHistory(History):
    """prompt-toolkit's file history format (`+line` under a `# time` header), read and written safely."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__()

    def load_history_strings(self) -> Iterable[str]:
        try:
            data = safe_files.read_bytes(self.path, limit=Limit.HISTORY, single_link=True)
        except OSError:
            return []
        strings: list[str] = []
        lines: list[str] = []
        for line in data.decode("utf-8", errors="replace").splitlines(keepends=True):
            if line.startswith("+"):
                lines.append(line[1:])
            elif lines:
                strings.append("".join(lines)[:-1])
                lines = []
        if lines:
            strings.append("".join(lines)[:-1])
        return reversed(strings)

    def store_string(self, string: str) -> None:
        """Append one entry, masked like every log: a key typed at the prompt never reaches the file."""
        text = f"\n# {datetime.datetime.now()}\n" + "".join(f"+{line}\n" for line in mask_text(string).split("\n"))
        try:
            fd = safe_files.open_append(self.path)
        except OSError:
            return  # checked at start; a file swapped since is simply not written
        try:
            safe_files.write_all(fd, text.encode("utf-8", errors="replace"))
        except OSError:
            pass
        finally:
            os.close(fd)


def history_problem(claude_dir: Path) -> str | None:
    """Why the history file cannot be used (None when it can); creates it 0600 when missing."""
    path = claude_dir / HISTORY_FILE
    try:
        safe_files.make_private_folders(claude_dir)
        os.close(safe_files.open_append(path))
        st = safe_files.lstat(path)
    except OSError as exc:
        return exc.strerror or str(exc)
    if st is not None and st.st_size > Limit.HISTORY:
        return f"{path} is larger than its {Limit.HISTORY // (1024 * 1024)} MiB limit"
    return None
