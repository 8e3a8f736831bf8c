"""Trends: the offence-group mix, growth, seasonality, the peak month and period effects.

Months are ``YYYY-MM`` of ``occurred_from``. The window's months run from the month of the
first in-scope crime to the month of the last. A month of the window with no in-scope crime
at all is *missing* (a gap in the data, never a zero); in a month that has crimes, a group
with none has a true zero. A month is *complete* when all its days lie inside the window
(``Dataset.window``); when the last crimes are month-level records (``time_precision`` =
``month``, dated the first of their month) their month counts as complete, because such a
date stands for the whole month.

Months that the data-quality check flags as anomalously low (suspected incomplete files, the
rule in :data:`vawgscope.analyses.quality.LOW_VOLUME_RULE`) are *left out* of every model
here — growth, summer peaks, period effects — as if they were not complete, unless
``options.keep_anomalous_months`` keeps them; the monthly and seasonality tables still show
their counts and mark them ``left_out_of_models``.
"""

from __future__ import annotations

import calendar
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

import ibis
import numpy as np
from statsmodels.genmod.families import Poisson
from statsmodels.genmod.generalized_linear_model import GLM

from vawgscope.analyses.common import count_ratio, month_of, rows, scalar, share
from vawgscope.analyses.finding import Finding, definition_of, not_available
from vawgscope.analyses.quality import LOW_VOLUME_RULE, low_volume_months
from vawgscope.dataset import Dataset

SUMMER_MONTHS: tuple[int, ...] = (6, 7, 8)
#: Fewest complete months before a period that the period-effects model is fitted to.
MIN_HISTORY_MONTHS = 24
#: Draws of the simulated prediction interval; the seed keeps profile.json reproducible.
PREDICTION_DRAWS = 20_000
PREDICTION_SEED = 20_200_323
SPLITS: tuple[str, ...] = ("all", "domestic", "non_domestic")


# --- months ---------------------------------------------------------------------------------


def month_number(month: str) -> int:
    """Months since year 0 of a ``YYYY-MM`` string (consecutive months differ by 1)."""
    year, mon = month.split("-")
    return int(year) * 12 + int(mon) - 1


def month_name(number: int) -> str:
    """``YYYY-MM`` of a :func:`month_number`."""
    return f"{number // 12:04d}-{number % 12 + 1:02d}"


def month_days(month: str) -> int:
    year, mon = month.split("-")
    return calendar.monthrange(int(year), int(mon))[1]


def month_bounds(month: str) -> tuple[date, date]:
    """First and last day of a ``YYYY-MM`` month."""
    year, mon = (int(p) for p in month.split("-"))
    return date(year, mon, 1), date(year, mon, month_days(month))


def months_between(first: str, last: str) -> list[str]:
    """Every month from ``first`` to ``last`` inclusive."""
    return [month_name(n) for n in range(month_number(first), month_number(last) + 1)]


def year_of_month(month: str, basis: str) -> int:
    """Calendar year, or financial year (April–March) named by its start year, of a month."""
    year, mon = (int(p) for p in month.split("-"))
    return year - 1 if basis == "financial" and mon < 4 else year


@dataclass(frozen=True)
class MonthlyTotals:
    """In-scope crimes per month, with the window's months, gaps and complete months."""

    counts: dict[str, int]
    window: list[str]
    #: Complete months present and not left out of models.
    complete: list[str]
    #: Months flagged as anomalously low and left out of models (gaps are never here).
    left_out: list[str] = field(default_factory=list)

    @property
    def missing(self) -> list[str]:
        """Months of the window with no in-scope crime: gaps, not zeros."""
        return [m for m in self.window if m not in self.counts]


def monthly_totals(ds: Dataset) -> MonthlyTotals:
    """Count in-scope crimes by month in the engine and mark the window's gaps."""
    crimes = ds.crimes
    expr = crimes.group_by(month=month_of(crimes.occurred_from)).aggregate(crimes=crimes.count())
    counts = {r["month"]: int(r["crimes"]) for r in rows(expr)}
    if ds.window.empty:
        return MonthlyTotals({}, [], [])
    assert ds.window.first is not None and ds.window.last is not None
    window = months_between(ds.window.first.strftime("%Y-%m"), ds.window.last.strftime("%Y-%m"))
    left_out = months_left_out_of_models(ds, counts)
    complete = [m for m in _complete_window_months(ds) if m in counts and m not in left_out]
    return MonthlyTotals(counts, window, complete, left_out)


def months_left_out_of_models(ds: Dataset, counts: dict[str, int] | None = None) -> list[str]:
    """Months that trend, seasonality and forecast models leave out: in-scope months flagged
    by the low-volume rule, or none when ``options.keep_anomalous_months`` is set."""
    if ds.options.keep_anomalous_months:
        return []
    if counts is None:
        crimes = ds.crimes
        expr = crimes.group_by(month=month_of(crimes.occurred_from)).aggregate(n=crimes.count())
        counts = {r["month"]: int(r["n"]) for r in rows(expr)}
    return low_volume_months(counts)


