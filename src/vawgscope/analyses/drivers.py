"""Drivers of VAWG: the day's temperature, licensed premises and deprivation.

Two models, each fitted to aggregates the engine returns:

- daily crime counts on temperature with weekday and year fixed effects (OLS, Newey–West
  interval), overall and by the perpetrators' age band;
- crimes per LSOA with a log-population offset on licensed premises per 1,000 residents and
  deprivation (negative binomial, dispersion estimated by maximum likelihood).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import ibis
import ibis.expr.types as ir
import ibis.selectors as sel
import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.discrete.discrete_model import NegativeBinomial
from statsmodels.regression.linear_model import OLS
from statsmodels.tools.tools import add_constant

from vawgscope.analyses.common import WEEKDAYS, month_of, rows
from vawgscope.analyses.finding import Finding, definition_of, not_available
from vawgscope.analyses.trends import month_days, months_left_out_of_models
from vawgscope.contract.vocab import PERPETRATOR_AGE_BANDS
from vawgscope.dataset import Dataset

__all__ = [
    "ANALYSES",
    "area_drivers",
    "temperature_by_perpetrator_age",
    "temperature_effect",
    "temperature_monthly",
]

#: Temperature columns of the weather table, in the order of preference (problem-profile.md).
TEMPERATURE_COLUMNS: tuple[str, ...] = ("tmax_c", "tmean_c")
TEMPERATURE_NEEDS = "weather.tmax_c or weather.tmean_c"
#: Width of the temperature bins of the chart table (°C).
BIN_WIDTH_C = 2.0
#: The effect is reported per this many degrees.
PER_DEGREES = 10.0
#: A month enters the monthly model when at least this share of its days has a temperature.
MONTH_WEATHER_COVERAGE = 0.8
#: Lower bounds of PERPETRATOR_AGE_BANDS (the last band is open).
_BAND_LOWER: tuple[int, ...] = tuple(
    int(b.split("-")[0].rstrip("+")) for b in PERPETRATOR_AGE_BANDS
)


# --- temperature: the daily series ------------------------------------------------------------


@dataclass(frozen=True)
class DailySeries:
    """Days of the window that have a temperature, with their crime counts (zeros included).

    ``days`` is in date order: ``{date, temperature, crimes}``. The window's other days and
    the crimes on them are left out of the model and counted here.
    """

    column: str
    days: list[dict[str, Any]]
    window_days: int
    days_without_weather: int
    crimes_on_days_without_weather: int
    crimes_month_precision: int


def _temperature_column(ds: Dataset) -> str | None:
    """``tmax_c`` when the weather table has any value of it, else ``tmean_c``, else None."""
    if not ds.has("weather"):
        return None
    for column in TEMPERATURE_COLUMNS:
        if ds.has("weather", column):
            return column
    return None


def _window_dates(ds: Dataset) -> tuple[date, date]:
    assert ds.window.first is not None and ds.window.last is not None
    return ds.window.first.date(), ds.window.last.date()


def _day_precision(crimes: ir.Table) -> ir.Table:
    """Crimes whose start is known at least to the day (month-level dates have no day)."""
    return crimes.filter(crimes.time_precision.isnull() | (crimes.time_precision != "month"))


def _weather_days(ds: Dataset, column: str) -> ir.Table:
    """``date, temperature`` for the window's days whose chosen temperature is given."""
    first, last = _window_dates(ds)
    weather = ds.table("weather")
    weather = weather.filter(
        weather[column].notnull(),
        weather.date >= ibis.date(first.isoformat()),
        weather.date <= ibis.date(last.isoformat()),
    )
    # One temperature per day even if the table repeats a date.
    return weather.group_by("date").aggregate(temperature=weather[column].mean())


def _crimes_per_day(crimes: ir.Table) -> ir.Table:
    """``date, crimes`` by the date of ``occurred_from`` (windows longer than 7 days included)."""
    dated = crimes.mutate(date=crimes.occurred_from.date())
    return dated.group_by("date").aggregate(crimes=dated.count())


def daily_series(ds: Dataset, column: str) -> DailySeries:
    """The daily counts the temperature model is fitted to, counted in the engine."""
    first, last = _window_dates(ds)
    crimes = _day_precision(ds.crimes)
    weather = _weather_days(ds, column)
    per_day = _crimes_per_day(crimes)
    joined = weather.left_join(per_day, "date").select(
        weather.date, weather.temperature, crimes=per_day.crimes.fill_null(0)
    )
    days = sorted(rows(joined), key=lambda r: r["date"])
    counts = rows(
        ds.crimes.aggregate(all=ds.crimes.count()).cross_join(crimes.aggregate(day=crimes.count()))
    )[0]
    counted = sum(int(r["crimes"]) for r in days)
    return DailySeries(
        column=column,
        days=[{**r, "crimes": int(r["crimes"])} for r in days],
        window_days=(last - first).days + 1,
        days_without_weather=(last - first).days + 1 - len(days),
        crimes_on_days_without_weather=int(counts["day"]) - counted,
        crimes_month_precision=int(counts["all"]) - int(counts["day"]),
    )


