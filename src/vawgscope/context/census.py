"""Census 2021 residents by LSOA: TS001 (usual residents), TS007a (age) and TS008 (sex).

The ONS bulk CSVs (``census2021-ts0NN-lsoa.csv``) have ``date``, ``geography``, ``geography
code`` and one column per category (``Age: Aged 5 to 9 years``, ``Sex: Female; measures:
Value``, ...). Which table a file holds is read from its columns, so files may be given in
any order and under any name (``.csv`` or ``.csv.gz``).

The population table needs ages, so TS007a is required. Census LSOA tables give age and sex
separately, not crossed; with TS008, female residents in each age band are **estimated** as
the band's residents × the LSOA's female share (TS008 female ÷ all persons), rounded, and
male residents as the rest of the band — so each band's F + M equals TS007a exactly. Without
TS008 the rows have sex ``all``. TS001, when given, is a check: LSOAs whose TS001 total
differs from the TS007a total are counted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from vawgscope.context.boundaries import ContextError

_BAND = re.compile(
    r"^Age: Aged (?:(\d+) to (\d+) years|(\d+) years and under|(\d+) years and over)"
)
ESTIMATE_NOTE = (
    "female and male residents by age band are estimated: each TS007a age band × the LSOA's "
    "female share from TS008 (Census 2021 LSOA tables do not cross age with sex)"
)


@dataclass
class Census:
    """Residents by LSOA (Census 2021 codes), age band and sex."""

    year: int
    rows: list[dict[str, object]]
    notes: list[str] = field(default_factory=list)
    ts001_mismatches: int | None = None


def _band(column: str) -> str | None:
    match = _BAND.match(column)
    if not match:
        return None
    low, high, under, over = match.groups()
    if under is not None:
        return f"0-{under}"
    if over is not None:
        return f"{over}+"
    return f"{low}-{high}"


def _kind(frame: pd.DataFrame) -> str | None:
    columns = [str(c) for c in frame.columns]
    if any(_band(c) for c in columns):
        return "ts007a"
    if any(c.startswith("Sex: Female") for c in columns):
        return "ts008"
    if any(c.startswith("Residence type: Total") for c in columns):
        return "ts001"
    return None


def _read(path: Path) -> pd.DataFrame:
    try:
        frame = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as error:
        raise ContextError(f"{path}: cannot read this file: {error}") from None
    if "geography code" not in frame.columns:
        raise ContextError(
            f"{path}: no 'geography code' column; expected an ONS Census 2021 LSOA table "
            f"(TS001, TS007a or TS008). Columns found: {list(frame.columns)[:6]}"
        )
    return frame


def _number(text: object) -> int:
    return int(float(str(text).replace(",", "") or 0))


def read_census(paths: list[Path]) -> Census:
    """Population rows from the Census 2021 LSOA tables in ``paths``."""
    tables: dict[str, pd.DataFrame] = {}
    for path in paths:
        frame = _read(Path(path))
        kind = _kind(frame)
        if kind is None:
            raise ContextError(
                f"{path}: not TS001, TS007a or TS008 (no usual-residents, age-band or sex "
                f"columns); columns found: {list(frame.columns)[:6]}"
            )
        tables[kind] = frame
    if "ts007a" not in tables:
        raise ContextError(
            "population needs Census 2021 TS007a (residents by five-year age band) by LSOA; "
            f"given: {', '.join(sorted(tables)) or 'nothing'}"
        )
    ages = tables["ts007a"]
    bands = {c: _band(str(c)) for c in ages.columns if _band(str(c))}
    year = _number(ages["date"].iloc[0]) if "date" in ages.columns and len(ages) else 2021
    female_share = _female_share(tables.get("ts008"))
    rows: list[dict[str, object]] = []
    totals: dict[str, int] = {}
    for record in ages.to_dict("records"):
        code = str(record["geography code"]).strip()
        counts = {band: _number(record[column]) for column, band in bands.items()}
        totals[code] = sum(counts.values())
        share = female_share.get(code)
        for band, n in counts.items():
            if share is None:
                rows.append(_row(code, "all", band, n, year))
            else:
                female = round(n * share)
                rows.append(_row(code, "F", band, female, year))
                rows.append(_row(code, "M", band, n - female, year))
    notes = [ESTIMATE_NOTE] if female_share else []
    missing_sex = [c for c in totals if c not in female_share] if female_share else []
    if missing_sex:
        notes.append(f"{len(missing_sex)} LSOAs have no TS008 row and keep sex 'all'")
    return Census(year, rows, notes, _mismatches(tables.get("ts001"), totals))


def _row(code: str, sex: str, band: str, n: int, year: int) -> dict[str, object]:
    return {"lsoa_code": code, "sex": sex, "age_band": band, "population": n, "year": year}


def _female_share(frame: pd.DataFrame | None) -> dict[str, float]:
    if frame is None:
        return {}
    female = next(c for c in frame.columns if str(c).startswith("Sex: Female"))
    every = next((c for c in frame.columns if str(c).startswith("Sex: All persons")), None)
    male = next((c for c in frame.columns if str(c).startswith("Sex: Male")), None)
    shares = {}
    for record in frame.to_dict("records"):
        f = _number(record[female])
        total = _number(record[every]) if every else f + _number(record[male]) if male else 0
        if total > 0:
            shares[str(record["geography code"]).strip()] = f / total
    return shares


def _mismatches(frame: pd.DataFrame | None, totals: dict[str, int]) -> int | None:
    if frame is None:
        return None
    column = next(c for c in frame.columns if str(c).startswith("Residence type: Total"))
    given = {str(r["geography code"]).strip(): _number(r[column]) for r in frame.to_dict("records")}
    return sum(1 for code, n in totals.items() if code in given and given[code] != n)


__all__ = ["ESTIMATE_NOTE", "Census", "read_census"]
