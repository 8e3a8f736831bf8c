"""Daily temperature: the Met Office HadCET daily mean series as published, or any CSV.

HadCET daily files (``meantemp_daily_totals.txt``: a ``Date Value`` header, then one
``YYYY-MM-DD  value`` line a day, whitespace separated; missing days as -99.9 or empty) give
``tmean_c``. HadCET is the Central England Temperature, not the force area's own series; the
report should say so. Older HadCET files (``cetdl1772on.dat``: one row per day of the month,
one column per month, in tenths of a degree) are read too. Any other CSV needs a date column
(``date``) and at least one of ``tmax_c``/``tmean_c`` (with ``tmin_c``, ``precip_mm``); other
names are given with ``columns={"tmean_c": "their name", ...}``.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from vawgscope.context.boundaries import ContextError

WEATHER_COLUMNS = ("tmax_c", "tmean_c", "tmin_c", "precip_mm")
#: Names other files use for the contract's columns (lower case).
ALIASES: dict[str, tuple[str, ...]] = {
    "date": ("date", "day", "ob_date"),
    "tmax_c": ("tmax_c", "tmax", "max_temp", "max_air_temp"),
    "tmean_c": ("tmean_c", "tmean", "mean_temp", "cet_mean_temp_c", "value"),
    "tmin_c": ("tmin_c", "tmin", "min_temp", "min_air_temp"),
    "precip_mm": ("precip_mm", "rain", "rainfall", "prcp_amt", "precip"),
}
MISSING = -99.0  # HadCET marks missing days with -99.9 (and -999 in tenths)


def read_weather(path: Path, columns: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Daily rows ``date, tmax_c/tmean_c, ...`` (missing values dropped, one row a date)."""
    path = Path(path)
    try:
        head = path.read_text(encoding="utf-8-sig", errors="replace")[:2000]
    except OSError as error:
        raise ContextError(f"{path}: cannot read this file: {error}") from None
    first = next((line for line in head.splitlines() if line.strip()), "")
    if columns is None and re.match(r"^\s*Date\s+Value\s*$", first):
        frame = _hadcet_daily(path)
    elif columns is None and re.match(r"^\s*\d{4}\s+\d{1,2}(\s+-?\d+){12}\s*$", first):
        frame = _hadcet_legacy(path)
    else:
        frame = _csv(path, columns or {})
    frame = frame.dropna(subset=[c for c in WEATHER_COLUMNS if c in frame.columns], how="all")
    if frame.empty:
        raise ContextError(f"{path}: no days with a temperature")
    return frame.drop_duplicates("date", keep="last").sort_values("date").reset_index(drop=True)


def _hadcet_daily(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, sep=r"\s+", dtype=str, skip_blank_lines=True)
    frame.columns = [c.lower() for c in frame.columns]
    dates = pd.to_datetime(frame["date"], format="%Y-%m-%d", errors="coerce")
    values = pd.to_numeric(frame["value"], errors="coerce")
    values = values.where(values > MISSING)
    return pd.DataFrame({"date": dates.dt.date, "tmean_c": values}).dropna(subset=["date"])


def _hadcet_legacy(path: Path) -> pd.DataFrame:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) != 14:
            continue
        year, day = int(parts[0]), int(parts[1])
        for month, tenths in enumerate(parts[2:], start=1):
            value = int(tenths)
            if day <= calendar.monthrange(year, month)[1] and value > -999:
                out.append({"date": pd.Timestamp(year, month, day).date(), "tmean_c": value / 10})
    return pd.DataFrame(out)


def _csv(path: Path, columns: Mapping[str, str]) -> pd.DataFrame:
    try:
        frame = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    except (UnicodeDecodeError, pd.errors.ParserError) as error:
        raise ContextError(f"{path}: cannot read this CSV file: {error}") from None
    lowered = {str(c).strip().lower(): c for c in frame.columns}
    chosen: dict[str, str] = {}
    for name, aliases in ALIASES.items():
        given = columns.get(name)
        if given is not None:
            if given not in frame.columns:
                raise ContextError(f"{path}: no column {given!r} (for {name})")
            chosen[name] = given
        else:
            found = next((lowered[a] for a in aliases if a in lowered), None)
            if found is not None:
                chosen[name] = found
    temps = [c for c in ("tmax_c", "tmean_c") if c in chosen]
    if "date" not in chosen or not temps:
        raise ContextError(
            f"{path}: a weather file needs a date column and tmax_c or tmean_c (or name them "
            f"with columns=...); columns found: {list(frame.columns)}"
        )
    out = pd.DataFrame({"date": pd.to_datetime(frame[chosen["date"]], errors="coerce").dt.date})
    for name in WEATHER_COLUMNS:
        if name in chosen:
            values = pd.to_numeric(frame[chosen[name]], errors="coerce")
            out[name] = values.where(values > MISSING)
    return out.dropna(subset=["date"])


__all__ = ["read_weather"]
