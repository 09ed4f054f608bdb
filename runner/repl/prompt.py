"""The interactive prompt: history (`runner.repl.history`), completion of commands and ids, a toolbar."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from prompt_toolkit import PromptSession
from prompt_toolkit.auto_suggest import AutoSuggestFromHistory
from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document
from prompt_toolkit.history import History, InMemoryHistory
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent

from runner.core import RunnerCore
from runner.logs.masking import mask_text
from runner.logs.models import TaskLogEntry, TaskStatus
from runner.notices import Notice
from runner.repl.commands import REGISTRY
from runner.repl.history import HISTORY_FILE, SafeFileHistory, history_problem
from runner.views.safe_text import safe_str

PROMPT = "pm-runner> "
ANSWER_PROMPT = "answer> "  # the agent asked a question: the next line answers it

LOGS_FLAGS = {"--full": "every event", "--json": "one JSON document", "--tree": "session → thread → run → task",
              "--session": "another session", "--status": "only tasks in this status",
              "--since": "only tasks started within", "--clear": "delete logs", "--report": "the session's HTML report"}


class ReplCompleter(Completer):
    """Completes `/command` names (with their help), then task ids after `/logs` and `/retry` (the latest
    session's after a restart), `/logs` flags, session ids after `/continue`, executors after `/provider`."""

    def __init__(self, core: RunnerCore) -> None:
        self.core = core

    def get_completions(self, document: Document, complete_event: CompleteEvent) -> Iterable[Completion]:
        text = document.text_before_cursor
        if not text.startswith("/"):
            return
        words = text.split(" ")
        current = words[-1]
        if len(words) == 1:
            for name, entry in REGISTRY.items():
                if name.startswith(current[1:]):
                    yield Completion("/" + name, start_position=-len(current), display_meta=entry.summary)
            return
        if words[0] == "/logs" and current.startswith("-"):
            for flag, meaning in LOGS_FLAGS.items():
                if flag.startswith(current):
                    yield Completion(flag, start_position=-len(current), display_meta=meaning)
            return
        for candidate, meta in self._ids_for(words[0]):
            if candidate.startswith(current):
                yield Completion(candidate, start_position=-len(current), display_meta=meta)

    def _ids_for(self, name: str) -> list[tuple[str, str]]:
        try:
            return self._candidates(name)
        except Exception:  # noqa: BLE001 - completion must never break the prompt
            return []

    def _candidates(self, name: str) -> list[tuple[str, str]]:
        if name in ("/logs", "/retry"):
            from runner.views.fields import one_line

            return [(e.task_id, f"{e.status.value}: {one_line(mask_text(e.prompt_summary), 40)}")
                    for e in self._entries()]
        if name == "/provider":
            from runner.executors.registry import EXECUTORS

            return [(executor, "") for executor in EXECUTORS]
        return [(session_id, "") for session_id in self._session_ids(name)]

    def _entries(self) -> list[TaskLogEntry]:
        """This session's tasks; after a restart (no session yet), the latest session's."""
        if self.core.manager.session_id:
            return self.core.manager.entries()
        from runner.logs.store import LogReader

        reader = LogReader(self.core.config.project_root, logs_dir=self.core.config.logs_dir)
        latest = reader.latest_session_id() if self.core.manager.paths.sessions_dir.is_dir() else None
        return reader.read_session_index(latest).entries if latest else []

    def _session_ids(self, name: str) -> list[str]:
        if name == "/continue":
            from runner.logs.store import LogReader

            reader = LogReader(self.core.config.project_root, logs_dir=self.core.config.logs_dir)
            return [s.session_id for s in reader.list_sessions()]
        return []


def _toolbar(core: RunnerCore) -> str:
    session = core.manager.session_id or "no session"
    executor = core.executor_name or "no executor"
    model = safe_str(core.config.model) if core.config.model else "default model"  # a settings file may hold a key
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
        message=lambda: ANSWER_PROMPT if core.pending is not None else PROMPT,
        history=history,
        completer=ReplCompleter(core),
        complete_while_typing=False,
        auto_suggest=AutoSuggestFromHistory(),  # grey suggestions from history; → accepts
        enable_open_in_editor=True,  # Ctrl-X Ctrl-E: edit the line in $EDITOR
        key_bindings=_key_bindings(),
        bottom_toolbar=lambda: _toolbar(core),
    )


ABANDONED_MARK = "^C"


def _key_bindings() -> KeyBindings:
    """Alt-Enter / Esc-Enter insert a newline: a multi-line task; Enter alone runs it. Ctrl-C drops the
    line, and like a shell leaves it on the screen marked `^C`, so a line seen there never looks run."""
    bindings = KeyBindings()

    @bindings.add("escape", "enter")
    def _newline(event: KeyPressEvent) -> None:
        event.current_buffer.insert_text("\n")

    @bindings.add("c-c")
    def _abandon(event: KeyPressEvent) -> None:
        buffer = event.current_buffer
        if buffer.text:
            buffer.cursor_position = len(buffer.text)
            buffer.insert_text(ABANDONED_MARK)  # shown in the last frame only: the line is never run
        event.app.exit(exception=KeyboardInterrupt, style="class:aborting")

    return bindings
