"""survey.html as a reader's browser shows it: offline, no errors, charts drawn.

Playwright drives Debian's chromium (/usr/bin/chromium); no browser is ever downloaded.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.survey.data import write_survey
from tests.survey.test_run import ROWS
from vawgscope.survey import run_survey

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists() or shutil.which("chromium") is None,
        reason="Debian's chromium is not installed (.ci/run installs it)",
    ),
]


def test_survey_report_opens_offline_without_errors(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    run_survey(write_survey(tmp_path / "survey", ROWS), tmp_path / "out")
    html = tmp_path / "out" / "survey.html"
    errors: list[str] = []
    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        # The report must work with no network at all: refuse anything but the file itself.
        page.route(
            "**/*",
            lambda route: (
                route.continue_()
                if route.request.url.startswith("file:")
                else (requests.append(route.request.url), route.abort())[1]
            ),
        )
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(html.as_uri())
        page.wait_for_load_state("load")
        headings = page.locator("h2").all_inner_texts()
        charts = page.locator(".plotly-graph-div").count()
        plotly = page.evaluate("typeof Plotly !== 'undefined'")
        details = page.locator("details.table").first
        details.locator("summary").click()
        opened = details.evaluate("d => d.open")
        quotes = page.locator("blockquote").count()
        browser.close()
    assert errors == [] and requests == []
    assert headings == ["Headlines", "Findings"]
    assert plotly is True and charts >= 5
    assert opened is True
    assert quotes >= 1