def _complete_window_months(ds: Dataset) -> list[str]:
    """The window's complete months; the last month too when it ends on month-level records."""
    months = ds.window.complete_months()
    assert ds.window.last is not None
    last_month = ds.window.last.strftime("%Y-%m")
    if months and months[-1] == last_month:
        return months
    crimes = ds.crimes
    month_level = crimes.filter(crimes.time_precision == "month").occurred_from.max()
    if scalar(month_level) == ds.window.last:
        first = months[0] if months else last_month
        return months_between(first, last_month)
    return months


def monthly_counts_by(ds: Dataset, key: str) -> dict[tuple[str, Any], int]:
    """In-scope crimes by (month, ``key``), counted in the engine."""
    crimes = ds.crimes
    expr = crimes.group_by(month=month_of(crimes.occurred_from), key=crimes[key]).aggregate(
        crimes=crimes.count()
    )
    return {(r["month"], r["key"]): int(r["crimes"]) for r in rows(expr)}


def _groups_in_scope(ds: Dataset) -> list[str]:
    crimes = ds.crimes
    return sorted(r["offence_group"] for r in rows(crimes.select("offence_group").distinct()))


def _needs_vawg_groups(
    id: str, title: str, fn: Callable[..., Any], keys: tuple[str, ...]
) -> Finding:
    """Not available in a crimes-only dataset: its offence groups are the publisher's types."""
    finding = not_available(id, title, definition_of(fn), ("crimes.offence_group",), keys)
    return replace(
        finding,
        summary="Not available: needs VAWG offence groups (crimes.offence_group); a "
        "crimes-only dataset carries only the publisher's broad crime types.",
    )


# --- the offence-group mix ------------------------------------------------------------------


def share_by_group_since(ds: Dataset) -> Finding:
    """Share of crimes in each offence group since ``mix_since``.

    Definition: {group: share} of in-scope crimes with occurred_from on or after
    ``options.mix_since`` (default 2020-07-01), over every offence group that has an in-scope
    crime anywhere in the window; a group with crimes in scope but none since the date has
    share 0, a group with no crime in scope at all is absent. The shares sum to 1. Not
    available when no crime falls on or after the date, and in a crimes-only dataset (no VAWG
    offence groups).

    Interval: each share carries a Wilson score 95% interval (``options.confidence``), treating
    the crimes as independent draws; Brown, Cai & DasGupta (2001), Statistical Science 16(2).
    """
    key, title = "share_by_group_since", "Offence-group mix since a date"
    if ds.crimes_only:
        return _needs_vawg_groups(key, title, share_by_group_since, (key,))
    since = ds.options.mix_since
    crimes = ds.crimes
    recent = crimes.filter(crimes.occurred_from >= ibis.timestamp(since.isoformat()))
    counts = {
        r["offence_group"]: int(r["crimes"])
        for r in rows(recent.group_by("offence_group").aggregate(crimes=recent.count()))
    }
    total = sum(counts.values())
    if total == 0:
        return not_available(
            key,
            title,
            definition_of(share_by_group_since),
            (f"crimes.occurred_from on or after {since.isoformat()}",),
            (key,),
        )
    groups = sorted(_groups_in_scope(ds), key=lambda g: (-counts.get(g, 0), g))
    table = []
    for group in groups:
        k = counts.get(group, 0)
        interval = share(k, total, ds.options.confidence)
        assert interval is not None
        table.append({"group": group, "crimes": k, "share": k / total, **_low_high(interval)})
    top = table[0]
    return Finding(
        id=key,
        title=title,
        definition=definition_of(share_by_group_since),
        summary=f"Since {since.isoformat()}, {top['group'].replace('_', ' ')} is the largest "
        f"group: {top['share']:.1%} of {total:,} crimes.",
        figures={"since": since.isoformat(), "crimes": total},
        tables={"share_by_group": table},
        headlines={key: {row["group"]: row["share"] for row in table}},
    )


def _low_high(interval: dict[str, float]) -> dict[str, float]:
    return {"low": interval["low"], "high": interval["high"]}


# --- growth ---------------------------------------------------------------------------------


