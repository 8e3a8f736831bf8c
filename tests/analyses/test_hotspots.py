"""Hot spots: Getis–Ord Gi* over neighbouring areas with a Benjamini–Hochberg correction, on
grids of square areas worked out by hand and on the demo world."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely
from libpysal.weights import Queen, Rook

from tests.helpers import crime, write_csv, write_dataset
from vawgscope.analyses.hotspots import (
    ANALYSES,
    benjamini_hochberg,
    build_neighbours,
    gi_star,
    lsoa_hotspots,
    lsoa_totals,
)
from vawgscope.contract.harm import HarmWeights, default_harm_weights
from vawgscope.dataset import Dataset
from vawgscope.ingest import ingest
from vawgscope.options import Options

# --- Benjamini–Hochberg by hand ----------------------------------------------------------------


def test_benjamini_hochberg_by_hand() -> None:
    # m = 10, q = 0.05: the k-th smallest p is compared with 0.005 k.
    #   k=1 0.001 ≤ 0.005 yes; k=2 0.008 ≤ 0.010 yes; k=3 0.039 > 0.015; k=4 0.041 > 0.020;
    #   k=5 0.042 > 0.025; … k=10 0.216 > 0.05  -> the two smallest are rejected,
    # although five are below 0.05 uncorrected.
    p = np.array([0.041, 0.001, 0.212, 0.039, 0.008, 0.042, 0.06, 0.074, 0.205, 0.216])
    reject, q = benjamini_hochberg(p, 0.05)
    assert reject.tolist() == [False, True, False, False, True] + [False] * 5
    assert int((p < 0.05).sum()) == 5
    # q of the smallest: min over k ≥ 1 of p_(k) m / k = min(0.01, 0.04, 0.13, …) = 0.01
    assert q[1] == pytest.approx(0.01)


def test_benjamini_hochberg_counts_undefined_p_values_as_one() -> None:
    # [0.01, NaN]: m = 2, so 0.01 ≤ 0.05 × 1/2 passes and NaN is never rejected
    reject, _ = benjamini_hochberg(np.array([0.01, np.nan]), 0.05)
    assert reject.tolist() == [True, False]
    # [0.03, NaN]: 0.03 > 0.025 fails, where it alone (m = 1) would pass
    assert benjamini_hochberg(np.array([0.03, np.nan]), 0.05)[0].tolist() == [False, False]


# --- Gi* on a 3 × 3 grid by hand ------------------------------------------------------------


def _grid(n: int, size: float = 1.0) -> list[shapely.Polygon]:
    """n × n squares, row by row from the bottom left."""
    return [
        shapely.box(c * size, r * size, (c + 1) * size, (r + 1) * size)
        for r in range(n)
        for c in range(n)
    ]


def test_gi_star_on_a_3_by_3_rook_grid_by_hand() -> None:
    # y = 1 everywhere, 10 in the centre: n = 9, Σy = 18, ȳ = 2, s² = 108/9 − 4 = 8.
    # Gi* = Σ_{j in N(i) ∪ i} y_j / Σy, E = W/n, Var = W (n − W) / (n − 1) / n² × s² / ȳ².
    #   centre (W 5, sum 14):  (14/18 − 5/9) / sqrt(5·4/8/81 · 2) = 2/√5  = 0.894427
    #   edge   (W 4, sum 13):  (13/18 − 4/9) / sqrt(4·5/8/81 · 2) = √5/2  = 1.118034
    #   corner (W 3, sum 3):   (3/18 − 3/9)  / sqrt(3·6/8/81 · 2) = −1/√2 = −0.707107
    # On a 3 × 3 grid the centre is not the peak: its four edge neighbours share its value
    # and have fewer cells to dilute it.
    y = np.ones(9)
    y[4] = 10
    z = gi_star(y, Rook.from_iterable(_grid(3)))["z"]
    edge, corner = math.sqrt(5) / 2, -1 / math.sqrt(2)
    expected = [corner, edge, corner, edge, 2 / math.sqrt(5), edge, corner, edge, corner]
    np.testing.assert_allclose(z, expected, rtol=1e-9)


def test_gi_star_undefined_where_the_neighbourhood_is_every_area() -> None:
    # Queen on 3 × 3: the centre touches all eight others, so its Gi* is the whole map's
    # share (variance 0): z undefined, p undefined, never a hot spot.
    y = np.ones(9)
    y[4] = 10
    result = gi_star(y, Queen.from_iterable(_grid(3)))
    assert math.isnan(result["z"][4]) and math.isnan(result["p_norm"][4])
    assert not np.isnan(result["z"][0])


def test_gi_star_without_crimes_is_undefined() -> None:
    result = gi_star(np.zeros(9), Queen.from_iterable(_grid(3)))
    assert np.isnan(result["z"]).all()


# --- the whole finding on a 5 × 5 grid ---------------------------------------------------------
#
# Queen neighbours on a 5 × 5 grid of 1 km squares: centre 10 crimes, the 8 cells around it
# 3 each, the 16 outer cells 1 each. n = 25, Σy = 50, ȳ = 2, s² = 188/25 − 4 = 3.52.
#   centre: W 9, sum 34: z = (34/50 − 9/25) / sqrt(9·16/24/625 · 3.52/4) = 0.32/0.091913 = 3.4815
#           p = 2 × (1 − Φ(3.4815)) = 0.000499
#   its 4 edge neighbours: W 9, sum 3 + 10 + 4·3 + 3·1 = 28: z = 0.20/0.091913 = 2.1760,
#           p = 0.0296
#   its 4 corner neighbours: z = 1.31, p = 0.19; outer cells: z ≤ 0
# Uncorrected at 0.05: 5 areas. Benjamini–Hochberg (m = 25): 0.000499 ≤ 0.05/25 = 0.002 is
# rejected; the next four (0.0296) exceed 5 × 0.05/25 = 0.01. So the centre is the only hot spot.
def _code(r: int, c: int) -> str:
    return f"R{r}C{c}"


def _grid_world(folder: Path, *, geometry: bool = True, options: Options | None = None) -> Dataset:
    areas, crimes = [], []
    for r in range(5):
        for c in range(5):
            ring = max(abs(r - 2), abs(c - 2))
            n = {0: 10, 1: 3, 2: 1}[ring]
            area: dict[str, Any] = {
                "lsoa_code": _code(r, c),
                "lsoa_name": f"Grid {r}{c}",
                "district": "Grid",
                "easting": c * 1000 + 500,
                "northing": r * 1000 + 500,
                "imd_decile": 1 if ring == 0 else 5,
            }
            if geometry:
                area["geometry_wkt"] = shapely.box(
                    c * 1000, r * 1000, (c + 1) * 1000, (r + 1) * 1000
                ).wkt
            areas.append(area)
            crimes += [
                crime(f"{_code(r, c)}-{k}", lsoa_code=_code(r, c), domestic="") for k in range(n)
            ]
    crimes.append(crime("NOWHERE", domestic=""))
    data = write_dataset(folder / "d", crimes)
    write_csv(data / "areas.csv", areas)
    write_csv(
        data / "premises.csv",
        [{"premises_id": f"P{k}", "kind": "pub", "lsoa_code": "R2C2"} for k in range(4)],
    )
    ingest(data, folder / "s.duckdb")
    return Dataset.open(folder / "s.duckdb", options)


def test_the_centre_of_a_5_by_5_grid_is_the_only_hot_spot(tmp_path: Path) -> None:
    finding = lsoa_hotspots(_grid_world(tmp_path))
    table = finding.tables["lsoa_hotspots"]
    centre = table[0]
    assert centre["lsoa_code"] == "R2C2"
    assert centre["crimes"] == 10 and centre["harm"] == 100.0  # harassment: 10 days each
    assert centre["z_crimes"] == pytest.approx(3.4815, abs=1e-4)
    assert centre["p_crimes"] == pytest.approx(0.000499, abs=1e-6)
    assert [r["lsoa_code"] for r in table if r["spot_crimes"] == "hot"] == ["R2C2"]
    assert [r["lsoa_code"] for r in table if r["spot_harm"] == "hot"] == ["R2C2"]
    edge = next(r for r in table if r["lsoa_code"] == "R2C1")
    assert edge["z_crimes"] == pytest.approx(2.1760, abs=1e-4)
    assert edge["spot_crimes"] is None
    counts = finding.figures["significance"]["crimes"]
    assert {k: counts[k] for k in ("significant_uncorrected", "significant_bh", "hot_bh")} == {
        "significant_uncorrected": 5,
        "significant_bh": 1,
        "hot_bh": 1,
    }
    assert finding.figures["neighbours"] == "queen"
    assert finding.figures["crimes_without_lsoa"] == 1
    profile = finding.figures["hot_spot_profile"]
    assert profile["hot"] == {"areas": 1, "mean_premises": 4.0, "mean_imd_decile": 1.0}
    assert profile["other"]["mean_premises"] == 0.0
    assert "1 of 25 areas are crime hot spots" in finding.summary


def test_hot_spots_are_deterministic(tmp_path: Path) -> None:
    ds = _grid_world(tmp_path)
    assert lsoa_hotspots(ds).tables == lsoa_hotspots(ds).tables


def test_nearest_centroids_without_polygons(tmp_path: Path) -> None:
    finding = lsoa_hotspots(_grid_world(tmp_path, geometry=False))
    assert finding.figures["neighbours"] == "knn"
    assert "polygon" in finding.figures["neighbours_note"]
    # 8 nearest centres of a 1 km grid from the middle: exactly its queen neighbours
    centre = finding.tables["lsoa_hotspots"][0]
    assert centre["lsoa_code"] == "R2C2"
    assert centre["z_crimes"] == pytest.approx(3.4815, abs=1e-4)


def test_knn_when_the_run_asks(tmp_path: Path) -> None:
    ds = _grid_world(tmp_path, options=Options(hotspot_neighbours="knn", hotspot_k=4))
    finding = lsoa_hotspots(ds)
    assert finding.figures["neighbours"] == "knn"
    assert finding.figures["neighbours_note"].startswith("4 nearest centroids")


def test_islands_are_joined_to_their_nearest_area() -> None:
    shapes = [shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1), shapely.box(10, 0, 11, 1)]
    centroids = np.array([[0.5, 0.5], [1.5, 0.5], [10.5, 0.5]])
    built = build_neighbours(["A", "B", "C"], [s.wkt for s in shapes], centroids, "rook")
    assert built.islands_attached == 1
    assert built.weights.neighbors["C"] == ["B"]


def test_harm_by_offence_code_overrides_the_group(tmp_path: Path) -> None:
    # R1 rape (2,555) + H1 harassment (10) in A; H2 harassment coded 8Q, weighed 99 by code.
    crimes = [
        crime("R1", offence_group="rape", lsoa_code="A", domestic=""),
        crime("H1", lsoa_code="A", domestic=""),
        crime("H2", lsoa_code="B", offence_code="8Q", domestic=""),
    ]
    ingest(write_dataset(tmp_path / "d", crimes), tmp_path / "s.duckdb")
    ds = Dataset.open(tmp_path / "s.duckdb")
    weights = HarmWeights(default_harm_weights().by_group, {"8Q": 99.0})
    totals = {r["lsoa_code"]: r for r in lsoa_totals(ds.crimes, weights).to_pyarrow().to_pylist()}
    assert totals["A"] == {"lsoa_code": "A", "crimes": 2, "harm": 2565.0}
    assert totals["B"]["harm"] == 99.0
    # without a code table the group weight is used
    plain = lsoa_totals(ds.crimes, default_harm_weights()).to_pyarrow().to_pylist()
    assert {r["lsoa_code"]: r["harm"] for r in plain}["B"] == 10.0


def test_hot_spots_need_areas(tmp_path: Path) -> None:
    ingest(
        write_dataset(tmp_path / "d", [crime("C1", lsoa_code="A", domestic="")]),
        tmp_path / "s.duckdb",
    )
    finding = lsoa_hotspots(Dataset.open(tmp_path / "s.duckdb"))
    assert finding.status == "not_available"
    assert finding.needs == ("areas", "crimes.lsoa_code")


def test_every_analysis_has_a_definition() -> None:
    for analysis in ANALYSES:
        assert "Definition:" in (analysis.__doc__ or ""), analysis.__name__


# --- the demo world -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_hotspots(demo_store: Path) -> Any:
    return lsoa_hotspots(Dataset.open(demo_store))


@pytest.mark.slow
def test_demo_hot_spots_have_more_premises_and_deprivation(demo_hotspots: Any) -> None:
    # Kent: more pubs and more deprivation, more VAWG — hot spots hold more premises and
    # lower (more deprived) IMD deciles than other areas.
    profile = demo_hotspots.figures["hot_spot_profile"]
    assert profile["hot"]["areas"] > 0
    assert profile["hot"]["mean_premises"] > profile["other"]["mean_premises"]
    assert profile["hot"]["mean_imd_decile"] < profile["other"]["mean_imd_decile"]


@pytest.mark.slow
def test_demo_correction_removes_chance_hot_spots(demo_hotspots: Any) -> None:
    counts = demo_hotspots.figures["significance"]["crimes"]
    assert counts["significant_bh"] < counts["significant_uncorrected"]
    top = demo_hotspots.tables["lsoa_hotspots"][0]
    assert top["district"] == "Maidstone" and top["spot_crimes"] == "hot"
