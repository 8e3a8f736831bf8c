"""Building the contract's context tables from public files: areas, population, premises, weather.

``build_context`` reads the ONS LSOA boundaries (one edition: the *target* edition, which
every output uses), the IMD 2019, Census 2021 population tables, the Open Pubs premises and
a daily temperature series, and writes ``areas.csv``, ``population.csv``, ``premises.csv``
and ``weather.csv`` in the shapes of ``data-contract.md`` — plus ``lsoa_editions.csv`` when
codes of the other edition can be put on the target one (an official lookup, or the other
edition's boundaries for centroid-in-polygon; see :mod:`vawgscope.context.editions`). Put the
output folder beside the police.uk files (or anywhere inside their folder) and ingest with
``format="police-uk"``: the tables are loaded with the crimes and the crimes' LSOA codes are
put on the target edition through ``lsoa_editions.csv``.

Districts come from ``lookup`` (a CSV of LSOA code → local authority name such as the ONS
LSOA→LAD lookup, or of LAD code → LAD name applied to the boundaries' LAD codes), else from
the boundaries' own LAD names, else from the LSOA name (ONS names an LSOA "<district> 001A").
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely

from vawgscope.context import editions as ed
from vawgscope.context.boundaries import Boundaries, ContextError, locate, read_boundaries
from vawgscope.context.census import read_census
from vawgscope.context.editions import EDITIONS_FILE
from vawgscope.context.imd import read_imd
from vawgscope.context.premises import read_premises
from vawgscope.context.weather import WEATHER_COLUMNS, read_weather
from vawgscope.contract.tables import EARLIEST_DATE

_NAME_SUFFIX = re.compile(r"\s+\d{3}[A-Z]$")
#: IMD columns written to areas beyond the contract's imd_decile and imd_score.
_IMD_EXTRA_SUFFIXES = ("_decile", "_rank")


@dataclass(frozen=True)
class ContextReport:
    """What ``build_context`` wrote, and what it could not match."""

    out: Path
    files: dict[str, Path]
    rows: dict[str, int]
    edition: int | None
    district_source: str
    edition_method: str | None = None
    edition_codes: int | None = None
    edition_unmatched: tuple[str, ...] = ()
    edition_unmatched_share: float | None = None
    areas_without_imd: int | None = None
    imd_by_centroid: int = 0
    areas_without_population: int | None = None
    population_rows_unmatched: int = 0
    premises_read: int | None = None
    premises_no_location: int = 0
    premises_outside: int = 0
    weather_days_dropped: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["out"] = str(self.out)
        data["files"] = {k: str(v) for k, v in self.files.items()}
        data["edition_unmatched"] = list(self.edition_unmatched)
        return data


def _paths(value: Path | Sequence[Path] | None) -> list[Path]:
    if value is None:
        return []
    if isinstance(value, str | Path):
        return [Path(value)]
    return [Path(v) for v in value]


# --- districts ------------------------------------------------------------------------------


def _lookup_columns(header: list[str]) -> tuple[str | None, str | None, str | None]:
    """(LSOA code, LAD code, LAD name) columns of a lookup, by their ONS names."""
    upper = {h.strip().upper(): h for h in header}

    def find(*patterns: str) -> str | None:
        for key, original in upper.items():
            if any(re.fullmatch(p, key) for p in patterns):
                return original
        return None

    lsoa = find(r"LSOA\d*CD", r"LSOA CODE.*")
    lad = find(r"LAD\d*CD", r"LOCAL AUTHORITY DISTRICT CODE.*")
    name = find(r"LAD\d*NM", r"LOCAL AUTHORITY DISTRICT NAME.*", r"LAD NAME.*")
    return lsoa, lad, name


def _districts(areas: Boundaries, lookup: Path | None) -> tuple[np.ndarray, str]:
    from_name = np.array(
        [_NAME_SUFFIX.sub("", str(n)) if n else None for n in areas.names], dtype=object
    )
    if lookup is not None:
        with Path(lookup).open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            lsoa, lad, name = _lookup_columns(list(reader.fieldnames or ()))
            if name is None or (lsoa is None and lad is None):
                raise ContextError(
                    f"{lookup}: a district lookup needs an LSOA code (e.g. LSOA11CD) or LAD "
                    f"code (LADCD) column and a LAD name (LADNM) column; found "
                    f"{reader.fieldnames}"
                )
            table = {
                row[lsoa if lsoa else lad].strip(): row[name].strip()
                for row in reader  # type: ignore[index]
            }
        keys = areas.codes if lsoa else areas.lad_codes
        found = np.array([table.get(str(k)) if k else None for k in keys], dtype=object)
        filled = np.where(pd.isna(found), from_name, found)
        return filled, f"lookup {Path(lookup).name}"
    if any(areas.lad_names):
        filled = np.where(pd.isna(areas.lad_names), from_name, areas.lad_names)
        return filled, "boundary file LAD names"
    return from_name, "LSOA names (the district part of '<district> 001A')"


# --- editions -------------------------------------------------------------------------------


def _edition_lookup(
    areas: Boundaries,
    other: Boundaries | None,
    official: Path | None,
    other_codes: list[str],
) -> ed.EditionLookup | None:
    if official is not None:
        codes = sorted(set(other_codes) | (set(other.codes) if other is not None else set()))
        return ed.read_official(official, areas, codes)
    if other is not None:
        return ed.by_centroid(other, areas)
    return None


def _to_target(code: str, known: set[str], lookup: ed.EditionLookup | None) -> str | None:
    if code in known:
        return code
    return lookup.mapping.get(code) if lookup is not None else None


# --- tables ---------------------------------------------------------------------------------


def _imd_for_areas(
    areas: Boundaries, paths: list[Path], other: Boundaries | None
) -> tuple[list[dict[str, Any]], int, int]:
    """IMD values per area (same code, else the other edition's area holding its centroid)."""
    values: dict[str, dict[str, Any]] = {}
    for path in paths:
        for code, row in read_imd(path).items():
            values.setdefault(code, {}).update(row)
    out: list[dict[str, Any]] = [values.get(str(c), {}) for c in areas.codes]
    by_centroid = 0
    missing = [i for i, row in enumerate(out) if not row]
    if missing and other is not None:
        hits = locate(areas.easting[missing], areas.northing[missing], other)
        for i, hit in zip(missing, hits, strict=True):
            if hit >= 0 and str(other.codes[hit]) in values:
                out[i] = values[str(other.codes[hit])]
                by_centroid += 1
    without = sum(1 for row in out if not row) if values else len(out)
    return out, without, by_centroid


def _areas_frame(
    areas: Boundaries, districts: np.ndarray, imd: list[dict[str, Any]] | None
) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "lsoa_code": areas.codes,
            "lsoa_name": [n if n else c for n, c in zip(areas.names, areas.codes, strict=True)],
            "district": districts,
            "easting": np.round(areas.easting).astype(np.int64),
            "northing": np.round(areas.northing).astype(np.int64),
            "imd_decile": pd.array([None] * len(areas), dtype="Int64"),
            "imd_score": pd.array([None] * len(areas), dtype="Float64"),
            "town_centre": pd.array([None] * len(areas), dtype="boolean"),
            "geometry_wkt": shapely.to_wkt(areas.polygons, rounding_precision=1, trim=True),
            "lad_code": areas.lad_codes,
            "lsoa_edition": areas.edition,
        }
    )
    if imd:
        frame["imd_decile"] = pd.array([r.get("imd_decile") for r in imd], dtype="Int64")
        frame["imd_score"] = pd.array([r.get("imd_score") for r in imd], dtype="Float64")
        extra = sorted({k for r in imd for k in r if k not in ("imd_decile", "imd_score")})
        for key in extra:
            if key.endswith(_IMD_EXTRA_SUFFIXES):
                frame[key] = pd.array([r.get(key) for r in imd], dtype="Int64")
    return frame


