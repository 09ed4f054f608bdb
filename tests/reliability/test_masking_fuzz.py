"""Masking fuzz through the whole CLI: generated secrets of every rule, printed by real shell tasks.

Each example is one runner process. Its tasks print one secret of every rule in
`MASK_RULES` (plus the value of a secret environment variable) on stdout, on stderr, split
across writes with pauses, inside JSON lines and pretty JSON, as multi-line PEM blocks, and
typed literally on the task line. Afterwards no secret body, nor any 12-character piece of
one, may be found in any file under `.claude/logs`, in the REPL's output, or in any
`/logs` / `pm-runner logs` view (list, detail --full, tree; plain and JSON).
"""

from __future__ import annotations

import json
import shlex
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st

from runner.logs.masking import MASK_RULES
from tests.helpers.cli import run_pm, runner_env
from tests.helpers.logs_check import all_log_bytes, assert_logs_consistent
from tests.reliability.secret_strategies import (
    ALNUM,
    HAND_WRITTEN,
    STRATEGIES,
    Secret,
    body,
    pieces,
)
from tests.reliability.support import assert_no_traceback, figure, read_task

SHELL = ["repl", "--executor", "shell"]
ENV_NAME = "PMR_FUZZ_DEPLOY_TOKEN"
EXAMPLES = 12
RULES = [rule.name for rule in MASK_RULES]
# The rules the masker had before the table grew, drawn in every run; the rest of the table
# is sampled, SAMPLED rules a run, so a dozen runs cover most of it without a run printing
# two hundred secrets.
CORE_RULES = [name for name in RULES if name in HAND_WRITTEN]
SAMPLED = 24
SURROUNDINGS = st.sampled_from([("found", "in config"), ("log:", "(line 3)"), ("value", ""), ("", "end")])
_tally = {"examples": 0, "secrets": 0, "pieces": 0, "bytes": 0}


def write_fixtures(folder: Path, secrets: list[Secret], around: tuple[str, str]) -> None:
    """The files the tasks print: plain lines, a split-write script, JSON lines, pretty JSON."""
    before, after = around
    (folder / "plain.txt").write_text("".join(f"{before} {s.text} {after}\n" for s in secrets))
    script = []
    for s in secrets:
        cut = s.text.index(s.bodies[0]) + len(s.bodies[0]) // 2  # inside the secret's own body
        script.append(f"printf '%s' {shlex.quote(s.text[:cut])}; sleep 0.02; "
                      f"printf '%s\\n' {shlex.quote(s.text[cut:])}")
    (folder / "split.sh").write_text("\n".join(script) + "\n")
    (folder / "doc.jsonl").write_text("".join(json.dumps({"level": "info", "msg": s.text, "n": i}) + "\n"
                                              for i, s in enumerate(secrets)))
    (folder / "pretty.json").write_text(json.dumps({f"field{i}": s.text for i, s in enumerate(secrets)}, indent=2))


def task_lines(folder: Path, secrets: list[Secret]) -> list[str]:
    """Every way a task prints the secrets; the literal ones also put the secret on the task line."""
    lines = [f"cat {folder}/plain.txt", f"cat {folder}/plain.txt >&2; exit 3", f"sh {folder}/split.sh",
             f"sh {folder}/split.sh >&2", f"cat {folder}/doc.jsonl", f"cat {folder}/pretty.json",
             f'printf "token is %s\\n" "${ENV_NAME}"', f'printf \'{{"t": "%s"}}\\n\' "${ENV_NAME}" >&2']
    lines += [f"printf '%s\\n' '{s.text}'" for s in secrets if s.single_line]
    return lines


def view_lines(task_count: int) -> list[str]:
    views = ["/tasks", "/logs", "/logs --json", "/logs --tree", "/logs --tree --json", "/logs --tree --full"]
    for number in range(1, task_count + 1):
        views += [f"/logs task-{number:03d} --full", f"/logs task-{number:03d} --full --json"]
    return views


def shell_views(project: Path, env: dict[str, str]) -> list[str]:
    """`pm-runner logs` from a shell: list, one detail in full, the tree; plain and JSON."""
    outputs = []
    for args in (["logs", "list", "--json"], ["logs", "show", "task-001", "--full"],
                 ["logs", "show", "task-003", "--full", "--json"], ["logs", "tree", "--full"]):
        run = run_pm(args, cwd=project, env=env)
        outputs.append(run.stdout + run.stderr)
    return outputs


