"""Data quality: what the figures stand on, and where the data are thin or odd."""

from __future__ import annotations

import calendar
import math
import statistics
from collections.abc import Callable, Mapping
from typing import Any

import ibis.expr.types as ir
from scipy.stats import poisson

from vawgscope.analyses import aoristic
from vawgscope.analyses.common import month_of, rows
from vawgscope.analyses.finding import Finding, definition_of
from vawgscope.dataset import Dataset

#: Months either side of a month that form its neighbourhood.
NEIGHBOUR_MONTHS = 3
#: A neighbourhood needs at least this many months present to judge a month.
MIN_NEIGHBOURS = 3
#: |robust z| above this flags a month (Iglewicz & Hoaglin 1993).
ANOMALY_Z = 3.5
#: MAD × this estimates the standard deviation of normal data.
MAD_TO_SD = 1.4826
#: Low-volume rule: a month is flagged (a suspected incomplete file) when its crimes per day
#: fall below this fraction of the median crimes per day of its neighbours ...
LOW_VOLUME_RATIO = 0.5
#: ... the months present within this many months either side ...
LOW_VOLUME_NEIGHBOUR_MONTHS = 3
#: ... of which at least this many (on either side, so the edges of the data are judged too),
LOW_VOLUME_MIN_NEIGHBOURS = 2
#: ... and so few that chance cannot explain it: P(X ≤ count) under Poisson(expected) below
#: this (which keeps tiny counts, where a halving is noise, from being flagged).
LOW_VOLUME_P = 0.001
LOW_VOLUME_RULE = (
    f"crimes per day below {LOW_VOLUME_RATIO} × the median crimes per day of the months "
    f"present within {LOW_VOLUME_NEIGHBOUR_MONTHS} months either side (at least "
    f"{LOW_VOLUME_MIN_NEIGHBOURS} of them; missing months are never neighbours), and a "
    f"one-sided Poisson probability of so few below {LOW_VOLUME_P}"
)


def _month_index(month: str) -> int:
    year, number = month.split("-")
    return int(year) * 12 + int(number) - 1


