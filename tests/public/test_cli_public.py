"""The public tier from the command line: context build, police.uk ingest, public profile."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vawgscope.cli import app

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
pytestmark = pytest.mark.skipif(
    not (DATA / "police_kent").is_dir(), reason=f"the real Kent files are not at {DATA}"
)
MONTHS = ("2021-06", "2021-07")


def test_two_months_of_kent_from_download_to_public_report(tmp_path: Path) -> None:
    download = tmp_path / "download"
    for month in MONTHS:
        (download / month).mkdir(parents=True)
        for kind, folder in (("street", "police_kent"), ("outcomes", "police_kent_outcomes")):
            name = f"{month}-kent-{kind}.csv"
            (download / month / name).symlink_to(DATA / folder / name)
    runner = CliRunner()
    built = runner.invoke(
        app,
        [
            "context", "build",
            "--boundaries", str(DATA / "lsoa" / "kent_medway_lsoa11_boundaries.geojson"),
            "--lookup", str(DATA / "lsoa" / "kent_medway_lsoa11_lookup.csv"),
            "--imd", str(DATA / "imd2019" / "IMD2019_File1_kent_medway_lsoa11.csv"),
            "--out", str(download / "context"),
        ],
    )  # fmt: skip
    assert built.exit_code == 0, built.output
    assert "areas" in built.output and "1,065" in built.output

    store = tmp_path / "store.duckdb"
    ingested = runner.invoke(
        app, ["ingest", str(download), "--format", "police-uk", "--store", str(store)]
    )
    assert ingested.exit_code == 0, ingested.output
    assert "crimes-only (public tier)" in ingested.output and "no Crime ID" in ingested.output

    out = tmp_path / "public"
    profiled = runner.invoke(app, ["profile", str(store), "--out", str(out), "--public"])
    assert profiled.exit_code == 0, profiled.output
    profile = json.loads((out / "profile.json").read_text())
    assert profile["dataset"]["tier"] == "crimes_only"
    assert "proxy for VAWG" in profile["dataset"]["note"]
    assert profile["headlines"]["victims_distinct"] is None
    assert profile["disclosure"]["threshold"] == 5
    html = (out / "profile.html").read_text(encoding="utf-8")
    assert "public edition" in html and "Violence and sexual offences" in html


def test_a_wrong_format_is_refused_with_the_choices(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["ingest", str(tmp_path), "--format", "policeuk", "--store", str(tmp_path / "s")]
    )
    assert result.exit_code == 2 and "contract, police-uk" in result.output
