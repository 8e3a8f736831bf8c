"""The demo world, through ingest and the scope, reproduces the seed report's counts."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from vawgscope.dataset import Dataset
from vawgscope.ingest import ingest
from vawgscope.options import Options, Scope
from vawgscope.profile import build_profile


@pytest.mark.slow
def test_victims_and_perpetrators_in_the_kent_window(demo_store: Path) -> None:
    kent_window = Options(Scope(date_from=date(2017, 4, 1), date_to=date(2022, 3, 31)))
    counts = Dataset.open(demo_store, kent_window).counts()
    assert counts["victims"] == pytest.approx(56_358, rel=0.03)
    assert counts["perpetrators"] == pytest.approx(49_055, rel=0.03)


@pytest.mark.slow
def test_the_profile_compares_the_counts_with_kent(demo_store: Path) -> None:
    profile = build_profile(Dataset.open(demo_store))
    kent = {row["headline"]: row for row in profile["kent_comparison"]}
    assert kent["victims_distinct"]["agrees"] is True
    assert kent["perpetrators_distinct"]["agrees"] is True
    assert profile["dataset"]["period"] == ["2016-04-01", "2022-03-31"]
    assert profile["dataset"]["complete_months"] == ["2016-04", "2022-03"]
    assert profile["dataset"]["rejected_rows"]["crimes"] == 0


def test_scope_matters_on_the_demo_world(small_world_dir: Path, tmp_path: Path) -> None:
    ingest(small_world_dir, tmp_path / "s.duckdb")
    scoped = Dataset.open(tmp_path / "s.duckdb").counts()
    everyone = Scope(victim_sex=None, perpetrator_sex=None, perpetrator_min_age=None)
    unscoped = Dataset.open(tmp_path / "s.duckdb", Options(everyone)).counts()
    assert unscoped["crimes"] > scoped["crimes"] > 0
    assert unscoped["victims"] > scoped["victims"]
    assert unscoped["perpetrators"] > scoped["perpetrators"]


def test_the_csv_demo_world_ingests_without_a_reject(tmp_path: Path) -> None:
    from vawgscope.synth import write_demo_world

    write_demo_world(tmp_path / "d", scale=0.02, fmt="csv")
    report = ingest(tmp_path / "d", tmp_path / "s.duckdb")
    assert all(t.rejected == 0 for t in report.tables.values())
    assert report.tables["crimes"].loaded > 1_000
