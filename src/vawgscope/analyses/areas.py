"""Areas: the LSOAs and districts with most crimes, now and two years ahead, and their rates."""

from __future__ import annotations

import calendar
import functools
import operator
import warnings
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd
from statsmodels.genmod.families import Poisson
from statsmodels.genmod.families.links import Identity
from statsmodels.genmod.generalized_linear_model import GLM
from statsmodels.tools.sm_exceptions import DomainWarning, PerfectSeparationWarning

from vawgscope.analyses.common import garwood_limits, month_of, rows, year_of
from vawgscope.analyses.finding import Finding, definition_of, not_available
from vawgscope.analyses.trends import months_between, months_left_out_of_models
from vawgscope.dataset import Dataset

TOP_N = 10
#: LSOAs listed in the persistence table (best worst-rank first).
PERSISTENCE_ROWS = 20
NOW_MONTHS = 12
HISTORY_MONTHS = 36
#: Months ahead of the last complete month whose sum is the two-year forecast.
HORIZON = (13, 24)
#: Fewest months with data a district trend is fitted on; month-of-year terms need two years.
MIN_MONTHS = 12
SEASONAL_MONTHS = 24
SIMULATIONS = 4000
SEED = 20220331


# --- shared pieces ------------------------------------------------------------------------


def _has_lsoas(ds: Dataset) -> bool:
    return ds.has("crimes", "lsoa_code")


def _has_districts(ds: Dataset) -> bool:
    return ds.has("areas", "district")


def _area_lookup(ds: Dataset, codes: set[str] | None = None) -> dict[str, dict[str, Any]]:
    """``lsoa_code`` → ``{lsoa_name, district}`` from ``areas`` (empty without the table), for
    the areas in ``codes`` or every area."""
    if not ds.has("areas"):
        return {}
    areas = ds.table("areas")
    if codes is not None:
        if not codes:
            return {}
        areas = areas.filter(areas.lsoa_code.isin(sorted(codes)))
    return {
        r["lsoa_code"]: {"lsoa_name": r["lsoa_name"], "district": r["district"]}
        for r in rows(areas.select("lsoa_code", "lsoa_name", "district"))
    }


def _districts(ds: Dataset) -> list[str]:
    areas = ds.table("areas")
    return sorted(r["district"] for r in rows(areas.select("district").distinct()) if r["district"])


def competition_ranks(values: dict[str, float]) -> dict[str, int]:
    """Standard competition ranks, largest value first: equal values share the best rank.

    ``{"a": 5, "b": 5, "c": 3}`` → ``{"a": 1, "b": 1, "c": 3}``.
    """
    ordered = sorted(values.values(), reverse=True)
    first_at = {}
    for position, value in enumerate(ordered, start=1):
        first_at.setdefault(value, position)
    return {key: first_at[value] for key, value in values.items()}


def _ranked_rows(values: dict[str, float], name: str, key: str) -> list[dict[str, Any]]:
    """Rows ``{key: k, name: v, rank}`` in rank order, ties broken by ``k``."""
    ranks = competition_ranks(values)
    order = sorted(values, key=lambda k: (ranks[k], k))
    return [{key: k, name: values[k], "rank": ranks[k]} for k in order]


def _crimes_with_district(ds: Dataset) -> ir.Table:
    """In-scope crimes with the ``district`` of their LSOA (NULL when unknown)."""
    areas = ds.table("areas").select("lsoa_code", "district")
    joined = ds.crimes.left_join(areas, ds.crimes.lsoa_code == areas.lsoa_code)
    return joined.select(
        "crime_id", "occurred_from", lsoa_code=joined.lsoa_code, district=joined.district
    )


def _unknown_district_rows(crimes: ir.Table) -> list[dict[str, Any]]:
    """Crimes that cannot be placed in a district, by reason (for a separate table)."""
    unplaced = crimes.filter(crimes.district.isnull())
    reason = ibis.ifelse(unplaced.lsoa_code.isnull(), "no lsoa_code", "lsoa_code not in areas")
    counted = unplaced.group_by(reason=reason).aggregate(crimes=unplaced.count())
    return sorted(rows(counted), key=lambda r: r["reason"])


def _recent_span(ds: Dataset, n: int) -> tuple[list[str], list[str], list[str]]:
    """The last ``n`` calendar months ending at the last complete month (none starting before
    the window), the complete months among them, and the months missing from the data."""
    complete = ds.window.complete_months()
    if not complete or ds.window.first is None:
        return [], [], []
    start = ds.window.first
    # The first month that starts inside the window (as Window.complete_months judges it).
    inside = _month_index(start.strftime("%Y-%m")) + (start.day != 1)
    last = _month_index(complete[-1])
    first = max(last - n + 1, inside)
    span = months_between(_month_name(first), complete[-1])
    chosen = [m for m in complete if m in set(span)]
    return span, chosen, [m for m in span if m not in set(chosen)]


