"""The public tier on the real Kent police.uk files (and ONS, IMD, Census, Open Pubs, HadCET).

The files live in ``shared/data`` beside the project (never copied into it); the tests skip
when that folder is absent. The store is built once for the module (about a minute).
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path
from typing import Any

import duckdb
import pytest

from vawgscope.analyses import quality
from vawgscope.context import ContextReport, build_context
from vawgscope.dataset import Dataset
from vawgscope.ingest import IngestReport, ingest
from vawgscope.options import Options

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
VIOLENCE = "Violence and sexual offences"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (DATA / "police_kent").is_dir(),
        reason=f"the real Kent files are not at {DATA} (shared/data beside the project)",
    ),
]


@pytest.fixture(scope="module")
def kent(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Context built from the public files, then the police.uk folders ingested with it."""
    root = tmp_path_factory.mktemp("kent")
    folder = root / "download"
    folder.mkdir()
    (folder / "street").symlink_to(DATA / "police_kent")
    (folder / "outcomes").symlink_to(DATA / "police_kent_outcomes")
    context = build_context(
        boundaries=DATA / "lsoa" / "kent_medway_lsoa11_boundaries.geojson",
        other_boundaries=DATA / "lsoa" / "kent_medway_lsoa21_boundaries.geojson",
        imd=DATA / "imd2019" / "IMD2019_File1_kent_medway_lsoa11.csv",
        population=sorted((DATA / "population").glob("census2021-ts*-lsoa_kent_medway.csv")),
        premises=DATA / "pubs" / "open_pubs_kent_medway.csv",
        weather=DATA / "temperature" / "HadCET_meantemp_daily_totals.txt",
        lookup=DATA / "lsoa" / "kent_medway_lsoa11_lookup.csv",
        out=folder / "context",
    )
    store = root / "store.duckdb"
    report = ingest(folder, store, secret_path=root / "key" / "secret.key", format="police-uk")
    return {"store": store, "context": context, "report": report}


