"""Write the report files beside profile.json: profile.html, tables/*.csv, profile.xlsx."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vawgscope.report.html import render_html
from vawgscope.report.maps import AreaShapes
from vawgscope.report.tables import write_csv_tables, write_workbook


@dataclass(frozen=True)
class ReportPaths:
    html: Path
    tables: Path
    workbook: Path


def write_report(
    profile: dict[str, Any],
    out_dir: Path,
    *,
    public: bool = False,
    shapes: AreaShapes | None = None,
) -> ReportPaths:
    """Write the HTML report, the CSV tables and the Excel workbook into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    html = out_dir / "profile.html"
    html.write_text(render_html(profile, public=public, shapes=shapes), encoding="utf-8")
    tables = out_dir / "tables"
    write_csv_tables(profile, tables)
    workbook = write_workbook(profile, out_dir / "profile.xlsx")
    return ReportPaths(html, tables, workbook)