# --- top LSOAs and the persistent hot spot --------------------------------------------------


def _lsoa_year_ranks(ds: Dataset, years: list[int]) -> ir.Table:
    """(year, lsoa_code, crimes, rank): crimes per LSOA in each complete year with crimes, and
    the standard competition rank within the year (kept in the engine for the two queries)."""

    def build() -> ir.Table:
        crimes = ds.crimes.filter(ds.crimes.lsoa_code.notnull())
        crimes = crimes.mutate(year=year_of(crimes.occurred_from, ds.options.year_basis))
        crimes = crimes.filter(crimes.year.isin(years))
        counts = crimes.group_by(["year", "lsoa_code"]).aggregate(crimes=crimes.count())
        # ibis.rank() is the SQL RANK(): 0-based standard competition ranking.
        rank = ibis.rank().over(group_by="year", order_by=ibis.desc("crimes")) + 1
        return counts.mutate(rank=rank)

    key = f"areas.lsoa_year_ranks:{ds.options.year_basis}:{','.join(map(str, years))}"
    return ds.cached(key, build)


def _top_rows(ranked: ir.Table) -> list[dict[str, Any]]:
    """The first ``TOP_N`` rows of each year by rank, ties by code, in that order."""
    place = ibis.row_number().over(group_by="year", order_by=[ranked["rank"], ranked.lsoa_code])
    top = ranked.mutate(place=place)
    top = top.filter(top.place < TOP_N)
    return sorted(rows(top), key=lambda r: (r["year"], r["place"]))


def _rank_every_year(ranked: ir.Table) -> ir.Table:
    """(lsoa_code, year, rank) for every LSOA with crimes in some year and every year with
    crimes: a year in which the LSOA has none ranks it 1 + the LSOAs with crimes that year."""
    ranked_lsoas = ranked.group_by("year").aggregate(ranked_lsoas=ranked.count())
    grid = ranked.select("lsoa_code").distinct().cross_join(ranked_lsoas)
    joined = grid.left_join(ranked, [grid.lsoa_code == ranked.lsoa_code, grid.year == ranked.year])
    return joined.select(
        lsoa_code=grid.lsoa_code,
        year=grid.year,
        rank=ranked["rank"].coalesce(grid.ranked_lsoas + 1),
    )


def _persistence_ranks(ranked: ir.Table) -> list[dict[str, Any]]:
    """(lsoa_code, year, rank) of the ``PERSISTENCE_ROWS`` LSOAs with the best worst rank,
    ties by code."""
    yearly = _rank_every_year(ranked)
    worst = yearly.group_by("lsoa_code").aggregate(worst_rank=yearly["rank"].max())
    first = worst.order_by([worst.worst_rank, worst.lsoa_code]).limit(PERSISTENCE_ROWS)
    chosen = yearly.semi_join(first, yearly.lsoa_code == first.lsoa_code)
    return rows(chosen)


def _year_ranks_by_lsoa(
    year_ranks: list[dict[str, Any]], years: list[int]
) -> dict[str, dict[int, int]]:
    """``lsoa_code`` → {year: rank}, for every complete year."""
    ranks: dict[str, dict[int, int]] = {}
    for r in year_ranks:
        ranks.setdefault(r["lsoa_code"], {})[r["year"]] = r["rank"]
    for by_year in ranks.values():
        # A complete year without any crime that has an LSOA ranks every LSOA 0 + 1.
        for y in years:
            by_year.setdefault(y, 1)
    return ranks


