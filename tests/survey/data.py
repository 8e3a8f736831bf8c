"""Tiny hand-made survey folders for the survey tests."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from vawgscope.contract.tables import SURVEY_RESPONSES


def respondent(rid: str, band: str = "30-39", **values: Any) -> dict[str, Any]:
    """One row: id, a date in the survey period, an age band and any other columns."""
    return {
        "respondent_id": rid,
        "responded_on": "2021-08-15",
        "age_band": band,
        "district": "Maidstone",
        **values,
    }


def write_survey(folder: Path, rows: list[dict[str, Any]]) -> Path:
    """``folder/responses.csv`` with every contract column (empty where a row gives none)."""
    folder.mkdir(parents=True, exist_ok=True)
    columns = list(SURVEY_RESPONSES.column_names)
    with (folder / "responses.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in columns})
    return folder
