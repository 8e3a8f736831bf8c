"""Five headlines two ways, engine against plain pandas, on the same Parquet files.

Run: ``uv run python benchmarks/headlines.py [--scales 1 10] [--work DIR] [--keep]``.

Setup (not timed): the demo world at each scale is built and ingested, every store table is
exported to Parquet (``store.export_parquet``, the export the Spark engine reads), and a small
"view store" is written: a DuckDB file holding only ``CREATE VIEW t AS SELECT * FROM
read_parquet(...)`` for every table and a copy of the meta table, so ``Dataset.open`` on it
reads the Parquet files at query time.

Timed, one after the other in this process, with the files already in the page cache:

- engine: ``Dataset.open(view store)`` (the default scope, applied in the engine) and the five
  analyses as the profile runs them — ``trends.monthly_counts``, ``time.weekly_rhythm``,
  ``areas.top_lsoas``, ``harm.harm_share_top10pct_perpetrators`` and
  ``reoffending.reoffence_within_1y_rate``; they also compute intervals (the harm share's
  2,000-resample bootstrap among them) and report tables, which the pandas path does not;
- pandas: ``pd.read_parquet`` of the columns needed, the default scope (female victims, male
  perpetrators aged 18 or over at the offence) and a direct implementation of each definition
  in ``problem-profile.md``.

Both must give the same numbers: counts equal, weights and shares within 1e-9 relative. The
target (the issue): the engine path at least 10 times faster than pandas at scale 10.
"""

from __future__ import annotations

import argparse
import math
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from vawgscope.analyses import areas, harm, reoffending, trends
from vawgscope.analyses import time as time_analyses
from vawgscope.compare import differences
from vawgscope.contract.harm import default_harm_weights
from vawgscope.contract.vocab import OFFENCE_FAMILIES, PERPETRATOR_ROLES
from vawgscope.dataset import Dataset
from vawgscope.ingest.run import META_TABLE
from vawgscope.store import export_parquet, read_info

TARGET_RATIO = 10.0
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
HOUR_S, DAY_S = 3600, 86400
MAX_WINDOW_S = 7 * DAY_S
FOLLOW_UP_DAYS = 365
GROUP_FAMILY = {g: f for f, groups in OFFENCE_FAMILIES.items() for g in groups}
FAMILIES = (*OFFENCE_FAMILIES, "other")

# --- setup (not timed) --------------------------------------------------------------------


def build_store(scale: float, work: Path) -> Path:
    """The demo world at ``scale``, ingested (reused when the work folder already has it)."""
    tag = f"{scale:g}"
    data, store = work / f"data{tag}", work / f"store{tag}.duckdb"
    if store.is_file():
        return store
    cli = [sys.executable, "-m", "vawgscope.cli"]
    for args in (
        ["demo-data", str(data), "--scale", str(scale)],
        ["ingest", str(data), "--store", str(store), "--secret", str(work / "secret.key")],
    ):
        subprocess.run([*cli, *args], check=True, capture_output=True)
    return store


def export(store: Path, folder: Path) -> tuple[dict[str, Path], Path]:
    """Every store table in Parquet (the export the Spark engine reads), and a view store
    over those files in ``folder``."""
    info = read_info(store)
    exported = export_parquet(store, info)
    files = {table: (exported / table / "data.parquet").resolve() for table in info.tables}
    folder.mkdir(parents=True, exist_ok=True)
    view_store = folder / "views.duckdb"
    view_store.unlink(missing_ok=True)
    with duckdb.connect(str(view_store)) as con:
        for table, path in files.items():
            con.execute(f"CREATE VIEW \"{table}\" AS SELECT * FROM read_parquet('{path}')")
        con.execute(f"ATTACH '{store.resolve()}' AS source (READ_ONLY)")
        con.execute(f"CREATE TABLE {META_TABLE} AS SELECT * FROM source.{META_TABLE}")
    return files, view_store


# --- the engine path --------------------------------------------------------------------------


