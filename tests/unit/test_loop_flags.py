"""The review loop's flags and the config file's `review`, `budget` and `models` sections: one table of
flags, the file's values as defaults, the flags winning, and the repository's checks kept apart."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from runner.cli.env import Environment
from runner.cli.loop_options import LOOP_FLAGS
from runner.cli.options import build_parser, overrides_from
from runner.config import RunnerConfig, resolve_config
from runner.errors import UsageError
from runner.loop_settings import LoopSettings, ReviewMode


def _resolve(project: Path, argv: list[str], file: str | None = None) -> RunnerConfig:
    if file is not None:
        (project / ".claude").mkdir()
        (project / ".claude" / "runner.config.json").write_text(file)
    env = Environment(stdin=io.StringIO(), stdout=io.StringIO(), stderr=io.StringIO(), environ={}, cwd=project)
    args = build_parser(env).parse_args(["repl", *argv])
    return resolve_config(overrides_from(args, env), stdin_is_tty=False)


def test_every_loop_flag_names_a_key_of_its_config_section() -> None:
    """Each row's `section.key` is a key the config file accepts, and every flag is unique."""
    assert len({flag.flag for flag in LOOP_FLAGS}) == len(LOOP_FLAGS)
    for flag in LOOP_FLAGS:
        section, key = flag.field.split(".")
        assert key in type(getattr(LoopSettings(), section)).model_fields, flag.field


def test_flags_win_over_the_sections_of_the_config_file(tmp_path: Path) -> None:
    """The file's review/budget/models values are defaults; the same settings as flags replace them."""
    config = _resolve(tmp_path, ["--review", "off", "--max-iterations", "5", "--max-cost-usd", "$2.5",
                                 "--escalate-model", "opus-flag", "--check", "true", "--check", "make test"],
                      '{"review": {"mode": "on", "max_iterations": 2, "max_retries": 4, '
                      '"criteria": {"no_todo": false}}, "budget": {"max_cost_usd": 9, "max_tokens": 1000}, '
                      '"models": {"escalate": "opus-file", "fallback": "haiku-file"}}')
    assert (config.review_mode, config.max_iterations, config.max_retries) == (ReviewMode.OFF, 5, 4)
    assert (config.max_cost_usd, config.max_tokens) == (2.5, 1000)
    assert (config.escalate_model, config.fallback_model) == ("opus-flag", "haiku-file")
    assert config.checks == ["true", "make test"]
    assert config.criteria.no_todo is False  # flags never reset the file's criteria


def test_the_repository_s_checks_wait_for_trust(tmp_path: Path) -> None:
    """review.checks of the config file are kept apart from --check and do not run until trusted."""
    config = _resolve(tmp_path, ["--check", "pytest -q"], '{"review": {"checks": ["make lint"]}}')
    assert (config.checks, config.repo_checks) == (["pytest -q"], ["make lint"])
    assert config.active_checks == ["pytest -q"]
    config.repo_checks_trusted = True
    assert config.active_checks == ["pytest -q", "make lint"]


def test_defaults_without_flags_or_file(tmp_path: Path) -> None:
    """Nothing given: review auto, 3 iterations, 2 retries, no budget, no check."""
    config = _resolve(tmp_path, [])
    assert (config.review_mode, config.max_iterations, config.max_retries) == (ReviewMode.AUTO, 3, 2)
    assert (config.max_cost_usd, config.max_task_cost_usd, config.max_tokens, config.checks) == (None, None, None, [])


@pytest.mark.parametrize(("argv", "says"), [
    (["--max-iterations", "0"], "expected a number of at least 1, got 0"),
    (["--max-retries", "two"], "expected a whole number, got 'two'"),
    (["--max-cost-usd", "-1"], "expected a positive amount in US dollars, got -1"),
    (["--max-task-cost-usd", "lots"], "expected an amount in US dollars such as 2.50, got 'lots'"),
    (["--review", "maybe"], "invalid choice: 'maybe'"),
])
def test_a_bad_value_is_a_usage_error_naming_it(tmp_path: Path, argv: list[str], says: str) -> None:
    """A bad loop flag is a usage error (exit 64) naming the flag, the value and what was expected."""
    env = Environment(stdin=io.StringIO(), stdout=io.StringIO(), stderr=io.StringIO(), environ={}, cwd=tmp_path)
    with pytest.raises(UsageError) as error:
        build_parser(env).parse_args(["repl", *argv])
    assert says in str(error.value) and argv[0] in str(error.value)
