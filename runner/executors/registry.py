"""The executor table: one `ExecutorSpec` per executor name, and building an executor from it.

Like pip's command table, each row names the module and class to import, so this module imports
no executor and no executor imports it: adding an agent is a row here plus its module. `/provider`,
`--executor`, the `/keys` list and the choice of a default all read this table.
"""

from __future__ import annotations

import importlib
import shutil
from collections.abc import Callable
from dataclasses import dataclass

from runner.errors import RunnerError
from runner.executors.base import AgentPermissions, Executor


@dataclass(frozen=True)
class ExecutorSpec:
    """What the runner knows about one executor before importing it."""

    name: str  # as typed after --executor and /provider
    module: str  # where its class lives
    class_name: str
    summary: str  # one line for /provider and the docs
    program: str | None = None  # the CLI it runs, looked up on PATH; None for shell/command/fake
    api_key_env: str | None = None  # the key its CLI usually reads (advisory: /keys, a start-up warning)
    takes_template: bool = False  # built with the command template (--executor-cmd)
    takes_permissions: bool = False  # built with what the agent may do without asking
    stream_format: str | None = None  # the format its stdout is parsed as (executors/formats/)
    # Its prompt is prose for an agent: a subtask's prompt carries the whole request as context.
    # False where the prompt is a command (shell) or a directive (fake): a subtask runs its part alone,
    # and a rejected pass cannot carry the review's findings (spec/review-loop.md).
    reads_prose: bool = True
    plans_by_default: bool = True  # `--plan auto` splits requests for it (spec/planning.md)
    login_check: tuple[str, ...] | None = None  # arguments that make its CLI say whether it is logged in
    auth_hint: str | None = None  # what to do when it is not logged in
    # The review loop (spec/review-loop.md): on by default for agents; a modification prompt resumes
    # the agent's own session when it `resumes`; `takes_model` when --model / escalation / fallback
    # reach the agent.
    review_by_default: bool = False
    resumes: bool = False
    takes_model: bool = False


EXECUTORS: dict[str, ExecutorSpec] = {spec.name: spec for spec in (
    ExecutorSpec("claude-code", "runner.executors.claude_code", "ClaudeCodeExecutor",
                 "Claude Code headless (claude -p, stream-json)", program="claude",
                 api_key_env="ANTHROPIC_API_KEY", stream_format="claude-stream-json",
                 takes_permissions=True, review_by_default=True, resumes=True, takes_model=True),
    ExecutorSpec("codex", "runner.executors.agents.codex", "CodexExecutor",
                 "OpenAI Codex CLI headless (codex exec --json)", program="codex",
                 api_key_env="OPENAI_API_KEY", stream_format="codex-jsonl",
                 login_check=("login", "status"), auth_hint="run `codex login` (or set OPENAI_API_KEY)",
                 review_by_default=True, resumes=True, takes_model=True),
    ExecutorSpec("gemini", "runner.executors.agents.gemini", "GeminiExecutor",
                 "Google Gemini CLI headless (gemini -p, stream-json)", program="gemini",
                 api_key_env="GEMINI_API_KEY", stream_format="gemini-stream-json",
                 auth_hint="run `gemini` once and log in, or set GEMINI_API_KEY",
                 review_by_default=True, resumes=True, takes_model=True),
    # amp has no model flag, so --model, escalation and fallback never reach it (takes_model off).
    ExecutorSpec("amp", "runner.executors.agents.claude_family", "AmpExecutor",
                 "Sourcegraph Amp in execute mode (amp -x, stream-json)", program="amp",
                 api_key_env="AMP_API_KEY", stream_format="claude-stream-json",
                 auth_hint="run `amp login` (or set AMP_API_KEY)",
                 review_by_default=True, resumes=True),
    ExecutorSpec("qwen", "runner.executors.agents.claude_family", "QwenExecutor",
                 "Qwen Code headless (qwen -p, stream-json)", program="qwen",
                 stream_format="claude-stream-json", auth_hint="run `qwen` once and log in",
                 review_by_default=True, resumes=True, takes_model=True),
    ExecutorSpec("cursor", "runner.executors.agents.cursor", "CursorExecutor",
                 "Cursor's agent CLI headless (cursor-agent -p, stream-json)", program="cursor-agent",
                 api_key_env="CURSOR_API_KEY", stream_format="cursor-stream-json",
                 auth_hint="run `cursor-agent login` (or set CURSOR_API_KEY)",
                 review_by_default=True, resumes=True, takes_model=True),
    ExecutorSpec("opencode", "runner.executors.agents.opencode", "OpencodeExecutor",
                 "opencode headless (opencode run --format json)", program="opencode",
                 stream_format="opencode-json", auth_hint="run `opencode auth login`",
                 review_by_default=True, resumes=True, takes_model=True),
    # aider cannot resume from the command line: a modification prompt starts a fresh run.
    ExecutorSpec("aider", "runner.executors.agents.aider", "AiderExecutor",
                 "aider with one message (aider --message; text, no resume)", program="aider",
                 stream_format="aider-text", auth_hint="set the API key of your model's provider",
                 review_by_default=True, takes_model=True),
    ExecutorSpec("command", "runner.executors.command", "CommandExecutor",
                 "any agent CLI from a template, e.g. 'codex exec {prompt}'", takes_template=True,
                 plans_by_default=False),
    ExecutorSpec("fake", "runner.executors.fake", "FakeExecutor",
                 "deterministic outcomes for tests (PM_RUNNER_TEST_MODE=1 only)",
                 reads_prose=False, plans_by_default=False),
    ExecutorSpec("shell", "runner.executors.shell", "ShellExecutor",
                 "each line is a shell command run in the project root",
                 reads_prose=False, plans_by_default=False),
)}