def engine_path(view_store: Path, laps: Laps) -> dict[str, Any]:
    """The five headlines as the profile computes them, from the view store."""
    ds = laps.run("open + scope", Dataset.open, view_store)
    monthly = laps.run("monthly_counts", trends.monthly_counts, ds)
    rhythm = laps.run("weekly_rhythm", time_analyses.weekly_rhythm, ds)
    top = laps.run("top_lsoas", areas.top_lsoas, ds)
    harmful = laps.run("harm_share", harm.harm_share_top10pct_perpetrators, ds)
    again = laps.run("reoffending", reoffending.reoffence_within_1y_rate, ds)
    return {
        "monthly_counts": monthly.tables["monthly_counts"],
        "weekday_hour": {
            (r["weekday"], r["hour"]): r["weight"] for r in rhythm.tables["weekday_hour"]
        },
        "peak_weekday": rhythm.headlines["peak_weekday"],
        "peak_hours": rhythm.headlines["peak_hours"],
        "top_lsoas_by_year": top.headlines["top_lsoas_by_year"],
        "most_persistent_hotspot": top.headlines["most_persistent_hotspot"],
        "harm_share_top10pct_perpetrators": harmful.headlines["harm_share_top10pct_perpetrators"],
        "reoffence_within_1y_rate": again.headlines["reoffence_within_1y_rate"],
        "reoffence_counts": {
            r["family"]: (r["followed_365_days"], r["reoffended_within_365_days"])
            for r in again.tables["rates"]
        },
    }


# --- the pandas path --------------------------------------------------------------------------