def top_lsoas(ds: Dataset) -> Finding:
    """Top LSOAs by year and the most persistent hot spot.

    Definition: for each complete year (calendar years, or April–March financial years named by
    their start year when the run's year basis is financial; a year is complete when all its
    days lie inside the window), the LSOAs are ranked by their in-scope crimes: equal counts
    share the best rank (standard competition ranking 1, 2, 2, 4) over all LSOAs with crimes
    that year, and the top-10 list breaks ties by LSOA code. An LSOA's worst rank is its
    largest yearly rank, where a year in which it has no crimes ranks it below every LSOA with
    crimes (1 + the number of LSOAs with crimes that year). The most persistent hot spot is the
    LSOA whose worst rank is best, ties broken by code; the persistence table lists the first
    20 in that order. Crimes with no ``lsoa_code`` are left out and counted; names and
    districts come from ``areas`` when the dataset has it.
    """
    title = "Top LSOAs by year and the most persistent hot spot"
    keys = ("top_lsoas_by_year", "most_persistent_hotspot")
    if not _has_lsoas(ds):
        return not_available(
            "top_lsoas", title, definition_of(top_lsoas), ("crimes.lsoa_code",), keys
        )
    basis = ds.options.year_basis
    years = ds.window.complete_years(basis)
    no_lsoa = int(ds.crimes.lsoa_code.isnull().sum().execute() or 0)
    if not years:
        return Finding(
            id="top_lsoas",
            title=title,
            definition=definition_of(top_lsoas),
            summary=f"No complete {basis} year lies inside the window, so no yearly ranking.",
            figures={"year_basis": basis, "crimes_without_lsoa": no_lsoa},
            headlines=dict.fromkeys(keys),
        )
    ranked = _lsoa_year_ranks(ds, years)
    top = _top_rows(ranked)
    ranks = _year_ranks_by_lsoa(_persistence_ranks(ranked), years)
    persistent = sorted(ranks, key=lambda code: (max(ranks[code].values()), code))
    lookup = _area_lookup(ds, {r["lsoa_code"] for r in top} | set(persistent))
    top_rows, top_by_year = _top_tables(top, years, lookup, basis)
    best = persistent[0] if persistent else None
    hotspot = (
        {"lsoa_code": best, "worst_rank": max(ranks[best].values())} if best is not None else None
    )
    table = [_persistence_row(code, ranks[code], lookup) for code in persistent]
    return Finding(
        id="top_lsoas",
        title=title,
        definition=definition_of(top_lsoas),
        summary=_top_summary(hotspot, lookup, years, basis),
        figures={"year_basis": basis, "years": years, "crimes_without_lsoa": no_lsoa},
        tables={"top_lsoas_by_year": top_rows, "persistence": table},
        headlines={"top_lsoas_by_year": top_by_year, "most_persistent_hotspot": hotspot},
    )


def _top_tables(
    top: list[dict[str, Any]],
    years: list[int],
    lookup: dict[str, dict[str, Any]],
    basis: str,
) -> tuple[list[dict[str, Any]], dict[int, list[str]]]:
    """The top-N table and ``{year: [codes]}`` from the top rows in (year, place) order."""
    table: list[dict[str, Any]] = []
    top_by_year: dict[int, list[str]] = {year: [] for year in years}
    for r in top:
        area = lookup.get(r["lsoa_code"], {})
        top_by_year[r["year"]].append(r["lsoa_code"])
        table.append(
            {
                "year": r["year"],
                "year_basis": basis,
                "rank": r["rank"],
                "lsoa_code": r["lsoa_code"],
                "lsoa_name": area.get("lsoa_name"),
                "district": area.get("district"),
                "crimes": r["crimes"],
            }
        )
    return table, top_by_year


