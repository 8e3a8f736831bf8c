"""Coordinates: WGS84 latitude/longitude to British National Grid (EPSG:27700)."""

from __future__ import annotations

from functools import lru_cache

import duckdb
import numpy as np
import pyarrow as pa
from pyproj import Transformer

from vawgscope.ingest.sql import ident

BATCH_ROWS = 500_000


@lru_cache(maxsize=1)
def _to_bng() -> Transformer:
    return Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)


def to_bng(latitude: np.ndarray, longitude: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Easting and northing in metres (rounded) for WGS84 degrees; NaN stays NaN."""
    easting, northing = _to_bng().transform(longitude, latitude)
    return np.round(easting), np.round(northing)


def fill_bng(
    con: duckdb.DuckDBPyConnection, table: str, lat: str, lon: str, east: str, north: str
) -> None:
    """Set ``east``/``north`` of ``table`` from ``lat``/``lon`` wherever they are empty.

    Converted in batches in this thread (PROJ must not run on the engine's worker threads).
    """
    reader = (
        con.cursor()
        .sql(
            f"SELECT _file, _row, {ident(lat)} AS lat, {ident(lon)} AS lon FROM {table} "
            f"WHERE {ident(east)} IS NULL AND {ident(lat)} IS NOT NULL "
            f"AND {ident(lon)} IS NOT NULL "
            "AND len(_errors) = 0"
        )
        .to_arrow_reader(BATCH_ROWS)
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _bng (_file VARCHAR, _row BIGINT, e BIGINT, n BIGINT)"
    )
    for batch in reader:
        e, n = to_bng(
            batch.column("lat").to_numpy(zero_copy_only=False),
            batch.column("lon").to_numpy(zero_copy_only=False),
        )
        converted = pa.table(
            {
                "_file": batch.column("_file"),
                "_row": batch.column("_row"),
                "e": e.astype(np.int64),
                "n": n.astype(np.int64),
            }
        )
        con.register("_converted", converted)
        con.execute("INSERT INTO _bng SELECT * FROM _converted")
        con.unregister("_converted")
    con.execute(
        f"UPDATE {table} SET {ident(east)} = _bng.e, {ident(north)} = _bng.n FROM _bng "
        f"WHERE {table}._file = _bng._file AND {table}._row = _bng._row"
    )
