"""The slash-command registry: one entry and one handler per command; `/help` is generated from it.

Dispatch is by exact name (prefix matching makes scripts fragile); an unknown name
gets a "did you mean" hint. Handlers return a `CommandResult`; the loop renders it.
"""

from __future__ import annotations

import difflib
import os
import shlex
from typing import TYPE_CHECKING, Any

from runner.config import save_repl_state
from runner.consent import remember_saved, require_consent, with_executor
from runner.errors import RunnerError
from runner.executors.keys import key_statuses
from runner.notices import Notice
from runner.repl.command_types import REGISTRY, CommandContext, CommandResult, command

if TYPE_CHECKING:
    from runner.core import RunnerCore

__all__ = ["REGISTRY", "CommandContext", "CommandResult", "command", "run_command", "unknown_command"]


# Other names people type for a command (from their other tools).
ALIASES = {"quit": "exit", "q": "exit"}


def unknown_command(name: str) -> RunnerError:
    close = difflib.get_close_matches(name, [*REGISTRY, *ALIASES], n=1)
    hint = f"did you mean /{close[0]}? (/help lists every command)" if close else "/help lists every command"
    return RunnerError(f"unknown command /{name}", hint=hint)


def run_command(ctx: CommandContext, text: str) -> CommandResult:
    """Parse `/name args...` and run its handler; user mistakes come back as `error`, not exceptions."""
    name, _, rest = text[1:].partition(" ")
    raw = REGISTRY.get(name)
    if raw is not None and raw.raw:
        try:
            return raw.handler(ctx, [rest.strip()] if rest.strip() else [])
        except RunnerError as exc:
            return CommandResult(error=exc)
    try:
        words = shlex.split(text[1:])
    except ValueError as exc:
        return CommandResult(error=RunnerError(f"cannot parse command: {exc}",
                                               hint="check the quotes in the line"))
    if not words:
        return CommandResult(error=unknown_command(""))
    name, args = words[0], words[1:]
    entry = REGISTRY.get(ALIASES.get(name, name))
    if entry is None:
        return CommandResult(error=unknown_command(name))
    try:
        return entry.handler(ctx, args)
    except RunnerError as exc:
        return CommandResult(error=exc)


def _no_args(name: str, args: list[str]) -> None:
    if args:
        raise RunnerError(f"/{name} takes no arguments (got {' '.join(args)!r})", hint=f"type /{name}")


@command("help", "/help [command]", "Show the commands, or explain one (/help logs)")
def _help(ctx: CommandContext, args: list[str]) -> CommandResult:
    from runner.views.help import command_help, commands_help

    if len(args) > 1:
        raise RunnerError("/help takes at most one command name", hint="e.g. /help logs")
    if args:
        name = args[0].lstrip("/")
        entry = REGISTRY.get(ALIASES.get(name, name))
        if entry is None:
            raise unknown_command(name)
        return CommandResult(output=command_help(entry.usage, entry.summary, _details(entry.name)))
    rows = [(c.usage, c.summary) for c in REGISTRY.values()]
    return CommandResult(output=commands_help(rows, width=ctx.terminal.width))


def _details(name: str) -> list[str]:
    """More than one line of help, for the commands that take options."""
    if name == "logs":
        from runner.repl.logs_args import logs_options_help

        return logs_options_help()
    return []


@command("start", "/start", "Start a new session with the next task")
def _start(ctx: CommandContext, args: list[str]) -> CommandResult:
    _no_args("start", args)
    left = ctx.core.leave_session()  # a session is created by its first task: never an empty one
    closed = f"{left} is closed; " if left else ""
    return CommandResult(output=[f"{closed}the next task starts a new session."])


@command("continue", "/continue <session>", "Continue an earlier session (its tasks and logs)")
def _continue(ctx: CommandContext, args: list[str]) -> CommandResult:
    if len(args) != 1:
        raise RunnerError("/continue needs one session id", hint="/sessions lists them; e.g. /continue sess-20250112-001")
    session_id = ctx.core.continue_session(args[0])
    return CommandResult(output=[f"Session continued: {session_id}"])


@command("status", "/status", "Show the session, project, executor and task counts")
def _status(ctx: CommandContext, args: list[str]) -> CommandResult:
    from runner.views.repl_views import status_lines

    _no_args("status", args)
    core = ctx.core
    problem = core.executor_problem
    return CommandResult(output=status_lines(
        session_id=core.manager.session_id,
        project_root=str(core.config.project_root),
        executor=core.executor_name,
        model=core.config.model,
        durability=str(core.config.durability),
        entries=core.manager.entries() if core.manager.session_id else [],
        executor_problem=problem.message if problem else None,
        loop=loop_status(core),
    ))