def leaks(haystacks: dict[str, bytes], secrets: list[Secret]) -> list[str]:
    found = []
    for secret in secrets:
        for piece in sorted({p for b in secret.bodies for p in pieces(b)}):
            where = [name for name, data in haystacks.items() if piece.encode() in data]
            if where:
                found.append(f"{secret.rule}: {piece!r} in {where}")
    return found


@settings(max_examples=EXAMPLES, deadline=None, database=None, phases=[Phase.generate],
          suppress_health_check=list(HealthCheck))
@given(secrets=st.lists(st.sampled_from([n for n in RULES if n not in HAND_WRITTEN]), min_size=SAMPLED,
                        max_size=SAMPLED, unique=True).flatmap(
           lambda sampled: st.fixed_dictionaries({name: STRATEGIES[name] for name in CORE_RULES + sampled})),
       env_value=body(ALNUM, 20, 40), around=SURROUNDINGS)
def test_no_secret_survives_anywhere(secrets: dict[str, Secret], env_value: str, around: tuple[str, str]) -> None:
    """No piece of any generated secret reaches a log file, the REPL's output or any logs view."""
    # An env value inside a longer token is its own (failing) case: test_env_value_inside_a_token_...
    assume(not any(env_value in secret.text for secret in secrets.values()))
    all_secrets = [*secrets.values(), Secret("ENV", env_value, (env_value,))]
    with tempfile.TemporaryDirectory() as scratch:
        fixtures, project = Path(scratch) / "fx", Path(scratch) / "proj"
        fixtures.mkdir()
        project.mkdir()
        write_fixtures(fixtures, list(secrets.values()), around)
        tasks = task_lines(fixtures, list(secrets.values()))
        env = runner_env({ENV_NAME: env_value})
        run = run_pm(SHELL, stdin="\n".join([*tasks, *view_lines(len(tasks))]) + "\n", cwd=project,
                     env=env, expect=1, timeout=120)
        assert_no_traceback(run)
        logs = assert_logs_consistent(project)
        assert len(logs) == len(tasks), run.transcript()
        haystacks = {"files under .claude/logs": all_log_bytes(project),
                     "REPL output": (run.stdout + run.stderr).encode()}
        haystacks.update({f"pm-runner logs view {i}": out.encode() for i, out in enumerate(shell_views(project, env))})
        found = leaks(haystacks, all_secrets)
        assert not found, "secret pieces leaked:\n" + "\n".join(found[:20])
        plain = read_task(project, logs[0].session_id, "task-001").model_dump_json()
        missing = [rule for rule in secrets if f"[MASKED:{rule}]" not in plain]
        assert not missing, f"rules that never fired on their own secret: {missing}"
        _tally["examples"] += 1
        _tally["secrets"] += len(all_secrets)
        _tally["pieces"] += sum(len(pieces(b)) for s in all_secrets for b in s.bodies)
        _tally["bytes"] += sum(len(data) for data in haystacks.values())
    if _tally["examples"] == EXAMPLES:
        figure(f"masking fuzz: {_tally['examples']} runs x {len(all_secrets)} secrets ({len(CORE_RULES)} core rules + "
               f"{SAMPLED} sampled of {len(RULES)} + env value), "
               f"{len(tasks)} tasks + {len(view_lines(len(tasks)))} views each, {_tally['pieces']} secret pieces "
               f"searched in {_tally['bytes'] // 1024} KiB of files and output, 0 found")


def test_env_value_inside_a_longer_token_is_still_masked(tmp_path: Path) -> None:
    """A secret env value that occurs inside a longer token (a key, a JWT) leaves no piece of that token behind."""
    value = "Q7wLp2Rk9sTz4VbN8mYc"
    tokens = {"GOOGLE_KEY": f"AIza{value}Xf3Hd6Jk1Lq5Wz0", "GITHUB_TOKEN": f"ghp_{value}Xf3Hd6Jk1Lq5Wz0",
              "JWT": f"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiO{value}Xf3.abcDEF123ghiJKL456"}
    (tmp_path / "out.txt").write_text("".join(f"found {token} here\n" for token in tokens.values()))
    project = tmp_path / "proj"
    project.mkdir()
    run = run_pm(SHELL, stdin=f"cat {tmp_path}/out.txt\n/logs task-001 --full\n", cwd=project,
                 env=runner_env({ENV_NAME: value}))
    secrets = [Secret(rule, token, (token,)) for rule, token in tokens.items()]
    found = leaks({"files under .claude/logs": all_log_bytes(project), "REPL output": run.stdout.encode()}, secrets)
    assert not found, "pieces of tokens around an env value leaked:\n" + "\n".join(found[:12])
