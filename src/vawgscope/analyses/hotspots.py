"""Hot spots: LSOAs whose neighbourhood holds more crimes (and more harm) than chance allows."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import ibis.expr.types as ir
import numpy as np
import shapely
from esda.getisord import G_Local
from libpysal.weights import KNN, Queen, Rook, W
from libpysal.weights.util import attach_islands
from scipy import stats
from statsmodels.stats.multitest import multipletests

from vawgscope.analyses.common import harm_weight, rows
from vawgscope.analyses.finding import Finding, definition_of, not_available
from vawgscope.contract.harm import HarmWeights
from vawgscope.dataset import Dataset

#: Conditional permutations per area for the pseudo p-values, from a fixed seed.
PERMUTATIONS = 999
SEED = 20220331
MEASURES = ("crimes", "harm")


# --- harm per crime, in the engine ------------------------------------------------------------


def harm_per_crime(crimes: ir.Table, weights: HarmWeights) -> ir.Table:
    """(crime_id, lsoa_code, harm): the harm weight (days) of each crime's offence."""
    return crimes.select("crime_id", "lsoa_code", harm=harm_weight(crimes, weights))


def lsoa_totals(crimes: ir.Table, weights: HarmWeights) -> ir.Table:
    """(lsoa_code, crimes, harm) for crimes with an LSOA."""
    harmed = harm_per_crime(crimes, weights)
    placed = harmed.filter(harmed.lsoa_code.notnull())
    return placed.group_by("lsoa_code").aggregate(crimes=placed.count(), harm=placed.harm.sum())


# --- neighbours ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Neighbours:
    """Binary spatial weights over the areas, and how they were built."""

    weights: W
    method: str
    note: str
    islands_attached: int = 0