# --- temperature: the model -------------------------------------------------------------------


@dataclass(frozen=True)
class TemperatureFit:
    """OLS of daily counts on temperature with weekday and year fixed effects."""

    estimate: float
    low: float
    high: float
    coefficients: list[dict[str, Any]]
    slope: float
    mean_crimes: float
    mean_temperature: float
    hac_lags: int
    days: int


def newey_west_lags(n: int) -> int:
    """Bartlett-kernel lag length floor(4 (n / 100)^(2/9)) (Newey & West 1994), at least 1."""
    return max(1, math.floor(4 * (n / 100) ** (2 / 9)))


def _design(days: list[dict[str, Any]], year_basis: str) -> pd.DataFrame:
    """Constant, temperature, and dummies for weekday and year (first level left out)."""
    dates = [r["date"] for r in days]
    frame = pd.DataFrame({"temperature": [float(r["temperature"]) for r in days]})
    weekday = pd.Categorical([WEEKDAYS[d.weekday()] for d in dates], categories=WEEKDAYS)
    years = [_year(d, year_basis) for d in dates]
    year = pd.Categorical(years, categories=sorted(set(years)))
    dummies = [
        pd.get_dummies(weekday.remove_unused_categories(), prefix="weekday", drop_first=True),
        pd.get_dummies(year, prefix="year", drop_first=True),
    ]
    frame = pd.concat([frame, *dummies], axis=1).astype(float)
    return add_constant(frame, has_constant="add")


def _year(day: date, basis: str) -> int:
    if basis == "financial":
        return day.year if day.month >= 4 else day.year - 1
    return day.year


def fit_temperature(
    days: list[dict[str, Any]], confidence: float, year_basis: str = "calendar"
) -> TemperatureFit | None:
    """Fit the daily model; None when the days cannot identify a temperature effect."""
    exog = _design(days, year_basis)
    endog = np.array([float(r["crimes"]) for r in days])
    temperature = exog["temperature"].to_numpy()
    if len(days) <= exog.shape[1] or np.ptp(temperature) == 0:
        return None
    return _hac_fit(endog, exog, confidence)


def _hac_fit(endog: np.ndarray, exog: pd.DataFrame, confidence: float) -> TemperatureFit:
    """OLS with a Newey–West covariance; the temperature slope per ``PER_DEGREES``."""
    lags = newey_west_lags(len(endog))
    result = OLS(endog, exog).fit(
        cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": True}
    )
    interval = result.conf_int(alpha=1 - confidence)
    slope = float(result.params["temperature"])
    low, high = (float(v) for v in interval.loc["temperature"])
    return TemperatureFit(
        estimate=PER_DEGREES * slope,
        low=PER_DEGREES * low,
        high=PER_DEGREES * high,
        coefficients=_coefficient_rows(result, interval),
        slope=slope,
        mean_crimes=float(endog.mean()),
        mean_temperature=float(exog["temperature"].mean()),
        hac_lags=lags,
        days=len(endog),
    )


def _coefficient_rows(result: Any, interval: pd.DataFrame) -> list[dict[str, Any]]:
    return [
        {
            "term": str(term),
            "coefficient": float(result.params[term]),
            "std_error": float(result.bse[term]),
            "low": float(interval.loc[term].iloc[0]),
            "high": float(interval.loc[term].iloc[1]),
            "p_value": _finite(result.pvalues[term]),
        }
        for term in result.params.index
    ]


def _finite(value: float) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


def binned_table(days: list[dict[str, Any]], fit: TemperatureFit) -> list[dict[str, Any]]:
    """Mean crimes a day by 2 °C bin, with the fitted line at the bin's midpoint.

    ``fitted`` is the model's prediction at the midpoint with the weekday and year effects at
    their sample means, i.e. mean crimes + slope × (midpoint − mean temperature).
    """
    bins: dict[float, list[dict[str, Any]]] = {}
    for r in days:
        lower = math.floor(float(r["temperature"]) / BIN_WIDTH_C) * BIN_WIDTH_C
        bins.setdefault(lower, []).append(r)
    table = []
    for lower in sorted(bins):
        members = bins[lower]
        midpoint = lower + BIN_WIDTH_C / 2
        table.append(
            {
                "from_c": lower,
                "to_c": lower + BIN_WIDTH_C,
                "days": len(members),
                "mean_temperature": float(np.mean([m["temperature"] for m in members])),
                "mean_crimes": float(np.mean([m["crimes"] for m in members])),
                "fitted": fit.mean_crimes + fit.slope * (midpoint - fit.mean_temperature),
            }
        )
    return table


