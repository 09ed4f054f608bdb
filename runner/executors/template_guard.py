"""How a command template could still run the prompt as code or read it as options, and the guards.

Nothing runs through a shell, but a template can name one itself: in `sh -c 'echo {prompt}'` the
prompt lands inside the script, where `hi; touch INJECTED` runs as two commands. Such a template
is refused with its safe form, the prompt passed as an argument and used as `"$1"`; the same holds
for interpreters given code on the command line (`python3 -c`, `node -e`, `perl -e`, `ruby -e`,
`php -r`). A prompt that starts with `-` would be read as options: it goes after `--`, except
where the words are plain arguments already (after `--`, or after such code), and is refused where
it would be an option's value.
"""

from __future__ import annotations

import os
import re
import shlex

from runner.errors import ExecutorUnavailableError, RunnerError

PLACEHOLDER = "{prompt}"
SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "yash", "fish", "csh", "tcsh", "busybox"})
# Interpreters that run code given as an option's value, and how that code reads its first argument.
CODE_OPTIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "python": (("-c",), "import sys; print(sys.argv[1])"),
    "node": (("-e", "--eval", "-p", "--print"), "console.log(process.argv[1])"),
    "perl": (("-e", "-E"), "print $ARGV[0]"),
    "ruby": (("-e",), "puts ARGV[0]"),
    "php": (("-r",), "echo $argv[1];"),
}
# Wrappers that run the next program: `env A=b sh -c ...` is still `sh -c ...`.
_WRAPPERS = frozenset({"env", "nice", "nohup", "setsid", "stdbuf", "timeout"})


def program_name(word: str) -> str:
    """`/usr/bin/python3.11` -> `python`, `bash` -> `bash`."""
    return re.sub(r"[0-9.]+$", "", os.path.basename(word)) or os.path.basename(word)


def _program_index(words: list[str]) -> int:
    """Where the program that really runs is, past wrappers, their options and `NAME=value` words."""
    index = 0
    while index < len(words) - 1 and program_name(words[index]) in _WRAPPERS:
        wrapper = program_name(words[index])
        index += 1
        while index < len(words) - 1 and (words[index].startswith("-") or "=" in words[index]
                                          or (wrapper == "timeout" and words[index][:1].isdigit())):
            index += 1
    return index


def code_argument(words: list[str]) -> tuple[str, int] | None:
    """(program, index of the word it runs as code) for `sh -c CODE ...`, `python3 -c CODE ...` and kin."""
    start = _program_index(words)
    program = program_name(words[start])
    options = ("-c",) if program in SHELLS else CODE_OPTIONS[program][0] if program in CODE_OPTIONS else ()
    for index in range(start + 1, len(words)):
        word = words[index]
        if word == "--" or not word.startswith("-"):
            return None  # the first operand is a script file: nothing runs from the command line
        if word in options:
            return (program, index + 1) if index + 1 < len(words) else None
        if program in SHELLS and not word.startswith("--") and "c" in word[1:]:
            return (program, index + 1) if index + 1 < len(words) else None  # `-ec`, `-lc`
    return None


def check_code_argument(words: list[str]) -> None:
    """Refuse a template whose `{prompt}` sits inside the code a shell or interpreter runs."""
    found = code_argument(words)
    if found is None or PLACEHOLDER not in words[found[1]]:
        return
    program, index = found
    raise ExecutorUnavailableError(
        f"the command template puts {PLACEHOLDER} inside the code that {program} runs "
        f"({shlex.join(words[index - 1:index + 1])}): a prompt such as 'hi; touch INJECTED' would run as code",
        hint=f"pass the prompt as an argument instead: {safe_form(words, program, index)}")


def safe_form(words: list[str], program: str, index: int) -> str:
    """The template with the prompt passed as the code's first argument."""
    if program in SHELLS:
        script = words[index].replace(f"'{PLACEHOLDER}'", '"$1"').replace(f'"{PLACEHOLDER}"', '"$1"')
        fixed = [*words[:index], script.replace(PLACEHOLDER, '"$1"'), program, PLACEHOLDER]
        return shlex.join(fixed).replace(shlex.quote(PLACEHOLDER), PLACEHOLDER)
    fixed = [*words[:index], CODE_OPTIONS[program][1], PLACEHOLDER]
    return shlex.join(fixed).replace(shlex.quote(PLACEHOLDER), PLACEHOLDER)


def place_prompt(words: list[str], prompt: str) -> list[str]:
    """The argv with `prompt` in place of `{prompt}`; a prompt starting with `-` never reads as an option."""
    if not prompt.startswith("-"):
        return [word.replace(PLACEHOLDER, prompt) for word in words]
    found = code_argument(words)
    plain_from = min([i + 1 for i, word in enumerate(words) if word == "--"]
                     + ([found[1] + 1] if found else []) + [len(words)])
    argv: list[str] = []
    for index, word in enumerate(words):
        if word != PLACEHOLDER or index >= plain_from:
            argv.append(word.replace(PLACEHOLDER, prompt))  # inside one word (`--message={prompt}`), or plain
            continue
        before = words[index - 1] if index else ""
        if before.startswith("-") and before != "-":
            raise RunnerError(
                f"the prompt starts with '-' and the command template passes it right after {before}, "
                f"where {program_name(words[0])} may read it as an option",
                hint=f"start the prompt with a word, or put {PLACEHOLDER} after -- in the template")
        argv += ["--", prompt]
    return argv