def fastest_growing_group(ds: Dataset) -> Finding:
    """The offence group that grew fastest.

    Definition: growth = crimes in the last 12 complete months ÷ crimes in the 12 months from
    ``options.growth_since`` (default 2020-01; the 12 calendar months starting with the month
    of that date) − 1; the group with the largest growth (ties: the first group in
    alphabetical order of its code). Every offence group with an in-scope crime is listed; a
    group with no crimes in the base months is left out of the ranking. Not available when any
    base month is not a complete month of the window or is a gap (no crimes at all), when fewer
    than 12 complete months follow the base months, when the last 12 complete months hold a
    gap, and in a crimes-only dataset (no VAWG offence groups).

    Interval: the rate ratio latest ÷ base (equal 12-month exposures) has an exact conditional
    interval: given n = latest + base, latest ~ Binomial(n, RR / (1 + RR)); the Clopper-Pearson
    interval for that proportion p (scipy ``binomtest(...).proportion_ci("exact")``) maps to
    RR = p / (1 − p), and growth = RR − 1. It assumes Poisson counts; coverage is at least
    nominal. Reference: Fay (2010), "Two-sided exact tests and matching confidence intervals
    for discrete data", R Journal 2(1).
    """
    key, title = "fastest_growing_group", "Fastest-growing offence group"
    definition = definition_of(fastest_growing_group)
    if ds.crimes_only:
        return _needs_vawg_groups(key, title, fastest_growing_group, (key,))
    totals = monthly_totals(ds)
    first = f"{ds.options.growth_since:%Y-%m}"
    base = months_between(first, month_name(month_number(first) + 11))
    after = [m for m in totals.complete if month_number(m) > month_number(base[-1])]
    latest = after[-12:]
    problem = _growth_problem(totals, base, latest)
    if problem:
        return not_available(key, title, definition, problem, (key,))
    by_month_group = monthly_counts_by(ds, "offence_group")
    table = _growth_table(by_month_group, _groups_in_scope(ds), base, latest, ds.options.confidence)
    ranked = [row for row in table if row["growth"] is not None]
    leader = ranked[0]["group"] if ranked else None
    summary = (
        f"{leader.replace('_', ' ').capitalize()} grew fastest: {ranked[0]['base']:,} crimes in "
        f"{base[0]}–{base[-1]} to {ranked[0]['latest']:,} in {latest[0]}–{latest[-1]} "
        f"({ranked[0]['growth']:+.0%})."
        if leader
        else "No group had crimes in the base months."
    )
    return Finding(
        id=key,
        title=title,
        definition=definition,
        summary=summary,
        figures={"base_months": [base[0], base[-1]], "latest_months": [latest[0], latest[-1]]},
        tables={"growth_by_group": table},
        headlines={key: leader},
    )


def _growth_problem(totals: MonthlyTotals, base: list[str], latest: list[str]) -> tuple[str, ...]:
    """Why the growth comparison cannot be made (as needs), or () when it can."""
    complete = set(totals.complete)
    outside = [m for m in base if m not in complete]
    if outside:
        return (
            f"crimes.occurred_from in every day of {base[0]}–{base[-1]} (missing or "
            f"incomplete: {', '.join(outside)})",
        )
    if len(latest) < 12:
        return (f"12 complete months after {base[-1]} (have {len(latest)})",)
    gaps = [m for m in months_between(latest[0], latest[-1]) if m not in complete]
    if gaps:
        return (
            f"crimes.occurred_from in every month of {latest[0]}–{latest[-1]} "
            f"(missing: {', '.join(gaps)})",
        )
    return ()


def _growth_table(
    counts: dict[tuple[str, Any], int],
    groups: Iterable[str],
    base: list[str],
    latest: list[str],
    confidence: float,
) -> list[dict[str, Any]]:
    """Rows of base, latest and growth per group, ranked by growth (left-out groups last)."""
    table = []
    for group in groups:
        b = sum(counts.get((m, group), 0) for m in base)
        n = sum(counts.get((m, group), 0) for m in latest)
        row: dict[str, Any] = {"group": group, "base": b, "latest": n}
        if b == 0:
            row |= {"growth": None, "low": None, "high": None, "note": "no crimes in base months"}
        else:
            ratio = count_ratio(n, b, confidence)
            assert ratio is not None and ratio["low"] is not None
            high = float("inf") if ratio["high"] is None else ratio["high"]
            row |= {"growth": n / b - 1, "low": ratio["low"] - 1, "high": high - 1, "note": None}
        table.append(row)
    table.sort(key=lambda r: (r["growth"] is None, -(r["growth"] or 0), r["group"]))
    rank = 0
    for position, row in enumerate(table, start=1):
        if row["growth"] is None:
            row["rank"] = None
            continue
        previous = table[position - 2] if position > 1 else None
        if previous is None or previous["growth"] != row["growth"]:
            rank = position
        row["rank"] = rank
    return table


# --- seasonality ----------------------------------------------------------------------------