def _persistence_row(
    code: str, by_year: dict[int, int], lookup: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    area = lookup.get(code, {})
    row: dict[str, Any] = {
        "lsoa_code": code,
        "lsoa_name": area.get("lsoa_name"),
        "district": area.get("district"),
        "worst_rank": max(by_year.values()),
        "best_rank": min(by_year.values()),
    }
    row.update({f"rank_{year}": rank for year, rank in sorted(by_year.items())})
    return row


def _top_summary(
    hotspot: dict[str, Any] | None,
    lookup: dict[str, dict[str, Any]],
    years: list[int],
    basis: str,
) -> str:
    if hotspot is None:
        return "No crime in a complete year has an LSOA."
    name = lookup.get(hotspot["lsoa_code"], {}).get("lsoa_name") or hotspot["lsoa_code"]
    span = f"{years[0]}" if len(years) == 1 else f"{years[0]}–{years[-1]}"
    return (
        f"{name} is the most persistent hot spot: never below rank {hotspot['worst_rank']} "
        f"in any complete {basis} year {span}."
    )


# --- districts now ----------------------------------------------------------------------------


def district_ranking_now(ds: Dataset) -> Finding:
    """Districts ranked by crimes in the last 12 complete months.

    Definition: each in-scope crime whose ``occurred_from`` falls in the last 12 complete
    months (the 12 complete months ending at the last one) is placed in the district of its
    LSOA through ``areas.lsoa_code``; districts are ranked by these crimes, equal counts
    sharing the best rank and ties listed by name. Every district of ``areas`` is listed,
    with 0 when it has no crimes. Crimes with no ``lsoa_code``, or one that ``areas`` does not
    hold, are counted in a separate table and not ranked. With fewer than 12 complete months
    (a short window, or months missing from the data, which are gaps and never zeros) the
    months there are are used, and the finding names the months missing.
    """
    title = "Districts by crimes in the last 12 complete months"
    if not (_has_districts(ds) and _has_lsoas(ds)):
        return not_available(
            "district_rank_now",
            title,
            definition_of(district_ranking_now),
            ("areas.district", "crimes.lsoa_code"),
            ("district_rank_now",),
        )
    span, months, missing = _recent_span(ds, NOW_MONTHS)
    if not months:
        return Finding(
            id="district_rank_now",
            title=title,
            definition=definition_of(district_ranking_now),
            summary="No complete month lies inside the window, so no ranking.",
            headlines={"district_rank_now": None},
        )
    crimes = _crimes_with_district(ds)
    recent = crimes.filter(_in_months(crimes.occurred_from, months))
    placed = recent.filter(recent.district.notnull())
    counted = rows(placed.group_by("district").aggregate(crimes=placed.count()))
    counts = dict.fromkeys(_districts(ds), 0)
    counts.update({r["district"]: r["crimes"] for r in counted})
    ranking = _ranked_rows(counts, "crimes", "district")
    short = "" if len(months) == NOW_MONTHS else f" (only {len(months)} complete months)"
    if missing:
        short = f" ({len(months)} complete months; missing from the data: {', '.join(missing)})"
    return Finding(
        id="district_rank_now",
        title=title,
        definition=definition_of(district_ranking_now),
        summary=f"{ranking[0]['district']} has the most crimes in {span[0]} to {span[-1]}"
        f"{short}: {ranking[0]['crimes']:,}.",
        figures={
            "months": [span[0], span[-1]],
            "complete_months": len(months),
            "missing_months": missing,
        },
        tables={
            "district_crimes_now": ranking,
            "crimes_without_district": _unknown_district_rows(recent),
        },
        headlines={"district_rank_now": ranking},
    )


# --- districts two years ahead --------------------------------------------------------------


def _month_index(month: str) -> int:
    year, mon = month.split("-")
    return int(year) * 12 + int(mon) - 1


def _month_name(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _design(
    index: np.ndarray,
    origin: int,
    seasonal: bool,
    keep: list[int],
    lockdown: np.ndarray | None = None,
) -> np.ndarray:
    """Intercept, linear trend in months, month-of-year indicators (months in ``keep``) and
    the share of the month's days in lockdown, when given."""
    columns = [np.ones(len(index)), (index - origin).astype(float)]
    if seasonal:
        month_of_year = index % 12
        columns += [(month_of_year == m).astype(float) for m in keep]
    if lockdown is not None:
        columns.append(lockdown)
    return np.column_stack(columns)


def _fit_trend(y: np.ndarray, x: np.ndarray) -> tuple[Any, str]:
    """Poisson GLM with an identity link (a straight-line trend in crimes), else a log link.

    The identity link keeps "linear trend" literal; it falls back to the log link when the
    identity fit fails or a fitted mean is not positive.
    """
    start = np.linalg.lstsq(x, y, rcond=None)[0]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DomainWarning)
            # An exact straight line is a perfect fit, not a failure.
            warnings.simplefilter("ignore", PerfectSeparationWarning)
            identity = Poisson(link=Identity())
            result = GLM(y, x, family=identity).fit(start_params=start)
        if np.all(np.isfinite(result.params)) and np.all(result.fittedvalues > 0):
            return result, "identity"
    except (ValueError, np.linalg.LinAlgError, FloatingPointError):
        pass
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PerfectSeparationWarning)
        return GLM(y, x, family=Poisson()).fit(), "log"


