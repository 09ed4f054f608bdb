"""The `/logs` browser's state, key by key, without a terminal (runner/repl/browser_state.py)."""

from __future__ import annotations

from runner.logs.models import TaskLogEntry, TaskStatus, Visibility
from runner.repl.browser_state import BrowserState, Screen, StatusFilter, press

STATUSES = [TaskStatus.COMPLETE, TaskStatus.ERROR, TaskStatus.COMPLETE, TaskStatus.INCOMPLETE,
            TaskStatus.COMPLETE, TaskStatus.RUNNING, TaskStatus.ERROR]
PROMPTS = ["create a README", "add tests", "fix the parser", "rename module", "write docs",
           "long refactor", "deploy the README"]


def entry(number: int, status: TaskStatus, prompt: str) -> TaskLogEntry:
    return TaskLogEntry(task_id=f"task-{number:03d}", external_task_id=f"task-17366814{number:05d}",
                        thread_id=f"thr-{number:03d}", run_id=f"run-{number:03d}", status=status,
                        started_at="2025-01-12T11:30:00.000Z", prompt_summary=prompt,
                        error_reason="it failed" if status in (TaskStatus.ERROR, TaskStatus.INCOMPLETE) else None)


def make_state(**kwargs: object) -> BrowserState:
    rows = [entry(n, s, p) for n, (s, p) in enumerate(zip(STATUSES, PROMPTS, strict=True), start=1)]
    return BrowserState("sess-20250112-001", rows, **kwargs)  # type: ignore[arg-type]


def keys(state: BrowserState, *names: str) -> BrowserState:
    for name in names:
        press(state, name)
    return state


def selected(state: BrowserState) -> str:
    assert state.selected is not None
    return state.selected.task_id


def test_j_k_and_arrows_move_the_cursor_and_stop_at_the_ends() -> None:
    """j/↓ go down, k/↑ go up, and the cursor never leaves the rows."""
    state = make_state()
    assert selected(keys(state, "j", "down")) == "task-003"
    assert selected(keys(state, "k", "up", "k")) == "task-001"
    assert selected(keys(state, *["j"] * 20)) == "task-007"


def test_number_keys_jump_to_the_row_shown_with_that_number() -> None:
    """1–9 select the N-th row shown; a number past the end leaves the cursor and says so."""
    state = make_state()
    assert selected(keys(state, "5")) == "task-005"
    keys(state, "9")
    assert selected(state) == "task-005" and state.message == "no row 9 (7 shown)"


def test_g_and_G_go_to_the_top_and_bottom() -> None:
    """g selects the first row, G the last."""
    state = make_state()
    assert selected(keys(state, "G")) == "task-007"
    assert selected(keys(state, "g")) == "task-001"


def test_enter_opens_the_selected_task_and_b_comes_back_to_it() -> None:
    """Enter shows the selected task's detail; b returns to the list with the same row selected."""
    state = keys(make_state(), "j", "j", "enter")
    assert state.screen is Screen.DETAIL and state.open_task_id == "task-003"
    keys(state, "b")
    assert state.screen is Screen.LIST and selected(state) == "task-003"


def test_t_shows_the_tree_and_f_toggles_full_visibility() -> None:
    """t switches to the tree; f flips summary and full and says which is on."""
    state = keys(make_state(), "t")
    assert state.screen is Screen.TREE
    assert keys(state, "f").visibility is Visibility.FULL and state.message == "full view"
    assert keys(state, "f").visibility is Visibility.SUMMARY


def test_s_cycles_the_status_filter_and_counts_what_is_shown() -> None:
    """s goes all → error → incomplete → complete → running → all, with `N of M shown` while filtering."""
    state = make_state()
    assert state.shown_count() is None
    seen = []
    for _ in range(5):
        keys(state, "s")
        seen.append((state.status_filter, state.shown_count()))
    assert seen == [
        (StatusFilter.ERROR, "2 of 7 shown"),
        (StatusFilter.INCOMPLETE, "1 of 7 shown"),
        (StatusFilter.COMPLETE, "3 of 7 shown"),
        (StatusFilter.RUNNING, "1 of 7 shown"),
        (StatusFilter.ALL, None),
    ]


def test_the_filter_keeps_the_selected_task_when_it_stays_visible() -> None:
    """Filtering to errors while an error is selected keeps it selected; numbers then count shown rows."""
    state = keys(make_state(), "G", "s")
    assert [e.task_id for e in state.rows] == ["task-002", "task-007"]
    assert selected(state) == "task-007"
    assert selected(keys(state, "1")) == "task-002"


def test_search_highlights_without_hiding_rows_and_selects_the_first_match() -> None:
    """/readme matches two rows in any case: every row stays, the cursor goes to the next match from it."""
    state = keys(make_state(), "j")
    state.search("readme")
    assert len(state.rows) == 7
    assert state.matches() == [0, 6] and selected(state) == "task-007" and state.message == "2 matches"
    assert state.row_matches(state.rows[0]) and not state.row_matches(state.rows[1])
    keys(state, "g")
    state.search("README")
    assert selected(state) == "task-001"


def test_search_also_finds_words_only_in_event_text() -> None:
    """A word that is in a task's events (given by text_of) but not its prompt matches that row."""
    texts = {"task-004": "EXECUTOR_OUTPUT Traceback: KeyError"}
    state = make_state(text_of=lambda e: texts.get(e.task_id, ""))
    state.search("keyerror")
    assert state.matches() == [3] and selected(state) == "task-004"


