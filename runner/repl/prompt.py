"""The interactive prompt: history (`runner.repl.history`), completion of commands and ids, a toolbar."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from prompt_toolkit import PromptSession
from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document
from prompt_toolkit.history import History, InMemoryHistory

from runner.core import RunnerCore
from runner.logs.models import TaskStatus
from runner.notices import Notice
from runner.repl.commands import REGISTRY
from runner.repl.history import HISTORY_FILE, SafeFileHistory, history_problem


class ReplCompleter(Completer):
    """Completes `/command` names, then task ids after `/logs` and `/retry`, session ids after `/continue`."""

    def __init__(self, core: RunnerCore) -> None:
        self.core = core

    def get_completions(self, document: Document, complete_event: CompleteEvent) -> Iterable[Completion]:
        text = document.text_before_cursor
        if not text.startswith("/"):
            return
        words = text.split(" ")
        current = words[-1]
        if len(words) == 1:
            for name in REGISTRY:
                if name.startswith(current[1:]):
                    yield Completion("/" + name, start_position=-len(current))
            return
        for candidate in self._ids_for(words[0]):
            if candidate.startswith(current):
                yield Completion(candidate, start_position=-len(current))

    def _ids_for(self, name: str) -> list[str]:
        if name in ("/logs", "/retry") and self.core.manager.session_id:
            return [e.task_id for e in self.core.manager.entries()]
        if name == "/continue":
            from runner.logs.store import LogReader

            try:
                return [s.session_id for s in LogReader(self.core.config.project_root).list_sessions()]
            except Exception:  # noqa: BLE001 - completion must never break the prompt
                return []
        return []


def _toolbar(core: RunnerCore) -> str:
    session = core.manager.session_id or "no session"
    executor = core.executor_name or "no executor"
    model = core.config.model or "default model"
    counts = {s: 0 for s in TaskStatus}
    if core.manager.session_id:
        for entry in core.manager.entries():
            counts[entry.status] += 1
    tally = " ".join(f"{s.value}:{n}" for s, n in counts.items() if n)
    return f" {session} | {executor} ({model}) | {tally or 'no tasks'} | /help"


def build_prompt_session(core: RunnerCore, notify: Callable[[Notice], None]) -> PromptSession[str]:
    """The prompt; history in `.claude/repl_history`, or in memory (after one WARNING) when that file is unsafe."""
    problem = history_problem(core.config.claude_dir)
    history: History = SafeFileHistory(core.config.claude_dir / HISTORY_FILE)
    if problem is not None:
        notify(Notice.warning(f"history is not saved this session: {problem}"))
        history = InMemoryHistory()
    return PromptSession(
        message="pm-runner> ",
        history=history,
        completer=ReplCompleter(core),
        complete_while_typing=False,
        bottom_toolbar=lambda: _toolbar(core),
    )
