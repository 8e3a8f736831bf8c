"""survey.html as a reader's browser shows it: offline, no errors, charts drawn.

Playwright drives Debian's chromium (/usr/bin/chromium); no browser is ever downloaded.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser import needs_chromium, offline_page
from tests.survey.data import write_survey
from tests.survey.test_run import ROWS
from vawgscope.survey import run_survey

pytestmark = [pytest.mark.slow, needs_chromium]


def test_survey_report_opens_offline_without_errors(tmp_path: Path) -> None:
    run_survey(write_survey(tmp_path / "survey", ROWS), tmp_path / "out")
    with offline_page(tmp_path / "out" / "survey.html") as opened:
        page = opened.page
        headings = page.locator("h2").all_inner_texts()
        charts = page.locator(".plotly-graph-div").count()
        plotly = page.evaluate("typeof Plotly !== 'undefined'")
        details = page.locator("details.table").first
        details.locator("summary").click()
        opened_table = details.evaluate("d => d.open")
        quotes = page.locator("blockquote").count()
    errors, requests = opened.errors, opened.requests
    assert errors == [] and requests == []
    assert headings == ["Headlines", "Findings"]
    assert plotly is True and charts >= 5
    assert opened_table is True
    assert quotes >= 1