def test_n_and_N_go_to_the_next_and_previous_match_and_wrap() -> None:
    """n steps forward through matches, N back; past the last one it wraps and says so."""
    state = make_state()
    state.search("the")  # fix the parser (3), deploy the README (7)
    assert selected(state) == "task-003"
    assert selected(keys(state, "n")) == "task-007"
    assert selected(keys(state, "n")) == "task-003" and state.message == "match 1 of 2 (wrapped)"
    assert selected(keys(state, "N")) == "task-007" and state.message == "match 2 of 2 (wrapped)"
    assert selected(keys(state, "N")) == "task-003" and state.message == "match 1 of 2"


def test_a_search_with_no_match_moves_nothing() -> None:
    """An unmatched search leaves the cursor and says so; n then reports it too."""
    state = keys(make_state(), "j")
    state.search("nothing like this")
    assert selected(state) == "task-002" and state.message == "no match for 'nothing like this'"
    assert selected(keys(state, "n")) == "task-002"


def test_e_and_E_go_to_the_next_and_previous_failed_task() -> None:
    """e visits error and incomplete rows in order, wrapping; E goes backwards."""
    state = make_state()
    order = [selected(keys(state, "e")) for _ in range(4)]
    assert order == ["task-002", "task-004", "task-007", "task-002"]
    assert selected(keys(state, "E")) == "task-007"


def test_e_on_a_detail_opens_the_next_failed_task() -> None:
    """With a detail open, e switches the detail to the next failed task."""
    state = keys(make_state(), "2", "enter", "e")
    assert state.screen is Screen.DETAIL and state.open_task_id == "task-004"


def test_detail_scrolling_stops_at_the_last_page() -> None:
    """j/k, g/G scroll the detail text; the last page is as far as it goes."""
    state = keys(make_state(), "enter")
    state.set_lines([f"line {n}" for n in range(50)], page=20)
    assert keys(state, "j", "j").line == 2
    assert keys(state, "G").line == 30
    assert keys(state, "j").line == 30
    assert keys(state, "g").line == 0


def test_detail_search_steps_through_matching_lines() -> None:
    """In a detail, search and n/N go from one matching line to the next, scrolling only when needed."""
    state = keys(make_state(), "enter")
    lines = ["x"] * 60
    lines[5] = lines[15] = lines[45] = "EXECUTOR_OUTPUT token"
    state.set_lines(lines, page=20)
    state.search("token")
    assert (state.match_line, state.line) == (5, 0)
    assert (keys(state, "n").match_line, state.line) == (15, 0)
    assert (keys(state, "n").match_line, state.line) == (45, 40)
    assert (keys(state, "n").match_line, state.line) == (5, 5)
    assert state.message == "match 1 of 3 (wrapped)"


def test_a_refresh_keeps_the_selected_task() -> None:
    """New rows from a live refresh keep the cursor on the same task id."""
    state = keys(make_state(), "G", "s")  # errors only; task-007 selected
    rows = list(state.entries)
    rows.insert(0, entry(8, TaskStatus.ERROR, "new failure"))
    state.set_entries(rows)
    assert selected(state) == "task-007" and state.shown_count() == "3 of 8 shown"


def test_is_live_while_a_running_task_is_on_screen() -> None:
    """The list is live while it shows a running task; a detail only while its own task runs."""
    state = make_state()
    assert state.is_live()
    keys(state, "1", "enter")
    assert not state.is_live()
    keys(state, "b", "6", "enter")
    assert state.is_live()


def test_unknown_keys_change_nothing() -> None:
    """A key the browser does not use leaves the state as it was."""
    state = make_state()
    before = (state.screen, state.cursor, state.visibility, state.status_filter, state.query)
    keys(state, "x", "Z", "0")
    assert (state.screen, state.cursor, state.visibility, state.status_filter, state.query) == before


def chunked_state() -> BrowserState:
    """task-001 split into parts task-002..004, then a plain task-005."""
    rows = [entry(1, TaskStatus.INCOMPLETE, "1. a 2. b 3. c")]
    for number, status in ((2, TaskStatus.COMPLETE), (3, TaskStatus.ERROR), (4, TaskStatus.INCOMPLETE)):
        part = entry(number, status, f"part {number - 1}")
        rows.append(part.model_copy(update={"thread_id": "thr-001", "run_id": "run-001",
                                            "parent_task_id": "task-001", "subtask_index": number - 1}))
    rows.append(entry(5, TaskStatus.COMPLETE, "plain"))
    return BrowserState("sess-20250112-001", rows)


def test_brackets_move_from_a_parent_through_its_subtasks_in_the_detail() -> None:
    """In a parent's detail `]` opens its first part, `]` the next, `[` back, `[` from part 1 up to the parent."""
    state = keys(chunked_state(), "enter")
    keys(state, "]")
    assert (state.screen, state.open_task_id) == (Screen.DETAIL, "task-002")
    assert state.message == "task-002: part 1 of 3 of task-001"
    assert keys(state, "]", "]").open_task_id == "task-004"
    keys(state, "]")
    assert state.open_task_id == "task-004" and state.message == "last subtask of task-001"
    assert keys(state, "[", "[").open_task_id == "task-002"
    keys(state, "[")
    assert state.open_task_id == "task-001" and state.message == "task-001: the chunked task"
    assert keys(state, "[").open_task_id == "task-004"  # `[` on a parent: its last part


def test_u_goes_up_and_the_list_cursor_follows() -> None:
    """On the list `]` moves the cursor to the first part and `u` back to the parent; a plain task says why not."""
    state = chunked_state()
    assert selected(keys(state, "]")) == "task-002"
    assert selected(keys(state, "j", "u")) == "task-001"
    keys(state, "G", "]")
    assert selected(state) == "task-005" and state.message == "task-005 was not split into subtasks"
    keys(state, "u")
    assert state.message == "not a subtask"