def _interval(fit: TemperatureFit) -> dict[str, float]:
    return {"estimate": fit.estimate, "low": fit.low, "high": fit.high}


def _left_out_figures(series: DailySeries) -> dict[str, Any]:
    return {
        "temperature_column": series.column,
        "window_days": series.window_days,
        "days_used": len(series.days),
        "days_with_no_crimes": sum(1 for r in series.days if r["crimes"] == 0),
        "days_without_weather": series.days_without_weather,
        "crimes_on_days_without_weather": series.crimes_on_days_without_weather,
        "crimes_month_precision_left_out": series.crimes_month_precision,
    }


def _temperature_inputs_missing(ds: Dataset) -> tuple[str, ...] | None:
    """What the temperature models lack, or None when they can run."""
    if _temperature_column(ds) is None:
        return (TEMPERATURE_NEEDS,)
    if ds.window.empty or int(_day_precision(ds.crimes).count().execute()) == 0:
        return ("crimes.occurred_from (known to the day)",)
    return None


def temperature_effect(ds: Dataset) -> Finding:
    """Temperature and daily crime.

    Definition: 10 × the coefficient of temperature in an OLS of daily crime counts on
    temperature + weekday + year fixed effects, in crimes a day per 10 °C. Temperature is
    `tmax_c` where the weather table has any value of it, else `tmean_c` (one column for the
    whole series; the finding says which). Daily counts are in-scope crimes by the date of
    `occurred_from`, including crimes whose window is longer than 7 days, and every day of the
    window (first to last `occurred_from`) that has a temperature is a row, with zero when it
    has no crimes. Days of the window with no temperature are left out, and they and their
    crimes are counted; crimes dated only to the month (`time_precision = month`) have no day
    and are left out and counted. Years follow the run's `year_basis`.

    Interval: Wald interval at `confidence` with a Newey–West (HAC, Bartlett kernel)
    covariance, lag floor(4 (n/100)^(2/9)) days (Newey & West 1994, Review of Economic Studies
    61(4):631-653), with small-sample correction. HAC rather than HC3 because daily counts
    and daily temperatures are both autocorrelated (spells of warm weather, runs of related
    offences), which makes a heteroskedasticity-only interval too narrow. Lags count rows in
    date order, so a day left out for missing weather shortens the lag by a day. Two-sided;
    assumes the fixed effects and temperature capture the mean (no seasonal term beyond
    temperature itself), so the coefficient includes anything that moves with temperature.
    """
    title = "Temperature and daily crime"
    definition = definition_of(temperature_effect)
    keys = ("temperature_effect_per_10c",)
    missing = _temperature_inputs_missing(ds)
    if missing:
        return not_available("temperature_effect", title, definition, missing, keys)
    series = daily_series(ds, _temperature_column(ds) or "")
    fit = fit_temperature(series.days, ds.options.confidence, ds.options.year_basis)
    if fit is None:
        return not_available(
            "temperature_effect", title, definition, ("weather: more days with temperature",), keys
        )
    figures = {
        **_left_out_figures(series),
        "per_10c": _interval(fit),
        "mean_crimes_per_day": fit.mean_crimes,
        "interval_method": f"Newey-West HAC, {fit.hac_lags} lags",
        "year_basis": ds.options.year_basis,
    }
    label = "maximum" if series.column == "tmax_c" else "mean"
    return Finding(
        id="temperature_effect",
        title=title,
        definition=definition,
        summary=(
            f"Each 10 °C of daily {label} temperature goes with {fit.estimate:+.1f} crimes a "
            f"day (95% interval {fit.low:+.1f} to {fit.high:+.1f}), against a mean of "
            f"{fit.mean_crimes:.1f} a day."
        ),
        figures=figures,
        tables={
            "daily_by_temperature_bin": binned_table(series.days, fit),
            "coefficients": fit.coefficients,
        },
        headlines={"temperature_effect_per_10c": _interval(fit)},
    )


# --- temperature: monthly, for month-level data ----------------------------------------------