def build_neighbours(
    codes: list[str],
    wkts: list[str | None],
    centroids: np.ndarray,
    method: str = "queen",
    k: int = 8,
) -> Neighbours:
    """Queen or rook contiguity from the areas' polygons, else the k nearest centroids.

    Contiguity needs a polygon for every area; when any is missing or unreadable the k nearest
    centroids are used and the note says why. An area with no contiguous neighbour (an
    island) is joined to its nearest centroid, so every area has a neighbourhood.
    """
    n = len(codes)
    if method in ("queen", "rook"):
        shapes = shapely.from_wkt(
            np.array([w or None for w in wkts], dtype=object), on_invalid="ignore"
        )
        if all(s is not None and not s.is_empty for s in shapes):
            builder = Queen if method == "queen" else Rook
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)  # libpysal warns about islands
                w = builder.from_iterable(list(shapes), ids=codes)
                islands = list(w.islands)
                if islands:
                    w = attach_islands(w, KNN.from_array(centroids, k=1, ids=codes))
            return Neighbours(
                w, method, f"{method} contiguity of the areas' polygons", len(islands)
            )
        reason = "not every area has a readable polygon (areas.geometry_wkt)"
    else:
        reason = "the run asks for nearest neighbours"
    k_used = max(1, min(k, n - 1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        w = KNN.from_array(centroids, k=k_used, ids=codes)
    return Neighbours(w, "knn", f"{k_used} nearest centroids: {reason}")


# --- the statistic and the correction ------------------------------------------------------


def gi_star(
    y: np.ndarray, w: W, *, permutations: int = PERMUTATIONS, seed: int = SEED
) -> dict[str, np.ndarray]:
    """Getis–Ord Gi* z-scores with two-sided normal p-values and permutation pseudo p-values.

    Binary weights, each area counted in its own neighbourhood (esda ``G_Local`` with
    ``star=True, transform="B"``). ``z`` is NaN where the statistic is undefined (no crimes
    at all, no variation, or a neighbourhood holding every area).
    """
    nan = np.full(len(y), np.nan)
    if len(y) < 3 or y.sum() <= 0 or np.ptp(y) == 0:
        return {"z": nan, "p_norm": nan, "p_sim": nan}
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        # esda announces a future change of its permutation default; p_sim is documented here
        # as it is computed now (one-sided, in the observed direction).
        warnings.filterwarnings("ignore", "The alternative hypothesis", DeprecationWarning)
        g = G_Local(
            y.astype(float),
            w,
            transform="B",
            star=True,
            permutations=permutations,
            seed=seed,
            n_jobs=1,
            keep_simulations=False,
        )
    z = np.where(np.isfinite(g.Zs), g.Zs, np.nan)
    p_norm = np.where(np.isnan(z), np.nan, 2 * stats.norm.sf(np.abs(z)))
    p_sim = np.where(np.isnan(z), np.nan, np.asarray(g.p_sim, dtype=float))
    return {"z": z, "p_norm": p_norm, "p_sim": p_sim}


def benjamini_hochberg(p: np.ndarray, fdr: float) -> tuple[np.ndarray, np.ndarray]:
    """Which p-values the Benjamini–Hochberg step-up rule rejects at ``fdr``, and q-values.

    The k-th smallest of m p-values is compared with k·fdr/m; every p-value up to the largest
    that passes is rejected. An undefined p-value (NaN) counts as 1: it stays in m but is
    never rejected.
    """
    if len(p) == 0:
        return np.zeros(0, dtype=bool), np.zeros(0)
    filled = np.where(np.isnan(p), 1.0, p)
    reject, q, _, _ = multipletests(filled, alpha=fdr, method="fdr_bh")
    return reject, q


# --- the finding -----------------------------------------------------------------------------


def _area_rows(ds: Dataset) -> list[dict[str, Any]]:
    areas = ds.table("areas")
    wanted = [
        c
        for c in ("lsoa_code", "lsoa_name", "district", "easting", "northing", "imd_decile")
        if c in areas.columns
    ]
    if "geometry_wkt" in areas.columns:
        wanted.append("geometry_wkt")
    return sorted(rows(areas.select(*wanted)), key=lambda r: r["lsoa_code"])


def _premises_by_lsoa(ds: Dataset) -> dict[str, int] | None:
    if not ds.has("premises", "lsoa_code"):
        return None
    premises = ds.table("premises")
    placed = premises.filter(premises.lsoa_code.notnull())
    counted = placed.group_by("lsoa_code").aggregate(n=placed.count())
    return {r["lsoa_code"]: int(r["n"]) for r in rows(counted)}


def lsoa_hotspots(ds: Dataset, *, harm_weights: HarmWeights | None = None) -> Finding:
    """LSOA hot spots of crimes and of harm (Getis–Ord Gi*).

    Definition: for every LSOA of ``areas``, its in-scope crimes over the whole window and
    their harm (the sum of each crime's harm weight: by ``offence_code`` where the weights
    give it, else by ``offence_group``). Each area's neighbourhood is itself plus the areas
    sharing an edge or corner (queen, the default) or an edge (rook) with its polygon in
    ``areas.geometry_wkt``, or its k nearest centroids (``hotspot_k``) when the run asks for
    them or when polygons are missing; an area with no contiguous neighbour is joined to its
    nearest one. Gi* compares the neighbourhood's share of all crimes (or harm) with its share
    of areas. A hot spot is an area with a positive Gi* z-score whose two-sided p-value
    survives a Benjamini–Hochberg correction across all areas at the run's false-discovery
    rate (``hotspot_fdr``); a cold spot likewise with a negative z. Crimes with no LSOA, or
    one that ``areas`` lacks, are counted and left out.

    Test: null of no spatial association (the counts are unrelated to their neighbours'),
    two-sided, with the analytical normal p-value of the z-score (Getis & Ord 1992; Ord &
    Getis 1995, Geographical Analysis 27(4):286-306), which keeps its resolution across
    thousands of areas where permutation p-values cannot go below 1/1,000. Conditional
    permutation pseudo p-values (999 permutations from a fixed seed, esda; one-sided, in the
    direction of the observed value) are given beside them as a check. Uncorrected counts of
    significant areas are reported too: at 900+ areas about 5% would pass by chance alone.
    Benjamini & Hochberg (1995), JRSS B 57(1):289-300.
    """
    title = "Hot spots of crimes and harm (Getis–Ord Gi*)"
    if not (ds.has("areas") and ds.has("crimes", "lsoa_code")):
        return not_available(
            "lsoa_hotspots",
            title,
            definition_of(lsoa_hotspots),
            ("areas", "crimes.lsoa_code"),
        )
    weights = harm_weights or ds.harm_weights
    areas = _area_rows(ds)
    totals = {r["lsoa_code"]: r for r in rows(lsoa_totals(ds.crimes, weights))}
    codes = [a["lsoa_code"] for a in areas]
    known = set(codes)
    neighbours = build_neighbours(
        codes,
        [a.get("geometry_wkt") for a in areas],
        np.array([[a["easting"], a["northing"]] for a in areas], dtype=float),
        ds.options.hotspot_neighbours,
        ds.options.hotspot_k,
    )
    fdr = ds.options.hotspot_fdr
    values = {
        "crimes": np.array([totals.get(c, {}).get("crimes", 0) for c in codes], dtype=float),
        "harm": np.array([totals.get(c, {}).get("harm", 0.0) for c in codes], dtype=float),
    }
    results = {m: _test(values[m], neighbours.weights, fdr) for m in MEASURES}
    premises = _premises_by_lsoa(ds)
    table = _table(areas, values, results, premises)
    counts = {m: _significance_counts(results[m], fdr) for m in MEASURES}
    return Finding(
        id="lsoa_hotspots",
        title=title,
        definition=definition_of(lsoa_hotspots),
        summary=_summary(counts, len(codes), fdr),
        figures={
            "areas": len(codes),
            "neighbours": neighbours.method,
            "neighbours_note": neighbours.note,
            "islands_attached": neighbours.islands_attached,
            "fdr": fdr,
            "permutations": PERMUTATIONS,
            "seed": SEED,
            "significance": counts,
            "hot_spot_profile": _profile(table, premises is not None),
            "crimes_without_lsoa": int(ds.crimes.lsoa_code.isnull().sum().execute() or 0),
            "crimes_with_lsoa_not_in_areas": sum(
                int(r["crimes"]) for c, r in totals.items() if c is not None and c not in known
            ),
            "harm_weights": weights.as_dict(),
        },
        tables={"lsoa_hotspots": table},
    )


def _test(y: np.ndarray, w: W, fdr: float) -> dict[str, np.ndarray]:
    result = gi_star(y, w)
    reject, q = benjamini_hochberg(result["p_norm"], fdr)
    z = result["z"]
    spot = np.where(reject & (z > 0), "hot", np.where(reject & (z < 0), "cold", ""))
    return {**result, "q": q, "reject": reject, "spot": spot}


def _significance_counts(result: dict[str, np.ndarray], fdr: float) -> dict[str, int]:
    p_norm, p_sim, spot = result["p_norm"], result["p_sim"], result["spot"]
    return {
        "significant_uncorrected": int(np.nansum(p_norm < fdr)),
        "significant_uncorrected_permutation": int(np.nansum(p_sim < fdr)),
        "significant_bh": int(result["reject"].sum()),
        "hot_bh": int((spot == "hot").sum()),
        "cold_bh": int((spot == "cold").sum()),
    }


def _number(value: float) -> float | None:
    return None if np.isnan(value) else float(value)


def _table(
    areas: list[dict[str, Any]],
    values: dict[str, np.ndarray],
    results: dict[str, dict[str, np.ndarray]],
    premises: dict[str, int] | None,
) -> list[dict[str, Any]]:
    """One row per area, hottest (by the crimes z-score) first, ties by code."""
    out = []
    for i, area in enumerate(areas):
        row: dict[str, Any] = {
            "lsoa_code": area["lsoa_code"],
            "lsoa_name": area.get("lsoa_name"),
            "district": area.get("district"),
            "imd_decile": area.get("imd_decile"),
            "premises": None if premises is None else premises.get(area["lsoa_code"], 0),
        }
        for m in MEASURES:
            r = results[m]
            row[m] = float(values[m][i]) if m == "harm" else int(values[m][i])
            row[f"z_{m}"] = _number(r["z"][i])
            row[f"p_{m}"] = _number(r["p_norm"][i])
            row[f"q_{m}"] = float(r["q"][i])
            row[f"p_sim_{m}"] = _number(r["p_sim"][i])
            row[f"spot_{m}"] = str(r["spot"][i]) or None
        out.append(row)
    return sorted(
        out,
        key=lambda r: (r["z_crimes"] is None, -(r["z_crimes"] or 0.0), r["lsoa_code"]),
    )


def _profile(table: list[dict[str, Any]], with_premises: bool) -> dict[str, Any]:
    """Mean premises and IMD decile in crime hot spots against all other areas."""
    out: dict[str, Any] = {}
    for label, chosen in (
        ("hot", [r for r in table if r["spot_crimes"] == "hot"]),
        ("other", [r for r in table if r["spot_crimes"] != "hot"]),
    ):
        deciles = [r["imd_decile"] for r in chosen if r["imd_decile"] is not None]
        out[label] = {
            "areas": len(chosen),
            "mean_premises": float(np.mean([r["premises"] for r in chosen]))
            if with_premises and chosen
            else None,
            "mean_imd_decile": float(np.mean(deciles)) if deciles else None,
        }
    return out


def _summary(counts: dict[str, dict[str, int]], n: int, fdr: float) -> str:
    c, h = counts["crimes"], counts["harm"]
    return (
        f"{c['hot_bh']} of {n:,} areas are crime hot spots after a Benjamini–Hochberg correction "
        f"at {fdr:g} ({c['significant_uncorrected']} would be significant uncorrected); "
        f"{h['hot_bh']} are hot spots of harm."
    )


ANALYSES: tuple[Callable[[Dataset], Finding], ...] = (lsoa_hotspots,)
