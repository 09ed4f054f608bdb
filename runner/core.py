"""RunnerCore: the current session, its threads and runs, and handing each input to orchestration.

It owns what lasts between inputs (the session, the chosen executor, the question waiting for an
answer, the prompts of this session's tasks, the tally) and returns what each input produced as a
`RequestOutcome`. It reports live progress to the `CoreUI` it is given and never prints itself.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Protocol

from runner.config import RunnerConfig
from runner.errors import ExitStatus, NotFoundError, RunnerError
from runner.executors.base import Executor, ExecutorLimits, ExecutorStatus, ExecutorTask
from runner.executors.registry import create_executor, default_executor
from runner.ids import IdKind, is_valid, validate
from runner.logs.manager import TaskLogManager
from runner.logs.models import EventType, ExecutorInfo, RunnerDecision, TaskLog, TaskStatus
from runner.notices import Notice
from runner.orchestration import record
from runner.orchestration.gates import Rejection, check_gates
from runner.orchestration.loop import TaskRun, TaskSpec, run_task
from runner.orchestration.request import RequestOutcome
from runner.orchestration.tally import RunTally


class CoreUI(Protocol):
    """What the core tells the person or the script while it works; implemented by the REPL edge."""

    def notify(self, notice: Notice) -> None: ...
    def task_started(self, task: TaskLog) -> None: ...
    def progress(self, line: str) -> None: ...
    def task_finished(self, log: TaskLog) -> None: ...


@dataclass
class PendingClarification:
    """A question the executor asked; the next line answers it in the same thread and run."""

    thread_id: str
    task_id: str
    question: str
    original_prompt: str
    resume_token: str | None


class RunnerCore:
    """Owns the session and hands each natural-language line to orchestration as a task."""

    def __init__(self, config: RunnerConfig, manager: TaskLogManager, ui: CoreUI) -> None:
        self.config = config
        self.manager = manager
        self.ui = ui
        self.tally = RunTally()
        self.pending: PendingClarification | None = None
        # Set by the edge's signal handler while a line is handled; the supervisor polls it.
        self.cancel = threading.Event()
        self._prompts: dict[str, str] = {}
        self._executor: Executor | None = None
        self._executor_problem: RunnerError | None = None
        self.executor_name = config.executor or default_executor()
        self.select_executor(self.executor_name)

    # -- executor -------------------------------------------------------------------------

    def select_executor(self, name: str | None) -> None:
        """Use the named executor; an unusable one is remembered and each task is rejected with why.

        An unknown name raises before anything changes, so a typo keeps the current executor.
        """
        if name is None:
            self.executor_name, self._executor = None, None
            self._executor_problem = RunnerError(
                "no executor chosen: the `claude` CLI (Claude Code) is not on PATH",
                hint="install Claude Code, or pick one: --executor shell (runs each line as a shell "
                "command) or --executor command --executor-cmd 'codex exec --sandbox workspace-write {prompt}'",
            )
            return
        executor = create_executor(name, command_template=self.config.executor_cmd)
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
        opened = self.manager.open_session(
            project_mode=str(self.config.project_mode), executor=self.executor_name,
            model=self.config.model, interactive=not self.config.non_interactive)
        self.pending = None
        self._report_recovered(opened.recovered)
        return opened.session_id

    def continue_session(self, session_id: str) -> str:
        opened = self.manager.continue_session(session_id)
        self.pending = None
        self._report_recovered(opened.recovered)
        return opened.session_id

    def _report_recovered(self, recovered: list[str]) -> None:
        if recovered:
            self.ui.notify(Notice.warning(f"recovered {len(recovered)} task(s) left unfinished by a runner "
                                          f"that stopped; closed as error: {', '.join(recovered)}",
                                          tasks=list(recovered)))

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
            task = self.manager.create_task(line)
            return self._run(task, line, resume_token=None)
        task = self.manager.create_task(
            line, thread_id=pending.thread_id, parent_task_id=pending.task_id,
            input_event=EventType.USER_RESPONSE)
        prompt = line if pending.resume_token else (
            f"{pending.original_prompt}\n\nYou asked: {pending.question}\nAnswer: {line}")
        return self._run(task, prompt, resume_token=pending.resume_token)

    def retry(self, task_ref: str | None) -> RequestOutcome:
        """Run a task's prompt again as the next run of its thread."""
        self.ensure_session()
        original = self._find_retry_target(task_ref)
        prompt = self._prompts.get(original.task_id) or self._logged_prompt(original)
        self.pending = None
        task = self.manager.create_task(prompt, thread_id=original.thread_id,
                                        parent_task_id=original.task_id, new_run=True)
        self.manager.add_event(task.task_id, EventType.RETRY_START,
                               {"retry_of": original.task_id, "previous_status": str(original.status)})
        outcome = self._run(task, prompt, resume_token=None)
        if outcome.last.status is TaskStatus.COMPLETE:
            outcome.notices.append(Notice.info(f"Retry of {original.task_id} succeeded as {outcome.last.task_id}",
                                               retry_of=original.task_id, task_id=outcome.last.task_id))
        return outcome

    def _find_retry_target(self, task_ref: str | None) -> TaskLog:
        """The task named (internal or external id), else the session's last failed task."""
        entries = self.manager.entries()
        if task_ref:
            if not (is_valid(IdKind.TASK, task_ref) or is_valid(IdKind.EXTERNAL_TASK, task_ref)):
                validate(IdKind.TASK, task_ref)  # raises InvalidIdError with the expected format
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
        for event in log.events:
            if event.event_type in (EventType.USER_INPUT, EventType.USER_RESPONSE):
                prompt = event.content.get("prompt")
                if isinstance(prompt, str):
                    return prompt
        return log.prompt_summary

    def _run(self, task: TaskLog, prompt: str, *, resume_token: str | None) -> RequestOutcome:
        self._prompts[task.task_id] = prompt
        self.ui.task_started(task)
        run = self._run_or_reject(task, prompt, resume_token)
        # Ctrl-C / SIGTERM reached the supervisor, which ended the child and reported it.
        interrupted = self.cancel.is_set() or (run.result is not None
                                               and run.result.status is ExecutorStatus.CANCELLED)
        notices = self._after_task(run, prompt)
        return RequestOutcome(tasks=[run.log], notices=notices, interrupted=interrupted)

    def _run_or_reject(self, task: TaskLog, prompt: str, resume_token: str | None) -> TaskRun:
        executor = check_gates(self._executor, self._executor_problem, self.config.executors)
        if isinstance(executor, Rejection):
            return TaskRun(record.reject(self.manager, task.task_id, executor), None)
        overall, progress = self.config.limits_for(executor.name)
        spec = TaskSpec(
            task_id=task.task_id, executor=executor,
            executor_info=ExecutorInfo(name=executor.name, model=self.config.model),
            executor_task=ExecutorTask(
                prompt=prompt, project_root=self.config.project_root,
                interactive=not self.config.non_interactive,
                limits=ExecutorLimits(executor_timeout_ms=overall, progress_timeout_ms=progress,
                                      kill_grace_ms=self.config.kill_grace_ms),
                resume_token=resume_token, model=self.config.model, cancel=self.cancel),
            require_evidence=self.config.require_evidence,
        )
        return run_task(self.manager, spec, self.ui)

    def _after_task(self, run: TaskRun, prompt: str) -> list[Notice]:
        log, result = run.log, run.result
        streak = self.tally.record(log)
        self.ui.task_finished(log)
        if log.runner_decision is RunnerDecision.CLARIFY and result is not None:
            self.pending = PendingClarification(
                thread_id=log.thread_id, task_id=log.task_id, question=result.final_message,
                original_prompt=prompt, resume_token=result.resume_token)
        return [streak] if streak is not None else []

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
