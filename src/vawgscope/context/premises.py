"""Licensed premises from the FSA "Open Pubs" extract (or any CSV of premises with locations).

Open Pubs (``fas_id,name,address,postcode,easting,northing,latitude,longitude,
local_authority``; ``\\N`` marks a missing value; with or without a header row) lists pubs,
bars and nightclubs registered with the Food Standards Agency; each becomes a premises of
kind ``pub`` (the extract does not tell them apart). A CSV with ``premises_id`` and ``kind``
columns keeps its own kinds. Each premises is placed in the LSOA whose polygon holds it (BNG
easting/northing, else latitude/longitude); premises with no usable location or outside
every LSOA are left out and counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from pyproj import Transformer

from vawgscope.context.boundaries import Boundaries, ContextError, locate
from vawgscope.contract.vocab import PREMISES_KINDS

OPEN_PUBS_COLUMNS = (
    "fas_id",
    "name",
    "address",
    "postcode",
    "easting",
    "northing",
    "latitude",
    "longitude",
    "local_authority",
)


@dataclass(frozen=True)
class Premises:
    rows: list[dict[str, object]]
    read: int
    no_location: int
    outside: int


def _frame(path: Path) -> pd.DataFrame:
    try:
        frame = pd.read_csv(
            path, dtype=str, encoding="utf-8-sig", keep_default_na=False, na_values=["\\N"]
        )
    except UnicodeDecodeError:
        frame = pd.read_csv(
            path, dtype=str, encoding="latin-1", keep_default_na=False, na_values=["\\N"]
        )
    except (OSError, pd.errors.ParserError) as error:
        raise ContextError(f"{path}: cannot read this file: {error}") from None
    columns = [str(c).strip().lower() for c in frame.columns]
    if "easting" not in columns and "latitude" not in columns and len(columns) == 9:
        # The Open Pubs file is also published without a header row.
        frame = pd.read_csv(
            path, dtype=str, header=None, names=list(OPEN_PUBS_COLUMNS), na_values=["\\N"]
        )
        columns = list(OPEN_PUBS_COLUMNS)
    frame.columns = columns
    return frame


def _coordinates(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    def numbers(name: str) -> np.ndarray:
        if name not in frame.columns:
            return np.full(len(frame), np.nan)
        return pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=float, copy=True)

    east, north = numbers("easting"), numbers("northing")
    lat, lon = numbers("latitude"), numbers("longitude")
    need = (np.isnan(east) | np.isnan(north) | (east <= 0)) & ~np.isnan(lat) & ~np.isnan(lon)
    if need.any():
        to_bng = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
        east[need], north[need] = to_bng.transform(lon[need], lat[need])
    bad = np.isnan(east) | np.isnan(north) | (east <= 0) | (north <= 0)
    east[bad] = north[bad] = np.nan
    return east, north


def read_premises(path: Path, areas: Boundaries) -> Premises:
    """Premises inside ``areas``, each with its LSOA."""
    frame = _frame(Path(path))
    id_column = next((c for c in ("premises_id", "fas_id", "id") if c in frame.columns), None)
    if id_column is None or not {"easting", "latitude"} & set(frame.columns):
        raise ContextError(
            f"{path}: expected Open Pubs columns ({', '.join(OPEN_PUBS_COLUMNS)}) or "
            f"premises_id, kind and easting/northing; found {list(frame.columns)}"
        )
    east, north = _coordinates(frame)
    hit = locate(east, north, areas)
    kinds = frame["kind"].str.strip().str.lower() if "kind" in frame.columns else None
    rows = []
    for i in np.flatnonzero(hit >= 0):
        kind = "pub" if kinds is None else kinds.iloc[i]
        rows.append(
            {
                "premises_id": str(frame[id_column].iloc[i]).strip(),
                "kind": kind if kind in PREMISES_KINDS else "other",
                "easting": int(np.round(east[i])),
                "northing": int(np.round(north[i])),
                "lsoa_code": str(areas.codes[hit[i]]),
                "name": frame["name"].iloc[i] if "name" in frame.columns else None,
            }
        )
    no_location = int(np.isnan(east).sum())
    return Premises(rows, len(frame), no_location, int(len(frame) - len(rows) - no_location))


__all__ = ["Premises", "read_premises"]