def forecast_counts(
    months: list[str],
    counts: list[int],
    *,
    lockdown: list[float] | None = None,
    ahead: int = HORIZON[1],
    horizon: tuple[int, int] = HORIZON,
    confidence: float = 0.95,
    seed: int = SEED,
    last_month: str | None = None,
) -> dict[str, Any]:
    """Forecast a monthly count series ``ahead`` months past its last month (``last_month``
    when given: the months ahead then count from it, e.g. when the last month was left out).

    The model is a Poisson GLM of the monthly counts on a linear trend (identity link, so the
    trend is a straight line in crimes; log link if that fails) plus month-of-year indicators
    when 24 or more months are given, plus ``lockdown`` (each month's share of days in a
    lockdown; 0 in the forecast) when it is given and not all 0. The point forecast of the
    months ``horizon`` (13–24 by default) is the sum of the fitted means. The prediction
    interval is simulated: 4,000 draws of the coefficients from their estimated normal
    distribution (covariance scaled by the Pearson overdispersion φ = max(1, X²/df)), then a
    count for each month drawn around each draw's means (Poisson, or negative binomial with
    variance φμ when φ > 1); the interval is the central ``confidence`` share of the summed
    draws. Months missing from ``months`` are gaps in the fit, not zeros.
    """
    index = np.array([_month_index(m) for m in months])
    y = np.asarray(counts, dtype=float)
    origin, last = int(index.min()), int(index.max())
    if last_month is not None:
        last = _month_index(last_month)
    future = np.arange(last + 1, last + ahead + 1)
    if not y.any():
        zeros = [
            {"month": _month_name(int(i)), "forecast": 0.0, "low": 0.0, "high": 0.0} for i in future
        ]
        return {"forecast": 0.0, "low": 0.0, "high": 0.0, "link": None, "path": zeros}
    seasonal = len(months) >= SEASONAL_MONTHS
    present = sorted({int(i) % 12 for i in index})
    keep = present[1:]  # the first month-of-year present is the baseline
    shut = np.asarray(lockdown, dtype=float) if lockdown is not None and any(lockdown) else None
    x = _design(index, origin, seasonal, keep, shut)
    result, link = _fit_trend(y, x)
    x_future = _design(future, origin, seasonal, keep, None if shut is None else 0.0 * future)
    beta = np.asarray(result.params)
    phi = max(1.0, float(result.pearson_chi2 / result.df_resid)) if result.df_resid > 0 else 1.0
    rng = np.random.default_rng(seed)
    draws = rng.multivariate_normal(beta, np.asarray(result.cov_params()) * phi, SIMULATIONS)
    mean_now = _mean(x_future @ beta, link)
    # A few draws from a loose fit on sparse months can explode under the log link; no
    # district plausibly has 100 times its busiest month, so the simulation stops there.
    ceiling = 100.0 * max(float(np.max(y)), 1.0)
    mean_sims = np.minimum(_mean(draws @ x_future.T, link), ceiling)
    count_sims = _count_noise(rng, mean_sims, phi)
    alpha = 1 - confidence
    window = slice(horizon[0] - 1, horizon[1])
    total = count_sims[:, window].sum(axis=1)
    low, high = np.quantile(total, [alpha / 2, 1 - alpha / 2])
    path = [
        {
            "month": _month_name(int(month)),
            "forecast": float(mean_now[i]),
            "low": float(np.quantile(count_sims[:, i], alpha / 2)),
            "high": float(np.quantile(count_sims[:, i], 1 - alpha / 2)),
        }
        for i, month in enumerate(future)
    ]
    return {
        "forecast": float(mean_now[window].sum()),
        "low": float(low),
        "high": float(high),
        "link": link,
        "overdispersion": phi,
        "path": path,
    }


def _mean(linear: np.ndarray, link: str) -> np.ndarray:
    # A straight line can cross zero; a mean below zero is no crimes.
    if link == "identity":
        return np.clip(linear, 0.0, None)
    # A wild draw may overflow to infinity; the caller caps the means.
    with np.errstate(over="ignore"):
        return np.exp(linear)


def _count_noise(rng: np.random.Generator, mean: np.ndarray, phi: float) -> np.ndarray:
    if phi <= 1.0:
        return rng.poisson(mean).astype(float)
    size = np.maximum(mean, 1e-12) / (phi - 1.0)
    draws = rng.negative_binomial(size, 1.0 / phi).astype(float)
    return np.where(mean > 0, draws, 0.0)


def district_forecast(ds: Dataset) -> Finding:
    """Districts ranked by forecast crimes two years ahead.

    Definition: for each district, the monthly in-scope crimes of the last 36 calendar months
    ending at the last complete month (crimes placed by their LSOA through
    ``areas.lsoa_code``) are fitted with a trend model — a Poisson GLM with a linear trend
    (identity link, so a straight line in crimes; log link when the straight line fails) and
    month-of-year terms when 24 or more months are used — and the forecast is the sum of the
    fitted means for months 13–24 after the last complete month. The model uses only the
    complete months the data hold: a month missing from the data is a gap, never a zero, and
    a month flagged by the data-quality low-volume rule (``trends.months_left_out_of_models``:
    a suspected incomplete file) is left out; the finding names the months used, missing and
    left out. Fewer than 12 months left: not available, with the reason. Districts are ranked
    by the forecast, equal values sharing the best rank, ties listed by name; every district
    of ``areas`` is listed (0 crimes in a used month where it has none). Crimes with no known
    district are left out and counted.

    Interval: a 95% prediction interval for the 12-month sum, simulated from the coefficients'
    estimated normal distribution (covariance scaled by the Pearson overdispersion) plus
    Poisson or negative-binomial count noise, 4,000 draws from a fixed seed. It assumes the
    trend of the months used continues and that months are independent given the trend.
    When the dataset has ``periods`` of kind ``lockdown``, each month's share of days in
    lockdown enters the model as one more term (0 in the forecast), so a lockdown dip does not
    bend the trend.
    """
    title = "Districts by forecast crimes two years ahead"
    key = "district_rank_forecast_2y"
    if not (_has_districts(ds) and _has_lsoas(ds)):
        return not_available(
            key,
            title,
            definition_of(district_forecast),
            ("areas.district", "crimes.lsoa_code"),
            (key,),
        )
    span, complete, missing = _recent_span(ds, HISTORY_MONTHS)
    flagged = set(months_left_out_of_models(ds))
    months = [m for m in complete if m not in flagged]
    left_out = [m for m in complete if m in flagged]
    history = {
        "history": [span[0], span[-1]] if span else None,
        "months_used": months,
        "months_with_data": len(months),
        "missing_months": missing,
        "months_left_out": left_out,
    }
    history_table = _history_month_rows(span, months, missing, left_out)
    if len(months) < MIN_MONTHS:
        where = f" in {span[0]} to {span[-1]}" if span else ""
        finding = not_available(
            key, title, definition_of(district_forecast), ("crimes.occurred_from",), (key,)
        )
        return replace(
            finding,
            summary=f"Not available: only {len(months)} complete months with data{where} "
            f"(missing: {len(missing)}, left out as low volume: {len(left_out)}); "
            f"a trend needs {MIN_MONTHS}.",
            figures=history,
            tables={"history_months": history_table},
        )
    counts = _district_history(ds, months)
    lockdown = _lockdown_shares(ds, months)
    fits = {
        district: forecast_counts(
            months,
            [series.get(m, 0) for m in months],
            lockdown=lockdown,
            confidence=ds.options.confidence,
            last_month=span[-1],
        )
        for district, series in counts.items()
    }
    ranking = _forecast_ranking(fits)
    last = _month_index(span[-1])
    return Finding(
        id=key,
        title=title,
        definition=definition_of(district_forecast),
        summary=_forecast_summary(ranking, span, months, ds.options.confidence),
        figures={
            **history,
            "forecast_months": [_month_name(last + HORIZON[0]), _month_name(last + HORIZON[1])],
            "lockdown_term": lockdown is not None and any(lockdown),
        },
        tables={
            "district_forecast": [
                {**row, "link": fits[row["district"]]["link"]} for row in ranking
            ],
            "district_history_and_forecast": _history_rows(months, counts, fits),
            "history_months": history_table,
            "crimes_without_district": _unknown_district_rows(_history_crimes(ds, months)),
        },
        headlines={key: ranking},
    )