def read(files: dict[str, Path]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    crimes = pd.read_parquet(
        files["crimes"],
        columns=[
            "crime_id",
            "occurred_from",
            "occurred_to",
            "time_precision",
            "offence_group",
            "offence_code",
            "lsoa_code",
        ],
    )
    persons = pd.read_parquet(files["persons"], columns=["person_id", "sex", "birth_year"])
    links = pd.read_parquet(files["crime_persons"], columns=["crime_id", "person_id", "role"])
    return crimes, persons, links


def scope(
    crimes: pd.DataFrame, persons: pd.DataFrame, links: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """In-scope crimes and perpetrator links: a crime needs a female victim and a male
    perpetrator aged 18+ at the offence (year of occurred_from − birth year)."""
    crimes = crimes.assign(occurred_to=crimes.occurred_to.fillna(crimes.occurred_from))
    people = links.merge(persons, on="person_id").merge(
        crimes[["crime_id", "occurred_from"]], on="crime_id"
    )
    people["age"] = people.occurred_from.dt.year - people.birth_year
    victims = people[(people.role == "victim") & (people.sex == "F")]
    perps = people[people.role.isin(PERPETRATOR_ROLES) & (people.sex == "M") & (people.age >= 18)]
    keep = crimes.crime_id.isin(victims.crime_id) & crimes.crime_id.isin(perps.crime_id)
    in_scope = crimes[keep]
    return in_scope, perps[perps.crime_id.isin(in_scope.crime_id)]


def complete_months(in_scope: pd.DataFrame, stored: pd.DataFrame) -> list[str]:
    """Months whose days all lie in the window and which the stored crimes cover."""
    first, last = in_scope.occurred_from.min(), in_scope.occurred_from.max()
    present = set(stored.occurred_from.dt.strftime("%Y-%m").dropna())
    month_level = in_scope.occurred_from[in_scope.time_precision == "month"].max()
    out = []
    for start in pd.date_range(first.normalize().replace(day=1), last, freq="MS"):
        end = start + pd.offsets.MonthEnd(0)
        name = start.strftime("%Y-%m")
        covered = end.date() <= last.date() or (
            month_level == last and (start.year, start.month) == (last.year, last.month)
        )
        if start.date() >= first.date() and covered and name in present:
            out.append(name)
    return out


def monthly_counts(in_scope: pd.DataFrame, stored: pd.DataFrame) -> list[dict[str, Any]]:
    month = in_scope.occurred_from.dt.strftime("%Y-%m")
    by_group = pd.crosstab(month, in_scope.offence_group)
    totals = month.value_counts()
    complete = set(complete_months(in_scope, stored))
    first, last = in_scope.occurred_from.min(), in_scope.occurred_from.max()
    window = pd.period_range(first.to_period("M"), last.to_period("M"), freq="M").strftime("%Y-%m")
    table = []
    for name in window:
        present = name in totals.index
        row: dict[str, Any] = {
            "month": name,
            "complete": name in complete,
            "crimes": int(totals[name]) if present else None,
        }
        for group in sorted(by_group.columns):
            row[group] = int(by_group.at[name, group]) if present else None
        table.append(row)
    return table


def weekday_hour(in_scope: pd.DataFrame) -> dict[tuple[int, int], float]:
    """Aoristic weight by (weekday 0 = Monday, hour): each crime with an exact time and a
    window of 0 to 7 days spreads 1 over the clock hours its window touches, by seconds."""
    exact = in_scope[in_scope.time_precision.fillna("exact") == "exact"]
    start = exact.occurred_from.to_numpy("datetime64[s]").astype(np.int64)
    end = exact.occurred_to.to_numpy("datetime64[s]").astype(np.int64)
    duration = end - start
    kept = (duration >= 0) & (duration <= MAX_WINDOW_S)
    start, end, duration = start[kept], end[kept], duration[kept]
    first_hour = start // HOUR_S
    last_hour = np.maximum(first_hour, -(-end // HOUR_S) - 1)
    hours = last_hour - first_hour + 1
    # One row per crime and clock hour of its window.
    crime = np.repeat(np.arange(len(start)), hours)
    offset = np.arange(hours.sum()) - np.repeat(np.cumsum(hours) - hours, hours)
    hour_index = first_hour[crime] + offset
    piece = np.minimum(end[crime], (hour_index + 1) * HOUR_S) - np.maximum(
        start[crime], hour_index * HOUR_S
    )
    weight = np.where(duration[crime] == 0, 1.0, piece / np.maximum(duration[crime], 1))
    cells = pd.DataFrame(
        {"weekday": (hour_index // 24 + 3) % 7, "hour": hour_index % 24, "weight": weight}
    )  # 1970-01-01 was a Thursday (weekday 3)
    summed = cells.groupby(["weekday", "hour"]).weight.sum()
    return {(d, h): float(summed.get((d, h), 0.0)) for d in range(7) for h in range(24)}


def peaks(grid: dict[tuple[int, int], float]) -> tuple[str, list[int]]:
    """Weekday with most weight and [h, h + 4 mod 24] for the 4-hour window with most weight;
    ties (equal to 9 decimals) go to the earliest."""
    days = [sum(grid[(d, h)] for h in range(24)) for d in range(7)]
    hours = [sum(grid[(d, h)] for d in range(7)) for h in range(24)]
    windows = [sum(hours[(h + i) % 24] for i in range(4)) for h in range(24)]
    day = max(range(7), key=lambda d: (round(days[d], 9), -d))
    start = max(range(24), key=lambda h: (round(windows[h], 9), -h))
    return WEEKDAYS[day], [start, (start + 4) % 24]


def top_lsoas(
    in_scope: pd.DataFrame, stored: pd.DataFrame
) -> tuple[dict[int, list[str]], dict[str, Any] | None]:
    """Top 10 LSOAs per complete calendar year (competition ranks, ties by code) and the LSOA
    whose worst yearly rank is best (a year without crimes ranks it after every LSOA with)."""
    complete = set(complete_months(in_scope, stored))
    first, last = in_scope.occurred_from.min(), in_scope.occurred_from.max()
    years = [
        y
        for y in range(first.year - 1, last.year + 1)
        if all(f"{y:04d}-{m:02d}" in complete for m in range(1, 13))
    ]
    placed = in_scope[in_scope.lsoa_code.notna()]
    placed = placed.assign(year=placed.occurred_from.dt.year)
    placed = placed[placed.year.isin(years)]
    counts = placed.groupby(["year", "lsoa_code"]).size().rename("crimes").reset_index()
    counts["rank"] = counts.groupby("year").crimes.rank(method="min", ascending=False).astype(int)
    top = {
        y: counts[counts.year == y].sort_values(["rank", "lsoa_code"]).lsoa_code.head(10).tolist()
        for y in years
    }
    ranks = counts.pivot(index="lsoa_code", columns="year", values="rank")
    below_all = counts.groupby("year").size() + 1
    worst = ranks.fillna(below_all).max(axis=1).astype(int).rename("worst").reset_index()
    if worst.empty:
        return top, None
    best = worst.sort_values(["worst", "lsoa_code"]).iloc[0]
    return top, {"lsoa_code": best.lsoa_code, "worst_rank": int(best.worst)}


def harm_share_top10pct(in_scope: pd.DataFrame, perps: pd.DataFrame) -> float:
    """Harm of the top ceil(10% of n) perpetrators ÷ harm of all n; each carries the full
    harm weight of every in-scope crime he is linked to (once per crime)."""
    weights = default_harm_weights()
    harm_of = in_scope.offence_group.map(weights.by_group).astype(float)
    if weights.by_code:
        harm_of = in_scope.offence_code.map(weights.by_code).astype(float).fillna(harm_of)
    crime_harm = pd.DataFrame({"crime_id": in_scope.crime_id, "harm": harm_of.fillna(0.0)})
    links = perps[["person_id", "crime_id"]].drop_duplicates().merge(crime_harm, on="crime_id")
    per_person = links.groupby("person_id").harm.sum().sort_values(ascending=False)
    k = math.ceil(len(per_person) / 10)
    return float(per_person.iloc[:k].sum() / per_person.sum())


def reoffence_within_1y(
    in_scope: pd.DataFrame, perps: pd.DataFrame
) -> tuple[dict[str, float], dict[str, tuple[int, int]]]:
    """Per family of a perpetrator's first crime (earliest occurred_from, then crime_id): the
    share of those with 365+ days of follow-up to "now" linked to another crime within 365."""
    now = in_scope.occurred_from.max().normalize()
    careers = (
        perps[["person_id", "crime_id"]]
        .drop_duplicates()
        .merge(in_scope[["crime_id", "occurred_from", "offence_group"]], on="crime_id")
        .sort_values(["person_id", "occurred_from", "crime_id"])
    )
    careers["next_from"] = careers.groupby("person_id").occurred_from.shift(-1)
    first = careers.drop_duplicates("person_id")
    first_day = first.occurred_from.dt.normalize()
    followed = (now - first_day).dt.days >= FOLLOW_UP_DAYS
    within = (first.next_from.dt.normalize() - first_day).dt.days <= FOLLOW_UP_DAYS
    family = first.offence_group.map(GROUP_FAMILY).fillna("other")
    counts: dict[str, tuple[int, int]] = {}
    for name in FAMILIES:
        mine = followed & (family == name)
        counts[name] = (int(mine.sum()), int((mine & within).sum()))
    rates = {name: k / n for name, (n, k) in counts.items() if n}
    return rates, counts


def pandas_path(files: dict[str, Path], laps: Laps) -> dict[str, Any]:
    crimes, persons, links = laps.run("read", read, files)
    in_scope, perps = laps.run("scope", scope, crimes, persons, links)
    monthly = laps.run("monthly_counts", monthly_counts, in_scope, crimes)
    grid = laps.run("weekly_rhythm", weekday_hour, in_scope)
    peak_weekday, peak_hours = peaks(grid)
    top, hotspot = laps.run("top_lsoas", top_lsoas, in_scope, crimes)
    share = laps.run("harm_share", harm_share_top10pct, in_scope, perps)
    rates, counts = laps.run("reoffending", reoffence_within_1y, in_scope, perps)
    return {
        "monthly_counts": monthly,
        "weekday_hour": grid,
        "peak_weekday": peak_weekday,
        "peak_hours": peak_hours,
        "top_lsoas_by_year": top,
        "most_persistent_hotspot": hotspot,
        "harm_share_top10pct_perpetrators": share,
        "reoffence_within_1y_rate": rates,
        "reoffence_counts": counts,
    }


# --- comparison -------------------------------------------------------------------------------


class Laps:
    """Seconds taken by each named step of a path."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def run(self, name: str, step: Any, *args: Any) -> Any:
        started = time.perf_counter()
        result = step(*args)
        self.seconds[name] = time.perf_counter() - started
        return result

    @property
    def total(self) -> float:
        return sum(self.seconds.values())

    def words(self) -> str:
        return ", ".join(f"{name} {s:.2f}" for name, s in self.seconds.items())


def measure(scale: float, work: Path, repeat: int) -> dict[str, Any]:
    store = build_store(scale, work)
    files, view_store = export(store, work / f"parquet{scale:g}")
    for path in files.values():  # both paths start with the files in the page cache
        path.read_bytes()
    best: dict[str, Laps] = {}
    for _ in range(repeat):
        engine_laps, pandas_laps = Laps(), Laps()
        engine = engine_path(view_store, engine_laps)
        plain = pandas_path(files, pandas_laps)
        for name, laps in (("engine", engine_laps), ("pandas", pandas_laps)):
            if name not in best or laps.total < best[name].total:
                best[name] = laps
    # Counts equal, weights and shares within 1e-9 relative (1e-12 absolute near zero).
    problems = differences(engine, plain, abs_tol=1e-12)
    crimes = duckdb.sql(f"SELECT count(*) FROM read_parquet('{files['crimes']}')").fetchone()[0]
    return {
        "scale": scale,
        "crimes": int(crimes),
        "engine": best["engine"].total,
        "pandas": best["pandas"].total,
        "laps": best,
        "problems": problems,
        "result": engine,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 10.0])
    parser.add_argument("--work", type=Path, help="Folder for worlds and stores (reused).")
    parser.add_argument("--keep", action="store_true", help="Keep the work folder.")
    parser.add_argument("--repeat", type=int, default=1, help="Runs per path; the best counts.")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="vawgscope-headlines-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"work folder {work}")
    print(f"{'scale':>6} {'crimes':>11} {'engine s':>9} {'pandas s':>9} {'ratio':>7}  same numbers")
    failed = False
    try:
        for scale in sorted(args.scales):
            r = measure(scale, work, args.repeat)
            same = "yes" if not r["problems"] else f"NO ({len(r['problems'])} differences)"
            ratio = r["pandas"] / r["engine"]
            print(
                f"{scale:>6g} {r['crimes']:>11,} {r['engine']:>9.1f} {r['pandas']:>9.1f} "
                f"{ratio:>6.1f}x  {same}",
                flush=True,
            )
            print(f"    engine: {r['laps']['engine'].words()}")
            print(f"    pandas: {r['laps']['pandas'].words()}")
            for problem in r["problems"][:20]:
                print(f"    {problem}")
            failed = failed or bool(r["problems"])
            headline = r["result"]
            print(
                f"    peak {headline['peak_weekday']} {headline['peak_hours']}; harm share "
                f"{headline['harm_share_top10pct_perpetrators']:.4f}; hot spot "
                f"{headline['most_persistent_hotspot']}; re-offending "
                + ", ".join(f"{k} {v:.3f}" for k, v in headline["reoffence_within_1y_rate"].items())
            )
            if scale == 10:
                verdict = "met" if ratio >= TARGET_RATIO else "MISSED"
                print(f"    target at scale 10: engine ≥ {TARGET_RATIO:.0f}x faster: {verdict}")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