def summer_peak_years(ds: Dataset) -> Finding:
    """Years whose summer months out-number the rest.

    Definition: complete calendar years whose mean monthly count for June–August exceeds the
    mean of the other nine months. A calendar year is complete when all twelve of its months
    are complete months of the window and none is a gap (a year missing a month is not
    complete) or left out of models as anomalously low. Not available when no calendar year
    is complete.

    Interval: each year's table row also gives the summer ÷ other-months rate ratio with an
    exact conditional interval (summer crimes ~ Binomial(all crimes, 3·RR / (3·RR + 9)),
    Clopper-Pearson), so a reader sees which peaks are more than noise. The headline is the
    plain comparison of means, as defined.
    """
    key, title = "summer_peak_years", "Years with a summer peak"
    totals = monthly_totals(ds)
    complete = set(totals.complete)
    years = sorted(
        year
        for year in {int(m[:4]) for m in complete}
        if all(f"{year:04d}-{mo:02d}" in complete for mo in range(1, 13))
    )
    if not years:
        return not_available(
            key,
            title,
            definition_of(summer_peak_years),
            ("crimes.occurred_from covering a whole calendar year",),
            (key,),
        )
    table = [_summer_row(totals.counts, year, ds.options.confidence) for year in years]
    peaks = [row["year"] for row in table if row["summer_peak"]]
    others = [row["year"] for row in table if not row["summer_peak"]]
    summary = (
        f"Summer (June–August) averaged more crimes a month than the rest of the year in "
        f"{len(peaks)} of {len(years)} complete years"
        + (f"; not in {', '.join(map(str, others))}." if others else ".")
    )
    return Finding(
        id=key,
        title=title,
        definition=definition_of(summer_peak_years),
        summary=summary,
        figures={"complete_years": years, "year_basis": "calendar"},
        tables={"summer_vs_rest_by_year": table},
        headlines={key: peaks},
    )


def _summer_row(counts: dict[str, int], year: int, confidence: float) -> dict[str, Any]:
    summer = sum(counts[f"{year:04d}-{m:02d}"] for m in SUMMER_MONTHS)
    rest = sum(counts[f"{year:04d}-{m:02d}"] for m in range(1, 13) if m not in SUMMER_MONTHS)
    summer_mean, rest_mean = summer / 3, rest / 9
    ratio = count_ratio(summer, rest, confidence, a_units=3, b_units=9)
    low, high = (None, None) if ratio is None else (ratio["low"], ratio["high"])

    return {
        "year": year,
        "summer_mean": summer_mean,
        "other_months_mean": rest_mean,
        "difference": summer_mean - rest_mean,
        "summer_peak": summer_mean > rest_mean,
        "rate_ratio": summer_mean / rest_mean if rest_mean else None,
        "low": low,
        "high": float("inf") if ratio is not None and high is None else high,
    }


def peak_month(ds: Dataset) -> Finding:
    """The month with the most crimes.

    Definition: the month (``YYYY-MM`` of occurred_from) with the most in-scope crimes; ties go
    to the earliest month. Every month of the window with crimes takes part, including months
    the window cuts short at either end (a cut month can only lose crimes, so it never wins
    unfairly). Not available when there are no in-scope crimes.
    """
    key, title = "peak_month", "Peak month"
    totals = monthly_totals(ds)
    if not totals.counts:
        return not_available(key, title, definition_of(peak_month), ("crimes",), (key,))
    ordered = sorted(totals.counts.items(), key=lambda item: (-item[1], item[0]))
    table = []
    for position, (month, crimes) in enumerate(ordered[:12], start=1):
        rank = table[-1]["rank"] if table and table[-1]["crimes"] == crimes else position
        table.append({"rank": rank, "month": month, "crimes": crimes})
    best, runner = ordered[0], ordered[1] if len(ordered) > 1 else None
    summary = f"{best[0]} had the most crimes: {best[1]:,}" + (
        f", against {runner[1]:,} in the next busiest month ({runner[0]})." if runner else "."
    )
    return Finding(
        id=key,
        title=title,
        definition=definition_of(peak_month),
        summary=summary,
        figures={"crimes": best[1], "missing_months": totals.missing},
        tables={"busiest_months": table},
        headlines={key: best[0]},
    )