def _monthly_rows(ds: Dataset, column: str) -> list[dict[str, Any]]:
    """``month, crimes, days, weather_days, temperature`` for every month with crimes."""
    crimes = ds.crimes
    per_month = crimes.group_by(month=month_of(crimes.occurred_from)).aggregate(
        crimes=crimes.count()
    )
    weather = ds.table("weather").filter(ds.table("weather")[column].notnull())
    weather = weather.group_by("date").aggregate(temperature=weather[column].mean())
    climate = weather.group_by(month=weather.date.strftime("%Y-%m")).aggregate(
        weather_days=weather.count(), temperature=weather.temperature.mean()
    )
    joined = per_month.left_join(climate, "month").select(
        per_month.month, per_month.crimes, climate.weather_days, climate.temperature
    )
    return [
        {**r, "crimes": int(r["crimes"]), "days": month_days(r["month"])}
        for r in sorted(rows(joined), key=lambda r: r["month"])
    ]


def temperature_monthly(ds: Dataset) -> Finding:
    """Temperature and monthly crime.

    Definition: for data dated only to the month (such as data.police.uk), 10 × the
    coefficient of temperature in an OLS of each month's crimes a day (in-scope crimes by the
    month of `occurred_from` ÷ days in the month) on the month's mean temperature + year fixed
    effects, in crimes a day per 10 °C. Temperature is `tmax_c` where the weather table has
    any value of it, else `tmean_c`, averaged over the month's days. A month is used when it
    has crimes, at least 80% of its days have a temperature, and the data-quality check does
    not leave it out of models (anomalously low months); months absent from the data are gaps,
    never zeros. Runs only when most in-scope crimes lack a day (otherwise the daily model
    applies). Years follow the run's `year_basis`.

    Interval: Wald interval at `confidence` with a Newey–West (HAC, Bartlett kernel)
    covariance, lag floor(4 (n/100)^(2/9)) months (Newey & West 1994), small-sample
    corrected; two-sided. With no month-of-year term the coefficient carries the whole
    seasonal cycle (longer evenings, holidays, the night-time economy) along with temperature:
    it is an association, not the effect of heat alone.
    """
    title = "Temperature and monthly crime"
    definition = definition_of(temperature_monthly)
    column = _temperature_column(ds)
    if column is None:
        return not_available("temperature_monthly", title, definition, (TEMPERATURE_NEEDS,))
    total = ds.counts()["crimes"] or 0
    day_level = int(_day_precision(ds.crimes).count().execute())
    if total == 0 or day_level > total / 2:
        return not_available(
            "temperature_monthly",
            title,
            definition,
            ("crimes dated only to the month (daily data use the daily model)",),
        )
    left_out = set(months_left_out_of_models(ds))
    months = _monthly_rows(ds, column)
    used = [
        {
            "date": date(int(r["month"][:4]), int(r["month"][5:]), 1),
            "temperature": float(r["temperature"]),
            "crimes": r["crimes"] / r["days"],
        }
        for r in months
        if r["month"] not in left_out
        and r["temperature"] is not None
        and (r["weather_days"] or 0) >= MONTH_WEATHER_COVERAGE * r["days"]
    ]
    fit = _fit_monthly(used, ds.options.confidence, ds.options.year_basis)
    if fit is None:
        return not_available(
            "temperature_monthly",
            title,
            definition,
            ("more months with crimes and temperature (at least two a year and a spread)",),
        )
    used_months = {u["date"].strftime("%Y-%m") for u in used}
    table = [
        {
            "month": r["month"],
            "crimes": r["crimes"],
            "days": r["days"],
            "crimes_a_day": r["crimes"] / r["days"],
            "temperature": r["temperature"],
            "used": r["month"] in used_months,
            "fitted": None
            if r["temperature"] is None
            else fit.mean_crimes + fit.slope * (float(r["temperature"]) - fit.mean_temperature),
        }
        for r in months
    ]
    label = "maximum" if column == "tmax_c" else "mean"
    return Finding(
        id="temperature_monthly",
        title=title,
        definition=definition,
        summary=(
            f"Months 10 °C warmer (monthly {label} temperature) have {fit.estimate:+.1f} crimes "
            f"a day (95% interval {fit.low:+.1f} to {fit.high:+.1f}), against a mean of "
            f"{fit.mean_crimes:.1f} a day, over {fit.days} months; an association that "
            "includes the seasons."
        ),
        figures={
            "temperature_column": column,
            "per_10c": _interval(fit),
            "months_used": fit.days,
            "months_left_out_low_volume": sorted(left_out),
            "months_without_enough_weather": sorted(
                r["month"] for r in months if r["month"] not in used_months | left_out
            ),
            "interval_method": f"Newey-West HAC, {fit.hac_lags} lags",
            "year_basis": ds.options.year_basis,
        },
        tables={"months": table, "coefficients": fit.coefficients},
    )


