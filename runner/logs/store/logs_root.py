"""The logs folder a user chose: `--logs-dir DIR`, else `PM_RUNNER_LOGS_DIR`, else `<project>/.claude/logs`.

The choice is the user's alone: it comes from the command line or the environment, never from a
repository's files (a cloned repository must not send pm-runner's writes outside the project;
`runner.config` refuses a config file that names one). The path is resolved once, here, at start
(a link the user made is followed this one time), and from then on it is a trusted anchor for
`safe_files`: the folder itself and everything below it are opened without following any link,
exactly as under `.claude/logs`. A folder the REPL will write is created 0700 with any missing
parent when it does not exist.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from runner.errors import LogsNotWritableError
from runner.logs.store import safe_files
from runner.logs.store.access import WRITE, explain

ENV_VAR = "PM_RUNNER_LOGS_DIR"
FLAG = "--logs-dir"
RETRY_HINT = f"pass a folder you can write to {FLAG} (or {ENV_VAR}); it is created 0700 when missing"


@dataclass(frozen=True)
class LogsDirChoice:
    """The resolved logs folder and what named it (`--logs-dir` or `PM_RUNNER_LOGS_DIR`)."""

    path: Path
    source: str


def choose_logs_dir(flag: Path | None, environ: Mapping[str, str], cwd: Path) -> LogsDirChoice | None:
    """The user's logs folder: the flag wins over the variable (an empty variable is unset); None for the default.

    A relative path is taken from `cwd`; `~` is expanded; links are resolved once, here.
    """
    given, source = (str(flag), FLAG) if flag is not None else (environ.get(ENV_VAR, ""), ENV_VAR)
    if not given:
        return None
    path = Path(os.path.realpath(cwd / Path(given).expanduser()))
    safe_files.trust_logs_root(path)
    return LogsDirChoice(path, source)


def prepare_logs_dir(choice: LogsDirChoice) -> None:
    """Make sure the REPL can keep its logs in `choice.path`: create it 0700 if missing (parents too);
    LogsNotWritableError (exit 73) naming the folder and the fix when it is a file or cannot be made."""
    blocker = _non_folder_on_the_way(choice.path)
    if blocker is not None:
        where, info = blocker
        raise LogsNotWritableError(f"cannot use the logs folder {choice.path} (from {choice.source}): "
                                   f"{where} is {safe_files.describe(info)}, not a folder", hint=RETRY_HINT)
    if not choice.path.exists():
        _make_folders(choice)


def _non_folder_on_the_way(path: Path) -> tuple[Path, os.stat_result] | None:
    """The first entry from `/` down to `path` that exists and is not a folder, with its lstat."""
    for step in (*reversed(path.parents), path):
        try:
            info = os.lstat(step)
        except OSError:
            return None  # missing, or not reachable: creating it says why
        if not stat.S_ISDIR(info.st_mode):
            return step, info
    return None


def _make_folders(choice: LogsDirChoice) -> None:
    missing = [folder for folder in (*reversed(choice.path.parents), choice.path) if not folder.exists()]
    try:
        for folder in missing:
            os.mkdir(folder, safe_files.PRIVATE_DIR_MODE)
            os.chmod(folder, safe_files.PRIVATE_DIR_MODE)  # the umask applies to mkdir
    except FileExistsError:
        _make_folders(choice)  # another process made it first
    except OSError as exc:
        raise _cannot_create(choice, exc) from None


def _cannot_create(choice: LogsDirChoice, exc: OSError) -> LogsNotWritableError:
    refusal = explain(choice.path, WRITE) if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS) else None
    reason = refusal.reason if refusal is not None else (exc.strerror or str(exc))
    return LogsNotWritableError(f"cannot create the logs folder {choice.path} (from {choice.source}): {reason}",
                                hint=RETRY_HINT)
