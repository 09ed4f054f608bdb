"""The `command` executor: any agent CLI from a template such as `codex exec {prompt}`.

The template is split like a shell would split it, but nothing runs through a shell: the
prompt replaces `{prompt}` inside a single argument (or is appended as the last one); `{model}`
becomes the chosen model (a word that is only `{model}` is dropped, with the option word before
it when that starts with `-`, when no model is chosen) and `{cwd}` the project folder. With a
stream format (`--executor-format`) a wrapper script's stdout is read by that agent's decoder,
on the natively read agents' path; `text` (the default) is plain output. Two
ways a template could still run the prompt as code or as options are closed
(`template_guard`): `{prompt}` inside the code a shell or interpreter runs (`sh -c 'echo
{prompt}'`) is refused when the executor is chosen, and a prompt that starts with `-` goes
after `--`, or is refused where it would be an option's value.
"""

from __future__ import annotations

import shlex
import shutil
from collections.abc import Callable

from runner.errors import ExecutorUnavailableError, RunnerError
from runner.executors.base import EventSink, ExecutorResult, ExecutorStatus, ExecutorTask
from runner.executors.formats.claude_shaped import CLAUDE, ClaudeShapedDecoder
from runner.executors.formats.codex_jsonl import CodexDecoder
from runner.executors.formats.fold import Decoder
from runner.executors.formats.gemini_stream import GeminiDecoder
from runner.executors.native import AgentProfile, NativeAgentExecutor
from runner.executors.outcome import exited_result
from runner.executors.supervise import SpawnSpec, supervise
from runner.executors.template_guard import PLACEHOLDER, check_code_argument, place_prompt
from runner.logs.masking import mask_and_truncate

MODEL, SESSION, CWD = "{model}", "{session}", "{cwd}"
# `--executor-format` names: the decoder that reads a wrapper's stdout ("text": none).
STREAM_FORMATS: dict[str, Callable[[], Decoder] | None] = {
    "text": None,
    "claude-stream": lambda: ClaudeShapedDecoder(CLAUDE),
    "codex-jsonl": CodexDecoder,
    "gemini-stream": GeminiDecoder,
}
_TEMPLATE_HINT = ("give one with --executor-cmd, e.g. --executor-cmd 'codex exec --sandbox workspace-write "
                  "{prompt}' or 'gemini --skip-trust --approval-mode auto_edit -p {prompt}', or set "
                  "executor_cmd in .claude/runner.config.json")


def parse_template(template: str | None) -> list[str]:
    """The template's words; an empty or unbalanced template is an error with a hint."""
    if template is None or not template.strip():
        raise ExecutorUnavailableError("the command executor needs a command template", hint=_TEMPLATE_HINT)
    try:
        words = shlex.split(template)
    except ValueError as exc:
        raise ExecutorUnavailableError(f"cannot parse the command template: {exc}",
                                       hint=_TEMPLATE_HINT) from None
    if not words:
        raise ExecutorUnavailableError("the command executor needs a command template", hint=_TEMPLATE_HINT)
    check_code_argument(words)
    return words


def build_argv(words: list[str], prompt: str, *, model: str | None = None, session: str | None = None,
               cwd: str = ".") -> list[str]:
    """Fill the placeholders: `{model}`, `{session}` (the agent's session to resume), `{cwd}`, then each
    `{prompt}` in place (else the prompt goes last). A word that is only `{model}` or `{session}`
    without a value is dropped, with the option before it (`-m {model}` disappears when no model is
    chosen). A prompt starting with `-` is put after `--` (RunnerError where it would be an option's value).
    """
    optional = {MODEL: model, SESSION: session}
    filled: list[str] = []
    for word in words:
        if word in optional and optional[word] is None:
            if filled and filled[-1].startswith("-"):
                filled.pop()
            continue
        filled.append(word.replace(MODEL, model or "").replace(SESSION, session or "").replace(CWD, cwd))
    if not any(PLACEHOLDER in word for word in filled):
        filled = [*filled, PLACEHOLDER]
    return place_prompt(filled, prompt)


class CommandExecutor:
    """Runs an agent CLI built from a template under the supervisor."""

    name = "command"
    warning: str | None = None

    def __init__(self, template: str | None, stream_format: str | None = None) -> None:
        self.template = template
        if stream_format is not None and stream_format not in STREAM_FORMATS:
            raise ExecutorUnavailableError(f"unknown executor format {stream_format[:40]!r}",
                                           hint=f"one of: {', '.join(STREAM_FORMATS)}")
        self.stream_format = stream_format
        self._native: NativeAgentExecutor | None = None  # kept across tasks: Codex's running totals

    def check_available(self) -> None:
        program = parse_template(self.template)[0]
        if shutil.which(program) is None:
            raise ExecutorUnavailableError(
                f"the command executor cannot find {program!r} on PATH",
                hint="install it, fix --executor-cmd, or pick another executor with --executor",
            )

    def run(self, task: ExecutorTask, sink: EventSink) -> ExecutorResult:
        words = parse_template(self.template)
        decoder = STREAM_FORMATS.get(self.stream_format or "text")
        if decoder is not None:
            if self._native is None:
                self._native = NativeAgentExecutor(self._profile(words, decoder))
            result = self._native.run(task, sink)
            if not any(SESSION in word for word in words):
                result.resume_token = None  # the template cannot resume: an answer repeats the request
            return result
        program = shutil.which(words[0]) or words[0]
        try:
            argv = build_argv([program, *words[1:]], task.prompt, model=task.model, session=task.resume_token,
                              cwd=str(task.project_root))
        except RunnerError as exc:  # nothing ran: the task says why, and how to word the prompt
            why = f"{exc.message}; {exc.hint}" if exc.hint else exc.message
            return ExecutorResult(status=ExecutorStatus.FAILED, error_message=mask_and_truncate(why, 1_000))
        run = supervise(SpawnSpec(argv=argv, cwd=task.project_root, executor=self.name), task, sink)
        return run.early_result() or exited_result(run, detect_question=True, agent_output=True)

    def _profile(self, words: list[str], decoder: Callable[[], Decoder]) -> AgentProfile:
        """The wrapper as a natively read agent: the same status table and fold."""
        def argv(program: str, task: ExecutorTask) -> list[str]:
            return build_argv([program, *words[1:]], task.prompt, model=task.model, session=task.resume_token,
                              cwd=str(task.project_root))

        return AgentProfile(executor=self.name, label=words[0], program=words[0], argv=argv, decoder=decoder,
                            install_hint="install it, fix --executor-cmd, or pick another executor with --executor")