def _history_month_rows(
    span: list[str], used: list[str], missing: list[str], left_out: list[str]
) -> list[dict[str, Any]]:
    """Each month of the history span and whether the model used it, and why not."""
    status = {
        **dict.fromkeys(used, "used"),
        **dict.fromkeys(missing, "missing from the data (a gap)"),
        **dict.fromkeys(left_out, "left out: low volume (suspected incomplete file)"),
    }
    return [{"month": m, "status": status[m]} for m in span]


def _lockdown_shares(ds: Dataset, months: list[str]) -> list[float] | None:
    """Each month's share of days inside a ``periods`` row of kind ``lockdown`` (None if none)."""
    if not ds.has("periods", "kind"):
        return None
    periods = ds.table("periods")
    spans = rows(periods.filter(periods.kind == "lockdown").select("start_date", "end_date"))
    if not spans:
        return None
    shares = []
    for month in months:
        first = date.fromisoformat(f"{month}-01")
        days = [
            first + timedelta(days=d)
            for d in range(calendar.monthrange(first.year, first.month)[1])
        ]
        inside = sum(any(s["start_date"] <= day <= s["end_date"] for s in spans) for day in days)
        shares.append(inside / len(days))
    return shares


def _history_crimes(ds: Dataset, months: list[str]) -> ir.Table:
    crimes = _crimes_with_district(ds)
    return crimes.filter(month_of(crimes.occurred_from).isin(months))


def _district_history(ds: Dataset, months: list[str]) -> dict[str, dict[str, int]]:
    """{district: {month: crimes}} over ``months`` (every district of ``areas``)."""
    crimes = _history_crimes(ds, months).mutate(month=lambda t: month_of(t.occurred_from))
    placed = crimes.filter(crimes.district.notnull())
    by_month = rows(placed.group_by(["district", "month"]).aggregate(crimes=placed.count()))
    counts: dict[str, dict[str, int]] = {d: {} for d in _districts(ds)}
    for r in by_month:
        counts[r["district"]][r["month"]] = r["crimes"]
    return counts