def _population_frame(
    paths: list[Path], known: set[str], lookup: ed.EditionLookup | None
) -> tuple[pd.DataFrame, list[str], int]:
    census = read_census(paths)
    totals: dict[tuple[str, str, str, int], int] = defaultdict(int)
    unmatched = 0
    for row in census.rows:
        target = _to_target(str(row["lsoa_code"]), known, lookup)
        if target is None:
            unmatched += 1
            continue
        totals[(target, str(row["sex"]), str(row["age_band"]), int(row["year"]))] += int(
            row["population"]
        )
    frame = pd.DataFrame(
        [
            {"lsoa_code": c, "sex": s, "age_band": b, "population": n, "year": y}
            for (c, s, b, y), n in sorted(totals.items())
        ],
        columns=["lsoa_code", "sex", "age_band", "population", "year"],
    )
    notes = list(census.notes)
    if census.ts001_mismatches:
        notes.append(
            f"{census.ts001_mismatches} LSOAs' TS001 totals differ from the sum of their "
            "TS007a bands (the census's small-cell perturbation); the bands are used"
        )
    return frame, notes, unmatched


def _weather_frame(path: Path, columns: Mapping[str, str] | None) -> tuple[pd.DataFrame, int]:
    frame = read_weather(path, columns)
    inside = (frame["date"] >= date.fromisoformat(EARLIEST_DATE)) & (frame["date"] <= date.today())
    kept = frame[inside]
    return kept[["date", *(c for c in WEATHER_COLUMNS if c in kept.columns)]], int((~inside).sum())