def loop_status(core: RunnerCore) -> list[str]:
    """The /status lines of the review loop, models and budget."""
    from runner.executors.registry import executor_row
    from runner.orchestration.loop.plans import review_enabled
    from runner.views.repl_views import session_spend

    config = core.config
    row = executor_row(core.executor_name or "")
    on = review_enabled(config.review_mode, row, config.active_checks)
    review = (f"{'on' if on else 'off'} ({config.review_mode}; up to {config.max_iterations} iteration(s), "
              f"{config.max_retries} retr{'y' if config.max_retries == 1 else 'ies'} of a transient failure)")
    lines = [f"Review: {review}", f"Checks: {', '.join(config.active_checks) or '(none)'}"]
    if config.repo_checks and not config.repo_checks_trusted:
        lines.append(f"  not run: {len(config.repo_checks)} check(s) from .claude/runner.config.json "
                     "(the trust check at start did not cover them: the review was off)")
    lines.append(f"Escalate model: {config.escalate_model or '(none)'}; fallback model: "
                 f"{config.fallback_model or '(none)'}")
    lines.append(f"Budget: {session_spend(core.budget.limits, core.budget.spent)}")
    return lines


@command("review", "/review [on|off|auto]", "Show or switch the review loop (judge each pass, send the agent back)")
def _review(ctx: CommandContext, args: list[str]) -> CommandResult:
    from runner.loop_settings import ReviewMode

    config = ctx.core.config
    if not args:
        return CommandResult(output=loop_status(ctx.core)[:2])
    if len(args) != 1 or args[0] not in {m.value for m in ReviewMode}:
        raise RunnerError(f"/review takes on, off or auto (got {' '.join(args)!r})", hint="/review on")
    config.review_mode = ReviewMode(args[0])
    return CommandResult(output=[f"Review set to {args[0]} for the next tasks", *loop_status(ctx.core)[:1]])


@command("check", "/check [add CMD|list|clear]", "Manage the checks run in the project after each pass")
def _check(ctx: CommandContext, args: list[str]) -> CommandResult:
    config = ctx.core.config
    if not args or args == ["list"]:
        checks = config.active_checks
        lines = [f"  {number}. {command}" for number, command in enumerate(checks, 1)]
        return CommandResult(output=lines or ["No checks (add one: /check add 'pytest -q')"])
    if args[0] == "clear" and len(args) == 1:
        count = len(config.checks)
        config.checks = []
        return CommandResult(output=[f"Removed {count} check(s)"])
    if args[0] == "add" and len(args) >= 2:
        command_text = " ".join(args[1:]).strip()
        if not command_text:
            raise RunnerError("/check add needs a command", hint="/check add 'pytest -q'")
        config.checks = [*config.checks, command_text]
        return CommandResult(output=[f"Check added: {command_text} (runs after each pass of the next tasks)"])
    raise RunnerError(f"unknown /check form {' '.join(args)!r}",
                      hint="/check, /check add 'pytest -q', /check list or /check clear")


@command("budget", "/budget [USD|off] | /budget task [USD|off] | /budget tokens [N|off]",
         "Show the spend, or set the session, per-task or token budget")
def _budget(ctx: CommandContext, args: list[str]) -> CommandResult:
    from runner.repl.budget_command import change_budget

    return CommandResult(output=change_budget(ctx.core, args))


@command("tasks", "/tasks", "List this session's tasks, failed first")
def _tasks(ctx: CommandContext, args: list[str]) -> CommandResult:
    from runner.repl.collector_pause import show_paused
    from runner.views.repl_views import tasks_renderable

    _no_args("tasks", args)
    if ctx.core.manager.session_id is None:
        return CommandResult(output=["No session yet: type a task or /start."])
    show_paused(lambda: [tasks_renderable(ctx.core.manager.entries())], ctx.terminal.render)
    return CommandResult()


@command("sessions", "/sessions", "List the sessions recorded in this project")
def _sessions(ctx: CommandContext, args: list[str]) -> CommandResult:
    from runner.logs.store import LogReader
    from runner.repl.collector_pause import show_paused
    from runner.views.sessions import sessions_renderable

    _no_args("sessions", args)
    from runner.repl.logs_command import first_prompts

    reader = LogReader(ctx.core.config.project_root, logs_dir=ctx.core.config.logs_dir)

    def view() -> list[Any]:
        sessions = reader.list_sessions()
        return [sessions_renderable(sessions, current=ctx.core.manager.session_id,
                                    first_prompts=first_prompts(reader, sessions))]

    show_paused(view, ctx.terminal.render)
    return CommandResult()


@command("retry", "/retry [task]", "Run a task's prompt again as the next run of its thread")
def _retry(ctx: CommandContext, args: list[str]) -> CommandResult:
    if len(args) > 1:
        raise RunnerError("/retry takes at most one task id", hint="/retry or /retry task-002")
    return CommandResult(request=ctx.core.retry(args[0] if args else None))


@command("plan", "/plan [auto|off|always|TEXT]",
         "Show the plan for TEXT without running it, or set planning for this session", raw=True)
