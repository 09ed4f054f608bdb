"""RunnerCore: the current session, its threads and runs, and handing each input to orchestration.

It owns what lasts between inputs (the session, the chosen executor, the question waiting for an
answer, the prompts of this session's tasks, the tally) and returns what each input produced as a
`RequestOutcome`. It reports live progress to the `CoreUI` it is given and never prints itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Protocol

from runner.errors import ExitStatus, NotFoundError, RunnerError
from runner.executors.base import AgentPermissions, Cancellation, ExecutorStatus
from runner.executors.registry import (
    create_executor,
    default_executor,
    default_order_text,
    executor_row,
)
from runner.ids import IdKind, is_valid, validate
from runner.logs.store import safe_files
from runner.logs.store.paths import LogPaths
from runner.logs.vocabulary import EventType, RunnerDecision, TaskStatus
from runner.notices import Notice
from runner.orchestration.tally import RunTally
from runner.planned_requests import PlannedRequests

if TYPE_CHECKING:
    from runner.config import RunnerConfig
    from runner.executors.base import Executor
    from runner.logs.manager import TaskLogManager
    from runner.logs.models import TaskLog
    from runner.orchestration.budget import SessionBudget, SpendReport
    from runner.orchestration.gates import Rejection
    from runner.orchestration.loop import TaskRun, TaskSpec
    from runner.orchestration.planning.model import Plan
    from runner.orchestration.request import RequestOutcome
    from runner.pricing import PriceTable

_MASK_MARKER = re.compile(r"\[MASKED:[A-Za-z0-9_]+\]")


def _refuse_altered(task_id: str, prompt: str) -> None:
    """Raise when the saved prompt was masked or cut: its text is not what the user typed."""
    from runner.logs.outcome import TRUNCATED

    if _MASK_MARKER.search(prompt):
        raise RunnerError(f"/retry {task_id}: the saved prompt was masked; type it again",
                          hint="a secret in the prompt was replaced by [MASKED:…] when it was saved; "
                               "only this runner's own session remembers the original")
    if prompt.endswith(TRUNCATED):
        raise RunnerError(f"/retry {task_id}: the saved prompt was cut to the event size limit; type it again",
                          hint="raise logging.max_event_size_mb in .claude/runner.config.json to keep long prompts")


class CoreUI(Protocol):
    """What the core tells the person or the script while it works; implemented by the REPL edge."""

    def notify(self, notice: Notice) -> None: ...
    def task_started(self, task: TaskLog) -> None: ...
    def progress(self, line: str, kind: str | None = None) -> None: ...
    def task_finished(self, log: TaskLog, spend: SpendReport | None = None) -> None: ...
    def plan_ready(self, plan: Plan) -> bool:
        """Show a plan about to run; False when the person declines it (nothing runs)."""
        ...


@dataclass
class PendingClarification:
    """A question the executor asked; the next line answers it in the same thread and run."""

    thread_id: str
    task_id: str
    question: str
    original_prompt: str
    resume_token: str | None


class RunnerCore(PlannedRequests):
    """Owns the session and hands each natural-language line to orchestration as a task."""

    def __init__(self, config: RunnerConfig, manager: TaskLogManager | Callable[[], TaskLogManager],
                 ui: CoreUI) -> None:
        """`manager` may be given as the function that makes it: it is then made when first needed (the
        first task, `/tasks`, `--continue`), so a REPL that records nothing never loads the store's write path."""
        self.config = config
        self._manager: TaskLogManager | None = None
        self._make_manager: Callable[[], TaskLogManager] | None = None
        if callable(manager):
            self._make_manager = manager
        else:
            self._manager = manager
        self.paths = LogPaths(config.project_root, config.logs_dir)
        self.ui = ui
        self.tally = RunTally()
        self.pending: PendingClarification | None = None
        # Set by the edge's signal handler while a line is handled; the supervisor polls it.
        self.cancel = Cancellation()
        self._prompts: dict[str, str] = {}
        self._plans: dict[str, Plan] = {}  # the plans of this process's chunked tasks, unmasked
        self._notices: list[Notice] = []  # what the request being handled has to say after its tasks
        self._model_change: dict[str, str] | None = None  # recorded as MODEL_CHANGE in the next task
        self._executor: Executor | None = None
        self._executor_problem: RunnerError | None = None
        self.executor_name = config.executor or default_executor()
        self.select_executor(self.executor_name)

    @property
    def manager(self) -> TaskLogManager:
        if self._manager is None:
            assert self._make_manager is not None
            self._manager = self._make_manager()
        return self._manager

    @property
    def session_id(self) -> str | None:
        """The current session's id; None when there is none (nothing is made to say so)."""
        return self._manager.session_id if self._manager is not None else None

    def recover_project(self) -> list[tuple[str, str]]:
        """Close as `error` the tasks a runner that died left unfinished (none without a sessions folder)."""
        if self._manager is None and not safe_files.is_folder(self.paths.sessions_dir):
            return []
        return self.manager.recover_project()

    @cached_property
    def budget(self) -> SessionBudget:
        """The session's budget (its limits change with /budget), made when first asked for (start-up time)."""
        from runner.orchestration.budget import SessionBudget
        from runner.orchestration.loop.plans import budget_limits

        return SessionBudget(limits=budget_limits(self.config))

    @cached_property
    def prices(self) -> PriceTable:
        """The price table for estimated costs, read with the first task that needs it (start-up time)."""
        from runner.pricing import builtin_table, with_overrides

        return with_overrides(builtin_table(), self.config.prices)

    # -- executor -------------------------------------------------------------------------

    def select_executor(self, name: str | None) -> None:
        """Use the named executor; an unusable one is remembered and each task is rejected with why.

        An unknown name raises before anything changes, so a typo keeps the current executor.
        """
        if name is None:
            self.executor_name, self._executor = None, None
            self._executor_problem = RunnerError(
                f"no executor chosen: none of the agent CLIs ({default_order_text()}) is on PATH",
                hint="install one, or pick one: --executor shell (runs each line as a shell command) or "
                "--executor command --executor-cmd 'my-agent --yes {prompt}'; /provider lists them all",
            )
            return
        permissions = AgentPermissions(self.config.permission_mode.value, self.config.allowed_tools)
        executor = create_executor(name, command_template=self.config.executor_cmd,
                                   stream_format=self.config.executor_format, permissions=permissions)
        self.executor_name, self._executor, self._executor_problem = name, None, None
        try:
            executor.check_available()
        except RunnerError as exc:
            self._executor_problem = exc
            return
        self._executor = executor

    @property
    def executor_problem(self) -> RunnerError | None:
        return self._executor_problem

    @property
    def executor(self) -> Executor | None:
        return self._executor

    # -- sessions -------------------------------------------------------------------------

    def start_session(self) -> str:
        from runner.orchestration.budget import Spend

        opened = self.manager.open_session(
            project_mode=str(self.config.project_mode), executor=self.executor_name,
            model=self.config.model, interactive=not self.config.non_interactive)
        self.pending = None
        self.budget.spent = Spend()
        self._report_recovered(opened.recovered)
        return opened.session_id

    def leave_session(self) -> str | None:
        """Close the current session (if any); returns its id. The next task starts a new one."""
        left = self.manager.session_id
        self.manager.leave_session()
        self.pending = None
        return left

    def continue_session(self, session_id: str) -> str:
        from runner.orchestration.budget import spend_of

        opened = self.manager.continue_session(session_id)
        self.pending = None
        # The session budget counts what the session's tasks have already spent.
        self.budget.spent = spend_of(self.manager.entries())
        self._report_recovered(opened.recovered)
        return opened.session_id

    def _report_recovered(self, recovered: list[str]) -> None:
        if recovered:
            self.ui.notify(Notice.warning(f"recovered {len(recovered)} task(s) left unfinished by a runner "
                                          f"that stopped; closed as error: {', '.join(recovered)}",
                                          tasks=list(recovered)))
            pairs = [(item.split("/", 1)[0], item.split("/", 1)[1]) for item in recovered if "/" in item]
            notice = self.end_leftovers(pairs)
            if notice is not None:
                self.ui.notify(notice)

    def end_leftovers(self, recovered: list[tuple[str, str]]) -> Notice | None:
        """End the processes recovered tasks left running (their runner was killed); a notice saying so."""
        from runner.executors.leftovers import end_task_leftovers

        ended = end_task_leftovers(self.config.project_root, recovered, logs_dir=self.config.logs_dir)
        if not ended:
            return None
        pids = ", ".join(str(process.pid) for process in ended)
        return Notice.warning(f"ended {len(ended)} process(es) left running by tasks of a runner that stopped: "
                              f"pid {pids}", pids=[process.pid for process in ended])

    def ensure_session(self) -> str:
        if self.manager.session_id is None:
            session_id = self.start_session()
            self.ui.notify(Notice.info(f"No session was active: started {session_id}", session_id=session_id))
            return session_id
        return self.manager.session_id

    # -- tasks ----------------------------------------------------------------------------

    def handle_line(self, line: str) -> RequestOutcome:
        """A natural-language line: a new request, or the answer to the pending question."""
        self.ensure_session()
        pending, self.pending = self.pending, None
        if pending is None:
            return self._new_request(line)
        task = self.manager.create_task(
            line, thread_id=pending.thread_id, parent_task_id=pending.task_id,
            input_event=EventType.USER_RESPONSE)
        prompt = line if pending.resume_token else (
            f"{pending.original_prompt}\n\nYou asked: {pending.question}\nAnswer: {line}")
        return self._run(task, prompt, resume_token=pending.resume_token)

    def retry(self, task_ref: str | None) -> RequestOutcome:
        """Run a task's prompt again as the next run of its thread; a chunked task re-runs the parts that
        did not complete. Without a session there is nothing to retry: none is created (no empty sessions)."""
        original = self._find_retry_target(task_ref)
        if task_ref is None and original.subtask_index is not None and original.parent_task_id:
            original = self.manager.get_task(original.parent_task_id)  # the last failure is a part: retry its plan
        from runner.orchestration.chunking.plan_events import plan_from_events

        prompt = self._prompts.get(original.task_id) or self._logged_prompt(original)
        self.pending = None
        plan = self._plans.get(original.task_id) or plan_from_events(original.events, prompt)
        if plan is not None:
            return self._retry_plan(original, plan, prompt)
        task = self.manager.create_task(prompt, thread_id=original.thread_id,
                                        parent_task_id=original.task_id, new_run=True)
        self.manager.add_event(task.task_id, EventType.RETRY_START,
                               {"retry_of": original.task_id, "previous_status": str(original.status)})
        return self._retried(original, self._run(task, prompt, resume_token=None))

    def _retried(self, original: TaskLog, outcome: RequestOutcome) -> RequestOutcome:
        if outcome.tasks and outcome.last.status is TaskStatus.COMPLETE:
            outcome.notices.append(Notice.info(f"Retry of {original.task_id} succeeded as {outcome.last.task_id}",
                                               retry_of=original.task_id, task_id=outcome.last.task_id))
        return outcome

    def _find_retry_target(self, task_ref: str | None) -> TaskLog:
        """The task named (internal or external id), else the session's last failed task."""
        entries = self.manager.entries()
        if task_ref and not (is_valid(IdKind.TASK, task_ref) or is_valid(IdKind.EXTERNAL_TASK, task_ref)):
            validate(IdKind.TASK, task_ref)  # raises InvalidIdError with the expected format
        if self.manager.session_id is None:
            raise NotFoundError("no session is active, so there is no task to retry",
                                hint="/continue SESSION (see /sessions) first, then /retry its task")
        if task_ref:
            for entry in entries:
                if task_ref in (entry.task_id, entry.external_task_id):
                    return self.manager.get_task(entry.task_id)
            raise NotFoundError(f"no task {task_ref} in session {self.manager.session_id}",
                                hint="/tasks lists this session's tasks")
        for entry in reversed(entries):
            if entry.status in (TaskStatus.ERROR, TaskStatus.INCOMPLETE):
                return self.manager.get_task(entry.task_id)
        raise NotFoundError("no failed task to retry in this session",
                            hint="name one: /retry task-001 (see /tasks)")

    @staticmethod
    def _logged_prompt(log: TaskLog) -> str:
        """The prompt as the log saved it, if running it again would run what the user typed.

        The log keeps a masked (and possibly cut) copy: a `[MASKED:…]` marker or a
        `[TRUNCATED]` end is not what was typed, so it is refused, never executed.
        """
        for event in log.events:
            if event.event_type in (EventType.USER_INPUT, EventType.USER_RESPONSE):
                prompt = event.content.get("prompt")
                if isinstance(prompt, str):
                    _refuse_altered(log.task_id, prompt)
                    return prompt
        raise RunnerError(f"/retry {log.task_id}: the log keeps only a summary of its prompt; type it again",
                          hint="retrying runs a task's exact prompt, which this log does not hold")

    def _run(self, task: TaskLog, prompt: str, *, resume_token: str | None) -> RequestOutcome:
        from runner.orchestration.request import RequestOutcome

        self._notices = []
        run = self._run_one(task, prompt, resume_token)
        if run.log.runner_decision is RunnerDecision.CLARIFY and run.result is not None:
            self.pending = PendingClarification(
                thread_id=run.log.thread_id, task_id=run.log.task_id, question=run.result.final_message,
                original_prompt=prompt, resume_token=run.result.resume_token)
        return RequestOutcome(tasks=[run.log], notices=self._notices, interrupted=self._interrupted(run))

    def _run_one(self, task: TaskLog, prompt: str, resume_token: str | None) -> TaskRun:
        """The per-task step every task goes through, a chunked task's parts included."""
        self._prompts[task.task_id] = prompt
        self.ui.task_started(task)
        self._record_model_change(task.task_id)
        run = self._run_or_reject(task, prompt, resume_token)
        if run.result is not None:  # what the agent said the person must act on, after the result block
            self._notices.extend(notice for notice in run.result.notices if notice not in self._notices)
        self._finished(run.log)
        return run

    def _interrupted(self, run: TaskRun) -> bool:
        # Ctrl-C / SIGTERM reached the supervisor, which ended the child and reported it.
        return self.cancel.is_set() or (run.result is not None and run.result.status is ExecutorStatus.CANCELLED)

    def _run_or_reject(self, task: TaskLog, prompt: str, resume_token: str | None) -> TaskRun:
        # The loop's steps load with the first task: a REPL that runs none never imports them.
        from runner.orchestration import record
        from runner.orchestration.gates import Rejection
        from runner.orchestration.loop import TaskRun
        from runner.orchestration.loop.sequence import run_task

        spec = self.task_spec(task.task_id, prompt, resume_token)
        if isinstance(spec, Rejection):
            return TaskRun(record.reject(self.manager, task.task_id, spec), None)
        return run_task(self.manager, spec, self.ui)

    def task_spec(self, task_id: str, prompt: str, resume_token: str | None = None) -> TaskSpec | Rejection:
        """How a registered task would run now (executor, limits, review, models, budget), or why it may not."""
        from runner.executors.base import ExecutorLimits, ExecutorTask
        from runner.logs.models import ExecutorInfo
        from runner.orchestration.gates import Rejection, budget_rejection, check_gates
        from runner.orchestration.loop import TaskSpec
        from runner.orchestration.loop.plans import loop_rules, model_plan, review_plan

        executor = check_gates(self._executor, self._executor_problem, self.config.executors)
        if isinstance(executor, Rejection):
            return executor
        refused = self.budget.refusal()
        if refused is not None:
            return budget_rejection(refused)
        config, row = self.config, executor_row(executor.name)
        overall, progress = config.limits_for(executor.name)
        return TaskSpec(
            task_id=task_id, executor=executor,
            executor_info=ExecutorInfo(name=executor.name, model=config.model),
            executor_task=ExecutorTask(
                prompt=prompt, project_root=config.project_root,
                interactive=not config.non_interactive,
                limits=ExecutorLimits(executor_timeout_ms=overall, progress_timeout_ms=progress,
                                      kill_grace_ms=config.kill_grace_ms),
                resume_token=resume_token, model=config.model, cancel=self.cancel),
            require_evidence=config.require_evidence,
            review=review_plan(config, row), rules=loop_rules(config, row), models=model_plan(config, row),
            budget=self.budget, prices=self.prices,
        )

    def _finished(self, log: TaskLog) -> None:
        """Count a terminal task and show its result; a streak warning joins the request's notices."""
        streak = self.tally.record(log)
        self.ui.task_finished(log, self.spend_report(log))
        if streak is not None:
            self._notices.append(streak)

    # -- gates ----------------------------------------------------------------------------

    def rejection(self) -> Rejection | None:
        """Why a task would be refused before running now (no executor, a missing key), or None."""
        from runner.orchestration.gates import Rejection, check_gates

        gate = check_gates(self._executor, self._executor_problem, self.config.executors)
        return gate if isinstance(gate, Rejection) else None

    def loop_notices(self) -> list[Notice]:
        """Settings of the review loop that will not do what they say, said once at start."""
        config, notices = self.config, []
        if config.repo_checks and not config.repo_checks_trusted:
            notices.append(Notice.warning(
                f"{len(config.repo_checks)} check(s) in .claude/runner.config.json (review.checks) will not run: "
                "the trust check at start did not cover them (the review was off)",
                hint="start with the review on to be asked, or give checks with --check CMD (or /check add CMD); "
                     "see spec/review-loop.md"))
        row = executor_row(self.executor_name or "")
        ignored = [flag for flag, value in (("--escalate-model", config.escalate_model),
                                            ("--fallback-model", config.fallback_model)) if value]
        if ignored and self.executor_name and not row.takes_model:
            notices.append(Notice.warning(f"{' and '.join(ignored)} ignored: the {self.executor_name} executor "
                                          "passes no model to its program"))
        return notices

    # -- budget -------------------------------------------------------------------------

    def spend_report(self, log: TaskLog | None = None) -> SpendReport:
        """The session's spend against its limits, with `log`'s own when given."""
        from runner.orchestration.budget import SpendReport

        metrics = log.metrics if log is not None else None
        tokens = None
        if metrics is not None and (metrics.input_tokens is not None or metrics.output_tokens is not None):
            tokens = (metrics.input_tokens or 0) + (metrics.output_tokens or 0)
        return SpendReport(self.budget.limits, self.budget.spent,
                           metrics.cost_usd if metrics is not None else None, tokens)

    # -- model --------------------------------------------------------------------------

    def change_model(self, name: str) -> str | None:
        """Use `name` from now on (`/model`); the change is recorded as MODEL_CHANGE in the next task."""
        previous = self.config.model
        self.config.model, self.config.model_source = name, "/model"
        # Several changes before one task are one event: from the model the last task used to the newest.
        first = self._model_change["from_model"] if self._model_change else previous or "(executor default)"
        self._model_change = {"message": f"{first} → {name} (/model)", "from_model": first, "to_model": name,
                              "source": "/model"}
        return previous

    def _record_model_change(self, task_id: str) -> None:
        if self._model_change is not None:
            self.manager.add_event(task_id, EventType.MODEL_CHANGE, self._model_change)
            self._model_change = None

    # -- the exit code --------------------------------------------------------------------

    def record_command_error(self) -> None:
        """A command or a line the REPL refused: it counts against the exit code."""
        self.tally.command_errors += 1

    def record_fatal(self) -> None:
        """The runner itself failed (a log could not be saved, a script was cancelled)."""
        self.tally.fatal = True

    @property
    def fatal(self) -> bool:
        return self.tally.fatal

    def exit_status(self) -> ExitStatus:
        return self.tally.exit_status()