def _fit_monthly(
    months: list[dict[str, Any]], confidence: float, year_basis: str
) -> TemperatureFit | None:
    """OLS of crimes a day on temperature and year fixed effects, one row per month."""
    if len(months) < 6:
        return None
    years = [_year(m["date"], year_basis) for m in months]
    frame = pd.DataFrame({"temperature": [m["temperature"] for m in months]})
    year = pd.Categorical(years, categories=sorted(set(years)))
    frame = pd.concat([frame, pd.get_dummies(year, prefix="year", drop_first=True)], axis=1)
    exog = add_constant(frame.astype(float), has_constant="add")
    endog = np.array([m["crimes"] for m in months])
    if len(months) <= exog.shape[1] + 1 or np.ptp(frame["temperature"]) == 0:
        return None
    return _hac_fit(endog, exog, confidence)


# --- temperature by perpetrator age band -----------------------------------------------------


def age_band(age: ir.IntegerValue) -> ir.StringValue:
    """The `PERPETRATOR_AGE_BANDS` label of an age at the offence (None under 18 or unknown)."""
    branches = []
    for i, label in reversed(list(enumerate(PERPETRATOR_AGE_BANDS))):
        branches.append((age >= _BAND_LOWER[i], label))
    return ibis.cases(*branches, else_=ibis.null("string"))


def _band_days(ds: Dataset) -> list[dict[str, Any]]:
    """``date, band, crimes``: in-scope crimes with a perpetrator in the band, once per band."""
    assert ds.perpetrators is not None
    day_crimes = _day_precision(ds.crimes).select("crime_id")
    perps = ds.perpetrators.semi_join(day_crimes, "crime_id")
    banded = perps.select(
        "crime_id", date=perps.occurred_from.date(), band=age_band(perps.age_at_offence)
    )
    pairs = banded.filter(banded.band.notnull()).distinct()
    return rows(pairs.group_by("date", "band").aggregate(crimes=pairs.count()))


def temperature_by_perpetrator_age(ds: Dataset) -> Finding:
    """Temperature and daily crime by the perpetrator's age band.

    Definition: the model of `temperature_effect` (10 × the OLS coefficient of temperature,
    with weekday and year fixed effects, on the same days of the window that have a
    temperature) fitted separately to the daily counts of crimes by perpetrators in each
    `PERPETRATOR_AGE_BANDS` band, age at the offence = calendar year of `occurred_from` −
    `birth_year`. A crime counts once in each band that has at least one of its in-scope
    perpetrators, so a crime with perpetrators in two bands is in both series. Perpetrators
    with no birth year or under 18 (possible only when the age filter is off) fall in no
    band. A band with no crimes is left out of the headline and shown in the table with no
    estimate.

    Interval: as `temperature_effect` (Newey–West HAC Wald interval at `confidence`,
    two-sided), per band; the bands' intervals are not adjusted for multiplicity.
    """
    title = "Temperature and daily crime by perpetrator age"
    definition = definition_of(temperature_by_perpetrator_age)
    keys = ("temperature_effect_by_perpetrator_age",)
    if ds.perpetrators is None:
        needs = ("persons.birth_year", "crime_persons.role")
        return not_available("temperature_by_perpetrator_age", title, definition, needs, keys)
    missing = _temperature_inputs_missing(ds)
    if missing:
        return not_available("temperature_by_perpetrator_age", title, definition, missing, keys)
    column = _temperature_column(ds) or ""
    days = [{"date": r["date"], "temperature": r["temperature"]} for r in _weather_list(ds, column)]
    counts = {(r["date"], r["band"]): int(r["crimes"]) for r in _band_days(ds)}
    table, headline = [], {}
    for band in PERPETRATOR_AGE_BANDS:
        series = [{**d, "crimes": counts.get((d["date"], band), 0)} for d in days]
        crimes = sum(r["crimes"] for r in series)
        fit = None
        if crimes:
            fit = fit_temperature(series, ds.options.confidence, ds.options.year_basis)
        if fit is not None:
            headline[band] = _interval(fit)
        table.append(_band_row(band, crimes, fit))
    return Finding(
        id="temperature_by_perpetrator_age",
        title=title,
        definition=definition,
        summary=_band_summary(headline),
        figures={"temperature_column": column, "days_used": len(days)},
        tables={"by_perpetrator_age_band": table},
        headlines={"temperature_effect_by_perpetrator_age": headline},
    )


def _weather_list(ds: Dataset, column: str) -> list[dict[str, Any]]:
    return sorted(rows(_weather_days(ds, column)), key=lambda r: r["date"])


