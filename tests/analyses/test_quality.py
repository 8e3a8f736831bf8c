"""Data quality on a hand-made year with a missing month, a spike and flawed rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.helpers import crime, write_dataset
from vawgscope.analyses import quality
from vawgscope.dataset import Dataset
from vawgscope.ingest import ingest

LSOA = "E01000001"


def month_of_crimes(month: int, n: int) -> list[dict[str, Any]]:
    """``n`` crimes on the first days of a 2021 month (up to two a day), each with an LSOA."""
    return [
        crime(
            f"C{month:02d}-{i:02d}",
            occurred_from=f"2021-{month:02d}-{i // 2 + 1:02d}T{10 + i % 2}:00:00",
            domestic="",
            lsoa_code=LSOA,
        )
        for i in range(n)
    ]


@pytest.fixture
def ds(tmp_path: Path) -> Dataset:
    """A crimes-only year of 10 crimes a month, April missing and August 40, with flaws:

    Jan: two crimes with no location at all and one with easting/northing only (located; an
    easting without a northing is rejected at ingest); Feb: two known only to the day; Mar: one
    window of 19 days; Dec: the last crime on the 31st, so December is complete; one row
    with an unknown offence group, rejected at ingest.
    """
    crimes = []
    for month in (1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12):
        crimes += month_of_crimes(month, 40 if month == 8 else 10)
    jan = crimes[:3]
    jan[0]["lsoa_code"] = ""
    jan[1].update(lsoa_code="", easting=576000, northing=155000)
    jan[2]["lsoa_code"] = ""
    for row in crimes[10:12]:
        row.update(occurred_from=row["occurred_from"][:10], time_precision="day")
    crimes[20]["occurred_to"] = "2021-03-20T12:00:00"
    crimes[-1]["occurred_from"] = "2021-12-31T12:00:00"
    crimes.append(crime("BAD", offence_group="assault", domestic=""))
    ingest(write_dataset(tmp_path / "d", crimes), tmp_path / "s.duckdb")
    return Dataset.open(tmp_path / "s.duckdb")


def test_crime_checks_and_rejects(ds: Dataset) -> None:
    finding = quality.data_quality(ds)
    figures = finding.figures
    # 10 months of 10 crimes and August's 40.
    assert figures["crimes"] == 140
    assert figures["no_location"] == 2
    assert figures["no_exact_time"] == 2
    assert figures["window_over_7_days"] == 1
    assert figures["no_location_share"] == pytest.approx(2 / 140)
    assert figures["rejected_at_ingest"] == {"crimes": 1}
    assert finding.tables["tables"] == [{"table": "crimes", "rows": 140, "rejected_at_ingest": 1}]
    columns = {r["column"]: r for r in finding.tables["columns"]}
    # lsoa_code is empty on three crimes; northing on all but one.
    assert columns["lsoa_code"]["missing"] == 3
    assert columns["northing"]["missing"] == 139
    assert columns["crime_id"]["missing_share"] == 0.0
    assert finding.summary.startswith("The figures stand on 140 in-scope crimes 2021-01-01")


def test_missing_month_and_spike_month(ds: Dataset) -> None:
    finding = quality.data_quality(ds)
    assert finding.figures["missing_months"] == ["2021-04"]
    # August against May, Jun, Jul, Sep, Oct, Nov (10 each; 31 or 30 days): median daily rate
    # (10/31 + 10/30)/2, so expected = 31 × that = 10.1667; MAD of the rates
    # (10/30 − 10/31)/2 = 0.005376 gives 31 × 1.4826 × 0.005376 = 0.247 < √10.1667 = 3.1885,
    # the Poisson floor; z = (40 − 10.1667) / 3.18852 = 9.35648.
    [spike] = finding.figures["anomalous_months"]
    assert spike == pytest.approx({"month": "2021-08", "crimes": 40, "expected": 10.166667,
                                   "z": 9.356480})  # fmt: skip
    months = {m["month"]: m for m in finding.tables["months"]}
    assert len(months) == 12
    assert months["2021-04"]["status"] == "missing" and months["2021-04"]["crimes"] is None
    # The edges have neighbours on one side only and are not judged.
    assert months["2021-01"]["z"] is None and months["2021-12"]["z"] is None
    # July has the missing April and the August spike among its neighbours and is not flagged.
    assert months["2021-07"]["anomalous"] is False


def test_robust_z_compares_daily_rates() -> None:
    # A 28-day February with 28 crimes against 31-day months of 31: exactly the same rate.
    assert quality.robust_z(28, 28, [(31, 31), (31, 31), (31, 31)]) == (28.0, pytest.approx(
        28**0.5), 0.0)  # fmt: skip


@pytest.mark.slow
def test_demo_world_quality(demo_store: Path) -> None:
    ds = Dataset.open(demo_store)
    finding = quality.data_quality(ds)
    assert finding.figures["missing_months"] == []
    rows = {t["table"]: t["rows"] for t in finding.tables["tables"]}
    assert rows == {t: int(ds.info.meta[f"rows.{t}"]) for t in ds.info.tables}
    # The demo world gives every crime a location and an exact time.
    assert finding.figures["no_location"] == 0 and finding.figures["no_exact_time"] == 0


# --- the low-volume rule (suspected incomplete months) ---------------------------------------


def test_low_volume_rule_flags_a_month_at_a_third_of_its_neighbours() -> None:
    # 100 crimes a day in every month except April 2021, with 1,000 in 30 days (33.3 a day):
    # April's 6 neighbours (Jan–Mar, May–Jul) all run at 100 a day, so expected = 30 × 100 =
    # 3,000 and ratio = 1,000 / 3,000 = 1/3 < 0.5 (and P(X ≤ 1,000 | 3,000) is tiny).
    counts = {"2021-01": 3100, "2021-02": 2800, "2021-03": 3100, "2021-04": 1000}
    counts |= {"2021-05": 3100, "2021-06": 3000, "2021-07": 3100}
    ratios = quality.volume_ratios(counts)
    assert ratios["2021-04"]["expected"] == pytest.approx(3000)
    assert ratios["2021-04"]["ratio"] == pytest.approx(1 / 3)
    # January's neighbours (Feb, Mar, Apr: 100, 100, 33.3 a day) have median 100: ratio 1
    assert ratios["2021-01"]["ratio"] == pytest.approx(1.0)
    assert quality.low_volume_months(counts) == ["2021-04"]


def test_low_volume_rule_needs_two_neighbours_and_more_than_noise() -> None:
    # one neighbour only: not judged
    assert quality.volume_ratios({"2021-01": 3100, "2021-02": 100}) == {}
    # Feb: 1 crime against 28 × 4/31 = 3.6 expected is a ratio of 0.28, but P(X ≤ 1) =
    # e^-3.6 × (1 + 3.6) ≈ 0.13, well above 0.001: a halving of tiny counts is noise
    counts = {"2021-01": 4, "2021-02": 1, "2021-03": 4}
    assert quality.volume_ratios(counts)["2021-02"]["ratio"] < 0.5
    assert quality.low_volume_months(counts) == []


def public_crimes() -> list[dict[str, Any]]:
    """Crimes-only, month-level: 60 crimes a month Jan–Jun 2021 except March with 10, and
    August with 60 after a missing July; two crimes carry an LSOA outside the areas."""
    rows = []
    for month, n in ((1, 60), (2, 60), (3, 10), (4, 60), (5, 60), (6, 60), (8, 60)):
        for i in range(n):
            rows.append(
                crime(
                    f"P{month:02d}-{i:02d}",
                    recorded_date=f"2021-{month:02d}-01",
                    occurred_from=f"2021-{month:02d}-01",
                    time_precision="month",
                    domestic="",
                    crime_type="Violence and sexual offences",
                    offence_group="other",
                    location_type="unknown",
                    lsoa_code="E09999999" if (month, i) in ((1, 0), (2, 0)) else LSOA,
                )
            )
    return rows


def open_public(tmp_path: Path, options: Any = None) -> Dataset:
    from tests.helpers import write_csv
    from vawgscope.options import Options

    folder = write_dataset(tmp_path / "p", public_crimes())
    write_csv(
        folder / "areas.csv",
        [
            {
                "lsoa_code": LSOA,
                "lsoa_name": "Maidstone 001A",
                "district": "Maidstone",
                "easting": 576000,
                "northing": 155000,
            }
        ],
    )
    ingest(folder, tmp_path / "p.duckdb")
    return Dataset.open(tmp_path / "p.duckdb", options or Options())


def test_public_quality_flags_the_low_month_and_counts_outside_areas(tmp_path: Path) -> None:
    finding = quality.data_quality(open_public(tmp_path))
    figures = finding.figures
    # March: 10 against the median of Jan, Feb, Apr, May, Jun (60 in 31, 28, 30, 31, 30 days)
    # per day = 60/30 = 2 → expected 31 × 2 = 62, ratio 10/62 = 0.16
    [march] = figures["low_volume_months"]
    assert march["month"] == "2021-03" and march["expected"] == pytest.approx(62)
    assert figures["months_left_out_of_models"] == ["2021-03"]
    assert figures["missing_months"] == ["2021-07"]  # a gap, never a zero
    assert "2021-07" not in figures["months_present"]
    assert figures["outside_force_area"] == 2
    assert figures["public_ingest"] == {}  # not a police.uk ingest
    months = {m["month"]: m for m in finding.tables["months"]}
    assert months["2021-03"]["low_volume"] is True and months["2021-03"]["left_out_of_models"]
    assert "2021-03 (16% of its neighbours)" in finding.summary


def test_trend_models_leave_the_low_month_out_unless_kept(tmp_path: Path) -> None:
    from vawgscope.analyses import trends
    from vawgscope.options import Options

    left = trends.seasonality(open_public(tmp_path / "a"))
    assert left.figures["months_left_out_of_models"] == ["2021-03"]
    assert [r["month"] for r in left.tables["months_left_out_of_models"]] == ["2021-03"]
    assert trends.monthly_totals(open_public(tmp_path / "b")).complete == [
        "2021-01",
        "2021-02",
        "2021-04",
        "2021-05",
        "2021-06",
        "2021-08",
    ]
    kept = open_public(tmp_path / "c", Options(keep_anomalous_months=True))
    assert trends.seasonality(kept).figures["months_left_out_of_models"] == []
    assert quality.data_quality(kept).figures["months_left_out_of_models"] == []
