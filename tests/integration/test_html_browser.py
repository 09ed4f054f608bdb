"""The HTML report in a real browser (headless Chromium): the script runs under the CSP, hostile text
stays inert, filters hide events, scripts off still shows everything, and it lays out at 1280 px and
on a phone (screenshots are kept under the test's tmp folder for a person to look at)."""

from __future__ import annotations

import re
import struct
import zlib
from pathlib import Path

import pytest

from runner.export.html.report import render_session_html
from runner.export.masked import mask_session
from tests.helpers.chromium import chromium_path, dump_dom, screenshot
from tests.helpers.export_logs import SECRETS, SESSION_STARTED, export_logs
from tests.helpers.html_check import parse
from tests.helpers.sample_logs import SESSION_ID

EVENTS = sum(len(log.events) for log in export_logs(with_running=True))


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    chromium_path()  # skip early, with the reason, when there is no browser
    folder = tmp_path_factory.mktemp("html-report")
    path = folder / "report.html"
    session = mask_session(SESSION_ID, export_logs(with_running=True), started_at=SESSION_STARTED)
    path.write_text(render_session_html(session), encoding="utf-8")
    return path


def test_the_script_runs_and_hostile_text_does_not(report: Path, tmp_path: Path) -> None:
    """Our hashed script fills the event count; the logged <script> and onerror never run."""
    dom = dump_dom(report, tmp_path / "profile")
    page = parse(dom)
    (count,) = [e for e in page.elements if e.attrs.get("id") == "event-count"]
    assert count.text == f"{EVENTS} of {EVENTS} events shown"
    assert page.all("title")[0].text == f"pm-runner session {SESSION_ID}"  # not PWNED
    assert "data-pwned" not in page.all("body")[0].attrs and page.all("img") == []
    assert len(page.all("script")) == 1
    for secret in SECRETS:
        assert secret not in dom


def test_the_csp_blocks_a_script_that_slipped_through(report: Path, tmp_path: Path) -> None:
    """Even an injected inline script (an escaping bug) would not run: the CSP allows our hash only."""
    broken = tmp_path / "injected.html"
    broken.write_text(report.read_text().replace("<main>", "<main><script>document.title='PWNED'</script>", 1))
    page = parse(dump_dom(broken, tmp_path / "profile"))
    assert page.all("title")[0].text == f"pm-runner session {SESSION_ID}"


def test_unchecking_a_filter_hides_those_events(report: Path, tmp_path: Path) -> None:
    """With the `full` visibility box unchecked, CSS hides the executor-level events and the count says so."""
    unchecked = tmp_path / "filtered.html"
    unchecked.write_text(report.read_text().replace('id="f-v-full" checked', 'id="f-v-full"', 1))
    page = parse(dump_dom(unchecked, tmp_path / "profile"))
    summary = sum(1 for log in export_logs(with_running=True) for e in log.events if e.visibility.value == "summary")
    (count,) = [e for e in page.elements if e.attrs.get("id") == "event-count"]
    assert count.text == f"{summary} of {EVENTS} events shown"


def test_without_its_script_the_report_is_all_there(report: Path, tmp_path: Path) -> None:
    """With the script gone (as with scripts off) every card, tool call and event is still in the page.

    Headless Chromium cannot dump the DOM or take a screenshot with JavaScript disabled, so the
    page is loaded without its script element instead: nothing in it may depend on the script.
    """
    bare = tmp_path / "no-script.html"
    bare.write_text(re.sub(r"<script>.*?</script>", "", report.read_text(), flags=re.DOTALL))
    page = parse(dump_dom(bare, tmp_path / "profile"))
    logs = export_logs(with_running=True)
    assert page.all("script") == []
    assert len(page.all("details", **{"data-testid": "task-card"})) == len(logs)
    assert len(page.all("details", **{"data-testid": "tool-call"})) == 3
    assert len(page.all("li", **{"data-testid": "event"})) == EVENTS
    (count,) = [e for e in page.elements if e.attrs.get("id") == "event-count"]
    assert count.text == "" and "js-only" in count.attrs["class"]


def _pixels(png: Path) -> bytes:
    data = png.read_bytes()
    chunks, offset = [], 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset:offset + 4])
        kind = data[offset + 4:offset + 8]
        if kind == b"IDAT":
            chunks.append(data[offset + 8:offset + 8 + length])
        offset += 12 + length
    return zlib.decompress(b"".join(chunks))


def _png_size(png: Path) -> tuple[int, int]:
    width, height = struct.unpack(">II", png.read_bytes()[16:24])
    return width, height


@pytest.mark.parametrize(("width", "name"), [(1280, "desktop"), (390, "phone")])
def test_screenshots_at_desktop_and_phone_width(report: Path, tmp_path: Path, width: int, name: str) -> None:
    """The page renders to a PNG of the asked width (kept for a person to look at)."""
    png = screenshot(report, tmp_path / "profile", tmp_path / f"report-{name}.png", width, 2400)
    assert _png_size(png) == (width, 2400)
    assert len(set(_pixels(png))) > 50
