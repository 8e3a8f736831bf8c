"""Time headlines on a hand-made dataset, the not-available path, and the demo world."""

from __future__ import annotations

from datetime import time
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import crime, link, person, write_dataset
from vawgscope.analyses import time as timing
from vawgscope.analyses.common import WEEKDAYS
from vawgscope.dataset import Dataset
from vawgscope.ingest import ingest
from vawgscope.options import Options

# 2021-07-05 is a Monday.
CRIMES = [
    # Tue 13:00-17:00: 1/4 in each of Tue 13, 14, 15, 16.
    crime("C1", occurred_from="2021-07-06T13:00:00", occurred_to="2021-07-06T17:00:00"),
    # Tue 14:00, zero length: 1 in Tue 14.
    crime("C2", occurred_from="2021-07-06T14:00:00"),
    # Sat 23:30 - Sun 00:30: 1/2 in Sat 23 and 1/2 in Sun 0; all of it after 18:00.
    crime("C3", occurred_from="2021-07-10T23:30:00", occurred_to="2021-07-11T00:30:00"),
    # Wed 17:00-19:00: 1/2 in Wed 17 and 1/2 in Wed 18.
    crime("C4", occurred_from="2021-07-07T17:00:00", occurred_to="2021-07-07T19:00:00"),
    # 7 days and 1 minute: left out and counted.
    crime("C5", occurred_from="2021-07-05T09:00:00", occurred_to="2021-07-12T09:01:00"),
    # Known only to the day: left out and counted.
    crime("C6", occurred_from="2021-07-08", time_precision="day"),
]


def store_of(folder: Path, crimes: list[dict[str, Any]]) -> Path:
    """Every crime with the same female victim and male perpetrator of 41 (in scope)."""
    links = [link(c["crime_id"], "V1", "victim") for c in crimes]
    links += [link(c["crime_id"], "P1", "offender") for c in crimes]
    data = write_dataset(folder / "data", crimes, [person("V1"), person("P1", "M", 1980)], links)
    ingest(data, folder / "store.duckdb")
    return folder / "store.duckdb"


@pytest.fixture
def ds(tmp_path: Path) -> Dataset:
    return Dataset.open(store_of(tmp_path, CRIMES))


def test_nte_share_by_hand(ds: Dataset) -> None:
    finding = timing.nte_share(ds)
    # Weight in 18:00-06:00: C1 0 + C2 0 + C3 1 + C4 0.5 = 1.5 of the 4 crimes kept.
    assert finding.headlines == {"nte_share": 0.375}
    # Wilson for 1.5 of 4 at 95%: centre (0.375 + 1.96²/8) / (1 + 1.96²/4) = 0.4362,
    # half-width 1.96/(1 + 1.96²/4) · √(0.375·0.625/4 + 1.96²/64) = 0.3443.
    assert finding.figures["nte_share"] == pytest.approx(
        {"estimate": 0.375, "low": 0.0918992, "high": 0.7805735}, abs=1e-6
    )
    assert finding.figures["crimes_used"] == 4
    assert finding.figures["left_out_window_over_7_days"] == 1
    assert finding.figures["left_out_not_exact_time"] == 1
    assert finding.definition.startswith("the aoristic weight falling in the night-time-economy")


def test_nte_share_with_a_window_that_does_not_wrap_and_cuts_hours(tmp_path: Path) -> None:
    ds = Dataset.open(
        store_of(tmp_path, CRIMES), Options(nte_start=time(18, 30), nte_end=time(23, 45))
    )
    # C3 has 23:30-23:45 (15 of 60 minutes = 0.25), C4 18:30-19:00 (30 of 120 = 0.25):
    # 0.5 of 4 crimes.
    finding = timing.nte_share(ds)
    assert finding.headlines["nte_share"] == pytest.approx(0.125)
    assert finding.figures["nte_window"] == ["18:30", "23:45"]


