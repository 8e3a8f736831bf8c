"""English Indices of Deprivation 2019 by LSOA (2011 edition): IMD rank, decile and score.

Reads File 1 (IMD rank and decile), File 2 (the seven domains' ranks and deciles) or any
file with an IMD score (Files 5 and 7), as the MHCLG ``.xlsx`` (its first sheet after the
notes, which needs ``openpyxl`` or ``python-calamine``) or as a CSV of that sheet (``.csv``
or ``.csv.gz``; a byte-order mark and thousands separators are fine). Columns are found by
their published names: ``LSOA code (2011)``, then ``<Index or domain> Rank``, ``... Decile``
and ``... Score`` (1 = most deprived).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from vawgscope.context.boundaries import ContextError

_MEASURE = re.compile(r"^(?P<what>.*?)\s*(?:\((?P<abbr>[A-Z]+)\))?\s+(?P<kind>Rank|Decile|Score)\b")


def _slug(text: str) -> str:
    text = text.lower().replace("index of multiple deprivation", "imd")
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def read_table(path: Path, sheet_hint: str = "IMD") -> pd.DataFrame:
    """A published IoD table as text columns, from CSV or ``.xlsx``."""
    name = path.name.lower()
    try:
        if name.endswith((".xlsx", ".xls")):
            return _read_excel(path, sheet_hint)
        return pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as error:
        raise ContextError(f"{path}: cannot read this file: {error}") from None


def _read_excel(path: Path, sheet_hint: str) -> pd.DataFrame:
    try:
        sheets = pd.read_excel(path, sheet_name=None, dtype=str)
    except ImportError:
        raise ContextError(
            f"{path}: reading .xlsx needs the openpyxl or python-calamine package, which is "
            "not installed; install one, or save the data sheet as CSV and give that"
        ) from None
    for title, frame in sheets.items():
        if sheet_hint.lower() in str(title).lower() and "note" not in str(title).lower():
            return frame.fillna("")
    # Otherwise the first sheet that has an LSOA code column.
    for frame in sheets.values():
        if any("lsoa code" in str(c).lower() for c in frame.columns):
            return frame.fillna("")
    raise ContextError(f"{path}: no sheet with an 'LSOA code' column")


def read_imd(path: Path) -> dict[str, dict[str, float | int | None]]:
    """``{lsoa_code: {imd_rank, imd_decile, imd_score, <domain>_rank, <domain>_decile, ...}}``."""
    frame = read_table(Path(path))
    code_column = next((c for c in frame.columns if "lsoa code" in str(c).lower()), None)
    if code_column is None:
        raise ContextError(
            f"{path}: no 'LSOA code (2011)' column; columns found: {list(frame.columns)}"
        )
    measures: dict[str, str] = {}
    for column in frame.columns:
        match = _MEASURE.match(str(column))
        if match:
            what = match.group("abbr") or match.group("what")
            measures[f"{_slug(what)}_{match.group('kind').lower()}"] = column
    if not any(k.endswith(("_decile", "_score", "_rank")) for k in measures):
        raise ContextError(
            f"{path}: no IMD rank, decile or score columns; columns found: {list(frame.columns)}"
        )
    out: dict[str, dict[str, float | int | None]] = {}
    for record in frame.to_dict("records"):
        code = str(record[code_column]).strip()
        if not code:
            continue
        out[code] = {key: _value(record[column], key) for key, column in measures.items()}
    return out


def _value(text: object, key: str) -> float | int | None:
    cleaned = str(text).replace(",", "").strip()
    if not cleaned:
        return None
    try:
        number = float(cleaned)
    except ValueError:
        return None
    return number if key.endswith("_score") else int(number)


__all__ = ["read_imd", "read_table"]
