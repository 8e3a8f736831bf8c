"""Trends: group mix, growth, summer peaks, the peak month and period effects, by hand."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import crime, link, person, write_csv, write_dataset
from vawgscope.analyses import trends
from vawgscope.dataset import Dataset
from vawgscope.ingest import ingest
from vawgscope.options import Options, Scope

# --- building tiny datasets -----------------------------------------------------------------


def open_full(
    tmp_path: Path,
    crimes: Sequence[dict[str, Any]],
    options: Options | None = None,
    periods: Sequence[dict[str, Any]] | None = None,
) -> Dataset:
    """Every crime has the same female victim and male perpetrator (41), so all are in scope."""
    links = []
    for row in crimes:
        links += [link(row["crime_id"], "V1", "victim"), link(row["crime_id"], "P1", "suspect")]
    folder = write_dataset(
        tmp_path / "d", crimes, [person("V1", "F", 1990), person("P1", "M", 1980)], links
    )
    if periods is not None:
        write_csv(folder / "periods.csv", periods, ["name", "kind", "start_date", "end_date"])
    ingest(folder, tmp_path / "s.duckdb")
    return Dataset.open(tmp_path / "s.duckdb", options)


def open_crimes_only(
    tmp_path: Path, crimes: Sequence[dict[str, Any]], options: Options | None = None
) -> Dataset:
    ingest(write_dataset(tmp_path / "d", crimes), tmp_path / "s.duckdb")
    return Dataset.open(tmp_path / "s.duckdb", options)


def monthly(
    counts: dict[str, int],
    group: str = "other",
    day: str = "15",
    at: str = "12:00:00",
    **fields: Any,
) -> list[dict[str, Any]]:
    """``counts[YYYY-MM]`` crimes in each month, on ``day`` at ``at``."""
    rows = []
    for month, n in counts.items():
        for i in range(n):
            rows.append(
                crime(
                    f"{group}-{month}-{i}",
                    occurred_from=f"{month}-{day}T{at}",
                    recorded_date=f"{month}-{day}",
                    offence_group=group,
                    **fields,
                )
            )
    return rows


def months_of(year: int) -> list[str]:
    return [f"{year}-{m:02d}" for m in range(1, 13)]


def edges(first: str, last: str) -> list[dict[str, Any]]:
    """Two `other` crimes, at 00:00 on ``first`` and 23:00 on ``last``, that make every month
    from the first to the last whole."""
    return [
        crime(
            "edge-1", occurred_from=f"{first}T00:00:00", recorded_date=first, offence_group="other"
        ),
        crime(
            "edge-2", occurred_from=f"{last}T23:00:00", recorded_date=last, offence_group="other"
        ),
    ]


# --- share_by_group_since -------------------------------------------------------------------


def test_share_by_group_since_counts_from_the_date_and_keeps_groups_with_none(
    tmp_path: Path,
) -> None:
    crimes = [
        crime("R0", occurred_from="2020-06-30T23:59:00", offence_group="robbery"),  # before
        crime("H1", occurred_from="2020-07-01T00:00:00"),  # the first minute counts
        crime("H2", occurred_from="2020-08-01T10:00:00"),
        crime("H3", occurred_from="2020-09-01T10:00:00"),
        crime("S1", occurred_from="2020-09-02T10:00:00", offence_group="rape"),
    ]
    finding = trends.share_by_group_since(open_full(tmp_path, crimes))
    # 4 crimes since 2020-07-01: harassment 3/4, rape 1/4; robbery is in scope but has none since
    assert finding.headlines == {
        "share_by_group_since": {"harassment": 0.75, "rape": 0.25, "robbery": 0.0}
    }
    first = finding.tables["share_by_group"][0]
    # Wilson 95% for 3/4: centre (0.75 + 1.96²/8) / (1 + 1.96²/4) = 0.6275, half-width 0.3269
    assert (first["group"], first["crimes"]) == ("harassment", 3)
    assert first["low"] == pytest.approx(0.3006, abs=1e-4)
    assert first["high"] == pytest.approx(0.9544, abs=1e-4)
    assert finding.figures == {"since": "2020-07-01", "crimes": 4}


def test_share_by_group_since_is_not_available_with_nothing_since(tmp_path: Path) -> None:
    ds = open_full(tmp_path, [crime("C1")], Options(mix_since=date(2022, 1, 1)))
    finding = trends.share_by_group_since(ds)
    assert finding.status == "not_available"
    assert finding.headlines == {"share_by_group_since": None}
    assert finding.needs == ("crimes.occurred_from on or after 2022-01-01",)


# --- fastest_growing_group ------------------------------------------------------------------


def growth_crimes(skip: str | None = None) -> list[dict[str, Any]]:
    """2020 (base) and 2021 (latest), every month whole, one `other` crime a month."""
    filler = {m: 1 for m in months_of(2020) + months_of(2021) if m not in ("2020-01", "2021-12")}
    if skip:
        filler.pop(skip)
    return [
        *edges("2020-01-01", "2021-12-31"),  # the January 2020 and December 2021 `other`
        *monthly(filler),
        *monthly({"2020-03": 2}, "stalking"),
        *monthly({"2021-02": 3, "2021-09": 3}, "stalking"),
        *monthly({"2020-05": 4}, "harassment"),
        *monthly({"2021-05": 2}, "harassment"),
        *monthly({"2021-10": 3}, "rape"),  # nothing in the base year: left out
    ]


def test_fastest_growing_group_ranks_growth_with_exact_intervals(tmp_path: Path) -> None:
    finding = trends.fastest_growing_group(open_full(tmp_path, growth_crimes()))
    assert finding.headlines == {"fastest_growing_group": "stalking"}
    table = {row["group"]: row for row in finding.tables["growth_by_group"]}
    assert [row["group"] for row in finding.tables["growth_by_group"]] == [
        "stalking",
        "other",
        "harassment",
        "rape",
    ]
    # stalking 2 → 6: growth 6/2 − 1 = 2; Clopper-Pearson for 6 of 8 is [0.34914, 0.96815],
    # so the ratio p/(1−p) runs 0.53644 … 30.3932 and growth −0.46356 … 29.3932
    assert (table["stalking"]["base"], table["stalking"]["latest"]) == (2, 6)
    assert table["stalking"]["growth"] == pytest.approx(2.0)
    assert table["stalking"]["low"] == pytest.approx(-0.46356, abs=1e-4)
    assert table["stalking"]["high"] == pytest.approx(29.3932, abs=1e-3)
    assert (table["other"]["base"], table["other"]["latest"], table["other"]["growth"]) == (
        12,
        12,
        0.0,
    )
    # harassment 4 → 2: −0.5; 2 of 6 gives growth −0.9548 … +2.4888
    assert table["harassment"]["growth"] == pytest.approx(-0.5)
    assert table["harassment"]["low"] == pytest.approx(-0.95477, abs=1e-4)
    assert table["harassment"]["high"] == pytest.approx(2.48877, abs=1e-4)
    assert table["rape"] | {"note": None} == {
        "group": "rape",
        "base": 0,
        "latest": 3,
        "growth": None,
        "low": None,
        "high": None,
        "note": None,
        "rank": None,
    }
    assert [table[g]["rank"] for g in ("stalking", "other", "harassment")] == [1, 2, 3]
    assert finding.figures == {
        "base_months": ["2020-01", "2020-12"],
        "latest_months": ["2021-01", "2021-12"],
    }


def test_fastest_growing_group_needs_whole_base_months_and_twelve_after(tmp_path: Path) -> None:
    ds = open_full(tmp_path / "gap", growth_crimes(skip="2020-07"))
    gap = trends.fastest_growing_group(ds)
    assert gap.status == "not_available" and "2020-07" in gap.needs[0]
    ds = open_full(tmp_path / "late", growth_crimes(), Options(growth_since=date(2020, 6, 1)))
    late = trends.fastest_growing_group(ds)
    # base 2020-06 … 2021-05, then only 2021-06 … 2021-12 (7 months) follow
    assert late.needs == ("12 complete months after 2021-05 (have 7)",)
    assert late.headlines == {"fastest_growing_group": None}
    ds = open_full(tmp_path / "early", growth_crimes(), Options(growth_since=date(2019, 6, 1)))
    assert "2019-06" in trends.fastest_growing_group(ds).needs[0]


# --- summer peaks, peak month, monthly tables -----------------------------------------------


def test_summer_peak_years_takes_complete_years_only(tmp_path: Path) -> None:
    # 2019: June–August 3 a month, the rest 2 → 3 > 2; 2020: 2 every month → not a peak;
    # 2021: only January → not complete
    counts = {m: 3 if m[5:] in ("06", "07", "08") else 2 for m in months_of(2019)}
    counts |= {m: 2 for m in months_of(2020)}
    counts["2019-01"], counts["2021-01"] = 1, 1
    crimes = [*edges("2019-01-01", "2020-12-31"), *monthly(counts)]
    finding = trends.summer_peak_years(open_full(tmp_path, crimes))
    # edge-last adds a third December 2020 crime: other months mean (8 × 2 + 3) / 9 = 19/9
    assert finding.headlines == {"summer_peak_years": [2019]}
    rows = finding.tables["summer_vs_rest_by_year"]
    assert [r["year"] for r in rows] == [2019, 2020]
    assert rows[0] | {"low": None, "high": None} == {
        "year": 2019,
        "summer_mean": 3.0,
        "other_months_mean": 2.0,
        "difference": 1.0,
        "summer_peak": True,
        "rate_ratio": 1.5,
        "low": None,
        "high": None,
    }
    # 9 summer crimes of 27: Clopper-Pearson [0.16518, 0.53958] → RR = 3p/(1−p) 0.5936 … 3.5162
    assert rows[0]["low"] == pytest.approx(0.59362, abs=1e-4)
    assert rows[0]["high"] == pytest.approx(3.51618, abs=1e-4)
    assert rows[1]["other_months_mean"] == pytest.approx(19 / 9)
    assert rows[1]["summer_peak"] is False


def test_a_year_with_a_missing_month_is_not_complete(tmp_path: Path) -> None:
    counts = {m: 3 if m[5:] in ("06", "07", "08") else 2 for m in months_of(2019)}
    counts["2019-01"], counts["2019-12"] = 1, 1
    counts.pop("2019-10")  # a gap, not a zero: 2019 cannot be judged
    crimes = [*edges("2019-01-01", "2019-12-31"), *monthly(counts)]
    finding = trends.summer_peak_years(open_full(tmp_path, crimes))
    assert finding.status == "not_available"
    assert finding.headlines == {"summer_peak_years": None}


def test_peak_month_takes_the_earliest_of_equal_months(tmp_path: Path) -> None:
    crimes = monthly({"2021-03": 3, "2021-04": 1, "2021-05": 3, "2021-07": 2})
    finding = trends.peak_month(open_full(tmp_path, crimes))
    assert finding.headlines == {"peak_month": "2021-03"}
    assert finding.tables["busiest_months"] == [
        {"rank": 1, "month": "2021-03", "crimes": 3},
        {"rank": 1, "month": "2021-05", "crimes": 3},
        {"rank": 3, "month": "2021-07", "crimes": 2},
        {"rank": 4, "month": "2021-04", "crimes": 1},
    ]
    assert finding.figures["missing_months"] == ["2021-06"]


def test_monthly_counts_list_gaps_as_gaps_and_zeros_as_zeros(tmp_path: Path) -> None:
    crimes = [
        *monthly({"2021-01": 2}, "harassment"),
        *monthly({"2021-01": 1, "2021-03": 1}, "rape"),
    ]
    finding = trends.monthly_counts(open_full(tmp_path, crimes))
    assert finding.tables["monthly_counts"] == [
        {"month": "2021-01", "complete": False, "crimes": 3, "harassment": 2, "rape": 1},
        # A month with no crimes at all is a gap, never complete.
        {"month": "2021-02", "complete": False, "crimes": None, "harassment": None, "rape": None},
        {"month": "2021-03", "complete": False, "crimes": 1, "harassment": 0, "rape": 1},
    ]
    assert finding.figures["missing_months"] == ["2021-02"]
    assert finding.figures["grouped_by"] == "offence_group"


def test_seasonality_on_financial_years(tmp_path: Path) -> None:
    crimes = monthly({"2021-03": 2, "2021-04": 1})
    ds = open_full(tmp_path, crimes, Options(year_basis="financial"))
    rows = trends.seasonality(ds).tables["crimes_by_year_and_month"]
    # March 2021 closes financial year 2020 (April 2020–March 2021); April 2021 opens 2021
    assert [(r["year"], r["month"], r["crimes"], r["year_basis"]) for r in rows] == [
        (2020, 3, 2, "financial"),
        (2021, 4, 1, "financial"),
    ]


# --- period effects -------------------------------------------------------------------------


def flat_history() -> list[dict[str, Any]]:
    """2018-01 … 2021-12: each month a domestic crime on the 1st and a non-domestic on its
    last day, so every month holds exactly 2 (1 + 1) and every month is complete."""
    rows = []
    for year in (2018, 2019, 2020, 2021):
        for month in range(1, 13):
            last = trends.month_days(f"{year}-{month:02d}")
            rows.append(
                crime(
                    f"D{year}{month:02d}",
                    occurred_from=f"{year}-{month:02d}-01T00:00:00",
                    domestic="true",
                )
            )
            rows.append(
                crime(
                    f"N{year}{month:02d}",
                    occurred_from=f"{year}-{month:02d}-{last}T23:00:00",
                    domestic="false",
                )
            )
    return rows


PERIODS = [
    {"name": "Spring", "kind": "campaign", "start_date": "2021-03-01", "end_date": "2021-04-30"},
    {"name": "Late March", "kind": "other", "start_date": "2021-03-16", "end_date": "2021-03-31"},
    {"name": "Too early", "kind": "other", "start_date": "2018-06-01", "end_date": "2018-06-30"},
    {"name": "Beyond", "kind": "other", "start_date": "2021-12-20", "end_date": "2022-01-10"},
]


def test_period_effects_on_a_flat_history(tmp_path: Path) -> None:
    ds = open_full(tmp_path, flat_history(), periods=PERIODS)
    finding = trends.period_effects(ds)
    effects = {e["period"]: e for e in finding.headlines["period_effects"]}
    assert list(effects) == ["Spring", "Late March"]
    spring = effects["Spring"]
    # the history (2018-01 … 2021-02, leaving out nothing: the other periods touch 2018-06,
    # 2021-03, 2021-12 and 2022-01, none of them before March 2021 except 2018-06) is flat at
    # 2 a month, so the model expects 2 × 2 months = 4, and 4 were observed
    assert spring["kind"] == "campaign"
    assert spring["observed"] == 4
    assert spring["expected"] == pytest.approx(4.0, abs=1e-6)
    assert spring["low"] <= 4 <= spring["high"]
    assert spring["domestic"]["observed"] == 2
    assert spring["domestic"]["expected"] == pytest.approx(2.0, abs=1e-6)
    assert spring["non_domestic"]["expected"] == pytest.approx(2.0, abs=1e-6)
    late = effects["Late March"]
    # 16 of March's 31 days: expected 2 × 16/31 = 1.0323; observed the non-domestic on the 31st
    assert late["expected"] == pytest.approx(32 / 31, abs=1e-6)
    assert late["observed"] == 1
    assert late["domestic"]["observed"] == 0
    assert late["domestic"]["expected"] == pytest.approx(16 / 31, abs=1e-6)
    skipped = {s["period"]: s["reason"] for s in finding.tables["periods_not_estimated"]}
    assert skipped["Too early"] == "5 complete months before the period; the model needs 24"
    assert skipped["Beyond"] == "the period reaches outside the window"
    row = finding.tables["period_effects"][0]
    assert (row["history_from"], row["history_to"], row["history_months"]) == (
        "2018-01",
        "2021-02",
        37,  # 38 months less June 2018, which the "Too early" period touches
    )
    assert row["history_months_left_out"] == "2018-06"
    assert row["all_dispersion"] == 1.0  # a perfect fit is no more variable than Poisson


def test_monthly_residuals_after_the_earliest_period(tmp_path: Path) -> None:
    crimes = [*flat_history(), *monthly({"2021-08": 6}, domestic="false")]
    ds = open_full(tmp_path, crimes, periods=PERIODS[:1])
    residuals = {r["month"]: r for r in trends.period_effects(ds).tables["monthly_residuals"]}
    # the model is fitted to 2018-01 … 2021-02 and predicts 2 a month (1 + 1) from 2021-03 on
    assert (min(residuals), max(residuals), len(residuals)) == ("2021-03", "2021-12", 10)
    august = residuals["2021-08"]
    assert august["non_domestic_observed"] == 7
    assert august["non_domestic_excess"] == pytest.approx(6.0, abs=1e-6)
    assert august["domestic_excess"] == pytest.approx(0.0, abs=1e-6)
    assert august["non_domestic_observed"] > august["non_domestic_high"]


def test_period_effects_needs_a_periods_table(tmp_path: Path) -> None:
    finding = trends.period_effects(open_full(tmp_path, flat_history()))
    assert finding.status == "not_available"
    assert finding.needs == ("periods",)
    assert finding.headlines == {"period_effects": None}


# --- crimes-only, month-level data ----------------------------------------------------------


def month_level_year() -> list[dict[str, Any]]:
    """A police.uk-style year: month-level records, summer months busier, no domestic flag."""
    counts = {m: 3 if m[5:] in ("06", "07", "08") else 2 for m in months_of(2021)}
    return monthly(
        counts,
        day="01",
        at="00:00:00",
        time_precision="month",
        domestic="",
        crime_type="Violence and sexual offences",
    )


def test_month_level_trends_work_in_a_crimes_only_dataset(tmp_path: Path) -> None:
    ds = open_crimes_only(tmp_path, month_level_year())
    # the last records are dated 2021-12-01 but stand for December: 2021 is complete
    assert trends.summer_peak_years(ds).headlines == {"summer_peak_years": [2021]}
    assert trends.peak_month(ds).headlines == {"peak_month": "2021-06"}
    counts = trends.monthly_counts(ds)
    assert counts.figures["grouped_by"] == "crime_type"
    assert counts.tables["monthly_counts"][-1]["complete"] is True
    for analysis, key in (
        (trends.share_by_group_since, "share_by_group_since"),
        (trends.fastest_growing_group, "fastest_growing_group"),
    ):
        finding = analysis(ds)
        assert finding.status == "not_available" and finding.headlines == {key: None}
        assert finding.needs == ("crimes.offence_group",)


def test_period_effects_counts_month_level_records_pro_rata(tmp_path: Path) -> None:
    counts = {m: 2 for m in months_of(2019) + months_of(2020) + months_of(2021)}
    crimes = monthly(
        counts, day="01", at="00:00:00", time_precision="month", domestic="", crime_type="X"
    )
    folder = write_dataset(tmp_path / "d", crimes)
    write_csv(folder / "periods.csv", [PERIODS[1]], ["name", "kind", "start_date", "end_date"])
    ingest(folder, tmp_path / "s.duckdb")
    ds = Dataset.open(tmp_path / "s.duckdb", Options(scope=Scope(crime_types=("X",))))
    (late,) = trends.period_effects(ds).headlines["period_effects"]
    # March 2021's 2 month-level records count 16/31 each; the flat history expects the same
    assert late["observed"] == pytest.approx(32 / 31)
    assert late["expected"] == pytest.approx(32 / 31, abs=1e-6)
    assert late["domestic"] is None and late["non_domestic"] is None


@pytest.mark.parametrize("analysis", trends.ANALYSES, ids=lambda f: f.__name__)
def test_an_empty_scope_gives_findings_not_errors(tmp_path: Path, analysis: Any) -> None:
    # every crime is harassment, so a scope of homicides holds nothing
    ds = open_full(tmp_path, [crime("C1")], Options(scope=Scope(offence_groups=("homicide",))))
    finding = analysis(ds)
    assert finding.definition and finding.summary
    assert all(value in (None, {}, []) for value in finding.headlines.values())


# --- the demo world -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(demo_store: Path) -> Dataset:
    return Dataset.open(demo_store)


LOWER_HARM = (
    "violence_without_injury",
    "stalking",
    "harassment",
    "malicious_communications",
    "controlling_coercive",
)


@pytest.mark.slow
def test_demo_mix_since_july_2020(demo: Dataset) -> None:
    mix = trends.share_by_group_since(demo).headlines["share_by_group_since"]
    # demo world: 0.725 / 0.095 / 0.168 / 0.012; Kent 0.74 / 0.09 / 0.17 / ≤ 0.02 (± 0.03)
    assert sum(mix[g] for g in LOWER_HARM) == pytest.approx(0.74, abs=0.03)
    assert mix["rape"] + mix["other_sexual"] == pytest.approx(0.09, abs=0.03)
    assert mix["violence_with_injury"] == pytest.approx(0.17, abs=0.03)
    others = set(mix) - {*LOWER_HARM, "rape", "other_sexual", "violence_with_injury"}
    assert sum(mix[g] for g in others) <= 0.02


@pytest.mark.slow
def test_demo_fastest_growing_group_is_stalking(demo: Dataset) -> None:
    # demo world: stalking 2,136 (2020) → 4,271 (2021-04 … 2022-03), +100 %
    assert trends.fastest_growing_group(demo).headlines == {"fastest_growing_group": "stalking"}


@pytest.mark.slow
def test_demo_2019_is_the_only_complete_year_without_a_summer_peak(demo: Dataset) -> None:
    # demo world: Jun–Aug against the other months 2017 +18 %, 2018 +24 %, 2019 −9 %,
    # 2020 +26 %, 2021 +22 %; complete calendar years are 2017–2021 (data from April 2016)
    years = trends.summer_peak_years(demo).headlines["summer_peak_years"]
    complete = [y for y in range(2016, 2022) if y in demo.window.complete_years()]
    assert complete == [2017, 2018, 2019, 2020, 2021]
    assert [y for y in complete if y not in years] == [2019]


@pytest.mark.slow
def test_demo_peak_month(demo: Dataset) -> None:
    assert trends.peak_month(demo).headlines == {"peak_month": "2020-08"}


@pytest.mark.slow
def test_demo_no_domestic_rise_in_lockdowns(demo: Dataset) -> None:
    effects = trends.period_effects(demo).headlines["period_effects"]
    # demo world, domestic observed / expected (95% PI): first 4,628 / 4,234 (3,838–4,658),
    # second 1,096 / 1,053 (883–1,237), third 3,772 / 3,606 (3,254–3,984)
    assert [e["period"] for e in effects] == [
        "First national lockdown",
        "Second national lockdown",
        "Third national lockdown",
    ]
    for effect in effects:
        assert effect["kind"] == "lockdown"
        assert effect["observed"] <= effect["high"], effect["period"]
        assert effect["domestic"]["observed"] <= effect["domestic"]["high"], effect["period"]


@pytest.mark.slow
def test_demo_lockdowns_cut_non_domestic_and_summer_2020_uptick_is_non_domestic(
    demo: Dataset,
) -> None:
    finding = trends.period_effects(demo)
    for effect in finding.headlines["period_effects"]:
        # demo world: non-domestic 935 vs 1,447–1,765; 225 vs 288–521; 757 vs 1,190–1,670
        assert effect["non_domestic"]["observed"] < effect["non_domestic"]["low"]
    august = {r["month"]: r for r in finding.tables["monthly_residuals"]}["2020-08"]
    # demo world: non-domestic 843 against 484 expected (+359), domestic 1,422 against 1,349
    # (+73)
    assert august["non_domestic_observed"] > august["non_domestic_high"]
    assert august["non_domestic_excess"] > 2 * august["domestic_excess"]