def _month_name(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _column_completeness(ds: Dataset, name: str) -> tuple[int, list[dict[str, Any]]]:
    """Rows of a store table and, per column, how many values are missing (one aggregate)."""
    table = ds.table(name)
    missing = {f"m{i}": table[c].isnull().sum() for i, c in enumerate(table.columns)}
    row = rows(table.aggregate(rows=table.count(), **missing))[0]
    n = int(row["rows"])
    columns = [
        {
            "table": name,
            "column": column,
            "missing": int(row[f"m{i}"] or 0),
            "missing_share": int(row[f"m{i}"] or 0) / n if n else None,
        }
        for i, column in enumerate(table.columns)
    ]
    return n, columns


def _crime_checks(crimes: ir.Table) -> dict[str, int]:
    """In-scope crimes with no location, no exact time, or a window over 7 days."""
    no_location = (
        crimes.lsoa_code.isnull() & (crimes.easting.isnull() | crimes.northing.isnull())
    ).sum()
    located = rows(crimes.aggregate(no_location=no_location.fill_null(0)))[0]
    times = rows(aoristic.time_coverage(crimes))[0]
    return {
        "crimes": int(times["crimes"]),
        "no_location": int(located["no_location"]),
        "no_exact_time": int(times["not_exact"]),
        "window_over_7_days": int(times["long_windows"]),
    }


def _monthly_counts(crimes: ir.Table) -> dict[str, int]:
    counts = crimes.group_by(month=month_of(crimes.occurred_from)).aggregate(n=crimes.count())
    return {r["month"]: int(r["n"]) for r in rows(counts)}


def _days(index: int) -> int:
    return calendar.monthrange(index // 12, index % 12 + 1)[1]


def robust_z(
    count: int, days: int, neighbours: list[tuple[int, int]]
) -> tuple[float, float, float]:
    """(expected, scale, z) of ``count`` in a month of ``days`` days against its neighbours.

    ``neighbours`` are (count, days) pairs. Counts are compared as crimes per day, so a
    February is not low for being short: expected = days × median of the neighbours' daily
    rates, and z = (count − expected) ÷ scale with scale = max(days × 1.4826 × MAD of the
    rates, √max(expected, 1)): the MAD scale of Iglewicz & Hoaglin's modified z-score,
    floored at the Poisson standard deviation so that perfectly flat neighbours (MAD 0) do
    not flag a wobble of a crime or two.
    """
    rates = [n / d for n, d in neighbours]
    median = float(statistics.median(rates))
    mad = float(statistics.median(abs(r - median) for r in rates))
    expected = median * days
    scale = max(days * MAD_TO_SD * mad, math.sqrt(max(expected, 1.0)))
    return expected, scale, (count - expected) / scale


def volume_ratios(counts: Mapping[str, int]) -> dict[str, dict[str, Any]]:
    """Each month's volume against its neighbours, for the low-volume rule.

    ``counts`` maps ``YYYY-MM`` to crimes for the months present (absent months are gaps).
    For every month with at least ``LOW_VOLUME_MIN_NEIGHBOURS`` present neighbours within
    ``LOW_VOLUME_NEIGHBOUR_MONTHS`` either side: ``expected`` = days × the neighbours' median
    crimes per day, ``ratio`` = crimes ÷ expected, ``p`` = P(X ≤ crimes) for X ~
    Poisson(expected), and ``low_volume`` = ratio < 0.5 and p < 0.001. The median of the
    neighbours is robust to a second bad month nearby; comparing crimes per day keeps a short
    February from looking low.
    """
    present = {_month_index(m): n for m, n in counts.items()}
    out: dict[str, dict[str, Any]] = {}
    for index, count in sorted(present.items()):
        span = range(index - LOW_VOLUME_NEIGHBOUR_MONTHS, index + LOW_VOLUME_NEIGHBOUR_MONTHS + 1)
        near = [present[i] / _days(i) for i in span if i != index and i in present]
        if len(near) < LOW_VOLUME_MIN_NEIGHBOURS:
            continue
        expected = float(statistics.median(near)) * _days(index)
        ratio = count / expected if expected > 0 else None
        p = float(poisson.cdf(count, expected)) if expected > 0 else None
        out[_month_name(index)] = {
            "crimes": count,
            "neighbours": len(near),
            "expected": expected,
            "ratio": ratio,
            "p": p,
            "low_volume": ratio is not None
            and ratio < LOW_VOLUME_RATIO
            and p is not None
            and p < LOW_VOLUME_P,
        }
    return out


def low_volume_months(counts: Mapping[str, int]) -> list[str]:
    """Months flagged by the low-volume rule (``LOW_VOLUME_RULE``), in order."""
    return [m for m, row in volume_ratios(counts).items() if row["low_volume"]]


def months_left_out(ds: Dataset) -> list[str]:
    """Months that trend, seasonality and forecast models leave out: the low-volume months of
    the in-scope crimes, unless ``options.keep_anomalous_months`` keeps them."""
    if ds.options.keep_anomalous_months:
        return []
    return low_volume_months(_monthly_counts(ds.crimes))


def _month_rows(
    scoped: dict[str, int], stored: dict[str, int], complete: set[str]
) -> list[dict[str, Any]]:
    """One row per month from the first to the last in scope, judged against its neighbours."""
    if not scoped:
        return []
    indices = [_month_index(m) for m in scoped]
    judged = {_month_index(m): n for m, n in scoped.items() if m in complete}
    out = []
    for index in range(min(indices), max(indices) + 1):
        month = _month_name(index)
        count = scoped.get(month)
        row: dict[str, Any] = {
            "month": month,
            "crimes": count,
            "crimes_in_store": stored.get(month, 0),
            "status": "missing"
            if count is None
            else ("complete" if month in complete else "partial"),
            "neighbours": None,
            "expected": None,
            "scale": None,
            "z": None,
            "anomalous": None,
            "ratio_to_neighbours": None,
            "low_volume": None,
        }
        if count is not None and index in judged:
            before = [i for i in range(index - NEIGHBOUR_MONTHS, index) if i in judged]
            after = [i for i in range(index + 1, index + NEIGHBOUR_MONTHS + 1) if i in judged]
            near = [(judged[i], _days(i)) for i in before + after]
            row["neighbours"] = len(near)
            if before and after and len(near) >= MIN_NEIGHBOURS:
                expected, scale, z = robust_z(count, _days(index), near)
                row.update(expected=expected, scale=scale, z=z, anomalous=abs(z) > ANOMALY_Z)
        out.append(row)
    return out


def _outside_areas(ds: Dataset) -> int | None:
    """In-scope crimes whose LSOA is not among the areas (outside the force area, or on
    another LSOA edition); None without an areas table."""
    if not ds.has("areas"):
        return None
    crimes = ds.crimes
    coded = crimes.filter(crimes.lsoa_code.notnull())
    outside = coded.anti_join(ds.table("areas").select("lsoa_code"), "lsoa_code")
    return int(rows(outside.aggregate(n=outside.count()))[0]["n"])


#: Counts the police.uk reader keeps in the store's ingest record.
PUBLIC_INGEST_COUNTS: tuple[str, ...] = (
    "no_crime_id",
    "duplicate_crime_ids",
    "duplicate_rows_rejected",
    "foreign_force_rows",
    "lsoa_recoded",
    "outcome_rows",
    "outcome_rows_unmatched",
)


def _public_ingest(ds: Dataset) -> dict[str, Any]:
    """What the police.uk reader counted at ingest (empty for other datasets)."""
    meta = ds.info.meta
    if meta.get("format") != "police-uk":
        return {}
    out: dict[str, Any] = {"force": meta.get("police_uk.force")}
    for key in PUBLIC_INGEST_COUNTS:
        value = meta.get(f"police_uk.{key}")
        out[key] = int(value) if value not in (None, "") else None
    return out


def _rejected(ds: Dataset) -> dict[str, int]:
    prefix = "rejected."
    return {k[len(prefix) :]: int(v) for k, v in ds.info.meta.items() if k.startswith(prefix)}


def _percent(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else "0%"


def data_quality(ds: Dataset) -> Finding:
    """Data quality.

    Definition: for every table in the store, its rows, the rows rejected at ingest, and the
    share of missing (null) values in each column; among in-scope crimes, those without a
    location (no ``lsoa_code`` and no ``easting``/``northing`` pair), without an exact time
    (``time_precision`` day or month) and, of those with an exact time, with windows over 7
    days (left out of time analyses). In-scope crimes are counted by calendar month of
    ``occurred_from`` from the first to the last month in scope: a month with none is
    missing (a gap, never a zero), a month not wholly inside the window is partial, and each
    complete month is judged against the complete months present within 3 months either side
    (at least 3 of them, with at least one on each side; partial and missing months are never
    neighbours).

    Test: counts are compared as crimes per day, so a short February is not low. Expected =
    days in the month × the median of the neighbours' daily rates; a month is anomalous when
    its robust z-score exceeds 3.5 in absolute value (two-sided), z = (count − expected) ÷
    max(days × 1.4826 × MAD of the neighbours' rates, √expected), the modified z-score of
    Iglewicz & Hoaglin (1993, "How to Detect and Handle Outliers", ASQC) with a Poisson floor
    on the scale. The neighbours' median absorbs seasonality and trend that change slowly; a
    real step change shows as a run of months. Months at the edges of the window have
    neighbours on one side only and are not judged.
    Completeness is a census of the records, not an estimate, so no intervals.
    """
    tables, columns = [], []
    rejected = _rejected(ds)
    for name in ds.info.tables:
        n, per_column = _column_completeness(ds, name)
        tables.append({"table": name, "rows": n, "rejected_at_ingest": rejected.get(name, 0)})
        columns += per_column
    checks = _crime_checks(ds.crimes)
    months = _month_rows(
        _monthly_counts(ds.crimes),
        _monthly_counts(ds.table("crimes")),
        set(ds.window.complete_months()),
    )
    ratios = volume_ratios(_monthly_counts(ds.crimes))
    for row in months:
        judged = ratios.get(row["month"])
        if judged is not None:
            row.update(ratio_to_neighbours=judged["ratio"], low_volume=judged["low_volume"])
    low = [m for m, r in ratios.items() if r["low_volume"]]
    left_out = [] if ds.options.keep_anomalous_months else low
    for row in months:
        row["left_out_of_models"] = row["month"] in left_out
    outside = _outside_areas(ds)
    public = _public_ingest(ds)
    missing = [m["month"] for m in months if m["status"] == "missing"]
    anomalous = [
        {k: m[k] for k in ("month", "crimes", "expected", "z")} for m in months if m["anomalous"]
    ]
    crimes = checks["crimes"]
    crime_rows = next((t["rows"] for t in tables if t["table"] == "crimes"), 0)
    period = (
        f" {ds.window.first:%Y-%m-%d} to {ds.window.last:%Y-%m-%d}" if not ds.window.empty else ""
    )
    summary = (
        f"The figures stand on {crimes:,} in-scope crimes{period} (of {crime_rows:,} crime "
        f"rows loaded; {sum(rejected.values()):,} rows rejected at ingest across all tables), "
        f"of which {_percent(checks['no_location'], crimes)} have no location, "
        f"{_percent(checks['no_exact_time'], crimes)} no exact time and "
        f"{_percent(checks['window_over_7_days'], crimes)} windows over 7 days; "
        f"{len(missing)} months are missing and {len(anomalous)} look anomalous."
        + _low_volume_sentence(low, ratios, left_out)
        + _public_sentence(public, outside, crimes)
    )
    shares = {
        f"{k}_share": (v / crimes if crimes else None) for k, v in checks.items() if k != "crimes"
    }
    return Finding(
        id="data_quality",
        title="Data quality",
        definition=definition_of(data_quality),
        summary=summary,
        figures={
            **checks,
            **shares,
            "rejected_at_ingest": rejected,
            "missing_months": missing,
            "anomalous_months": anomalous,
            "partial_months": [m["month"] for m in months if m["status"] == "partial"],
            "anomaly_threshold_z": ANOMALY_Z,
            "months_present": [m["month"] for m in months if m["status"] != "missing"],
            "low_volume_months": [
                {"month": m, **{k: ratios[m][k] for k in ("crimes", "expected", "ratio")}}
                for m in low
            ],
            "low_volume_rule": LOW_VOLUME_RULE,
            "months_left_out_of_models": left_out,
            "outside_force_area": outside,
            "outside_force_area_share": (
                outside / crimes if outside is not None and crimes else None
            ),
            "public_ingest": public,
            "duplicate_crime_ids": public.get("duplicate_crime_ids"),
        },
        tables={"tables": tables, "columns": columns, "months": months},
    )


def _low_volume_sentence(
    low: list[str], ratios: dict[str, dict[str, Any]], left_out: list[str]
) -> str:
    if not low:
        return ""
    shown = ", ".join(f"{m} ({ratios[m]['ratio']:.0%} of its neighbours)" for m in low)
    fate = "left out of" if left_out else "kept in (by option)"
    return f" Suspected incomplete months: {shown}, {fate} trend, seasonality and forecast models."


def _public_sentence(public: dict[str, Any], outside: int | None, crimes: int) -> str:
    parts = []
    if outside is not None:
        parts.append(
            f"{_percent(outside, crimes)} of in-scope crimes have an LSOA outside the areas "
            "table (outside the force area)"
        )
    if public:
        parts.append(
            f"police.uk rows without a Crime ID: {public.get('no_crime_id') or 0:,}; Crime IDs "
            f"published more than once: {public.get('duplicate_crime_ids') or 0:,} (one row "
            f"kept each); rows of another force: {public.get('foreign_force_rows') or 0:,}"
        )
    return (" " + "; ".join(parts) + ".") if parts else ""


ANALYSES: tuple[Callable[[Dataset], Finding], ...] = (data_quality,)
