"""The HTML session report, read with the stdlib parser: self-contained, escaped, masked, totals right."""

from __future__ import annotations

import re

from runner.export.html.report import render_session_html
from runner.export.masked import MaskedSession, mask_session
from runner.export.task_parts import tool_calls
from tests.helpers.export_logs import SCRIPT, SECRETS, SESSION_STARTED, export_logs
from tests.helpers.golden_files import check_golden
from tests.helpers.html_check import parse
from tests.helpers.sample_logs import SESSION_ID


def session() -> MaskedSession:
    return mask_session(SESSION_ID, export_logs(with_running=True), started_at=SESSION_STARTED)


def html() -> str:
    return render_session_html(session(), generated_at="2025-01-12T12:00:00.000Z")


def test_the_report_is_one_self_contained_file() -> None:
    """One document, one style sheet, one inline script, no external URL, a strict CSP naming both by hash."""
    page = parse(html())
    assert len(page.all("html")) == 1 and len(page.all("style")) == 1
    (script,) = page.all("script")
    assert "src" not in script.attrs and page.all("link") == [] and page.all("img") == []
    assert page.external_urls() == []
    assert all(e.attrs["href"].startswith("#") for e in page.elements if "href" in e.attrs)
    (csp,) = page.all("meta", **{"http-equiv": "Content-Security-Policy"})
    policy = csp.attrs["content"]
    assert policy.startswith("default-src 'none'; ")
    assert re.search(r"style-src 'sha256-[A-Za-z0-9+/]+={0,2}'; script-src 'sha256-[A-Za-z0-9+/]+={0,2}';", policy)
    assert "unsafe-inline" not in policy and "http" not in policy


def test_the_csp_hashes_match_the_inline_style_and_script() -> None:
    """A browser runs the script and applies the style only if their SHA-256 is the one the CSP names."""
    import base64
    import hashlib

    page = parse(html())
    policy = page.all("meta", **{"http-equiv": "Content-Security-Policy"})[0].attrs["content"]
    for tag in ("style", "script"):
        body = page.all(tag)[0].text
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy, tag


def test_one_collapsible_block_per_tool_call_and_one_card_per_task() -> None:
    """Every tool call is a <details data-testid=tool-call>, inside a <details> card per task; failed cards open."""
    page = parse(html())
    logs = export_logs(with_running=True)
    assert len(page.all("details", **{"data-testid": "tool-call"})) == sum(len(tool_calls(log)) for log in logs)
    cards = page.all("details", **{"data-testid": "task-card"})
    assert [c.attrs["id"] for c in cards] == [log.task_id for log in logs]
    assert {c.attrs["id"] for c in cards if "open" in c.attrs} == {"task-004", "task-007"}


def test_failed_tasks_come_first() -> None:
    """The "Needs attention" box, before the usage table, links each failed task."""
    text = html()
    attention = text.index('data-testid="attention"')
    assert attention < text.index('id="usage"')
    box = text[attention:text.index("</section>", attention)]
    assert '<a href="#task-004">' in box and '<a href="#task-007">' in box and "#task-001" not in box


def _cells(row_html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row_html)]


def test_usage_totals_equal_the_tasklogs() -> None:
    """The totals row adds exactly what the TaskLogs report: tokens, cache reads, cost."""
    text = html()
    total_row = re.search(r'<tr class="total" data-testid="usage-total">(.*?)</tr>', text).group(1)  # type: ignore[union-attr]
    cells = _cells(total_row)
    logs = export_logs(with_running=True)
    metrics = [log.metrics for log in logs if log.metrics]
    assert cells[3] == f"{sum(m.input_tokens or 0 for m in metrics):,}"
    assert cells[4] == f"{sum(m.cache_read_input_tokens or 0 for m in metrics):,}"
    assert cells[5] == f"{sum(m.output_tokens or 0 for m in metrics):,}"
    assert cells[6] == f"${sum(m.cost_usd or 0 for m in metrics):.4f}"
    assert cells[1] == f"{len(logs)} tasks"
    model_rows = re.findall(r'<tr data-testid="model-row">(.*?)</tr>', text)
    assert sum(int(_cells(row)[1]) for row in model_rows) == len(logs)


def test_hostile_text_is_masked_escaped_and_inert() -> None:
    """Secrets are masked; <script>, attribute breaks, escapes and bidi overrides arrive as plain text."""
    text = html()
    page = parse(text)
    for secret in SECRETS:
        assert secret not in text
    assert "[MASKED:OPENAI_KEY]" in page.text and "[MASKED:PRIVATE_KEY]" in page.text
    assert len(page.all("script")) == 1 and page.all("img") == [] and page.event_handlers() == []
    assert SCRIPT in page.text  # shown as text
    assert "\x1b" not in text and "\u202e" not in text and "\\x1b]0;title" in page.text


def test_golden_file() -> None:
    """The whole report, with the version and the CSP hashes normalised, one tag per line."""
    text = html().replace("pm-runner 0.1.0", "pm-runner VERSION")
    text = re.sub(r"sha256-[A-Za-z0-9+/]+=*", "sha256-HASH", text)
    check_golden("export/session.html", re.sub(r">(?=<)", ">\n", text))