def monthly_counts(ds: Dataset) -> Finding:
    """Crimes by month and offence group.

    Definition: in-scope crimes per month (``YYYY-MM`` of occurred_from) for every month of
    the window, in total and by offence group (by ``crime_type`` in a crimes-only dataset,
    which has no VAWG offence groups). A month with no in-scope crime at all is a gap: its
    counts are empty (never 0) and it is listed under ``missing_months``; in a month with
    crimes, a group with none counts 0. ``complete`` says whether all the month's days lie
    inside the window. A month flagged as anomalously low keeps its count here and is listed
    in the ``months_left_out_of_models`` table: trend, seasonality and forecast models leave
    it out.
    """
    key = "crime_type" if ds.crimes_only else "offence_group"
    totals = monthly_totals(ds)
    counts = monthly_counts_by(ds, key)
    groups = sorted({g for _, g in counts}, key=lambda g: (g is None, str(g)))
    complete = set(_complete_window_months(ds)) if totals.window else set()
    table = []
    for month in totals.window:
        present = month in totals.counts
        row: dict[str, Any] = {
            "month": month,
            "complete": month in complete,
            "crimes": totals.counts.get(month),
        }
        for group in groups:
            row[str(group)] = counts.get((month, group), 0) if present else None
        table.append(row)
    missing = totals.missing
    return Finding(
        id="monthly_counts",
        title="Crimes by month and group",
        definition=definition_of(monthly_counts),
        summary=f"{len(totals.counts)} months with crimes"
        + (f"; {len(missing)} month(s) missing: {', '.join(missing)}." if missing else "."),
        figures={
            "grouped_by": key,
            "groups": [str(g) for g in groups],
            "missing_months": missing,
            "months_left_out_of_models": totals.left_out,
            "left_out_rule": LOW_VOLUME_RULE,
        },
        tables={"monthly_counts": table, "months_left_out_of_models": _left_out_rows(totals)},
    )


def seasonality(ds: Dataset) -> Finding:
    """Crimes by month of the year, for each year.

    Definition: in-scope crimes in each month, laid out as rows year × month of the year, with
    years calendar or financial (April–March, named by the year it starts in) as
    ``options.year_basis`` sets; financial years list April first. Gaps (months of the window
    with no crimes) are empty, never 0; months outside the window are not listed; a month
    flagged as anomalously low keeps its count and is marked ``left_out_of_models``.
    """
    basis = ds.options.year_basis
    totals = monthly_totals(ds)
    complete = set(_complete_window_months(ds)) if totals.window else set()
    table = [
        {
            "year": year_of_month(month, basis),
            "year_basis": basis,
            "month": int(month[5:]),
            "month_name": calendar.month_abbr[int(month[5:])],
            "period": month,
            "crimes": totals.counts.get(month),
            "complete": month in complete,
            "left_out_of_models": month in totals.left_out,
        }
        for month in totals.window
    ]
    return Finding(
        id="seasonality",
        title="Seasonality: crimes by month of each year",
        definition=definition_of(seasonality),
        summary=f"Monthly crimes for {len({r['year'] for r in table})} {basis} year(s)"
        + (f"; missing months: {', '.join(totals.missing)}." if totals.missing else "."),
        figures={
            "year_basis": basis,
            "missing_months": totals.missing,
            "months_left_out_of_models": totals.left_out,
        },
        tables={
            "crimes_by_year_and_month": table,
            "months_left_out_of_models": _left_out_rows(totals),
        },
    )


def _left_out_rows(totals: MonthlyTotals) -> list[dict[str, Any]]:
    return [
        {"month": m, "crimes": totals.counts.get(m), "reason": LOW_VOLUME_RULE}
        for m in totals.left_out
    ]


# --- period effects -------------------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    """Monthly counts of one split (all, domestic or non-domestic) for the months present."""

    name: str
    counts: dict[str, float]


@dataclass(frozen=True)
class Prediction:
    expected: float
    low: float
    high: float


def _design(months: list[str], origin: int) -> np.ndarray:
    """Intercept, linear trend (months since ``origin``) and 11 month-of-year indicators."""
    numbers = np.array([month_number(m) for m in months])
    moy = numbers % 12
    columns = [np.ones(len(months)), (numbers - origin).astype(float)]
    columns += [(moy == k).astype(float) for k in range(1, 12)]
    return np.column_stack(columns)


@dataclass(frozen=True)
class Baseline:
    """The Poisson GLM fitted to one split's history months, ready to predict other months.

    ``dispersion`` is the Pearson χ² ÷ residual degrees of freedom of the fit, floored at 1:
    monthly crime counts vary more than Poisson, and the interval widens to match.
    """

    params: np.ndarray
    cov: np.ndarray
    origin: int
    dispersion: float

    def predict(self, weights: dict[str, float], confidence: float) -> Prediction:
        """The weighted sum of the months in ``weights`` (month → share of its days counted)."""
        months = list(weights)
        x = _design(months, self.origin)
        w = np.array([weights[m] for m in months])
        expected = float(w @ np.exp(x @ self.params))
        rng = np.random.default_rng(PREDICTION_SEED)
        betas = rng.multivariate_normal(self.params, self.cov, size=PREDICTION_DRAWS, method="eigh")
        with np.errstate(over="ignore"):
            lam = np.minimum(np.exp(betas @ x.T) @ w, 1e12)
        draws = _counts_around(lam, self.dispersion, rng)
        tail = (1 - confidence) / 2
        low, high = np.quantile(draws, [tail, 1 - tail])
        return Prediction(expected, float(low), float(high))

    def predict_each(self, months: list[str], confidence: float) -> dict[str, Prediction]:
        """Each month's count on its own (whole months), from one set of simulation draws."""
        x = _design(months, self.origin)
        rng = np.random.default_rng(PREDICTION_SEED)
        betas = rng.multivariate_normal(self.params, self.cov, size=PREDICTION_DRAWS, method="eigh")
        with np.errstate(over="ignore"):
            lam = np.minimum(np.exp(betas @ x.T), 1e12)
        draws = _counts_around(lam.ravel(), self.dispersion, rng).reshape(lam.shape)
        tail = (1 - confidence) / 2
        lows, highs = np.quantile(draws, [tail, 1 - tail], axis=0)
        expected = np.exp(x @ self.params)
        return {
            m: Prediction(float(e), float(lo), float(hi))
            for m, e, lo, hi in zip(months, expected, lows, highs, strict=True)
        }

    def expected(self, month: str) -> float:
        return float(np.exp(_design([month], self.origin) @ self.params)[0])


