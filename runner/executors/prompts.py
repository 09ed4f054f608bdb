"""Recognising a child that waits for a person: interactive prompt lines and reads on the closed stdin.

Pure functions over decoded output lines; the supervisor decides what to do when one matches.
"""

from __future__ import annotations

import re

from runner.executors.literals import AnyOf

# Only the head of a line is looked at, so a multi-megabyte line costs no more than a short one.
SCAN_CHARS = 4096

# CSI / OSC / two-byte escapes: prompt libraries colour the leading `?`.
_ESCAPES = re.compile(r"\x1b\[[0-?]{0,32}[ -/]{0,8}[@-~]|\x1b\][^\x07\x1b]{0,512}(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]")
_LINE_STARTS = ("? ", "Enter ", "Press ")
# [Y/n], [y/N], (yes/no), (y/n) and their case variants.
_CHOICE = re.compile(r"[\[(]\s?y(?:es)?\s?/\s?n(?:o)?\s?[\])]", re.IGNORECASE)
# "Press CTRL+C to quit" tells how to stop a program that is busy (a server, a watcher), not a question.
_HOW_TO_STOP = re.compile(r"\bctrl[-+ ]?c\b|\^c\b", re.IGNORECASE)
# Text that is not a line a person would read: undecodable bytes or control characters.
_NOT_TEXT = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ufffd]")

# Messages that runtimes print when a read hits the closed stdin or a missing terminal.
_STDIN_MESSAGES = (
    "EOF when reading a line",  # Python input()
    "stdin is not a tty",
    "Inappropriate ioctl for device",
    "the input device is not a TTY",
    "/dev/tty: No such device or address",  # a read of /dev/tty outside any terminal session
    "Input is not a terminal",
    "terminal prompts disabled",  # git asking for credentials
)
_STDIN_MESSAGE_SEARCH = AnyOf(_STDIN_MESSAGES)
_QUESTION_ENDINGS = (":", "?", ">", "]", ")")


def clean_line(line: str) -> str:
    """The visible text of a line: escape sequences removed, only what follows the last carriage return."""
    head = line[:SCAN_CHARS]
    visible = _ESCAPES.sub("", head)
    return visible.rsplit("\r", 1)[-1].strip()


def match_prompt(line: str) -> str | None:
    """The prompt text if `line` looks like an interactive prompt (seed 003 §2.2.1), else None.

    Looking like one is not enough to stop a child: the supervisor also needs it to be the last
    output, followed by silence while the child runs (supervise.PROMPT_QUIET_S)."""
    head = line[:SCAN_CHARS]
    if "?" not in head and "/" not in head and "Enter" not in head and "Press" not in head:
        return None  # the common case, decided without cleaning the line
    visible = clean_line(line)
    # The prefixes carry a trailing space that `strip` removed when the line is exactly the prefix.
    padded = visible + " "
    if not (padded.startswith(_LINE_STARTS) or _CHOICE.search(visible)):
        return None
    if _NOT_TEXT.search(visible) or _HOW_TO_STOP.search(visible):
        return None
    return visible


def mentions_stdin_message(text: str) -> bool:
    """Whether any line of `text` may hold a complaint about stdin (a cheap check before `match_stdin_message`)."""
    return _STDIN_MESSAGE_SEARCH.found_in(text)


def match_stdin_message(line: str) -> str | None:
    """The line if it is a runtime's complaint about reading the closed stdin or a missing terminal."""
    head = line[:SCAN_CHARS]
    for message in _STDIN_MESSAGES:
        if message in head:
            return clean_line(line) or message
    return None


def looks_like_question(partial: str) -> bool:
    """True for an unterminated last line that reads like a request for input (`Name: `, `Proceed? `)."""
    visible = clean_line(partial)
    return bool(visible) and len(visible) <= 200 and visible.endswith(_QUESTION_ENDINGS)