def _band_row(band: str, crimes: int, fit: TemperatureFit | None) -> dict[str, Any]:
    term = None if fit is None else next(c for c in fit.coefficients if c["term"] == "temperature")
    return {
        "band": band,
        "crimes": crimes,
        "mean_crimes_per_day": None if fit is None else fit.mean_crimes,
        "estimate": None if fit is None else fit.estimate,
        "low": None if fit is None else fit.low,
        "high": None if fit is None else fit.high,
        "p_value": None if term is None else term["p_value"],
    }


def _band_summary(headline: dict[str, dict[str, float]]) -> str:
    if not headline:
        return "No age band has enough crimes to estimate a temperature effect."
    top = max(headline, key=lambda b: headline[b]["estimate"])
    effect = headline[top]
    return (
        f"The temperature effect is largest for perpetrators aged {top}: "
        f"{effect['estimate']:+.1f} crimes a day per 10 °C (95% interval "
        f"{effect['low']:+.1f} to {effect['high']:+.1f})."
    )


# --- licensed premises and deprivation by area -----------------------------------------------


def _population_per_area(ds: Dataset) -> ir.Table:
    """``lsoa_code, population``: all residents, summed over ages and sexes.

    Where a source gives both F/M rows and `all` rows for an area and year, the F/M rows are
    used (so no one is counted twice); where it gives several mid-year estimates, their mean.
    """
    pop = ds.table("population")
    is_fm = pop.sex.isin(("F", "M"))
    per_year = pop.group_by("lsoa_code", "year").aggregate(
        fm=is_fm.ifelse(pop.population, 0).sum(),
        has_fm=is_fm.any(),
        every=(pop.sex == "all").ifelse(pop.population, 0).sum(),
    )
    per_year = per_year.mutate(total=per_year.has_fm.ifelse(per_year.fm, per_year.every))
    return per_year.group_by("lsoa_code").aggregate(population=per_year.total.mean())


def _premises_per_area(ds: Dataset, areas: ir.Table) -> tuple[ir.Table, ir.Table]:
    """``lsoa_code, premises`` and a one-row table of how premises were placed.

    A premises is counted in its `lsoa_code`; one with no code but with easting/northing is
    placed in the area whose centroid is nearest (ties to the lower code).
    """
    premises = ds.table("premises")
    coded = premises.filter(premises.lsoa_code.notnull()).select("premises_id", "lsoa_code")
    loose = premises.filter(
        premises.lsoa_code.isnull() & premises.easting.notnull() & premises.northing.notnull()
    )
    centroids = areas.select(
        code=areas.lsoa_code, ae=areas.easting.cast("float64"), an=areas.northing.cast("float64")
    )
    pairs = loose.select("premises_id", pe=loose.easting, pn=loose.northing).cross_join(centroids)
    pairs = pairs.mutate(d2=(pairs.pe - pairs.ae) ** 2 + (pairs.pn - pairs.an) ** 2)
    nearest_first = ibis.window(group_by="premises_id", order_by=["d2", "code"])
    ranked = pairs.mutate(rank=ibis.row_number().over(nearest_first))
    nearest = ranked.filter(ranked["rank"] == 0).select("premises_id", lsoa_code=ranked.code)
    placed = coded.union(nearest).semi_join(areas, "lsoa_code")
    counts = placed.group_by("lsoa_code").aggregate(premises=placed.count())
    has_point = premises.easting.notnull() & premises.northing.notnull()
    summary = premises.aggregate(
        all=premises.count(),
        by_code=premises.lsoa_code.notnull().ifelse(1, 0).sum(),
        by_coordinates=(premises.lsoa_code.isnull() & has_point).ifelse(1, 0).sum(),
    )
    return counts, summary.mutate(placed=placed.count().as_scalar())


def _crimes_per_area(ds: Dataset) -> ir.Table:
    crimes = ds.crimes.filter(ds.crimes.lsoa_code.notnull())
    return crimes.group_by("lsoa_code").aggregate(crimes=crimes.count())


def area_rows(ds: Dataset) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """One row per area (``lsoa_code, district, imd_decile, population, premises, crimes``)
    and the counts of premises placed and crimes outside the areas."""
    areas = ds.table("areas")
    population = _population_per_area(ds)
    premises, premises_summary = _premises_per_area(ds, areas)
    crimes = _crimes_per_area(ds)
    joined = (
        areas.select("lsoa_code", "district", "imd_decile")
        .left_join(population, "lsoa_code")
        .select(~sel.endswith("_right"))
        .left_join(premises, "lsoa_code")
        .select(~sel.endswith("_right"))
        .left_join(crimes, "lsoa_code")
        .select(~sel.endswith("_right"))
    )
    table = [
        {
            **r,
            "population": float(r["population"] or 0),
            "premises": int(r["premises"] or 0),
            "crimes": int(r["crimes"] or 0),
        }
        for r in sorted(rows(joined), key=lambda r: r["lsoa_code"])
    ]
    summary = {k: int(v or 0) for k, v in rows(premises_summary)[0].items()}
    summary["crimes_in_scope"] = int(ds.crimes.count().execute())
    return table, summary