def plain_counts() -> Counter[tuple[str, str]]:
    """(month, crime type) → street rows with a Crime ID, counted with the csv module."""
    counts: Counter[tuple[str, str]] = Counter()
    for path in sorted((DATA / "police_kent").glob("*-street.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                if row["Crime ID"].strip():
                    counts[(row["Month"], row["Crime type"])] += 1
    return counts


def test_each_crime_type_in_each_month_matches_a_plain_count(kent: dict[str, Any]) -> None:
    report: IngestReport = kent["report"]
    with duckdb.connect(str(kent["store"]), read_only=True) as con:
        stored = Counter(
            {
                (month, kind): n
                for month, kind, n in con.execute(
                    "SELECT strftime(occurred_from, '%Y-%m'), crime_type, count(*) "
                    "FROM crimes GROUP BY ALL"
                ).fetchall()
            }
        )
    repeats: Counter[tuple[str, str]] = Counter()
    with (report.rejects_dir / "crimes.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if "published more than once" in row["reason"]:
                repeats[(row["Month"], row["Crime type"])] += 1
    expected = plain_counts()
    expected.subtract(repeats)
    assert stored == +expected
    assert ("2018-12", VIOLENCE) in stored and stored[("2018-12", VIOLENCE)] == 2484


def test_repeated_crime_ids_are_counted(kent: dict[str, Any]) -> None:
    with duckdb.connect(str(kent["store"]), read_only=True) as con:
        meta = dict(con.execute("SELECT key, value FROM _vawgscope_meta").fetchall())
    assert meta["police_uk.duplicate_crime_ids"] == "15"
    assert meta["police_uk.no_crime_id"] == "56051"  # anti-social behaviour
    rejects = kent["report"].rejects_dir / "crimes.csv"
    with rejects.open(newline="", encoding="utf-8") as handle:
        violence = {
            r["Crime ID"]
            for r in csv.DictReader(handle)
            if "published more than once" in r["reason"] and r["Crime type"] == VIOLENCE
        }
    assert len(violence) == 8


def test_outcomes_match_a_hand_join(kent: dict[str, Any]) -> None:
    """For the June 2021 street file: the latest outcome of each crime over all outcomes files
    (by month; ties do not occur in these files), else the street file's own category."""
    latest: dict[str, tuple[str, str]] = {}
    for path in sorted((DATA / "police_kent_outcomes").glob("*-outcomes.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                seen = latest.get(row["Crime ID"])
                if seen is None or row["Month"] >= seen[1]:
                    latest[row["Crime ID"]] = (row["Outcome type"], row["Month"])
    expected = {}
    with (DATA / "police_kent" / "2021-06-kent-street.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["Crime ID"]:
                kind, month = latest.get(row["Crime ID"], (row["Last outcome category"], None))
                expected[row["Crime ID"]] = (kind or None, f"{month}-01" if month else None)
    with duckdb.connect(str(kent["store"]), read_only=True) as con:
        got = {
            r[0]: (r[1], r[2])
            for r in con.execute(
                "SELECT crime_id, outcome_type, CAST(outcome_date AS VARCHAR) FROM crimes "
                "WHERE occurred_from = DATE '2021-06-01'"
            ).fetchall()
        }
    assert len(got) > 13_000
    assert got == expected


def test_located_rows_get_an_lsoa_of_the_boundary_file(kent: dict[str, Any]) -> None:
    with duckdb.connect(str(kent["store"]), read_only=True) as con:
        located, matched, matched_2024 = con.execute(
            """SELECT count(*), count(*) FILTER (WHERE lsoa_code IN (SELECT lsoa_code FROM areas)),
            avg(CASE WHEN lsoa_code IN (SELECT lsoa_code FROM areas) THEN 1 ELSE 0 END)
                FILTER (WHERE year(occurred_from) = 2024)
            FROM crimes WHERE lsoa_code IS NOT NULL OR easting IS NOT NULL"""
        ).fetchone()
    assert matched / located >= 0.97  # measured 0.997
    assert matched_2024 >= 0.97  # the 2024 files use 2021 codes, put on 2011 by centroid
    context: ContextReport = kent["context"]
    assert context.edition == 2011 and context.edition_unmatched_share == 0.0


def test_the_december_2018_file_is_flagged_and_left_out(kent: dict[str, Any]) -> None:
    ds = Dataset.open(kent["store"], Options(year_basis="financial"))
    finding = quality.data_quality(ds)
    assert [m["month"] for m in finding.figures["low_volume_months"]] == ["2018-12"]
    assert finding.figures["months_left_out_of_models"] == ["2018-12"]
    assert "2021-03" in finding.figures["months_present"]
    assert "2020-06" in finding.figures["missing_months"]
    assert finding.figures["duplicate_crime_ids"] == 15
    assert 0 < finding.figures["outside_force_area_share"] < 0.01


def test_the_profile_builds_with_the_real_shapes(kent: dict[str, Any], tmp_path: Path) -> None:
    from vawgscope.profile import build_profile
    from vawgscope.report import write_report
    from vawgscope.report.maps import area_shapes

    ds = Dataset.open(kent["store"], Options(year_basis="financial"))
    profile = build_profile(ds)
    headlines = profile["headlines"]
    needs = {f["id"]: f["needs"] for f in profile["findings"] if f["status"] == "not_available"}
    for key in ("victims_distinct", "perpetrators_distinct", "nte_share", "peak_hours"):
        assert headlines[key] is None
    assert needs["nte_share"] and needs["victim_peak_age_window"]
    assert headlines["crimes_total"] == 148321
    assert headlines["most_persistent_hotspot"] is not None
    shapes = area_shapes(ds)
    assert shapes is not None
    paths = write_report(profile, tmp_path, public=True, shapes=shapes)
    assert paths is not None


def test_public_outcomes_count_no_outcome_yet_apart(kent: dict[str, Any]) -> None:
    from vawgscope.analyses import outcomes

    with duckdb.connect(str(kent["store"]), read_only=True) as con:
        pending, unavailable, charged, recorded = con.execute(
            f"""SELECT count(*) FILTER (WHERE outcome_type = 'Under investigation'),
                count(*) FILTER (WHERE outcome_type = 'Status update unavailable'),
                count(*) FILTER (WHERE outcome_group = 'charged_or_summonsed'), count(*)
            FROM crimes WHERE crime_type = '{VIOLENCE}'"""
        ).fetchone()
    ds = Dataset.open(kent["store"], Options(year_basis="financial"))
    distribution = outcomes.outcome_distribution(ds)
    assert distribution.figures["no_outcome_yet"] == {
        "under_investigation": pending,  # measured 7,142 (was reported as 113,488)
        "status_unavailable": unavailable,  # measured 7,458
    }
    charge = outcomes.charge_rate(ds).tables["charge_rate_by_group"][0]
    assert (charge["n"], charge["k"]) == (recorded - pending - unavailable, charged)
    assert 0.03 < charge["share"] < 0.06  # measured 5,607 / 133,721 = 0.042
    victim = outcomes.victim_not_supporting_rate(ds)
    assert victim.status == "not_available" and "crimes.outcome_code" in victim.needs
    timeliness = outcomes.outcome_timeliness(ds)
    assert timeliness.figures["unit"] == "months" and "days_to_outcome" not in timeliness.tables


def test_public_forecast_and_years_use_only_months_present(kent: dict[str, Any]) -> None:
    from vawgscope.analyses import areas

    ds = Dataset.open(kent["store"], Options(year_basis="financial"))
    present = quality.data_quality(ds).figures["months_present"]
    forecast = areas.district_forecast(ds)
    used = forecast.figures["months_used"]
    assert used and set(used) <= set(present) and "2018-12" not in used
    assert not set(used) & set(forecast.figures["missing_months"])
    # measured: 2021-05 … 2022-03 and 2024-01 … 2024-04 (15 months)
    assert used[-1] == "2024-04" and len(used) == 15
    top = areas.top_lsoas(ds).headlines["top_lsoas_by_year"]
    assert list(top) == ds.window.complete_years("financial") == [2021]
    assert all(len(codes) == 10 for codes in top.values())
