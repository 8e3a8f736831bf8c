"""Area outlines for maps drawn on the British National Grid (no tiles, no network)."""

from __future__ import annotations

from dataclasses import dataclass

import shapely

from vawgscope.analyses.common import rows
from vawgscope.dataset import Dataset

#: Outlines are simplified to this many metres: invisible at report scale, much smaller.
SIMPLIFY_M = 30.0


@dataclass(frozen=True)
class AreaShapes:
    """Each area's outline rings (x and y lists, rings separated by None) and its centroid."""

    outlines: dict[str, tuple[list[float | None], list[float | None]]]
    centroids: dict[str, tuple[float, float]]


def area_shapes(ds: Dataset) -> AreaShapes | None:
    """Outlines from ``areas.geometry_wkt`` (or centroids alone); None without ``areas``."""
    if not ds.has("areas"):
        return None
    areas = ds.table("areas")
    columns = ["lsoa_code", "easting", "northing"]
    if "geometry_wkt" in areas.columns:
        columns.append("geometry_wkt")
    outlines: dict[str, tuple[list[float | None], list[float | None]]] = {}
    centroids: dict[str, tuple[float, float]] = {}
    for row in rows(areas.select(*columns)):
        if row["easting"] is not None and row["northing"] is not None:
            centroids[row["lsoa_code"]] = (float(row["easting"]), float(row["northing"]))
        wkt = row.get("geometry_wkt")
        if not wkt:
            continue
        shape = shapely.simplify(shapely.from_wkt(wkt), SIMPLIFY_M)
        xs: list[float | None] = []
        ys: list[float | None] = []
        for polygon in getattr(shape, "geoms", [shape]):
            x, y = polygon.exterior.coords.xy
            xs += [*x, None]
            ys += [*y, None]
        outlines[row["lsoa_code"]] = (xs, ys)
    return AreaShapes(outlines, centroids)