def _write(frame: pd.DataFrame, path: Path) -> int:
    frame.to_csv(path, index=False)
    return len(frame)


def build_context(
    *,
    boundaries: Path,
    imd: Path | Sequence[Path] | None = None,
    population: Path | Sequence[Path] | None = None,
    premises: Path | None = None,
    weather: Path | None = None,
    lookup: Path | None = None,
    out: Path,
    other_boundaries: Path | None = None,
    edition_lookup: Path | None = None,
    weather_columns: Mapping[str, str] | None = None,
) -> ContextReport:
    """Write the contract's ``areas``, ``population``, ``premises`` and ``weather`` tables (and
    ``lsoa_editions.csv``) into ``out`` from public files; see the module docstring.

    ``boundaries`` sets the target LSOA edition; ``other_boundaries`` (the other edition's
    GeoJSON) or ``edition_lookup`` (an official LSOA11CD↔LSOA21CD CSV, preferred) lets data on
    the other edition (Census 2021 population on a 2011 target, crimes of either edition) be
    put on it. ``imd`` and ``population`` take one file or several (IMD File 1 and File 2;
    Census TS001, TS007a and TS008). Raises :class:`ContextError` naming the file at fault.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    areas = read_boundaries(Path(boundaries))
    other = read_boundaries(Path(other_boundaries)) if other_boundaries else None
    known = {str(c) for c in areas.codes}
    if len(known) != len(areas):
        raise ContextError(f"{boundaries}: an LSOA code appears more than once")
    census_codes = _census_codes(_paths(population))
    lookup_ = _edition_lookup(areas, other, edition_lookup, census_codes)
    districts, district_source = _districts(areas, Path(lookup) if lookup else None)
    files: dict[str, Path] = {}
    rows: dict[str, int] = {}
    notes: list[str] = []
    report: dict[str, Any] = {}

    imd_rows = None
    if imd is not None:
        imd_rows, without, by_centroid = _imd_for_areas(areas, _paths(imd), other)
        report |= {"areas_without_imd": without, "imd_by_centroid": by_centroid}
        if by_centroid:
            notes.append(
                f"{by_centroid} areas take the IMD 2019 values of the 2011 LSOA holding their "
                "centroid (IMD 2019 is published on 2011 LSOAs)"
            )
    files["areas"] = out / "areas.csv"
    rows["areas"] = _write(_areas_frame(areas, districts, imd_rows), files["areas"])

    if population is not None:
        frame, pop_notes, unmatched = _population_frame(_paths(population), known, lookup_)
        files["population"] = out / "population.csv"
        rows["population"] = _write(frame, files["population"])
        notes += pop_notes
        report |= {
            "areas_without_population": len(known - set(frame["lsoa_code"])),
            "population_rows_unmatched": unmatched,
        }
    if premises is not None:
        found = read_premises(Path(premises), areas)
        files["premises"] = out / "premises.csv"
        rows["premises"] = _write(pd.DataFrame(found.rows), files["premises"])
        report |= {
            "premises_read": found.read,
            "premises_no_location": found.no_location,
            "premises_outside": found.outside,
        }
    if weather is not None:
        frame, dropped = _weather_frame(Path(weather), weather_columns)
        files["weather"] = out / "weather.csv"
        rows["weather"] = _write(frame, files["weather"])
        report["weather_days_dropped"] = dropped
    if lookup_ is not None:
        files["lsoa_editions"] = out / EDITIONS_FILE
        rows["lsoa_editions"] = _write(
            pd.DataFrame(lookup_.rows(), columns=["from_code", "to_code", "method"]),
            files["lsoa_editions"],
        )
        report |= {
            "edition_method": lookup_.method,
            "edition_codes": lookup_.codes,
            "edition_unmatched": lookup_.unmatched,
            "edition_unmatched_share": lookup_.unmatched_share,
        }
    return ContextReport(
        out=out,
        files=files,
        rows=rows,
        edition=areas.edition,
        district_source=district_source,
        notes=tuple(notes),
        **report,
    )


def _census_codes(paths: list[Path]) -> list[str]:
    codes: set[str] = set()
    for path in paths:
        try:
            frame = pd.read_csv(path, dtype=str, usecols=["geography code"], encoding="utf-8-sig")
        except (ValueError, OSError, UnicodeDecodeError):
            continue  # read_census names the file and the problem
        codes.update(frame["geography code"].str.strip())
    return sorted(codes)


__all__ = ["EDITIONS_FILE", "ContextReport", "build_context"]
