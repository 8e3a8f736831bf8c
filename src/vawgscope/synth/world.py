"""Building and writing the whole demo world (see :func:`write_demo_world`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pyarrow as pa
import shapely

from vawgscope.synth import params as P
from vawgscope.synth.chunk import simulate_chunk
from vawgscope.synth.context import (
    build_calendar,
    build_premises,
    build_weather,
    periods_rows,
)
from vawgscope.synth.geography import AGES, Geography, age_band, build_geography
from vawgscope.synth.model import build_context
from vawgscope.synth.writer import TableWriter, write_table

#: Careers per chunk: memory stays flat whatever the scale.
CHUNK_CAREERS = 25_000
_STREAMS = {"geography": 0, "premises": 1, "weather": 2, "careers": 3}


@dataclass(frozen=True)
class DemoSummary:
    """What :func:`write_demo_world` wrote: where, with which scale and seed, and row counts."""

    out_dir: Path
    scale: float
    seed: int
    fmt: str
    crimes: int
    persons: int
    crime_persons: int
    areas: int
    population: int
    premises: int
    weather: int
    periods: int

    @property
    def rows(self) -> dict[str, int]:
        """Row count per table name."""
        return {
            "crimes": self.crimes,
            "persons": self.persons,
            "crime_persons": self.crime_persons,
            "areas": self.areas,
            "population": self.population,
            "premises": self.premises,
            "weather": self.weather,
            "periods": self.periods,
        }


def _rng(seed: int, stream: str, *extra: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(_STREAMS[stream], *extra)))


def _areas_table(geo: Geography) -> pa.Table:
    return pa.table(
        {
            "lsoa_code": pa.array(geo.code, pa.string()),
            "lsoa_name": pa.array(geo.name, pa.string()),
            "district": pa.array(
                np.asarray(geo.district_names, dtype=object)[geo.district], pa.string()
            ),
            "easting": pa.array(geo.x, pa.int64()),
            "northing": pa.array(geo.y, pa.int64()),
            "imd_decile": pa.array(geo.imd_decile, pa.int64()),
            "imd_score": pa.array(geo.imd_score, pa.float64()),
            "town_centre": pa.array(geo.town_centre, pa.bool_()),
            "geometry_wkt": pa.array(
                shapely.to_wkt(geo.polygons, rounding_precision=1, trim=True), pa.string()
            ),
        }
    )


def _write_population(out_dir: Path, fmt: Literal["parquet", "csv"], geo: Geography) -> int:
    bands = age_band(AGES)
    with TableWriter(out_dir, "population", fmt) as writer:
        for lo in range(0, geo.n, 2000):
            hi = min(lo + 2000, geo.n)
            n_areas = hi - lo
            counts = geo.population[lo:hi]  # (areas, sex, age)
            writer.write(
                pa.table(
                    {
                        "lsoa_code": pa.array(
                            np.repeat(geo.code[lo:hi], 2 * len(AGES)), pa.string()
                        ),
                        "sex": pa.array(
                            np.tile(
                                np.repeat(np.array(["F", "M"], dtype=object), len(AGES)), n_areas
                            ),
                            pa.string(),
                        ),
                        "age": pa.array(np.tile(AGES, 2 * n_areas), pa.int64()),
                        "age_band": pa.array(np.tile(bands, 2 * n_areas), pa.string()),
                        "population": pa.array(counts.reshape(-1).astype(np.int64), pa.int64()),
                        "year": pa.array(np.full(n_areas * 2 * len(AGES), 2019), pa.int64()),
                    }
                )
            )
        return writer.rows


def write_demo_world(
    out_dir: Path,
    *,
    scale: float = 1.0,
    seed: int = 20220331,
    fmt: Literal["parquet", "csv"] = "parquet",
    progress: Callable[[str, float], None] | None = None,
) -> DemoSummary:
    """Write the demo world into ``out_dir``: one file per contract table (``crimes``,
    ``persons``, ``crime_persons``, ``areas``, ``population``, ``premises``, ``weather``,
    ``periods``) as ``NAME.parquet`` or ``NAME.csv``.

    ``scale`` multiplies areas, residents, premises, careers and so crimes (1 ≈ Kent and
    Medway, about 200,000 crimes; 35 ≈ England and Wales). The output is deterministic for
    ``(seed, scale)``. ``progress(step, fraction_done)`` is called as work proceeds.
    """
    if not scale > 0:
        raise ValueError(f"scale must be positive, got {scale!r}")
    if fmt not in ("parquet", "csv"):
        raise ValueError(f"fmt must be 'parquet' or 'csv', got {fmt!r}")
    seed = int(seed)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)

    def report(step: str, frac: float) -> None:
        if progress is not None:
            progress(step, min(max(frac, 0.0), 1.0))

    report("geography", 0.0)
    geo = build_geography(scale, _rng(seed, "geography"))
    premises = build_premises(geo, scale, _rng(seed, "premises"))
    weather = build_weather(_rng(seed, "weather"))
    calendar = build_calendar(weather)
    ctx = build_context(geo, premises, calendar)
    report("geography", 0.04)

    rows: dict[str, int] = {}
    rows["areas"] = write_table(out_dir, "areas", fmt, _areas_table(geo))
    rows["population"] = _write_population(out_dir, fmt, geo)
    rows["premises"] = write_table(
        out_dir,
        "premises",
        fmt,
        pa.table(
            {
                "premises_id": pa.array(
                    [f"L{i + 1:06d}" for i in range(len(premises.x))], pa.string()
                ),
                "kind": pa.array(premises.kind, pa.string()),
                "easting": pa.array(premises.x, pa.int64()),
                "northing": pa.array(premises.y, pa.int64()),
                "lsoa_code": pa.array(geo.code[premises.area], pa.string()),
            }
        ),
    )
    rows["weather"] = write_table(
        out_dir,
        "weather",
        fmt,
        pa.table(
            {
                "date": pa.array(weather["date"].astype("datetime64[D]"), pa.date32()),
                **{
                    k: pa.array(weather[k], pa.float64())
                    for k in ("tmax_c", "tmean_c", "tmin_c", "precip_mm")
                },
            }
        ),
    )
    rows["periods"] = write_table(out_dir, "periods", fmt, pa.table(periods_rows()))
    report("context", 0.06)

    n_careers = round(P.CAREERS_PER_SCALE * scale)
    n_chunks = max(1, -(-n_careers // CHUNK_CAREERS))
    person_offset = crime_offset = 0
    with (
        TableWriter(out_dir, "crimes", fmt) as crimes,
        TableWriter(out_dir, "persons", fmt) as persons,
        TableWriter(out_dir, "crime_persons", fmt) as links,
    ):
        for i in range(n_chunks):
            n = n_careers // n_chunks + (1 if i < n_careers % n_chunks else 0)
            part = simulate_chunk(ctx, n, _rng(seed, "careers", i), person_offset, crime_offset)
            crimes.write(part.crimes)
            persons.write(part.persons)
            links.write(part.crime_persons)
            person_offset += part.persons.num_rows
            crime_offset += part.crimes.num_rows
            report("careers", 0.06 + 0.94 * (i + 1) / n_chunks)
    rows.update(crimes=crimes.rows, persons=persons.rows, crime_persons=links.rows)
    report("done", 1.0)
    return DemoSummary(out_dir=out_dir, scale=float(scale), seed=seed, fmt=fmt, **rows)