# Executors chosen without --executor when their program is on PATH, first found wins.
DEFAULT_ORDER = ("claude-code", "codex", "gemini", "amp", "qwen", "cursor", "opencode", "aider")


_NO_SPEC = ExecutorSpec("", "", "", "")


def executor_row(name: str) -> ExecutorSpec:
    """The registry row of `name`; an executor not in the table (a test double) gets a plain row."""
    return EXECUTORS.get(name, _NO_SPEC)


def executor_names() -> list[str]:
    """Every registered executor name, sorted."""
    return sorted(EXECUTORS)


def spec_of(name: str) -> ExecutorSpec:
    """The row named `name` (exact match); an unknown name lists the known ones, with a "did you mean"."""
    spec = EXECUTORS.get(name)
    if spec is None:
        known = ", ".join(executor_names())
        import difflib

        close = difflib.get_close_matches(name, executor_names(), n=1)
        hint = f"did you mean {close[0]}? known executors: {known}" if close else f"known executors: {known}"
        raise RunnerError(f"unknown executor {name[:60]!r}", hint=hint)
    return spec


def create_executor(name: str, *, command_template: str | None = None,
                    stream_format: str | None = None,
                    permissions: AgentPermissions | None = None) -> Executor:
    """Build the executor registered as `name`; its module is imported only now."""
    spec = spec_of(name)
    factory = getattr(importlib.import_module(spec.module), spec.class_name)
    if spec.takes_template:
        executor: Executor = factory(command_template, stream_format)
    elif spec.takes_permissions:
        executor = factory(permissions or AgentPermissions())
    else:
        executor = factory()
    return executor


def default_order_text() -> str:
    """The detection order as users know the programs: `claude, codex, gemini`."""
    return ", ".join(EXECUTORS[name].program or name for name in DEFAULT_ORDER)


def default_executor(which: Callable[[str], str | None] = shutil.which) -> str | None:
    """The first executor of `DEFAULT_ORDER` whose program is on PATH; otherwise none is chosen for the user."""
    for name in DEFAULT_ORDER:
        program = EXECUTORS[name].program
        if program is not None and which(program):
            return name
    return None