def _forecast_ranking(fits: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    ranks = competition_ranks({d: f["forecast"] for d, f in fits.items()})
    order = sorted(fits, key=lambda d: (ranks[d], d))
    return [
        {
            "district": d,
            "forecast": fits[d]["forecast"],
            "low": fits[d]["low"],
            "high": fits[d]["high"],
            "rank": ranks[d],
        }
        for d in order
    ]


def _history_rows(
    months: list[str], counts: dict[str, dict[str, int]], fits: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    """Each district's monthly history and forecast path, one row per district and month."""
    out: list[dict[str, Any]] = []
    for district in sorted(counts):
        out += [
            {
                "district": district,
                "month": m,
                "kind": "observed",
                "crimes": counts[district].get(m, 0),
                "forecast": None,
                "low": None,
                "high": None,
            }
            for m in months
        ]
        out += [
            {"district": district, "kind": "forecast", "crimes": None, **step}
            for step in fits[district]["path"]
        ]
    return out


def _forecast_summary(
    ranking: list[dict[str, Any]], span: list[str], months: list[str], confidence: float
) -> str:
    top = ranking[0]
    gaps = len(span) - len(months)
    used = f" ({len(months)} months with data, {gaps} missing or left out)" if gaps else ""
    return (
        f"On the trend of {span[0]} to {span[-1]}{used}, {top['district']} is forecast to have the "
        f"most crimes in months 13–24 ahead: {top['forecast']:,.0f} "
        f"({confidence:.0%} prediction interval {top['low']:,.0f}–{top['high']:,.0f})."
    )


# --- rates per 1,000 residents --------------------------------------------------------------


def _residents(ds: Dataset) -> tuple[dict[str, int], int | None]:
    """Residents per LSOA (all ages; F + M rows, else the ``all`` rows), and the year used."""
    pop = ds.table("population")
    year = None
    if "year" in pop.columns and ds.has("population", "year"):
        # Several mid-year estimates: use the latest, so areas are not counted twice.
        year = int(pop.year.max().execute())
        pop = pop.filter(pop.year == year)
    by_sex = pop.group_by("lsoa_code").aggregate(
        sexed=pop.population.sum(where=pop.sex.isin(["F", "M"])),
        unsexed=pop.population.sum(where=pop.sex == "all"),
    )
    residents = {
        r["lsoa_code"]: int(r["sexed"] if r["sexed"] else (r["unsexed"] or 0)) for r in rows(by_sex)
    }
    return residents, year


def _rates(
    crimes: np.ndarray, residents: np.ndarray, confidence: float, months: int = NOW_MONTHS
) -> list[dict[str, float | None]]:
    """Crimes per 1,000 residents a year, from ``crimes`` in ``months`` complete months, with
    the Garwood limits of every area at once;
    no rate where an area has no residents."""
    k = np.asarray(crimes, dtype=np.int64)
    people = np.asarray(residents, dtype=np.int64)
    has = people > 0
    people_kept = np.where(has, people, 1)
    if months == NOW_MONTHS:
        exposure = people_kept / 1000
        rate = k / people_kept * 1000
    else:
        # Fewer months (missing from the data): residents × years observed is the exposure.
        exposure = people_kept / 1000 * months / NOW_MONTHS
        rate = k / exposure
    low, high = garwood_limits(k, exposure, confidence)
    return [
        {"rate_per_1000": float(rate[i]), "low": float(low[i]), "high": float(high[i])}
        if has[i]
        else {"rate_per_1000": None, "low": None, "high": None}
        for i in range(len(k))
    ]


def _in_months(ts: ir.TimestampValue, months: list[str]) -> ir.BooleanValue:
    """Whether ``ts`` falls in one of ``months`` (``YYYY-MM``), as ranges of whole months, so
    the engine compares timestamps instead of formatting each one."""
    runs: list[list[int]] = []
    for index in sorted(_month_index(m) for m in months):
        if runs and index == runs[-1][1] + 1:
            runs[-1][1] = index
        else:
            runs.append([index, index])
    inside = [(ts >= _month_start(first)) & (ts < _month_start(last + 1)) for first, last in runs]
    return functools.reduce(operator.or_, inside, ibis.literal(False))


def _month_start(index: int) -> ir.TimestampScalar:
    return ibis.timestamp(f"{_month_name(index)}-01 00:00:00")


def area_rates(ds: Dataset) -> Finding:
    """Crimes and rates per 1,000 residents by district and by LSOA.

    Definition: in-scope crimes in the last 12 complete months (and over the whole window) by
    the LSOA of the crime and by its district through ``areas.lsoa_code``, with the rate per
    1,000 residents a year = crimes in the last 12 complete months ÷ residents × 1,000; when
    some of those months are missing from the data (gaps, never zeros), the crimes of the m
    complete months there are ÷ (residents × m / 12) × 1,000, and the finding names them.
    Residents are ``population`` summed over all ages and both sexes for each LSOA (rows of
    sex ``all`` where an area has no F/M rows), from the latest ``year`` when population gives
    several; a district's residents are the sum over its LSOAs that have population. Areas
    without population rows get no rate and are named; crimes with no known LSOA are counted.

    Interval: exact Poisson (Garwood) 95% interval for each rate, treating residents as fixed.
    """
    title = "Crimes and rates per 1,000 residents by district and LSOA"
    if not (ds.has("areas") and ds.has("population", "population") and _has_lsoas(ds)):
        return not_available(
            "area_rates",
            title,
            definition_of(area_rates),
            ("areas.lsoa_code", "population.population", "crimes.lsoa_code"),
        )
    span, months, missing = _recent_span(ds, NOW_MONTHS)
    if not months:
        return Finding(
            id="area_rates",
            title=title,
            definition=definition_of(area_rates),
            summary="No complete month lies inside the window, so no yearly rate.",
        )
    residents, year = _residents(ds)
    crimes = ds.crimes
    per_lsoa = crimes.group_by("lsoa_code").aggregate(
        crimes_window=crimes.count(),
        crimes_12m=crimes.count(where=_in_months(crimes.occurred_from, months)),
    )
    counts = {r["lsoa_code"]: r for r in rows(per_lsoa)}
    lookup = _area_lookup(ds)
    confidence = ds.options.confidence
    lsoa_rows = _lsoa_rate_rows(lookup, counts, residents, confidence, len(months))
    district_rows = _district_rate_rows(lsoa_rows, confidence, len(months))
    without = sorted(code for code in lookup if residents.get(code, 0) <= 0)
    top = district_rows[0] if district_rows else None
    summary = (
        f"{top['district']} has the highest rate: {top['rate_per_1000']:.1f} crimes per 1,000 "
        "residents a year."
        if top and top["rate_per_1000"] is not None
        else "No district has residents to give a rate."
    )
    if without:
        summary += (
            " 1 area has no population rows and no rate."
            if len(without) == 1
            else f" {len(without)} areas have no population rows and no rate."
        )
    if missing:
        summary += (
            f" Rates are over the {len(months)} complete months the data hold in {span[0]} to "
            f"{span[-1]}; missing: {', '.join(missing)}."
        )
    return Finding(
        id="area_rates",
        title=title,
        definition=definition_of(area_rates),
        summary=summary,
        figures={
            "months": [span[0], span[-1]],
            "complete_months": len(months),
            "missing_months": missing,
            "population_year": year,
            "areas_without_population": without,
            "crimes_without_lsoa": int(counts.get(None, {}).get("crimes_window", 0)),
            "crimes_with_lsoa_not_in_areas": sum(
                int(r["crimes_window"])
                for c, r in counts.items()
                if c is not None and c not in lookup
            ),
        },
        tables={"district_rates": district_rows, "lsoa_rates": lsoa_rows},
    )


def _lsoa_rate_rows(
    lookup: dict[str, dict[str, Any]],
    counts: dict[str, dict[str, Any]],
    residents: dict[str, int],
    confidence: float,
    months: int,
) -> list[dict[str, Any]]:
    codes = sorted(lookup)
    k = [int(counts.get(code, {}).get("crimes_12m") or 0) for code in codes]
    people = [residents.get(code, 0) for code in codes]
    rates = _rates(np.array(k), np.array(people), confidence, months)
    out = [
        {
            "lsoa_code": code,
            "lsoa_name": lookup[code]["lsoa_name"],
            "district": lookup[code]["district"],
            "residents": people[i] or None,
            "crimes_window": int(counts.get(code, {}).get("crimes_window") or 0),
            "crimes_last_12_months": k[i],
            **rates[i],
        }
        for i, code in enumerate(codes)
    ]
    return _by_rate(out, "lsoa_code")


def _district_rate_rows(
    lsoa_rows: list[dict[str, Any]], confidence: float, months: int
) -> list[dict[str, Any]]:
    frame = pd.DataFrame(lsoa_rows)
    frame["has_population"] = frame["residents"].notna()
    frame["residents"] = frame["residents"].fillna(0)
    grouped = frame.groupby("district", sort=True).agg(
        residents=("residents", "sum"),
        crimes_window=("crimes_window", "sum"),
        crimes_last_12_months=("crimes_last_12_months", "sum"),
        areas=("lsoa_code", "size"),
        areas_with_population=("has_population", "sum"),
    )
    k = grouped["crimes_last_12_months"].astype(int).to_numpy()
    people = grouped["residents"].astype(int).to_numpy()
    rates = _rates(k, people, confidence, months)
    out = [
        {
            "district": district,
            "residents": int(people[i]) or None,
            "crimes_window": int(g["crimes_window"]),
            "crimes_last_12_months": int(k[i]),
            **rates[i],
            "areas": int(g["areas"]),
            "areas_without_population": int(g["areas"] - g["areas_with_population"]),
        }
        for i, (district, g) in enumerate(grouped.iterrows())
    ]
    return _by_rate(out, "district")


def _by_rate(table: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """Highest rate first; areas without a rate last; ties by ``key``."""
    return sorted(
        table,
        key=lambda r: (r["rate_per_1000"] is None, -(r["rate_per_1000"] or 0.0), r[key]),
    )


ANALYSES: tuple[Callable[[Dataset], Finding], ...] = (
    top_lsoas,
    district_ranking_now,
    district_forecast,
    area_rates,
)