@dataclass(frozen=True)
class AreaFit:
    """Negative-binomial (NB2) fit of crimes per area with a log-population offset."""

    coefficients: list[dict[str, Any]]
    rate_ratios: dict[str, dict[str, float]]
    alpha: dict[str, float]
    converged: bool
    areas: int


def fit_areas(frame: pd.DataFrame, terms: list[str], confidence: float) -> AreaFit | None:
    """Fit crimes ~ terms with offset log(population); None when it cannot be estimated."""
    exog = add_constant(frame[terms].astype(float), has_constant="add")
    if len(frame) <= exog.shape[1] + 1 or any(np.ptp(frame[t]) == 0 for t in terms):
        return None
    model = NegativeBinomial(
        frame["crimes"].to_numpy(float), exog, offset=np.log(frame["population"].to_numpy(float))
    )
    result = None
    for method in ("newton", "bfgs", "nm"):
        try:
            result = model.fit(method=method, maxiter=2000, disp=0)
        except (np.linalg.LinAlgError, ValueError):
            continue
        if result.mle_retvals.get("converged", False) and np.all(np.isfinite(result.bse)):
            break
    if result is None:
        return None
    interval = result.conf_int(alpha=1 - confidence)
    rate_ratios = {
        t: {
            "estimate": float(np.exp(result.params[t])),
            "low": float(np.exp(interval.loc[t].iloc[0])),
            "high": float(np.exp(interval.loc[t].iloc[1])),
        }
        for t in terms
    }
    alpha = _alpha_interval(result, confidence)
    return AreaFit(
        coefficients=_coefficient_rows(result, interval),
        rate_ratios=rate_ratios,
        alpha=alpha,
        converged=bool(result.mle_retvals.get("converged", False)),
        areas=len(frame),
    )


def _alpha_interval(result: Any, confidence: float) -> dict[str, float]:
    """α with a Wald interval on the log scale (delta method), so it stays positive."""
    alpha, se = float(result.params["alpha"]), float(result.bse["alpha"])
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    spread = math.exp(z * se / alpha) if alpha > 0 else math.inf
    return {"estimate": alpha, "low": alpha / spread, "high": alpha * spread}


AREA_KEYS: tuple[str, ...] = ("licensed_premises_rate_ratio", "deprivation_rate_ratio")


def _area_frame(table: list[dict[str, Any]]) -> tuple[pd.DataFrame, dict[str, int]]:
    """The areas the model uses, with its covariates, and the areas (and crimes) left out."""
    frame = pd.DataFrame(table)
    no_pop = frame["population"] <= 0
    no_imd = frame["imd_decile"].isna()
    kept = frame[~no_pop & ~no_imd].copy()
    kept["premises_per_1000"] = kept["premises"] / kept["population"] * 1000
    kept["deprivation"] = 11 - kept["imd_decile"].astype(float)
    left_out = {
        "areas_zero_population": int(no_pop.sum()),
        "areas_no_imd_decile": int((no_imd & ~no_pop).sum()),
        "crimes_in_areas_left_out": int(frame.loc[no_pop | no_imd, "crimes"].sum()),
    }
    return kept, left_out


