"""ONS LSOA boundaries (GeoJSON) on the British National Grid, with each area's centroid.

The ONS publishes LSOA boundaries for the 2011 and 2021 editions, as GeoJSON in WGS84
(``CRS84``/EPSG:4326) or in EPSG:27700. Polygons are reprojected to EPSG:27700 when they are
not already on it (the ``crs`` member says which; without one, coordinates within ±180/±90
are taken as degrees). The edition is read from the property names (``LSOA11CD``,
``LSOA21CD``); the centroid is the file's ``BNG_E``/``BNG_N`` where given (or ``LAT``/
``LONG``), else a point on the polygon's surface (inside it, unlike a plain centroid).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from pyproj import Transformer


class ContextError(ValueError):
    """A context file that cannot be read; the message names the file and what is wrong."""


_CODE = re.compile(r"^LSOA(\d\d)?CD$", re.IGNORECASE)
_NAME = re.compile(r"^LSOA(\d\d)?NM$", re.IGNORECASE)
_LAD = re.compile(r"^LAD(\d\d)?CD(_ACTIVE)?$", re.IGNORECASE)
_LAD_NAME = re.compile(r"^LAD(\d\d)?NM$", re.IGNORECASE)


@dataclass(frozen=True)
class Boundaries:
    """LSOA polygons of one edition on the British National Grid (EPSG:27700)."""

    path: Path
    edition: int | None  # 2011, 2021, or None when the file does not say
    codes: np.ndarray  # str
    names: np.ndarray  # str
    lad_codes: np.ndarray  # str or None
    lad_names: np.ndarray  # str or None
    polygons: np.ndarray  # shapely geometries
    easting: np.ndarray  # float
    northing: np.ndarray  # float

    def __len__(self) -> int:
        return len(self.codes)

    @property
    def centroids(self) -> np.ndarray:
        return shapely.points(self.easting, self.northing)

    def index_of(self) -> dict[str, int]:
        return {code: i for i, code in enumerate(self.codes)}


def _pick(keys: list[str], pattern: re.Pattern[str]) -> str | None:
    hits = [k for k in keys if pattern.match(k)]
    return hits[0] if hits else None


def _is_wgs84(data: dict[str, Any], sample: np.ndarray) -> bool:
    crs = str(((data.get("crs") or {}).get("properties") or {}).get("name", "")).upper()
    if "27700" in crs:
        return False
    if "CRS84" in crs or "4326" in crs:
        return True
    return bool(len(sample)) and bool(np.all(np.abs(sample) <= 180))


def read_boundaries(path: Path) -> Boundaries:
    """Read a GeoJSON FeatureCollection of LSOA polygons."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ContextError(f"{path}: cannot read this GeoJSON file: {error}") from None
    features = data.get("features") if isinstance(data, dict) else None
    if not features:
        raise ContextError(f"{path}: no features; expected a GeoJSON FeatureCollection of LSOAs")
    keys = list(features[0].get("properties") or {})
    code_key = _pick(keys, _CODE)
    if code_key is None:
        raise ContextError(
            f"{path}: no LSOA code property (LSOA11CD or LSOA21CD); properties: {keys}"
        )
    name_key, lad_key, lad_name_key = _pick(keys, _NAME), _pick(keys, _LAD), _pick(keys, _LAD_NAME)
    year = _CODE.match(code_key).group(1)  # type: ignore[union-attr]
    edition = 2000 + int(year) if year else None
    props = [f.get("properties") or {} for f in features]
    try:
        polygons = np.array([shapely.geometry.shape(f["geometry"]) for f in features])
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise ContextError(f"{path}: a feature has no readable geometry ({error})") from None
    bounds = shapely.bounds(polygons)
    if _is_wgs84(data, bounds[:, :2].ravel()):
        to_bng = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
        polygons = shapely.transform(
            polygons, lambda xy: np.column_stack(to_bng.transform(xy[:, 0], xy[:, 1]))
        )
    polygons = shapely.make_valid(polygons)
    easting, northing = _centroids(props, polygons)
    return Boundaries(
        path=Path(path),
        edition=edition,
        codes=np.array([str(p[code_key]).strip() for p in props], dtype=object),
        names=np.array([p.get(name_key) if name_key else None for p in props], dtype=object),
        lad_codes=np.array([p.get(lad_key) if lad_key else None for p in props], dtype=object),
        lad_names=np.array(
            [p.get(lad_name_key) if lad_name_key else None for p in props], dtype=object
        ),
        polygons=polygons,
        easting=easting,
        northing=northing,
    )


def _centroids(props: list[dict[str, Any]], polygons: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    inside = shapely.point_on_surface(polygons)
    east, north = shapely.get_x(inside), shapely.get_y(inside)
    given_e = np.array([_number(p.get("BNG_E")) for p in props], dtype=float)
    given_n = np.array([_number(p.get("BNG_N")) for p in props], dtype=float)
    lat = np.array([_number(p.get("LAT")) for p in props], dtype=float)
    lon = np.array([_number(p.get("LONG")) for p in props], dtype=float)
    need = np.isnan(given_e) & ~np.isnan(lat) & ~np.isnan(lon)
    if need.any():
        to_bng = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
        given_e[need], given_n[need] = to_bng.transform(lon[need], lat[need])
    use = ~np.isnan(given_e) & ~np.isnan(given_n)
    return np.where(use, given_e, east), np.where(use, given_n, north)


def _number(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def locate(points_e: np.ndarray, points_n: np.ndarray, boundaries: Boundaries) -> np.ndarray:
    """Index of the polygon holding each point (−1 where none does; NaN points give −1).

    A point on a shared edge goes to the polygon with the lowest index.
    """
    out = np.full(len(points_e), -1, dtype=np.int64)
    ok = ~(np.isnan(points_e) | np.isnan(points_n))
    if not ok.any():
        return out
    tree = shapely.STRtree(boundaries.polygons)
    points = shapely.points(points_e[ok], points_n[ok])
    hit_point, hit_poly = tree.query(points, predicate="intersects")
    first = np.full(len(points), -1, dtype=np.int64)
    order = np.lexsort((hit_poly, hit_point))
    hit_point, hit_poly = hit_point[order], hit_poly[order]
    keep = np.ones(len(hit_point), dtype=bool)
    keep[1:] = hit_point[1:] != hit_point[:-1]
    first[hit_point[keep]] = hit_poly[keep]
    out[np.flatnonzero(ok)] = first
    return out


__all__ = ["Boundaries", "ContextError", "locate", "read_boundaries"]
