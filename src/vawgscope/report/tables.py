"""Every table of the profile as CSV files and as one Excel workbook (a sheet per table)."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import xlsxwriter

from vawgscope.report.disclosure import marked


def iter_tables(profile: dict[str, Any]) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """(name, rows) for the Kent comparison and every finding's tables, in report order.

    Suppressed cells of a public profile show the suppression mark.
    """
    yield "kent_comparison", profile.get("kent_comparison", [])
    for finding in profile.get("findings", []):
        suppressed = finding.get("suppressed", {})
        for name, rows in finding.get("tables", {}).items():
            yield f"{finding['id']}__{name}", marked(rows, suppressed.get(name))


def _columns(rows: list[dict[str, Any]]) -> list[str]:
    names: dict[str, None] = {}
    for row in rows:
        names.update(dict.fromkeys(row))
    return list(names)


def _cell(value: Any) -> Any:
    if isinstance(value, dict | list | tuple):
        import json

        return json.dumps(value, default=str)
    return value


def write_csv_tables(profile: dict[str, Any], folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, rows in iter_tables(profile):
        path = folder / f"{name}.csv"
        columns = _columns(rows)
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(columns)
            for row in rows:
                writer.writerow([_cell(row.get(c)) for c in columns])
        written.append(path)
    return written


def _sheet_name(name: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "_", name)[:31]
    candidate, n = base, 1
    while candidate.lower() in used:
        n += 1
        suffix = f"~{n}"
        candidate = base[: 31 - len(suffix)] + suffix
    used.add(candidate.lower())
    return candidate


def write_workbook(profile: dict[str, Any], path: Path) -> Path:
    """One sheet per table; an index sheet names each table in full."""
    workbook = xlsxwriter.Workbook(str(path), {"nan_inf_to_errors": True})
    bold = workbook.add_format({"bold": True})
    index = workbook.add_worksheet("index")
    index.write_row(0, 0, ["sheet", "table"], bold)
    used = {"index"}
    for i, (name, rows) in enumerate(iter_tables(profile), start=1):
        sheet_name = _sheet_name(name, used)
        index.write_row(i, 0, [sheet_name, name])
        sheet = workbook.add_worksheet(sheet_name)
        columns = _columns(rows)
        sheet.write_row(0, 0, columns, bold)
        for r, row in enumerate(rows, start=1):
            sheet.write_row(r, 0, [_cell(row.get(c)) for c in columns])
    workbook.close()
    return path