def test_peak_weekday_and_hours_by_hand(ds: Dataset) -> None:
    finding = timing.weekly_rhythm(ds)
    # Weekdays: Tue 1 (C1) + 1 (C2) = 2; Wed 1; Sat 0.5; Sun 0.5.
    # Hours: 13 .25, 14 1.25, 15 .25, 16 .25, 17 .5, 18 .5, 23 .5, 0 .5.
    # 4-hour windows: from 13 = 2.0; from 14 = 1.25 + .25 + .25 + .5 = 2.25 (the most).
    assert finding.headlines == {"peak_weekday": "Tuesday", "peak_hours": [14, 18]}
    weekdays = {r["weekday_name"]: r["weight"] for r in finding.tables["weekdays"]}
    assert weekdays == pytest.approx(
        {"Monday": 0, "Tuesday": 2, "Wednesday": 1, "Thursday": 0, "Friday": 0,
         "Saturday": 0.5, "Sunday": 0.5}
    )  # fmt: skip
    assert len(finding.tables["weekday_hour"]) == 168
    assert finding.figures["peak_hours_share"]["estimate"] == pytest.approx(2.25 / 4)


def test_peak_hours_cross_midnight_and_ties_go_to_the_earliest() -> None:
    empty = {(d, h): 0.0 for d in range(7) for h in range(24)}
    # Weight at 22:00 and 01:00: only the window from 22 (22, 23, 0, 1) holds both.
    assert timing.peak_hours_of({**empty, (3, 22): 1.0, (4, 1): 1.0}) == [22, 2]
    # Weight at 02:00 and 10:00 alone: windows from 23, 0, 1, 2 and 7-10 all hold 1.
    assert timing.peak_hours_of({**empty, (0, 2): 1.0, (0, 10): 1.0}) == [0, 4]
    # Equal weekdays: Monday comes first.
    assert WEEKDAYS[timing.peak_weekday_of({**empty, (0, 5): 1.0, (6, 5): 1.0})] == "Monday"


def test_by_group_tables(ds: Dataset) -> None:
    finding = timing.weekly_rhythm_by_group(ds)
    assert finding.status == "ok"
    # Every crime is harassment (the helper's default group): one 7 × 24 grid.
    assert len(finding.tables["weekday_hour_by_group"]) == 168
    [summary] = finding.tables["group_summary"]
    assert summary["offence_group"] == "harassment"
    assert summary["nte_share"] == pytest.approx(0.375)
    assert summary["peak_hours"] == [14, 18]


def test_month_level_crimes_only_dataset_is_not_available(tmp_path: Path) -> None:
    crimes = [
        crime(f"C{i}", occurred_from="2021-07-01", time_precision="month", domestic="")
        for i in range(3)
    ]
    ingest(write_dataset(tmp_path / "d", crimes), tmp_path / "s.duckdb")
    ds = Dataset.open(tmp_path / "s.duckdb")
    assert ds.crimes_only
    needs = ("crimes.occurred_from (time of day)",)
    nte, rhythm, by_group = (f(ds) for f in timing.ANALYSES)
    assert (nte.status, nte.needs, nte.headlines) == ("not_available", needs, {"nte_share": None})
    assert rhythm.status == "not_available" and rhythm.needs == needs
    assert rhythm.headlines == {"peak_weekday": None, "peak_hours": None}
    assert by_group.status == "not_available"


@pytest.mark.slow
def test_demo_world_matches_kent(demo_store: Path) -> None:
    ds = Dataset.open(demo_store)
    share = timing.nte_share(ds).headlines["nte_share"]
    assert share == pytest.approx(0.40, abs=0.03)
    rhythm = timing.weekly_rhythm(ds).headlines
    assert rhythm["peak_weekday"] in ("Tuesday", "Wednesday")
    assert 12 <= rhythm["peak_hours"][0] <= 15  # early to mid afternoon


def test_only_long_windows_is_not_available_and_says_why(tmp_path: Path) -> None:
    ds = Dataset.open(store_of(tmp_path, [CRIMES[4]]))  # 7 days and 1 minute
    finding = timing.nte_share(ds)
    assert finding.status == "not_available"
    assert finding.needs == ("crimes.occurred_to (a window of at most 7 days)",)
