"""The planner on a table of real-looking requests, each with the plan it must produce (issue 13)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from runner.orchestration.planner import make_plan
from runner.orchestration.planning.model import Size, Structure


@dataclass(frozen=True)
class Case:
    name: str
    request: str
    structure: Structure | None
    items: tuple[str, ...]
    chunk: bool
    size: Size
    depends: tuple[tuple[int, int], ...] = ()  # (item, waits for)
    groups: tuple[tuple[int, ...], ...] = ()
    reason_has: tuple[str, ...] = ()
    left_out: tuple[str, ...] = ()
    preamble: str = ""
    epilogue: str = ""
    extra: dict[str, object] = field(default_factory=dict)


CASES = [
    Case("inline numbered, the issue's example",
         "1. add the parser 2. add tests for it 3. update the README",
         Structure.INLINE_NUMBERED, ("add the parser", "add tests for it", "update the README"),
         True, Size.M, groups=((1, 2, 3),), reason_has=("split into 3 subtasks",)),
    Case("numbered lines under an instruction; a later item names an earlier item's file",
         "Refactor the auth module:\n"
         "1. extract the token check into auth/token.py\n"
         "2. add tests for auth/token.py\n"
         "3. update README.md",
         Structure.NUMBERED,
         ("extract the token check into auth/token.py", "add tests for auth/token.py", "update README.md"),
         True, Size.M, depends=((2, 1),), groups=((1, 3), (2,)), preamble="Refactor the auth module:"),
    Case("numbered with ')' and an order word and a step reference",
         "1) write a.txt\n2) claim b.txt\n3) after step 2, write c.txt\n4) then commit",
         Structure.NUMBERED, ("write a.txt", "claim b.txt", "after step 2, write c.txt", "then commit"),
         True, Size.L, depends=((3, 2), (4, 3)), groups=((1, 2), (3,), (4,))),
    Case("Step N: markers",
         "Step 1: add `parse_config()` to src/config.py\nStep 2: call parse_config from src/cli.py",
         Structure.NUMBERED, ("add `parse_config()` to src/config.py", "call parse_config from src/cli.py"),
         True, Size.M, depends=((2, 1),), groups=((1,), (2,))),
    Case("a bare bulleted list is a plan",
         "- add a --json flag to the list command\n- document it in docs/cli.md\n- add a changelog entry",
         Structure.BULLETED,
         ("add a --json flag to the list command", "document it in docs/cli.md", "add a changelog entry"),
         True, Size.M, groups=((1, 2, 3),)),
    Case("bullets under a plan heading",
         "We are cleaning up the repo.\n\n## Tasks\n* remove the old Makefile targets\n* move scripts/ to tools/",
         Structure.BULLETED, ("remove the old Makefile targets", "move scripts/ to tools/"), True, Size.M,
         groups=((1, 2),), preamble="We are cleaning up the repo.\n\n## Tasks"),
    Case("bullets under an instruction are its details, not tasks",
         "Fix the crash in parse_config when the file has:\n- a BOM\n- CRLF line endings\n- a trailing comma",
         None, ("a BOM", "CRLF line endings", "a trailing comma"), False, Size.M,
         reason_has=("follows an instruction", "Steps:")),
    Case("checklist: checked items are done and left out",
         "- [ ] add the parser\n- [x] set up CI\n- [ ] add tests for the parser\n- [ ] update the docs",
         Structure.CHECKLIST, ("add the parser", "add tests for the parser", "update the docs"), True, Size.M,
         groups=((1, 2, 3),), left_out=("set up CI",), reason_has=("1 checked item(s) left out",)),
    Case("first/then/finally: each step waits for the one before",
         "First add a failing test in tests/test_dates.py, then fix the bug, and finally update CHANGELOG.md.",
         Structure.SEQUENCE, ("add a failing test in tests/test_dates.py", "fix the bug", "update CHANGELOG.md"),
         True, Size.M, depends=((2, 1), (3, 2)), groups=((1,), (2,), (3,))),
    Case("first … and then, two steps after an instruction",
         "The date parser is wrong. First write a test that shows it and then fix it",
         Structure.SEQUENCE, ("write a test that shows it", "fix it"), True, Size.M, depends=((2, 1),),
         groups=((1,), (2,)), preamble="The date parser is wrong."),
    Case("an account told with first/then is not steps",
         "First I restarted the server, then the error went away. Can you find out why?",
         None, ("I restarted the server", "the error went away. Can you find out why?"), False, Size.M,
         reason_has=("account",)),
    Case("prose with 'then' and no 'first' is never split",
         "If the cache is stale then rebuild it, and make sure the tests still pass afterwards.",
         None, (), False, Size.S, reason_has=("no numbered or bulleted list",)),
    Case("a version number is not a list",
         "Upgrade the SDK to version 2. Then run the tests.", None, (), False, Size.S),
    Case("'next to' is no order word",
         "First move the button to the header, next to the logo", None, (), False, Size.S),
    Case("long prose naming many files is XL and not split",
         "Please look at " + ", ".join(f"src/mod{i}.py" for i in range(9)) + " and make the error handling consistent.",
         None, (), False, Size.XL, reason_has=("numbered list to split it",)),
    Case("Japanese inline list with fullwidth periods",
         "1．パーサーを追加 2．テストを追加 3．READMEを更新",
         Structure.INLINE_NUMBERED, ("パーサーを追加", "テストを追加", "READMEを更新"), True, Size.M,
         groups=((1, 2, 3),)),
    Case("Japanese ・ list under やること：",
         "やること：\n・パーサーを追加する\n・テストを書く\n・READMEを更新する",
         Structure.BULLETED, ("パーサーを追加する", "テストを書く", "READMEを更新する"), True, Size.M,
         groups=((1, 2, 3),), preamble="やること："),
    Case("Japanese ・ list under a request sentence is its details",
         "設定ファイルの読み込みを直してください\n・BOM付き\n・CRLF改行",
         None, ("BOM付き", "CRLF改行"), False, Size.M, reason_has=("follows an instruction",)),
    Case("Japanese まず/次に/最後に",
         "まずsrc/parser.pyにパーサーを追加し、次にテストを書き、最後にREADMEを更新してください。",
         Structure.SEQUENCE, ("src/parser.pyにパーサーを追加し", "テストを書き", "READMEを更新してください"),
         True, Size.M, depends=((2, 1), (3, 2)), groups=((1,), (2,), (3,))),
    Case("fullwidth digits, one per line, with a step reference in Japanese",
         "以下の作業をお願いします：\n１．config.pyを作成\n２．ステップ1の後でテストを追加\n３．ドキュメントを更新",
         Structure.NUMBERED, ("config.pyを作成", "ステップ1の後でテストを追加", "ドキュメントを更新"), True, Size.M,
         depends=((2, 1),), groups=((1, 3), (2,)), preamble="以下の作業をお願いします："),
    Case("circled numbers",
         "①ログ出力を追加 ②テストを追加", Structure.INLINE_NUMBERED, ("ログ出力を追加", "テストを追加"), True,
         Size.M, groups=((1, 2),)),
    Case("mixed languages: English instruction, Japanese list",
         "Please do the following:\n1．READMEを更新\n2．CHANGELOG.mdに追記",
         Structure.NUMBERED, ("READMEを更新", "CHANGELOG.mdに追記"), True, Size.M, groups=((1, 2),),
         preamble="Please do the following:"),
    Case("lines of a pasted plan under 'Plan:'",
         "Plan:\nAdd the parser in src/parser.py\nAdd tests in tests/test_parser.py for src/parser.py\n"
         "Update README.md\n\nKeep each change small.",
         Structure.PLAN_LINES,
         ("Add the parser in src/parser.py", "Add tests in tests/test_parser.py for src/parser.py", "Update README.md"),
         True, Size.M, depends=((2, 1),), groups=((1, 3), (2,)), preamble="Plan:", epilogue="Keep each change small."),
    Case("hard-wrapped prose lines are not a plan",
         "The importer should skip rows whose id is empty\nand log how many rows it skipped\nat the end of the run.",
         None, (), False, Size.S),
    Case("a numbered list that restarts is two lists: not split",
         "Backend:\n1. add the endpoint\n2. add tests\nFrontend:\n1. add the button\n2. add tests",
         None, ("add the endpoint", "add tests\nFrontend:", "add the button", "add tests"), False, Size.L,
         reason_has=("restarts at 1", "two separate numbered lists")),
    Case("Markdown's lazy numbering 1. 1. 1.",
         "1. lint\n1. test\n1. build", Structure.NUMBERED, ("lint", "test", "build"), True, Size.M,
         groups=((1, 2, 3),)),
    Case("nested bullets stay inside their numbered item; text after a blank line is context",
         "1. add the endpoint\n   - GET /items\n   - POST /items\n2. add tests for it\n\nUse pytest.",
         Structure.NUMBERED, ("add the endpoint\n- GET /items\n- POST /items", "add tests for it"), True, Size.M,
         groups=((1, 2),), epilogue="Use pytest."),
    Case("one item is never split",
         "1. add the parser", Structure.NUMBERED, ("add the parser",), False, Size.S,
         reason_has=("fewer than 2",)),
    Case("more items than --max-subtasks is not split",
         "\n".join(f"{n}. task number {n}" for n in range(1, 12)), Structure.NUMBERED,
         tuple(f"task number {n}" for n in range(1, 12)), False, Size.XL, reason_has=("--max-subtasks 10",)),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_plan_of_each_request(case: Case) -> None:
    """Each request yields exactly the expected structure, parts, decision, size, dependencies and groups."""
    plan = make_plan(case.request)
    assert plan.structure is case.structure
    assert tuple(item.text for item in plan.items) == case.items
    assert plan.chunked is case.chunk, plan.decision.reason
    assert plan.size.size is case.size, plan.size
    assert tuple((d.item, d.on) for d in plan.dependencies) == case.depends
    assert plan.groups == case.groups
    for fragment in case.reason_has:
        assert fragment in plan.decision.reason
    assert plan.left_out == case.left_out
    assert plan.preamble == case.preamble
    assert plan.epilogue == case.epilogue
    if plan.chunked:
        assert plan.order == tuple(range(1, len(plan.items) + 1))


def test_dependency_reasons_name_the_signal() -> None:
    """Each dependency says which signal made it: the shared file, the order word, the step reference."""
    plan = make_plan("1. write a.txt\n2. claim b.txt\n3. copy b.txt to c.txt\n4. then, after step 1, zip them")
    reasons = {(d.item, d.on): d.reason for d in plan.dependencies}
    assert reasons == {(3, 2): "names b.txt, which item 2 also names",
                       (4, 3): "opens with the order word 'then'",
                       (4, 1): "refers to 'step 1'"}


def test_a_reference_to_a_later_item_is_noted_not_followed() -> None:
    """An item naming a later step keeps the written order and the plan says so."""
    plan = make_plan("1. prepare the data for step 2\n2. train the model")
    assert plan.dependencies == ()
    assert plan.notes == ("item 1 mentions 'step 2', a later item; items run in the written order",)


def test_max_subtasks_is_a_parameter() -> None:
    """`--max-subtasks 2` refuses a three-part plan and names the limit."""
    plan = make_plan("1. a.txt 2. b.txt 3. c.txt", max_subtasks=2)
    assert not plan.chunked
    assert "more than --max-subtasks 2" in plan.decision.reason


def test_item_names_are_files_and_symbols() -> None:
    """Items carry the files and symbols they name, which the dependency rule compares."""
    plan = make_plan("1. rename `parse_config()` in src/config.py\n2. update the callers of parse_config")
    assert plan.item(1).names == ("src/config.py", "parse_config()")
    assert plan.item(2).names == ("parse_config",)
    assert plan.depends_on(2) == (1,)
