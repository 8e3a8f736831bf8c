"""The demo county: districts, towns, synthetic LSOAs with polygons, deprivation and population.

Everything is in British National Grid metres (EPSG:27700). The county is a rough outline of
Kent and Medway; districts are the Voronoi cells of 13 district seed points clipped to it; the
synthetic LSOAs (about one per 2,000 residents) are Voronoi cells of their centroids, so the
polygons tile the county and the nearest centroid of any point is the area that contains it.
Area codes are ``DEMO`` + 6 digits so that they can never be mistaken for ONS codes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from scipy.spatial import cKDTree

from vawgscope.contract.vocab import POPULATION_AGE_BANDS

#: Rough outline of Kent and Medway (BNG metres), clockwise from the Thames at Dartford.
COUNTY_OUTLINE: tuple[tuple[float, float], ...] = (
    (550500, 176800),
    (562000, 175600),
    (572000, 178200),
    (588500, 177800),
    (593500, 176000),
    (604000, 172000),
    (611000, 167200),
    (620000, 169300),
    (634000, 171800),
    (640700, 169600),
    (639800, 163500),
    (638000, 155500),
    (636300, 146000),
    (633200, 140300),
    (623800, 134500),
    (612800, 129800),
    (610200, 116400),
    (597000, 118600),
    (586000, 126600),
    (570000, 131000),
    (556000, 135200),
    (543300, 137300),
    (541300, 152000),
    (541500, 161000),
    (549000, 166000),
)


@dataclass(frozen=True)
class Town:
    """A main or secondary town: its centre, weight in the district's settlement pattern,
    deprivation burden (IMD points added near its centre), licensed premises and pull on
    night-time-economy visitors."""

    name: str
    district: str
    x: float
    y: float
    size: float
    imd_burden: float
    premises: int
    nte_pull: float = 1.0
    main: bool = False


@dataclass(frozen=True)
class District:
    """A local authority district: 2021 population, Voronoi seed and volume trend per year."""

    name: str
    population: int
    seed_x: float
    seed_y: float
    trend: float
    rural_imd: float


DISTRICTS: tuple[District, ...] = (
    # trend: yearly change in offending demand (housing growth in Maidstone and Swale, falling
    # population and regeneration in Medway and Thanet); rural_imd: IMD score of the countryside.
    District("Ashford", 132_700, 601300, 142800, 0.00, 10.0),
    District("Canterbury", 157_400, 615000, 157900, 0.00, 10.0),
    District("Dartford", 116_800, 554300, 174100, 0.01, 11.0),
    District("Dover", 116_400, 631900, 141600, -0.01, 12.0),
    District("Folkestone and Hythe", 109_900, 622700, 135900, -0.01, 12.0),
    District("Gravesham", 106_900, 564700, 174200, 0.00, 11.0),
    District("Maidstone", 175_800, 575900, 155800, 0.10, 9.0),
    District("Medway", 279_800, 575800, 167700, -0.10, 7.0),
    District("Sevenoaks", 120_500, 552900, 155200, 0.00, 6.0),
    District("Swale", 151_700, 590600, 163700, 0.10, 11.0),
    District("Thanet", 140_600, 635300, 170600, -0.10, 26.0),
    District("Tonbridge and Malling", 132_200, 562500, 150000, 0.01, 7.0),
    District("Tunbridge Wells", 115_300, 558500, 139600, 0.00, 6.0),
)

TOWNS: tuple[Town, ...] = (
    Town("Ashford", "Ashford", 601300, 142800, 1.0, 18, 75, 1.0, True),
    Town("Tenterden", "Ashford", 588400, 133500, 0.2, 3, 15, 0.3),
    Town("Canterbury", "Canterbury", 615000, 157900, 0.9, 14, 125, 1.1, True),
    Town("Whitstable", "Canterbury", 610700, 166600, 0.5, 10, 40, 0.6),
    Town("Herne Bay", "Canterbury", 617800, 168100, 0.5, 18, 35, 0.6),
    Town("Dartford", "Dartford", 554300, 174100, 1.0, 16, 50, 0.9, True),
    Town("Dover", "Dover", 631900, 141600, 0.7, 34, 50, 0.9, True),
    Town("Deal", "Dover", 637400, 152600, 0.5, 13, 40, 0.6),
    Town("Folkestone", "Folkestone and Hythe", 622700, 135900, 0.8, 34, 65, 1.0, True),
    Town("Hythe", "Folkestone and Hythe", 616200, 134800, 0.3, 10, 22, 0.4),
    Town("Gravesend", "Gravesham", 564700, 174200, 1.0, 26, 55, 1.0, True),
    Town("Maidstone", "Maidstone", 575900, 155800, 1.0, 24, 150, 2.6, True),
    Town("Chatham", "Medway", 575800, 167700, 0.8, 21, 85, 1.2, True),
    Town("Gillingham", "Medway", 577500, 168500, 0.6, 15, 50, 0.9),
    Town("Rochester", "Medway", 574200, 168300, 0.5, 10, 60, 0.9),
    Town("Strood", "Medway", 572800, 169300, 0.4, 16, 25, 0.6),
    Town("Sevenoaks", "Sevenoaks", 552900, 155200, 0.6, 3, 45, 0.5, True),
    Town("Edenbridge", "Sevenoaks", 544700, 146100, 0.2, 3, 12, 0.3),
    Town("Sittingbourne", "Swale", 590600, 163700, 0.8, 20, 50, 1.0, True),
    Town("Sheerness", "Swale", 592000, 174700, 0.5, 40, 30, 0.8),
    Town("Faversham", "Swale", 601600, 161100, 0.4, 10, 35, 0.6),
    Town("Margate", "Thanet", 635300, 170600, 0.8, 56, 95, 1.4, True),
    Town("Ramsgate", "Thanet", 638000, 165000, 0.6, 40, 60, 1.1),
    Town("Broadstairs", "Thanet", 639400, 167800, 0.4, 9, 40, 0.6),
    Town("Tonbridge", "Tonbridge and Malling", 559000, 146400, 0.8, 8, 45, 0.7, True),
    Town("Kings Hill", "Tonbridge and Malling", 567500, 155000, 0.3, 4, 15, 0.3),
    Town("Tunbridge Wells", "Tunbridge Wells", 558500, 139600, 0.8, 8, 115, 0.6, True),
    Town("Cranbrook", "Tunbridge Wells", 577600, 136000, 0.15, 3, 10, 0.2),
)

#: Residents per synthetic LSOA.
RESIDENTS_PER_AREA = 2_000

# England mid-2019 population by single year of age (thousands, both sexes; 90 = 90+):
# the post-war (born 1947) and 1960s booms and the bulge born about 1985-1992 are visible.
ENGLAND_2019_AGE: tuple[float, ...] = (
    626,
    640,
    655,
    670,
    680,
    690,
    700,
    705,
    690,
    680,
    675,
    670,
    650,
    640,
    625,
    610,
    600,
    590,
    585,
    600,
    625,
    650,
    670,
    690,
    700,
    720,
    730,
    740,
    745,
    755,
    765,
    760,
    750,
    745,
    735,
    725,
    715,
    700,
    690,
    685,
    670,
    650,
    640,
    650,
    665,
    690,
    720,
    740,
    755,
    765,
    770,
    775,
    780,
    775,
    770,
    760,
    745,
    725,
    700,
    680,
    660,
    640,
    620,
    600,
    585,
    575,
    570,
    575,
    590,
    610,
    630,
    660,
    700,
    600,
    560,
    530,
    500,
    470,
    440,
    420,
    390,
    360,
    330,
    300,
    270,
    240,
    215,
    190,
    165,
    140,
    560,
)
AGES = np.arange(91)


def female_share_by_age() -> np.ndarray:
    """Female share of residents by single year of age (England-like: 0.488 in childhood,
    about a half in working ages, rising in old age to 0.64 at 90+)."""
    share = np.full(91, 0.5)
    share[:18] = 0.488
    share[18:40] = 0.497
    share[40:65] = 0.505
    old = np.arange(65, 91)
    share[65:] = 0.515 + 0.125 * ((old - 65) / 25.0) ** 1.5
    return share


def age_band(age: np.ndarray) -> np.ndarray:
    """Five-year population band of each single age (``85+`` from 85)."""
    idx = np.minimum(np.asarray(age) // 5, len(POPULATION_AGE_BANDS) - 1)
    return np.asarray(POPULATION_AGE_BANDS, dtype=object)[idx]


@dataclass
class Geography:
    """The built county: one entry per synthetic LSOA in the array fields."""

    county: shapely.Polygon
    district_names: tuple[str, ...]
    district_cells: np.ndarray  # shapely polygons, one per district
    code: np.ndarray  # str
    name: np.ndarray  # str
    district: np.ndarray  # int index into district_names
    x: np.ndarray  # centroid easting (int)
    y: np.ndarray  # centroid northing (int)
    imd_score: np.ndarray
    imd_decile: np.ndarray
    deprivation: np.ndarray  # 0 least … 1 most deprived (rank based)
    town_centre: np.ndarray  # bool
    town_of_centre: np.ndarray  # int town index for town-centre areas, else -1
    polygons: np.ndarray  # shapely polygons
    area_m2: np.ndarray  # polygon areas
    population: np.ndarray  # (n_areas, 2, 91) residents: [area, sex F/M, age]
    tree: cKDTree

    @property
    def n(self) -> int:
        return len(self.code)

    def area_of(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Index of the area containing each point (the nearest centroid)."""
        return self.tree.query(np.column_stack([x, y]))[1]