def _counts_around(lam: np.ndarray, dispersion: float, rng: np.random.Generator) -> np.ndarray:
    """Counts with mean ``lam`` and variance ``dispersion × lam`` (Poisson when it is 1)."""
    if dispersion <= 1:
        return rng.poisson(lam)
    # gamma-Poisson (negative binomial) with size lam / (φ − 1) has variance φ·lam
    draws = np.zeros(len(lam))
    positive = lam > 0
    draws[positive] = rng.negative_binomial(lam[positive] / (dispersion - 1), 1 / dispersion)
    return draws


def fit_baseline(series: dict[str, float], history: list[str]) -> Baseline | None:
    """Fit the Poisson GLM to the ``history`` months of ``series``; None when it holds no crime
    (the expectation is then 0, with nothing to fit)."""
    y = np.array([series.get(m, 0.0) for m in history])
    if y.sum() == 0:
        return None
    origin = month_number(history[0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # perfect fits and empty months warn; both are fine
        fit = GLM(y, _design(history, origin), family=Poisson()).fit()
    dispersion = max(1.0, float(fit.pearson_chi2 / fit.df_resid)) if fit.df_resid > 0 else 1.0
    cov = np.asarray(fit.cov_params()) * dispersion
    return Baseline(np.asarray(fit.params), cov, origin, dispersion)


NO_CRIMES = Prediction(0.0, 0.0, 0.0)


def _period_days(month: str, start: date, end: date) -> int:
    first, last = month_bounds(month)
    return max(0, (min(last, end) - max(first, start)).days + 1)


def _split_series(ds: Dataset) -> tuple[dict[str, dict[str, float]], bool]:
    """Monthly counts per split over the months present, and whether ``domestic`` is known."""
    counts = monthly_counts_by(ds, "domestic")
    series: dict[str, dict[str, float]] = {s: {} for s in SPLITS}
    for (month, domestic), n in counts.items():
        series["all"][month] = series["all"].get(month, 0) + n
        for split in ("domestic", "non_domestic"):
            series[split].setdefault(month, 0)
        if domestic is not None:
            split = "domestic" if domestic else "non_domestic"
            series[split][month] += n
    known = any(d is not None for _, d in counts)
    return series, known


def _observed_in_period(ds: Dataset, start: date, end: date) -> dict[str, dict[str, float]]:
    """Crimes in the period per month and split: day-dated crimes by their date; a
    month-level record counts the share of its month's days that the period covers."""
    crimes = ds.crimes
    month_level = crimes.time_precision.fill_null("exact") == "month"
    inside = (crimes.occurred_from >= ibis.timestamp(start.isoformat())) & (
        crimes.occurred_from < ibis.timestamp((end + timedelta(days=1)).isoformat())
    )
    months = _period_months(start, end)
    observed = {m: dict.fromkeys(SPLITS, 0.0) for m in months}
    for selected, pro_rata in (
        (crimes.filter(inside & ~month_level), False),
        (crimes.filter(month_level), True),
    ):
        expr = selected.group_by(
            month=month_of(selected.occurred_from), domestic=selected.domestic
        ).aggregate(n=selected.count())
        for r in rows(expr):
            if r["month"] not in observed:
                continue
            share = _period_days(r["month"], start, end) / month_days(r["month"])
            _add_split(observed[r["month"]], r["domestic"], r["n"] * (share if pro_rata else 1))
    return observed


def _add_split(totals: dict[str, float], domestic: bool | None, n: float) -> None:
    totals["all"] += n
    if domestic is not None:
        totals["domestic" if domestic else "non_domestic"] += n


def _history_problem(
    ds: Dataset,
    history: list[str],
    months: list[str],
    totals: MonthlyTotals,
    start: date,
    end: date,
) -> str | None:
    if not totals.window or ds.window.first is None or ds.window.last is None:
        return "no in-scope crimes"
    last_day = ds.window.last.date()
    if totals.window[-1] in totals.complete:  # month-level records stand for the whole month
        last_day = max(last_day, month_bounds(totals.window[-1])[1])
    if start < ds.window.first.date() or end > last_day:
        return "the period reaches outside the window"
    gaps = [m for m in months if m not in totals.counts]
    if gaps:
        return f"months of the period are missing from the data: {', '.join(gaps)}"
    flagged = [m for m in months if m in totals.left_out]
    if flagged:
        return (
            "months of the period are anomalously low (suspected incomplete) and left out: "
            + ", ".join(flagged)
        )
    if len(history) < MIN_HISTORY_MONTHS:
        return (
            f"{len(history)} complete months before the period; the model needs "
            f"{MIN_HISTORY_MONTHS}"
        )
    if len({month_number(m) % 12 for m in history}) < 12:
        return "the months before the period do not cover every month of the year"
    return None


def _period_months(start: date, end: date) -> list[str]:
    return months_between(f"{start:%Y-%m}", f"{end:%Y-%m}")


def _history_before(totals: MonthlyTotals, start: date, periods: list[dict[str, Any]]) -> list[str]:
    """Complete months present whose last day falls before ``start``, leaving out months
    that any named period touches (their counts are the departures the analysis measures)."""
    touched = {m for p in periods for m in _period_months(p["start_date"], p["end_date"])}
    return [m for m in totals.complete if month_bounds(m)[1] < start and m not in touched]


def _estimate_period(
    ds: Dataset,
    period: dict[str, Any],
    periods: list[dict[str, Any]],
    totals: MonthlyTotals,
    series: dict[str, dict[str, float]],
    domestic_known: bool,
) -> tuple[dict[str, Any] | None, dict[str, Any], list[dict[str, Any]], str | None]:
    """The headline row of one period, its month rows, and why it failed (or None)."""
    start, end = period["start_date"], period["end_date"]
    months = _period_months(start, end)
    history = _history_before(totals, start, periods)
    problem = _history_problem(ds, history, months, totals, start, end)
    if problem:
        return None, {}, [], problem
    weights = {m: _period_days(m, start, end) / month_days(m) for m in months}
    by_month = _observed_in_period(ds, start, end)
    observed = {split: sum(by_month[m][split] for m in months) for split in SPLITS}
    result: dict[str, Any] = {"period": period["name"], "kind": period["kind"]}
    skipped = [m for m in months_between(history[0], history[-1]) if m not in history]
    context = {
        "history_from": history[0],
        "history_to": history[-1],
        "history_months": len(history),
        "history_months_left_out": ", ".join(skipped),
    }
    month_rows: dict[str, dict[str, Any]] = {
        m: {"period": period["name"], "month": m, "days_share": weights[m]} for m in months
    }
    for split in SPLITS:
        if split != "all" and not domestic_known:
            result[split] = None
            continue
        baseline = fit_baseline(series[split], history)
        prediction = baseline.predict(weights, ds.options.confidence) if baseline else NO_CRIMES
        figures = {
            "observed": observed[split],
            "expected": prediction.expected,
            "low": prediction.low,
            "high": prediction.high,
        }
        if split == "all":
            result |= figures
        else:
            result[split] = figures
        for m in months:
            month_rows[m][f"{split}_observed"] = by_month[m][split]
            month_rows[m][f"{split}_expected"] = (
                baseline.expected(m) * weights[m] if baseline else 0.0
            )
        context[f"{split}_dispersion"] = baseline.dispersion if baseline else None
    return result, context, list(month_rows.values()), None


def period_effects(ds: Dataset) -> Finding:
    """Crimes in named periods (e.g. lockdowns) against what the trend predicted.

    Definition: for each row of ``periods``: observed crimes vs expected — a Poisson GLM
    (log link; intercept, a linear trend in months and 11 month-of-year indicators) fitted to
    the monthly counts before the period, predicting the period — split domestic /
    non-domestic (crimes with no ``domestic`` value count in the total only; the splits are
    null when no crime has one). The history is every complete month that ends before the
    period starts, except gaps (no crimes at all: left out, never zero), months flagged as
    anomalously low (unless ``options.keep_anomalous_months``) and months that any
    named period touches (their counts are the departures being measured). Periods are whole
    days, start and end included. Observed counts crimes dated inside the period (a
    month-level record counts the share of its month's days that the period covers);
    expected sums each touched month's predicted count times the share of that month's days
    inside the period (so a constant history of c a month expects c × days/days-in-month). A
    period is not estimated, and is listed with the reason, when it reaches outside the
    window, touches a missing or left-out month, or has fewer than 24 history months or
    history months that miss a month of the year. Not available without a ``periods`` table.

    Interval: a 95% prediction interval (``options.confidence``) for the period's count, by
    simulation (20,000 draws, fixed seed so runs repeat): coefficients drawn from their
    estimated normal sampling distribution give an expected count each, and a count is drawn
    around it; the interval is the 2.5th and 97.5th percentiles of those counts. Monthly
    counts vary more than Poisson, so the covariance is scaled by the dispersion φ = Pearson
    χ² ÷ residual degrees of freedom (quasi-Poisson, floored at 1) and the counts are
    gamma-Poisson with variance φ × mean (Poisson when φ = 1); McCullagh & Nelder (1989),
    Generalized Linear Models, §6.2. Observed above ``high`` is a rise the trend did not
    predict; below ``low`` a fall.

    The ``monthly_residuals`` table fits the same model once, to the history of the earliest
    period, and sets every later complete month against it per split (observed, expected,
    interval, excess), which shows short departures between periods such as a summer uptick.
    """
    key, title = "period_effects", "Named periods against the expected trend"
    definition = definition_of(period_effects)
    if not ds.has("periods"):
        return not_available(key, title, definition, ("periods",), (key,))
    periods = rows(ds.table("periods").order_by("start_date", "name"))
    if not periods:
        return not_available(key, title, definition, ("periods.name",), (key,))
    totals = monthly_totals(ds)
    series, domestic_known = _split_series(ds)
    effects, month_rows, skipped = [], [], []
    flat = []
    for period in periods:
        result, context, months, problem = _estimate_period(
            ds, period, periods, totals, series, domestic_known
        )
        if result is None:
            skipped.append({"period": period["name"], "kind": period["kind"], "reason": problem})
            continue
        effects.append(result)
        flat.append(_flat_effect(result) | context)
        month_rows += months
    residuals = _monthly_residuals(ds, periods, totals, series, domestic_known)
    tables = {
        "period_effects": flat,
        "period_months": month_rows,
        "monthly_residuals": residuals,
        "periods_not_estimated": skipped,
    }
    return Finding(
        id=key,
        title=title,
        definition=definition,
        summary=_period_summary(effects, skipped),
        figures={
            "domestic_split": domestic_known,
            "missing_months": totals.missing,
            "months_left_out_of_models": totals.left_out,
        },
        tables=tables,
        headlines={key: effects},
    )


def _flat_effect(effect: dict[str, Any]) -> dict[str, Any]:
    row = {k: v for k, v in effect.items() if not isinstance(v, dict) and v is not None}
    for split in ("domestic", "non_domestic"):
        for name, value in (effect.get(split) or {}).items():
            row[f"{split}_{name}"] = value
    return row


def _period_summary(effects: list[dict[str, Any]], skipped: list[dict[str, Any]]) -> str:
    if not effects:
        return "No period could be estimated: " + "; ".join(
            f"{s['period']}: {s['reason']}" for s in skipped
        )
    parts = []
    for e in effects:
        verdict = (
            "above"
            if e["observed"] > e["high"]
            else ("below" if e["observed"] < e["low"] else "within")
        )
        parts.append(
            f"{e['period']}: {e['observed']:,.0f} crimes against {e['expected']:,.0f} expected "
            f"({verdict} the {e['low']:,.0f}–{e['high']:,.0f} interval)"
        )
    return "; ".join(parts) + "."


def _monthly_residuals(
    ds: Dataset,
    periods: list[dict[str, Any]],
    totals: MonthlyTotals,
    series: dict[str, dict[str, float]],
    domestic_known: bool,
) -> list[dict[str, Any]]:
    """Each complete month from the earliest period on, against the model fitted before it."""
    start = min(p["start_date"] for p in periods)
    history = _history_before(totals, start, periods)
    if len(history) < MIN_HISTORY_MONTHS or len({month_number(m) % 12 for m in history}) < 12:
        return []
    later = [m for m in totals.complete if month_number(m) > month_number(history[-1])]
    splits = SPLITS if domestic_known else ("all",)
    out: dict[str, dict[str, Any]] = {m: {"month": m} for m in later}
    for split in splits:
        baseline = fit_baseline(series[split], history)
        predictions = baseline.predict_each(later, ds.options.confidence) if baseline else {}
        for month in later:
            prediction = predictions.get(month, NO_CRIMES)
            observed = series[split].get(month, 0.0)
            out[month] |= {
                f"{split}_observed": observed,
                f"{split}_expected": prediction.expected,
                f"{split}_low": prediction.low,
                f"{split}_high": prediction.high,
                f"{split}_excess": observed - prediction.expected,
            }
    return list(out.values())


ANALYSES: tuple[Callable[[Dataset], Finding], ...] = (
    share_by_group_since,
    fastest_growing_group,
    monthly_counts,
    seasonality,
    summer_peak_years,
    peak_month,
    period_effects,
)

__all__ = [
    "ANALYSES",
    "fastest_growing_group",
    "monthly_counts",
    "peak_month",
    "period_effects",
    "seasonality",
    "share_by_group_since",
    "summer_peak_years",
]
