"""The HTML report as a reader's browser shows it: offline, no errors, every section there.

Playwright drives Debian's chromium (/usr/bin/chromium); no browser is ever downloaded.
"""

from __future__ import annotations

from pathlib import Path

from tests.browser import needs_chromium, offline_page
from vawgscope.dataset import Dataset
from vawgscope.ingest import ingest
from vawgscope.profile import build_profile
from vawgscope.report import write_report
from vawgscope.report.layout import SECTIONS

pytestmark = needs_chromium


def _open(html: Path, screenshot: Path):
    with offline_page(html) as opened:
        page = opened.page
        result = {
            "headings": page.locator("h2").all_inner_texts(),
            "sections": [s.anchor for s in SECTIONS if page.locator(f"section#{s.anchor}").count()],
            "charts": page.locator(".plotly-graph-div").count(),
            "plotly": page.evaluate("typeof Plotly !== 'undefined'"),
        }
        details = page.locator("details.table").first
        if details.count():
            details.locator("summary").click()
            result["table_opened"] = details.evaluate("d => d.open")
            result["table_visible"] = details.locator("table").is_visible()
        page.screenshot(path=str(screenshot), full_page=False)
    return result, opened.errors, opened.requests


def test_report_opens_offline_without_errors(small_world_dir: Path, tmp_path: Path) -> None:
    ingest(small_world_dir, tmp_path / "s.duckdb")
    paths = write_report(build_profile(Dataset.open(tmp_path / "s.duckdb")), tmp_path / "out")
    result, errors, requests = _open(paths.html, tmp_path / "out" / "screenshot.png")
    assert errors == [] and requests == []
    assert result["plotly"] is True
    assert result["headings"][:2] == ["Key conclusions", "Against the Kent profile"]
    assert result["sections"] == [s.anchor for s in SECTIONS]
    assert result["table_opened"] is True and result["table_visible"] is True
    assert result["charts"] >= 1
    assert (tmp_path / "out" / "screenshot.png").stat().st_size > 10_000


def test_crimes_only_report_says_what_person_sections_need(tmp_path: Path) -> None:
    from tests.helpers import crime, write_dataset

    rows = [
        crime(f"C{i}", domestic="", crime_type="Violence and sexual offences") for i in range(3)
    ]
    ingest(write_dataset(tmp_path / "d", rows), tmp_path / "s.duckdb")
    paths = write_report(build_profile(Dataset.open(tmp_path / "s.duckdb")), tmp_path / "out")
    text = paths.html.read_text()
    assert "Crimes-only dataset" in text
    assert "Not available: needs persons, crime_persons." in text
    _, errors, requests = _open(paths.html, tmp_path / "out" / "screenshot.png")
    assert errors == [] and requests == []


def test_report_prints_to_a4_without_overflow(small_world_dir: Path, tmp_path: Path) -> None:
    ingest(small_world_dir, tmp_path / "s.duckdb")
    paths = write_report(build_profile(Dataset.open(tmp_path / "s.duckdb")), tmp_path / "out")
    with offline_page(paths.html) as opened:
        page = opened.page
        pdf = page.pdf(format="A4", print_background=True)
        page.emulate_media(media="print")
        page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
        # Plotly re-lays out each chart to the new width, one after another.
        page.wait_for_function(
            "document.documentElement.scrollWidth <= 794 && "
            "Array.from(document.querySelectorAll('.plotly-graph-div'))"
            ".every(d => d.getBoundingClientRect().right <= 794)",
            timeout=20_000,
        )
        overflow = page.evaluate("document.documentElement.scrollWidth")
        widest_chart = page.evaluate(
            "Math.max(...Array.from(document.querySelectorAll('.plotly-graph-div'))"
            ".map(d => d.getBoundingClientRect().right))"
        )
        definition_shown = page.locator("details.definition p").first.is_visible()
        long_tables_hidden = all(
            not d.is_visible() for d in page.locator("details.table.long").all()[:5]
        )
        print_notes = page.locator(".print-only").first.is_visible()
    assert pdf[:5] == b"%PDF-" and len(pdf) > 50_000
    assert overflow <= 794 and widest_chart <= 794
    assert definition_shown and long_tables_hidden and print_notes