def _plan(ctx: CommandContext, args: list[str]) -> CommandResult:
    from runner.logs.models import PlanMode
    from runner.orchestration.planner import make_plan
    from runner.views.plan import plan_preview, planning_note, preview_verdict

    core = ctx.core
    if args and args[0] in {mode.value for mode in PlanMode}:
        core.config.plan = PlanMode(args[0])
        note = planning_note(core.config.plan, core.executor_name, active=core.planning_active())
        return CommandResult(output=[f"Planning set to {args[0]} for this session; {note}"])
    note = planning_note(core.config.plan, core.executor_name, active=core.planning_active())
    if not args:
        return CommandResult(output=[f"Planning: {core.config.plan.value} (at most {core.config.max_subtasks} "
                                     f"subtasks); {note}"])
    plan = make_plan(args[0], max_subtasks=core.config.max_subtasks)
    rejection = core.rejection()
    problem = f"{rejection.reason} ({rejection.hint})" if rejection else None
    return CommandResult(output=plan_preview(plan, preview_verdict(
        plan, mode=core.config.plan, active=core.planning_active(), note=note, problem=problem)))


@command("provider", "/provider [name]", "Show or choose the executor (saved in .claude/repl.json)")
def _provider(ctx: CommandContext, args: list[str]) -> CommandResult:
    from runner.executors.detect import all_statuses, status_lines
    from runner.executors.registry import executor_names, spec_of

    core = ctx.core
    if not args:
        how = "" if core.config.executor or core.executor_name is None else " (the first agent CLI found on PATH)"
        return CommandResult(output=[f"Provider: {core.executor_name or '(none)'}{how}",
                                     *status_lines(all_statuses(), core.executor_name),
                                     "Choose one with /provider NAME"])
    if len(args) != 1:
        raise RunnerError("/provider takes one name", hint=f"one of: {', '.join(executor_names())}")
    spec_of(args[0])  # an unknown name is refused before anything is asked or changed
    for notice in require_consent(with_executor(core.config, args[0]), os.environ,
                                  ask=ctx.terminal.confirm if ctx.interactive else None):
        ctx.terminal.notify(notice)
    core.select_executor(args[0])
    path = save_repl_state(core.config.claude_dir, provider=args[0], model=core.config.model)
    for notice in remember_saved(core.config.project_root, path, args[0], os.environ):
        ctx.terminal.notify(notice)
    ctx.terminal.info(f"Provider set to {args[0]} (saved in {path})")
    problem = core.executor_problem
    if problem:
        ctx.terminal.notify(Notice.warning(problem.message, problem.hint))
    return CommandResult()


@command("model", "/model [name]", "Show or choose the model passed to the executor")
def _model(ctx: CommandContext, args: list[str]) -> CommandResult:
    core = ctx.core
    from runner.logs.masking import find_secret
    from runner.views.safe_text import safe_str

    if not args:  # masked and neutralised: a settings file may hold anything
        return CommandResult(output=[f"Model: {safe_str(core.config.model) if core.config.model else '(executor default)'}"])
    if len(args) != 1:
        raise RunnerError("/model takes one name", hint="e.g. /model claude-sonnet-4-5")

    rule = find_secret(args[0])
    if rule is not None:  # never echoed, never saved in .claude/repl.json
        raise RunnerError(f"/model refused: the value looks like a secret ({rule}); it was not saved",
                          hint="give a model name, e.g. /model claude-sonnet-4-5; keep keys in environment variables")
    core.change_model(args[0])
    path = save_repl_state(core.config.claude_dir, provider=core.executor_name, model=args[0])
    for notice in remember_saved(core.config.project_root, path, core.executor_name, os.environ):
        ctx.terminal.notify(notice)
    return CommandResult(output=[f"Model set to {args[0]} (saved in {path})"])


@command("keys", "/keys", "Show whether each provider's API key is SET or NOT SET (never a value)")
def _keys(ctx: CommandContext, args: list[str]) -> CommandResult:
    _no_args("keys", args)
    rows = key_statuses(ctx.core.config.executors)
    width = max(len(r.env_var) for r in rows)
    return CommandResult(output=[f"  {r.env_var.ljust(width)}  {'SET' if r.is_set else 'NOT SET'}"
                                 f"  ({r.provider}{', required' if r.required else ''})" for r in rows])


@command("logs", "/logs [id] [--full] [--tree] [--json] [--session ID] [--clear]",
         "Browse task logs (list, detail, tree, JSON, clear)")
def _logs(ctx: CommandContext, args: list[str]) -> CommandResult:
    from runner.repl.logs_command import run_logs_command

    return run_logs_command(ctx, args)


@command("skip", "/skip", "Drop the agent's pending question: the next line is a new task")
def _skip(ctx: CommandContext, args: list[str]) -> CommandResult:
    _no_args("skip", args)
    pending = ctx.core.pending
    if pending is None:
        raise RunnerError("no question is waiting for an answer", hint="type a task, or /tasks")
    ctx.core.pending = None
    return CommandResult(output=[f"Dropped the question of {pending.task_id}; the next line is a new task."])


@command("exit", "/exit", "Save every log and leave (also /quit, /q, or exit, quit, :q alone)")
def _exit(ctx: CommandContext, args: list[str]) -> CommandResult:
    _no_args("exit", args)
    return CommandResult(exit=True)
