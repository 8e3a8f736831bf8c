"""Areas: top LSOAs by year, the persistent hot spot, districts now and two years ahead, and
rates per 1,000 residents, on tiny datasets worked out by hand and on the demo world."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.helpers import crime, write_csv, write_dataset
from vawgscope.analyses.areas import (
    ANALYSES,
    _rates,
    area_rates,
    competition_ranks,
    district_forecast,
    district_ranking_now,
    forecast_counts,
    top_lsoas,
)
from vawgscope.analyses.common import garwood
from vawgscope.dataset import Dataset
from vawgscope.ingest import ingest
from vawgscope.options import Options

VIOLENCE = "Violence and sexual offences"
AREAS = [
    {
        "lsoa_code": "A1",
        "lsoa_name": "Alpha 001A",
        "district": "Alpha",
        "easting": 1,
        "northing": 1,
    },
    {"lsoa_code": "B1", "lsoa_name": "Beta 001A", "district": "Beta", "easting": 2, "northing": 2},
    {
        "lsoa_code": "G1",
        "lsoa_name": "Gamma 001A",
        "district": "Gamma",
        "easting": 3,
        "northing": 3,
    },
]


def _open(
    folder: Path,
    crimes: list[dict[str, Any]],
    *,
    areas: list[dict[str, Any]] | None = None,
    population: list[dict[str, Any]] | None = None,
    options: Options | None = None,
    present: tuple[str, str] | None = None,
) -> Dataset:
    """A crimes-only dataset (every crime of ``_at`` in scope) with optional areas and
    population. ``present`` = (first, last) month: one out-of-scope burglary on the 15th of
    each month between, so the data hold every month (a month with no crime at all is
    missing from the data, a gap)."""
    if present is not None:
        crimes = [*crimes, *_fillers(*present)]
    data = write_dataset(folder / "d", crimes)
    if areas is not None:
        write_csv(data / "areas.csv", areas)
    if population is not None:
        write_csv(data / "population.csv", population)
    ingest(data, folder / "s.duckdb")
    return Dataset.open(folder / "s.duckdb", options)


def _at(crime_id: str, when: str, lsoa: str | None) -> dict[str, Any]:
    return crime(
        crime_id,
        occurred_from=f"{when}T12:00:00",
        lsoa_code=lsoa or "",
        domestic="",
        crime_type=VIOLENCE,
    )


def _fillers(first: str, last: str) -> list[dict[str, Any]]:
    """A burglary (out of the default scope) on the 15th of every month from first to last."""
    out, (year, month) = [], (int(first[:4]), int(first[5:]))
    while f"{year:04d}-{month:02d}" <= last:
        when = f"{year:04d}-{month:02d}-15T12:00:00"
        out.append(
            crime(f"FILL-{when[:7]}", occurred_from=when, domestic="", crime_type="Burglary")
        )
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


# --- ranks ----------------------------------------------------------------------------------


def test_competition_ranks_share_the_best_rank() -> None:
    assert competition_ranks({"a": 5, "b": 5, "c": 3, "d": 1}) == {"a": 1, "b": 1, "c": 3, "d": 4}


# --- top LSOAs and the persistent hot spot ------------------------------------------------
#
# Window 2020-01-01 … 2022-02-01: 2020 and 2021 are complete, 2022 is not (missing months).
#   2020: A 3, B 3, D 2, K01 … K11 1 each        -> A 1, B 1, D 3, K01…K11 4 (14 LSOAs)
#   2021: A 4, B 4, C 1                           -> A 1, B 1, C 3 (3 LSOAs; the rest rank 4)
#   2022-02: Z 5 (an incomplete year: ignored)
# top-10 2020: A, B (tie, by code), D, then K01 … K07 (ties at 4, by code)
# worst ranks: A 1, B 1, D max(3, 4) = 4, K01 max(4, 4) = 4, C max(15, 3) = 15
# most persistent: A (tied with B on 1, first by code)
def _top_crimes() -> list[dict[str, Any]]:
    spec = {"2020": {"A": 3, "B": 3, "D": 2}, "2021": {"A": 4, "B": 4, "C": 1}}
    spec["2020"].update({f"K{i:02d}": 1 for i in range(1, 12)})
    crimes = [_at("FIRST", "2020-01-01", "A"), _at("LAST", "2021-12-31", "C")]
    spec["2020"]["A"] -= 1  # FIRST is one of A's three in 2020
    spec["2021"]["C"] -= 1  # LAST is C's one in 2021
    for year, counts in spec.items():
        for lsoa, n in counts.items():
            crimes += [_at(f"{year}-{lsoa}-{k}", f"{year}-06-15", lsoa) for k in range(n)]
    crimes += [_at(f"Z{k}", "2022-02-01", "Z") for k in range(5)]
    crimes.append(_at("NOWHERE", "2021-03-01", None))
    return crimes


def test_top_lsoas_by_year_and_the_persistent_hot_spot(tmp_path: Path) -> None:
    finding = top_lsoas(_open(tmp_path, _top_crimes(), present=("2020-01", "2022-02")))
    top = finding.headlines["top_lsoas_by_year"]
    assert top == {
        2020: ["A", "B", "D", "K01", "K02", "K03", "K04", "K05", "K06", "K07"],
        2021: ["A", "B", "C"],
    }
    assert finding.headlines["most_persistent_hotspot"] == {"lsoa_code": "A", "worst_rank": 1}
    rows_2020 = [r for r in finding.tables["top_lsoas_by_year"] if r["year"] == 2020]
    assert [r["rank"] for r in rows_2020] == [1, 1, 3, 4, 4, 4, 4, 4, 4, 4]
    persistence = {r["lsoa_code"]: r for r in finding.tables["persistence"]}
    assert persistence["D"]["worst_rank"] == 4 and persistence["D"]["rank_2021"] == 4
    assert persistence["C"]["worst_rank"] == 15 and persistence["C"]["rank_2020"] == 15
    assert [r["lsoa_code"] for r in finding.tables["persistence"][:3]] == ["A", "B", "D"]
    assert finding.figures["crimes_without_lsoa"] == 1
    assert rows_2020[0]["lsoa_name"] is None  # no areas table: codes only


def test_top_lsoas_on_financial_years(tmp_path: Path) -> None:
    # The window 2020-01-01 … 2022-02-01 holds one complete financial year: April 2020 –
    # March 2021, named 2020.
    options = Options(year_basis="financial")
    finding = top_lsoas(
        _open(tmp_path, _top_crimes(), options=options, present=("2020-01", "2022-02"))
    )
    assert list(finding.headlines["top_lsoas_by_year"]) == [2020]
    assert finding.tables["top_lsoas_by_year"][0]["year_basis"] == "financial"


def test_top_lsoas_with_area_names(tmp_path: Path) -> None:
    crimes = [_at("C1", "2021-01-01", "A1"), _at("C2", "2021-12-31", "A1")]
    finding = top_lsoas(_open(tmp_path, crimes, areas=AREAS, present=("2021-01", "2021-12")))
    row = finding.tables["top_lsoas_by_year"][0]
    assert (row["lsoa_name"], row["district"], row["crimes"]) == ("Alpha 001A", "Alpha", 2)
    assert "Alpha 001A is the most persistent hot spot" in finding.summary


def test_top_lsoas_without_a_complete_year(tmp_path: Path) -> None:
    crimes = [_at("C1", "2021-02-01", "A1"), _at("C2", "2021-12-31", "A1")]
    finding = top_lsoas(_open(tmp_path, crimes))
    assert finding.headlines == {"top_lsoas_by_year": None, "most_persistent_hotspot": None}


# One complete year, 2021: Z 2 crimes, L01 … L22 1 each (23 LSOAs).
#   ranks: Z 1, L01 … L22 2 (a 22-way tie from the 2nd place on)
#   top-10: Z, then L01 … L09 (the tie cut at the 10th place by code)
#   persistence (20 rows): Z, then L01 … L19 (worst ranks 1, 2, …, 2; ties by code)
def test_top_lsoas_cut_ties_at_the_last_place_by_code(tmp_path: Path) -> None:
    crimes = [_at("Z-1", "2021-01-01", "Z"), _at("Z-2", "2021-12-31", "Z")]
    crimes += [_at(f"L{i:02d}", "2021-06-15", f"L{i:02d}") for i in range(1, 23)]
    finding = top_lsoas(_open(tmp_path, crimes, present=("2021-01", "2021-12")))
    assert finding.headlines["top_lsoas_by_year"] == {
        2021: ["Z", *(f"L{i:02d}" for i in range(1, 10))]
    }
    assert [r["rank"] for r in finding.tables["top_lsoas_by_year"]] == [1] + [2] * 9
    persistence = finding.tables["persistence"]
    assert [r["lsoa_code"] for r in persistence] == ["Z", *(f"L{i:02d}" for i in range(1, 20))]
    assert [r["worst_rank"] for r in persistence] == [1] + [2] * 19
    assert finding.headlines["most_persistent_hotspot"] == {"lsoa_code": "Z", "worst_rank": 1}


# Two complete years, 2020 and 2021; no crime of 2021 has an LSOA.
#   2020: A 2, B 1            -> A 1, B 2
#   2021: no LSOA has crimes  -> every LSOA ranks 1 + 0 = 1
#   worst ranks: A max(1, 1) = 1, B max(2, 1) = 2; best ranks 1 and 1
def test_top_lsoas_with_a_year_in_which_no_lsoa_has_crimes(tmp_path: Path) -> None:
    crimes = [_at("A-1", "2020-01-01", "A"), _at("A-2", "2020-05-01", "A")]
    crimes += [_at("B-1", "2020-06-01", "B"), _at("X-1", "2021-12-31", None)]
    finding = top_lsoas(_open(tmp_path, crimes, present=("2020-01", "2021-12")))
    assert finding.headlines["top_lsoas_by_year"] == {2020: ["A", "B"], 2021: []}
    persistence = {r["lsoa_code"]: r for r in finding.tables["persistence"]}
    assert persistence["A"] == {
        "lsoa_code": "A",
        "lsoa_name": None,
        "district": None,
        "worst_rank": 1,
        "best_rank": 1,
        "rank_2020": 1,
        "rank_2021": 1,
    }
    assert (persistence["B"]["worst_rank"], persistence["B"]["best_rank"]) == (2, 1)
    assert finding.headlines["most_persistent_hotspot"] == {"lsoa_code": "A", "worst_rank": 1}
    assert finding.figures["crimes_without_lsoa"] == 1


def test_top_lsoas_needs_lsoa_codes(tmp_path: Path) -> None:
    finding = top_lsoas(_open(tmp_path, [_at("C1", "2021-02-01", None)]))
    assert finding.status == "not_available"
    assert finding.needs == ("crimes.lsoa_code",)


# --- districts now ----------------------------------------------------------------------------
#
# Window 2020-12-15 … 2021-12-31: the last 12 complete months are 2021-01 … 2021-12, so the
# December 2020 crime in Alpha is not counted. Alpha 2, Beta 2 (tie: rank 1, listed by name),
# Gamma none (0, rank 3); one crime with no LSOA, one with an LSOA areas lacks.
def test_district_rank_now(tmp_path: Path) -> None:
    crimes = [
        _at("OLD", "2020-12-15", "A1"),
        _at("A-1", "2021-02-01", "A1"),
        _at("A-2", "2021-12-31", "A1"),
        _at("B-1", "2021-03-01", "B1"),
        _at("B-2", "2021-04-01", "B1"),
        _at("X-1", "2021-05-01", None),
        _at("X-2", "2021-05-01", "X9"),
    ]
    finding = district_ranking_now(_open(tmp_path, crimes, areas=AREAS))
    assert finding.headlines["district_rank_now"] == [
        {"district": "Alpha", "crimes": 2, "rank": 1},
        {"district": "Beta", "crimes": 2, "rank": 1},
        {"district": "Gamma", "crimes": 0, "rank": 3},
    ]
    assert finding.tables["crimes_without_district"] == [
        {"reason": "lsoa_code not in areas", "crimes": 1},
        {"reason": "no lsoa_code", "crimes": 1},
    ]
    assert finding.figures["months"] == ["2021-01", "2021-12"]


def test_districts_need_areas(tmp_path: Path) -> None:
    ds = _open(tmp_path, [_at("C1", "2021-01-01", "A1")])
    for analysis in (district_ranking_now, district_forecast, area_rates):
        finding = analysis(ds)
        assert finding.status == "not_available", analysis.__name__
        assert all(v is None for v in finding.headlines.values())
        assert any(n.startswith("areas.") for n in finding.needs)


# --- the forecast ---------------------------------------------------------------------------


def _months(first_year: int, n: int) -> list[str]:
    return [f"{first_year + i // 12}-{i % 12 + 1:02d}" for i in range(n)]


def test_forecast_of_a_straight_line_follows_the_line() -> None:
    # 36 months of 100 + 2t (t = 0 … 35). Months 13–24 ahead are t = 48 … 59:
    # sum = 12 × 100 + 2 × (48 + … + 59) = 1,200 + 2 × 642 = 2,484.
    months = _months(2019, 36)
    counts = [100 + 2 * t for t in range(36)]
    result = forecast_counts(months, counts)
    assert result["link"] == "identity"
    assert result["forecast"] == pytest.approx(2484, rel=1e-6)
    assert result["low"] < 2484 < result["high"]
    assert result["path"][0] == {
        "month": "2022-01",
        "forecast": pytest.approx(172, rel=1e-6),  # t = 36
        "low": result["path"][0]["low"],
        "high": result["path"][0]["high"],
    }
    assert result["path"][23]["month"] == "2023-12"
    # a missing month is a gap, not a zero: the line and the forecast do not move
    gap = [m for m in months if m != "2020-06"]
    with_gap = forecast_counts(gap, [c for m, c in zip(months, counts, strict=True) if m in gap])
    assert with_gap["forecast"] == pytest.approx(2484, rel=1e-6)


def test_forecast_is_deterministic_and_zero_for_no_crimes() -> None:
    months = _months(2019, 24)
    counts = [30 + (t % 12) + (t % 5) for t in range(24)]
    assert forecast_counts(months, counts) == forecast_counts(months, counts)
    assert forecast_counts(months, [0] * 24)["forecast"] == 0.0


# Window 2020-01-01 … 2021-12-31, 24 complete months; 2020-06 has no crimes at all (a gap).
# Alpha has t + 1 crimes in month t (t = 0 … 23), Beta 5 a month, Gamma none.
# Months 13–24 ahead are t = 36 … 47: Alpha 37 + … + 48 = 510, Beta 12 × 5 = 60, Gamma 0.
def test_district_forecast(tmp_path: Path) -> None:
    crimes = []
    for t, month in enumerate(_months(2020, 24)):
        if month == "2020-06":
            continue
        crimes += [_at(f"A{t}-{k}", f"{month}-{k + 1:02d}", "A1") for k in range(t + 1)]
        crimes += [_at(f"B{t}-{k}", f"{month}-{k + 1:02d}", "B1") for k in range(5)]
    crimes.append(_at("LAST", "2021-12-31", None))
    finding = district_forecast(_open(tmp_path, crimes, areas=AREAS))
    ranking = finding.headlines["district_rank_forecast_2y"]
    assert [(r["district"], r["rank"]) for r in ranking] == [
        ("Alpha", 1),
        ("Beta", 2),
        ("Gamma", 3),
    ]
    assert ranking[0]["forecast"] == pytest.approx(510, rel=1e-6)
    assert ranking[1]["forecast"] == pytest.approx(60, rel=1e-6)
    assert ranking[2] == {"district": "Gamma", "forecast": 0.0, "low": 0.0, "high": 0.0, "rank": 3}
    assert ranking[0]["low"] < 510 < ranking[0]["high"]
    assert finding.figures["missing_months"] == ["2020-06"]
    assert finding.figures["months_with_data"] == 23
    assert finding.figures["forecast_months"] == ["2023-01", "2023-12"]
    history = [
        r for r in finding.tables["district_history_and_forecast"] if r["district"] == "Alpha"
    ]
    assert [r["kind"] for r in history].count("observed") == 23
    assert [r["kind"] for r in history].count("forecast") == 24
    assert finding.tables["crimes_without_district"] == [{"reason": "no lsoa_code", "crimes": 1}]


def test_district_forecast_needs_a_year_of_months(tmp_path: Path) -> None:
    crimes = [_at("C1", "2021-01-01", "A1"), _at("C2", "2021-06-30", "B1")]
    finding = district_forecast(_open(tmp_path, crimes, areas=AREAS))
    assert finding.headlines == {"district_rank_forecast_2y": None}
    assert "a trend needs 12" in finding.summary


# Window 2020-01 … 2021-12. Alpha has 40 crimes and Beta 20 in every month, except that
# 2020-06 is missing from the data (a gap) and 2021-03 holds only 5 crimes (Alpha), which the
# low-volume rule flags: 5 / 31 a day against 60 / 30 around it, and P(X ≤ 5 | Poisson ≈ 62)
# is far below 0.001. The model uses the other 22 months: flat lines at 40 and 20, so months
# 13–24 ahead (2023-01 … 2023-12) sum to 12 × 40 = 480 and 12 × 20 = 240. Were the low month
# a real count, Alpha's line would bend; were the gap a zero, both would.
def test_district_forecast_leaves_out_missing_and_low_volume_months(tmp_path: Path) -> None:
    crimes = []
    for month in _months(2020, 24):
        if month == "2020-06":
            continue
        alpha, beta = (5, 0) if month == "2021-03" else (40, 20)
        crimes += [_at(f"A{month}-{k}", f"{month}-{k % 28 + 1:02d}", "A1") for k in range(alpha)]
        crimes += [_at(f"B{month}-{k}", f"{month}-{k % 28 + 1:02d}", "B1") for k in range(beta)]
    crimes.append(_at("LAST", "2021-12-31", None))  # ends the window; no district
    finding = district_forecast(_open(tmp_path, crimes, areas=AREAS))
    figures = finding.figures
    assert figures["missing_months"] == ["2020-06"]
    assert figures["months_left_out"] == ["2021-03"]
    assert figures["months_with_data"] == 22
    assert "2020-06" not in figures["months_used"] and "2021-03" not in figures["months_used"]
    assert figures["history"] == ["2020-01", "2021-12"]
    assert figures["forecast_months"] == ["2023-01", "2023-12"]
    ranking = {r["district"]: r for r in finding.headlines["district_rank_forecast_2y"]}
    assert ranking["Alpha"]["forecast"] == pytest.approx(480, rel=1e-6)
    assert ranking["Beta"]["forecast"] == pytest.approx(240, rel=1e-6)
    status = {r["month"]: r["status"] for r in finding.tables["history_months"]}
    assert status["2020-06"].startswith("missing") and status["2021-03"].startswith("left out")
    assert sum(s == "used" for s in status.values()) == 22
    observed = [
        r["month"]
        for r in finding.tables["district_history_and_forecast"]
        if r["district"] == "Alpha" and r["kind"] == "observed"
    ]
    assert observed == figures["months_used"]


# 14 calendar months 2021-01 … 2022-02 with May to July missing: 11 months with data, one
# short of the 12 a trend needs, so no forecast, and the finding says which months are gaps.
def test_district_forecast_with_too_few_months_present_is_not_available(tmp_path: Path) -> None:
    months = [m for m in _months(2021, 14) if m not in ("2021-05", "2021-06", "2021-07")]
    crimes = [_at(f"A{m}", f"{m}-01", "A1") for m in months]
    crimes.append(_at("LAST", "2022-02-28", "B1"))
    finding = district_forecast(_open(tmp_path, crimes, areas=AREAS))
    assert finding.status == "not_available"
    assert finding.headlines == {"district_rank_forecast_2y": None}
    assert "only 11 complete months" in finding.summary and "a trend needs 12" in finding.summary
    assert finding.figures["missing_months"] == ["2021-05", "2021-06", "2021-07"]


# Top LSOAs: data 2020-01 … 2021-12 but 2021-06 is missing, so only 2020 is a complete year.
def test_top_lsoas_skip_a_year_with_a_missing_month(tmp_path: Path) -> None:
    months = [m for m in _months(2020, 24) if m != "2021-06"]
    crimes = [_at(f"C{m}", f"{m}-01", "A1") for m in months]
    crimes.append(_at("LAST", "2021-12-31", "B1"))
    finding = top_lsoas(_open(tmp_path, crimes))
    assert finding.headlines["top_lsoas_by_year"] == {2020: ["A1"]}
    assert finding.figures["years"] == [2020]


# --- rates ------------------------------------------------------------------------------------


def test_garwood_interval() -> None:
    # k = 2: χ²(0.025; 4) / 2 = 0.484419 / 2, χ²(0.975; 6) / 2 = 14.449375 / 2
    assert garwood(2, 1.0) == pytest.approx((0.2422095, 7.2246877), rel=1e-6)
    # k = 0: lower bound 0, upper χ²(0.975; 2) / 2 = ln(40) = 3.688879
    assert garwood(0, 2.0) == pytest.approx((0.0, 3.688879 / 2), rel=1e-6)


def test_rates_of_many_areas_are_each_areas_garwood_interval() -> None:
    # One χ² call per limit over all areas gives exactly what garwood() gives area by area;
    # an area without residents gets no rate.
    crimes, residents = [0, 1, 2, 7, 250, 3], [1000, 2000, 1500, 777, 31000, 0]
    for months in (12, 7):
        rates = _rates(np.array(crimes), np.array(residents), 0.95, months)
        for k, people, rate in zip(crimes[:-1], residents[:-1], rates[:-1], strict=True):
            exposure = people / 1000 if months == 12 else people / 1000 * months / 12
            assert (rate["low"], rate["high"]) == garwood(k, exposure)
            assert rate["rate_per_1000"] == (k / people * 1000 if months == 12 else k / exposure)
        assert rates[-1] == {"rate_per_1000": None, "low": None, "high": None}


def test_area_rates(tmp_path: Path) -> None:
    # Last 12 complete months 2021-01 … 2021-12: Alpha 2 crimes, Beta 2, Gamma 0.
    # Residents: A1 500 F + 500 M = 1,000; B1 2,000 (sex "all"); G1 no population rows.
    crimes = [
        _at("A-1", "2021-01-01", "A1"),
        _at("A-2", "2021-12-31", "A1"),
        _at("B-1", "2021-03-01", "B1"),
        _at("B-2", "2021-04-01", "B1"),
    ]
    population = [
        {"lsoa_code": "A1", "sex": "F", "age": 30, "population": 500},
        {"lsoa_code": "A1", "sex": "M", "age": 30, "population": 500},
        {"lsoa_code": "B1", "sex": "all", "age": 30, "population": 2000},
    ]
    ds = _open(tmp_path, crimes, areas=AREAS, population=population, present=("2021-01", "2021-12"))
    finding = area_rates(ds)
    districts = {r["district"]: r for r in finding.tables["district_rates"]}
    # Alpha 2 / 1,000 × 1,000 = 2.0, interval 0.2422095 … 7.2246877 (Garwood, k = 2)
    assert districts["Alpha"]["rate_per_1000"] == 2.0
    assert districts["Alpha"]["low"] == pytest.approx(0.2422095, rel=1e-6)
    assert districts["Alpha"]["high"] == pytest.approx(7.2246877, rel=1e-6)
    # Beta 2 / 2,000 × 1,000 = 1.0, interval halved
    assert districts["Beta"]["rate_per_1000"] == 1.0
    assert districts["Beta"]["high"] == pytest.approx(7.2246877 / 2, rel=1e-6)
    assert districts["Gamma"]["rate_per_1000"] is None
    assert districts["Gamma"]["areas_without_population"] == 1
    assert [r["district"] for r in finding.tables["district_rates"]] == ["Alpha", "Beta", "Gamma"]
    assert finding.figures["areas_without_population"] == ["G1"]
    assert "1 area has no population rows" in finding.summary
    lsoas = {r["lsoa_code"]: r for r in finding.tables["lsoa_rates"]}
    assert lsoas["A1"]["residents"] == 1000 and lsoas["G1"]["residents"] is None


# Rates when months are missing: data in 2021-01 … 2021-03 and 2021-10 … 2021-12 only, so the
# last 12 calendar months hold 6 complete months. Alpha: 3 crimes, 1,000 residents:
# 3 / (1,000 × 6 / 12) × 1,000 = 6.0 a year, with the Garwood interval for k = 3 over an
# exposure of 0.5 (thousand resident-years).
def test_area_rates_over_the_months_present(tmp_path: Path) -> None:
    crimes = [_at("A-1", "2021-01-01", "A1"), _at("A-2", "2021-02-01", "A1")]
    crimes += [_at("A-3", "2021-12-31", "A1"), _at("B-1", "2021-03-01", "B1")]
    crimes += [_at("X-1", "2021-10-01", None), _at("X-2", "2021-11-01", None)]
    population = [{"lsoa_code": "A1", "sex": "all", "age": 30, "population": 1000}]
    finding = area_rates(_open(tmp_path, crimes, areas=AREAS, population=population))
    alpha = next(r for r in finding.tables["district_rates"] if r["district"] == "Alpha")
    assert alpha["rate_per_1000"] == pytest.approx(6.0)
    low, high = garwood(3, 0.5)
    assert (alpha["low"], alpha["high"]) == pytest.approx((low, high))
    assert finding.figures["complete_months"] == 6
    assert finding.figures["missing_months"] == [f"2021-{m:02d}" for m in range(4, 10)]
    assert "missing: 2021-04" in finding.summary


def test_every_analysis_has_a_definition() -> None:
    for analysis in ANALYSES:
        assert "Definition:" in (analysis.__doc__ or ""), analysis.__name__


# --- the demo world -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(demo_store: Path) -> Dataset:
    return Dataset.open(demo_store)


def _maidstone_town_centre(ds: Dataset) -> str:
    """The demo LSOA named "Maidstone 0xxX" with town_centre true and the most crimes."""
    areas = ds.table("areas")
    centre = areas.filter(areas.lsoa_name.startswith("Maidstone ") & areas.town_centre)
    counts = ds.crimes.semi_join(centre, "lsoa_code").lsoa_code.value_counts().execute()
    counts.columns = ["lsoa_code", "n"]
    return counts.sort_values(["n", "lsoa_code"], ascending=[False, True]).iloc[0]["lsoa_code"]


@pytest.mark.slow
def test_demo_maidstone_town_centre_first_every_year(demo: Dataset) -> None:
    # Kent: Maidstone town centre first, never below 3rd
    centre = _maidstone_town_centre(demo)
    finding = top_lsoas(demo)
    top = finding.headlines["top_lsoas_by_year"]
    assert top and all(codes[0] == centre for codes in top.values())
    hotspot = finding.headlines["most_persistent_hotspot"]
    assert hotspot["lsoa_code"] == centre and hotspot["worst_rank"] <= 3


@pytest.mark.slow
def test_demo_medway_first_now(demo: Dataset) -> None:
    # Kent: Medway has the most crimes now
    assert district_ranking_now(demo).headlines["district_rank_now"][0]["district"] == "Medway"


@pytest.mark.slow
def test_demo_maidstone_and_swale_overtake_medway_and_thanet(demo: Dataset) -> None:
    # Kent: "Maidstone and Swale will take over Medway and Thanet" — read literally, both
    # rank above both in the forecast two years ahead.
    ranking = district_forecast(demo).headlines["district_rank_forecast_2y"]
    rank = {r["district"]: r["rank"] for r in ranking}
    assert max(rank["Maidstone"], rank["Swale"]) < min(rank["Medway"], rank["Thanet"])


@pytest.mark.slow
def test_demo_maidstone_is_behind_medway_now_and_ahead_in_two_years(demo: Dataset) -> None:
    # The overtaking is a change: Medway leads now, Maidstone leads the forecast.
    now = {
        r["district"]: r["rank"] for r in district_ranking_now(demo).headlines["district_rank_now"]
    }
    ahead = {
        r["district"]: r["rank"]
        for r in district_forecast(demo).headlines["district_rank_forecast_2y"]
    }
    assert now["Maidstone"] > now["Medway"] and ahead["Maidstone"] < ahead["Medway"]