def area_drivers(ds: Dataset) -> Finding:
    """Licensed premises, deprivation and crime by area.

    Definition: an LSOA-level negative-binomial (NB2) model of in-scope crimes per LSOA
    (crimes placed by their `lsoa_code`; crimes with no code or a code not in `areas` are
    counted and left out) with offset log(population), premises per 1,000 residents and
    deprivation = 11 − `imd_decile` as covariates; the headlines are the rate ratios exp(β)
    per extra premises per 1,000 residents and per decile step toward more deprived, so > 1
    means more pubs, or more deprivation, go with more VAWG. Premises (every kind) are counted
    per LSOA by `premises.lsoa_code`; a premises with no code is placed by its
    easting/northing in the area with the nearest centroid (ties to the lower code); one with
    neither, or with a code not in `areas`, is counted and left out. Population = all residents
    of the LSOA in the `population` table, summed over ages and sexes (F and M rows where
    given, else `all`; the mean over mid-year estimates when there are several). Areas with
    zero (or no) population or no `imd_decile` are left out and counted, with their crimes.
    Areas with no crimes are in the model with zero.

    Interval: Wald intervals at `confidence` from the maximum-likelihood fit (statsmodels
    `NegativeBinomial`, variance μ + αμ², the dispersion α estimated jointly with β by maximum
    likelihood rather than fixed from a first fit), exponentiated; two-sided. α's interval is
    taken on the log scale so it stays positive. Assumes areas are independent given the
    covariates (no spatial term), so the intervals are optimistic where neighbouring areas
    share unmeasured causes. A second model adds the premises × deprivation interaction, for
    reading only. Reference: Cameron & Trivedi (2013), Regression Analysis of Count Data, 2nd
    ed., ch. 3.
    """
    title = "Licensed premises, deprivation and crime by area"
    definition = definition_of(area_drivers)
    needs = _area_needs(ds)
    if needs:
        return not_available("area_drivers", title, definition, needs, AREA_KEYS)
    table, placement = area_rows(ds)
    frame, left_out = _area_frame(table)
    terms = ["premises_per_1000", "deprivation"]
    fit = fit_areas(frame, terms, ds.options.confidence)
    if fit is None:
        return not_available(
            "area_drivers",
            title,
            definition,
            ("areas: more areas with varied covariates",),
            AREA_KEYS,
        )
    interaction = fit_areas(
        frame.assign(premises_x_deprivation=frame["premises_per_1000"] * frame["deprivation"]),
        [*terms, "premises_x_deprivation"],
        ds.options.confidence,
    )
    premises_rr, deprivation_rr = (
        fit.rate_ratios["premises_per_1000"],
        fit.rate_ratios["deprivation"],
    )
    crimes_placed = sum(r["crimes"] for r in table)
    figures = {
        "areas": fit.areas,
        "dispersion_alpha": fit.alpha,
        "converged": fit.converged,
        **left_out,
        "crimes_in_model": int(frame["crimes"].sum()),
        "crimes_not_in_areas": placement["crimes_in_scope"] - crimes_placed,
        "premises": placement["all"],
        "premises_by_code": placement["by_code"],
        "premises_by_nearest_centroid": placement["by_coordinates"],
        "premises_placed": placement["placed"],
        "premises_left_out": placement["all"] - placement["placed"],
    }
    return Finding(
        id="area_drivers",
        title=title,
        definition=definition,
        summary=(
            f"Across {fit.areas:,} areas, each extra licensed premises per 1,000 residents goes "
            f"with {_pct(premises_rr['estimate'])} crime (rate ratio "
            f"{premises_rr['estimate']:.3f}, 95% interval {premises_rr['low']:.3f}–"
            f"{premises_rr['high']:.3f}) and each decile step toward more deprived with "
            f"{_pct(deprivation_rr['estimate'])} (rate ratio {deprivation_rr['estimate']:.3f}, "
            f"{deprivation_rr['low']:.3f}–{deprivation_rr['high']:.3f})."
        ),
        figures=figures,
        tables={
            "coefficients": fit.coefficients,
            "rate_ratios": [{"term": t, **v} for t, v in fit.rate_ratios.items()],
            "interaction_coefficients": [] if interaction is None else interaction.coefficients,
            "by_deprivation_decile": _by_decile(frame),
        },
        headlines={
            "licensed_premises_rate_ratio": premises_rr,
            "deprivation_rate_ratio": deprivation_rr,
        },
    )


def _area_needs(ds: Dataset) -> tuple[str, ...]:
    needs = []
    if not ds.has("areas", "imd_decile"):
        needs.append("areas.imd_decile")
    if not ds.has("premises"):
        needs.append("premises")
    if not ds.has("population", "population"):
        needs.append("population")
    if not ds.has("crimes", "lsoa_code"):
        needs.append("crimes.lsoa_code")
    return tuple(needs)


def _pct(ratio: float) -> str:
    change = (ratio - 1) * 100
    return f"{abs(change):.1f}% {'more' if change >= 0 else 'less'}"


def _by_decile(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Crimes per 1,000 residents and premises per 1,000 residents by IMD decile (raw)."""
    grouped = frame.groupby("imd_decile")[["crimes", "population", "premises"]].sum()
    return [
        {
            "imd_decile": int(decile),
            "areas": int((frame["imd_decile"] == decile).sum()),
            "crimes": int(g["crimes"]),
            "population": float(g["population"]),
            "crimes_per_1000": float(g["crimes"] / g["population"] * 1000),
            "premises_per_1000": float(g["premises"] / g["population"] * 1000),
        }
        for decile, g in grouped.iterrows()
    ]


ANALYSES: tuple[Callable[[Dataset], Finding], ...] = (
    temperature_effect,
    temperature_monthly,
    temperature_by_perpetrator_age,
    area_drivers,
)