def _county() -> shapely.Polygon:
    return shapely.Polygon(COUNTY_OUTLINE)


def _district_cells(county: shapely.Polygon) -> np.ndarray:
    seeds = shapely.points([(d.seed_x, d.seed_y) for d in DISTRICTS])
    cells = shapely.get_parts(
        shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=county, ordered=True)
    )
    clipped = shapely.intersection(cells, county)
    names = [d.name for d in DISTRICTS]
    for town in TOWNS:
        cell = clipped[names.index(town.district)]
        if not cell.contains(shapely.Point(town.x, town.y)):  # pragma: no cover - guards data
            raise RuntimeError(f"town {town.name} lies outside the cell of {town.district}")
    return clipped


def _sample_in(cell: shapely.Geometry, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` uniform points inside ``cell``."""
    minx, miny, maxx, maxy = cell.bounds
    out: list[np.ndarray] = []
    got = 0
    while got < n:
        m = max(64, 2 * (n - got))
        pts = np.column_stack([rng.uniform(minx, maxx, m), rng.uniform(miny, maxy, m)])
        pts = pts[shapely.contains_xy(cell, pts[:, 0], pts[:, 1])]
        out.append(pts)
        got += len(pts)
    return np.concatenate(out)[:n]


def _thin(points: np.ndarray, fixed: np.ndarray, min_gap: float, tc_gap: float) -> np.ndarray:
    """Drop candidate points closer than ``min_gap`` to an earlier point or ``tc_gap`` to a
    fixed (town-centre) point, keeping the candidates' order."""
    if len(fixed):
        d, _ = cKDTree(fixed).query(points)
        points = points[d >= tc_gap]
    tree = cKDTree(points)
    drop = np.zeros(len(points), dtype=bool)
    for i, j in sorted(tree.query_pairs(min_gap)):
        if not drop[i]:
            drop[j] = True
    return points[~drop]


def _centroids(
    cell: shapely.Geometry,
    towns: list[Town],
    n: int,
    scale: float,
    rng: np.random.Generator,
) -> tuple[np.ndarray, int]:
    """Centroids of ``n`` areas in one district: first the town centres (one per town, or
    more at large scales), then points clustered around towns and scattered in the
    countryside. Returns the points and how many of the first are town centres."""
    spacing = 1.0 / np.sqrt(max(scale, 1.0))
    per_town = max(1, round(min(scale, 3.0)))
    fixed: list[tuple[float, float]] = []
    for town in towns:
        fixed.append((town.x, town.y))
        for k in range(1, per_town):
            ang = 2 * np.pi * k / per_town
            off = 300 * spacing
            fixed.append((town.x + off * np.cos(ang), town.y + off * np.sin(ang)))
    fixed_arr = np.asarray(fixed, dtype=float)[:n]
    sizes = np.array([t.size for t in towns])
    chosen: list[np.ndarray] = [fixed_arr]
    have = len(fixed_arr)
    attempts = 0
    while have < n and attempts < 50:
        attempts += 1
        m = 3 * (n - have) + 20
        near_town = rng.random(m) < 0.62
        t_idx = rng.choice(len(towns), size=m, p=sizes / sizes.sum())
        sigma = np.where(np.array([towns[i].main for i in t_idx]), 2600.0, 1500.0)
        sigma = sigma * np.sqrt(sizes[t_idx])
        r = np.abs(rng.normal(0, 1, m)) * sigma
        a = rng.uniform(0, 2 * np.pi, m)
        cx = np.array([towns[i].x for i in t_idx]) + r * np.cos(a)
        cy = np.array([towns[i].y for i in t_idx]) + r * np.sin(a)
        rural = _sample_in(cell, m, rng)
        pts = np.where(near_town[:, None], np.column_stack([cx, cy]), rural)
        pts = pts[shapely.contains_xy(cell, pts[:, 0], pts[:, 1])]
        pool = np.concatenate(
            [np.concatenate(chosen[1:]) if len(chosen) > 1 else np.empty((0, 2)), pts]
        )
        pool = _thin(pool, fixed_arr, 160.0 * spacing, 420.0 * spacing)
        chosen = [fixed_arr, pool[: n - len(fixed_arr)]]
        have = len(fixed_arr) + len(chosen[1])
    pts = np.concatenate(chosen)
    if len(pts) < n:  # pragma: no cover - only for absurdly small cells
        pts = np.concatenate([pts, _sample_in(cell, n - len(pts), rng)])
    return pts[:n], len(fixed_arr)


def _imd_scores(
    x: np.ndarray,
    y: np.ndarray,
    district: np.ndarray,
    town_centre: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """IMD-like score: a district's rural level, plus the burden of nearby towns (coastal and
    Medway towns most), plus town centres, times lognormal noise."""
    score = np.array([DISTRICTS[d].rural_imd for d in district], dtype=float)
    for town in TOWNS:
        s = 2200.0 if town.main else 1600.0
        d2 = (x - town.x) ** 2 + (y - town.y) ** 2
        score += town.imd_burden * np.exp(-d2 / (2 * s * s))
    score += 8.0 * town_centre
    score *= rng.lognormal(0.0, 0.32, len(score))
    return np.round(np.clip(score, 0.5, 92.0), 3)


def _population(
    deprivation: np.ndarray, town_centre: np.ndarray, totals: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Residents by area, sex and single year of age: England's 2019 pyramid, tilted younger
    in deprived areas and town centres."""
    base = np.asarray(ENGLAND_2019_AGE, dtype=float)
    base = base / base.sum()
    young = np.clip(1 - np.abs(AGES - 27) / 12.0, 0, 1)  # 15-39, peak 27
    old = np.clip((AGES - 55) / 20.0, 0, 1)
    tilt = 0.35 * deprivation + 0.35 * town_centre
    w = base[None, :] * np.exp(tilt[:, None] * (young[None, :] - old[None, :]))
    fshare = female_share_by_age()
    cells = np.concatenate([w * fshare, w * (1 - fshare)], axis=1)
    cells /= cells.sum(axis=1, keepdims=True)
    counts = rng.multinomial(totals, cells)
    return counts.reshape(len(totals), 2, 91)


def _names(district: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """ONS-style names ``"Maidstone 001A"``: MSOA-like groups of about five areas numbered
    north to south, with a letter within."""
    names = np.empty(len(district), dtype=object)
    for d, dist in enumerate(DISTRICTS):
        idx = np.flatnonzero(district == d)
        n_groups = max(1, round(len(idx) / 5))
        n_bands = max(1, round(np.sqrt(n_groups)))
        order = idx[np.argsort(-y[idx], kind="stable")]
        bands = np.array_split(order, n_bands)
        ordered = np.concatenate([b[np.argsort(x[b], kind="stable")] for b in bands])
        groups = np.array_split(ordered, n_groups)
        # number the groups by their mean northing, north first
        g_order = np.argsort([-y[g].mean() for g in groups], kind="stable")
        for number, g in enumerate(g_order, start=1):
            members = groups[g][np.argsort(-y[groups[g]], kind="stable")]
            for k, i in enumerate(members):
                letter = chr(ord("A") + k) if k < 26 else f"Z{k}"
                names[i] = f"{dist.name} {number:03d}{letter}"
    return names


def build_geography(scale: float, rng: np.random.Generator) -> Geography:
    """Build the county at ``scale`` (areas and residents multiply by it)."""
    county = _county()
    cells = _district_cells(county)
    all_pts: list[np.ndarray] = []
    dist_idx: list[np.ndarray] = []
    tc_flag: list[np.ndarray] = []
    tc_town: list[np.ndarray] = []
    totals: list[np.ndarray] = []
    for d, dist in enumerate(DISTRICTS):
        towns = [t for t in TOWNS if t.district == dist.name]
        town_ids = [TOWNS.index(t) for t in towns]
        n = max(len(towns), round(dist.population * scale / RESIDENTS_PER_AREA))
        pts, n_fixed = _centroids(cells[d], towns, n, scale, rng)
        all_pts.append(pts)
        dist_idx.append(np.full(n, d))
        flag = np.zeros(n, dtype=bool)
        flag[:n_fixed] = True
        tc_flag.append(flag)
        per_town = n_fixed // len(towns)
        owner = np.full(n, -1)
        owner[:n_fixed] = np.repeat(town_ids, per_town)[:n_fixed]
        tc_town.append(owner)
        share = rng.lognormal(0.0, 0.12, n)
        totals.append(np.round(dist.population * scale * share / share.sum()).astype(np.int64))
    pts = np.round(np.concatenate(all_pts)).astype(np.int64)
    district = np.concatenate(dist_idx)
    town_centre = np.concatenate(tc_flag)
    town_of_centre = np.concatenate(tc_town)
    x, y = pts[:, 0].astype(float), pts[:, 1].astype(float)

    score = _imd_scores(x, y, district, town_centre, rng)
    rank = np.argsort(np.argsort(-score, kind="stable"), kind="stable")  # 0 = most deprived
    decile = 1 + (rank * 10) // len(score)
    deprivation = 1.0 - rank / max(len(score) - 1, 1)

    vor = shapely.voronoi_polygons(
        shapely.multipoints(shapely.points(pts)), extend_to=county, ordered=True
    )
    polygons = shapely.intersection(shapely.get_parts(vor), county)
    polygons = np.array([_tidy(p) for p in polygons], dtype=object)

    names = _names(district, x, y)
    order = np.lexsort((names.astype(str), district))
    code = np.array([f"DEMO{i + 1:06d}" for i in range(len(order))], dtype=object)
    population = _population(
        deprivation[order], town_centre[order], np.concatenate(totals)[order], rng
    )
    return Geography(
        county=county,
        district_names=tuple(d.name for d in DISTRICTS),
        district_cells=cells,
        code=code,
        name=names[order],
        district=district[order],
        x=pts[order, 0],
        y=pts[order, 1],
        imd_score=score[order],
        imd_decile=decile[order].astype(np.int64),
        deprivation=deprivation[order],
        town_centre=town_centre[order],
        town_of_centre=town_of_centre[order],
        polygons=polygons[order],
        area_m2=shapely.area(polygons[order]),
        population=population,
        tree=cKDTree(pts[order].astype(float)),
    )


def _tidy(geom: shapely.Geometry) -> shapely.Geometry:
    """A clipped Voronoi cell is normally one polygon; keep it whole (a MultiPolygon from a
    ragged coastline stays a MultiPolygon so that the areas still tile the county)."""
    return shapely.normalize(geom)
