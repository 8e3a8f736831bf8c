"""Tiny hand-made datasets for tests: write contract tables as CSV with a few lines of code."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

CRIME_DEFAULTS: dict[str, Any] = {
    "recorded_date": "2021-07-04",
    "occurred_from": "2021-07-03T14:00:00",
    "occurred_to": "",
    "offence_group": "harassment",
    "domestic": "true",
    "location_type": "dwelling",
}


def write_csv(
    path: Path, rows: Sequence[Mapping[str, Any]], columns: Iterable[str] | None = None
) -> Path:
    """Write ``rows`` to ``path`` with a header (columns: given, or the first row's keys)."""
    names = list(columns) if columns is not None else list(rows[0])
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=names, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: "" if row.get(k) is None else row.get(k) for k in names})
    return path


def crime(crime_id: str, **fields: Any) -> dict[str, Any]:
    return {"crime_id": crime_id, **CRIME_DEFAULTS, **fields}


def person(
    person_id: str, sex: str = "F", birth_year: int | str = 1990, **fields: Any
) -> dict[str, Any]:
    return {"person_id": person_id, "sex": sex, "birth_year": birth_year, **fields}


def link(crime_id: str, person_id: str, role: str, **fields: Any) -> dict[str, Any]:
    return {"crime_id": crime_id, "person_id": person_id, "role": role, **fields}


def write_dataset(
    folder: Path,
    crimes: Sequence[Mapping[str, Any]],
    persons: Sequence[Mapping[str, Any]] | None = None,
    links: Sequence[Mapping[str, Any]] | None = None,
) -> Path:
    """A dataset folder; persons and links are omitted for a crimes-only dataset."""
    crime_columns: list[str] = []
    for row in crimes:
        crime_columns += [k for k in row if k not in crime_columns]
    write_csv(folder / "crimes.csv", crimes, crime_columns)
    if persons is not None:
        person_columns: list[str] = []
        for row in persons:
            person_columns += [k for k in row if k not in person_columns]
        write_csv(folder / "persons.csv", persons, person_columns)
    if links is not None:
        write_csv(
            folder / "crime_persons.csv",
            links,
            ["crime_id", "person_id", "role", "same_address", "relationship"],
        )
    return folder


def read_rejects(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def simple_dataset(folder: Path) -> Path:
    """Two crimes, a female victim, a male perpetrator of 31: the smallest full dataset."""
    return write_dataset(
        folder,
        [crime("C1"), crime("C2", offence_group="stalking")],
        [person("V1", "F", 1990), person("P1", "M", 1990)],
        [
            link("C1", "V1", "victim"),
            link("C1", "P1", "suspect"),
            link("C2", "V1", "victim"),
            link("C2", "P1", "offender"),
        ],
    )


def every_month(first_year: int, last_year: int) -> list[dict[str, Any]]:
    """One crime with no one linked to it on the 15th of every month of the years given.

    A month counts as complete only when the store holds crimes in it; these out-of-scope
    crimes (no victim, no perpetrator) make every month present without entering a scope.
    """
    return [
        crime(
            f"FILL{year}{month:02d}",
            occurred_from=f"{year}-{month:02d}-15T12:00:00",
            recorded_date=f"{year}-{month:02d}-15",
            offence_group="other",
        )
        for year in range(first_year, last_year + 1)
        for month in range(1, 13)
    ]
