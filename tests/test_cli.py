"""The command line as an analyst uses it: ingest, profile, and clear errors."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from tests.helpers import crime, simple_dataset, write_dataset
from vawgscope.cli import app
from vawgscope.profile import HEADLINE_KEYS

runner = CliRunner()


def test_ingest_then_profile(tmp_path: Path) -> None:
    data = simple_dataset(tmp_path / "d")
    result = runner.invoke(app, ["ingest", str(data), "--store", str(tmp_path / "s.duckdb")])
    assert result.exit_code == 0, result.output
    assert "crime_persons" in result.output and "fingerprint" in result.output
    result = runner.invoke(
        app, ["profile", str(tmp_path / "s.duckdb"), "--out", str(tmp_path / "p")]
    )
    assert result.exit_code == 0, result.output
    profile = json.loads((tmp_path / "p" / "profile.json").read_text())
    assert list(profile["headlines"]) == list(HEADLINE_KEYS)
    assert profile["headlines"]["crimes_total"] == 2
    assert profile["headlines"]["victims_distinct"] == 1
    assert profile["dataset"]["period"] == ["2021-07-03", "2021-07-03"]
    assert {f["id"] for f in profile["findings"]} >= {"crimes_total", "people_distinct"}
    kent = {row["headline"]: row for row in profile["kent_comparison"]}
    assert kent["victims_distinct"]["kent"] == 56_358
    assert kent["victims_distinct"]["window"] == ["2017-04-01", "2022-03-31"]
    assert (
        kent["victims_distinct"]["this_dataset"] == 1
        and kent["victims_distinct"]["agrees"] is False
    )


def test_profile_of_a_folder_ingests_first_and_takes_scope_flags(tmp_path: Path) -> None:
    data = simple_dataset(tmp_path / "d")
    result = runner.invoke(
        app,
        [
            "profile",
            str(data),
            "--out",
            str(tmp_path / "p"),
            "--offence-group",
            "stalking",
            "--victim-sex",
            "any",
        ],
    )
    assert result.exit_code == 0, result.output
    profile = json.loads((tmp_path / "p" / "profile.json").read_text())
    assert profile["headlines"]["crimes_total"] == 1
    assert profile["options"]["scope"]["victim_sex"] is None
    assert profile["options"]["scope"]["offence_groups"] == ["stalking"]


def test_options_file(tmp_path: Path) -> None:
    data = simple_dataset(tmp_path / "d")
    (tmp_path / "o.yaml").write_text(
        "scope:\n  offence_groups: [harassment]\nyear_basis: financial\n"
    )
    result = runner.invoke(
        app,
        ["profile", str(data), "--out", str(tmp_path / "p"), "--options", str(tmp_path / "o.yaml")],
    )
    assert result.exit_code == 0, result.output
    profile = json.loads((tmp_path / "p" / "profile.json").read_text())
    assert (
        profile["headlines"]["crimes_total"] == 1
        and profile["options"]["year_basis"] == "financial"
    )


def test_crimes_only_profile_says_so_first(tmp_path: Path) -> None:
    data = write_dataset(
        tmp_path / "d", [crime("C1", domestic="", crime_type="Violence and sexual offences")]
    )
    result = runner.invoke(app, ["profile", str(data), "--out", str(tmp_path / "p")])
    assert result.exit_code == 0, result.output
    assert "Crimes-only dataset" in result.output
    profile = json.loads((tmp_path / "p" / "profile.json").read_text())
    assert profile["dataset"]["note"].startswith("Crimes-only dataset")
    assert profile["headlines"]["victims_distinct"] is None
    people = next(f for f in profile["findings"] if f["id"] == "people_distinct")
    assert people["status"] == "not_available" and people["needs"] == ["persons", "crime_persons"]


def test_bad_input_exits_2_with_one_clear_message(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["ingest", str(tmp_path / "nowhere"), "--store", str(tmp_path / "s.duckdb")]
    )
    assert result.exit_code == 2
    assert "error:" in result.output and "not a folder" in result.output
    result = runner.invoke(
        app, ["profile", str(tmp_path / "missing.duckdb"), "--out", str(tmp_path)]
    )
    assert result.exit_code == 2 and "no store here" in result.output
    result = runner.invoke(
        app,
        ["profile", str(tmp_path / "x.duckdb"), "--out", str(tmp_path), "--victim-sex", "woman"],
    )
    assert result.exit_code == 2 and "victim_sex must be one of" in result.output


def test_every_command_has_help() -> None:
    commands = ("demo-data", "ingest", "profile", "perpetrators", "demo", "demo-survey", "survey")
    for command in (*[[c] for c in commands], ["context", "build"]):
        result = runner.invoke(app, [*command, "--help"])
        assert result.exit_code == 0 and "Usage" in result.output


def test_perpetrators_command_writes_a_pseudonymous_list_and_reveals_on_request(
    tmp_path: Path,
) -> None:
    data = simple_dataset(tmp_path / "d")
    secret = tmp_path / "key" / "secret.key"
    store = tmp_path / "s.duckdb"
    assert (
        runner.invoke(
            app, ["ingest", str(data), "--store", str(store), "--secret", str(secret)]
        ).exit_code
        == 0
    )
    out = tmp_path / "list.csv"
    result = runner.invoke(app, ["perpetrators", str(store), "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert "RESTRICTED" in result.output and "p_" in text and "P1" not in text
    result = runner.invoke(
        app, ["perpetrators", str(store), "--out", str(out), "--reveal", "--secret", str(secret)]
    )
    assert result.exit_code == 0, result.output
    assert ",P1," in out.read_text()
    assert (secret.parent / "reveal-log.csv").read_text().count("\n") == 2
    other = tmp_path / "other" / "secret.key"
    other.parent.mkdir()
    other.write_text("ab" * 32)
    result = runner.invoke(
        app, ["perpetrators", str(store), "--out", str(out), "--reveal", "--secret", str(other)]
    )
    assert result.exit_code == 2 and "error:" in result.output


def test_demo_survey_then_survey(tmp_path: Path) -> None:
    runner = CliRunner()
    made = runner.invoke(app, ["demo-survey", str(tmp_path / "data"), "--seed", "7"])
    assert made.exit_code == 0, made.output
    result = runner.invoke(app, ["survey", str(tmp_path / "data"), "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    assert "Rows read 8,263: loaded 8,263, rejected 0" in result.output
    survey = json.loads((tmp_path / "o" / "survey.json").read_text())
    assert survey["headlines"]["respondents"] == 8263
    assert (tmp_path / "o" / "survey.html").stat().st_size > 100_000


def test_survey_of_a_folder_without_responses_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["survey", str(tmp_path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "responses" in result.output


def test_public_survey_withholds_small_counts_and_keeps_the_headlines(tmp_path: Path) -> None:
    from vawgscope.report.disclosure import is_derived, is_label

    runner = CliRunner()
    assert runner.invoke(app, ["demo-survey", str(tmp_path / "data")]).exit_code == 0
    out = tmp_path / "public"
    result = runner.invoke(app, ["survey", str(tmp_path / "data"), "--out", str(out), "--public"])
    assert result.exit_code == 0, result.output
    survey = json.loads((out / "survey.json").read_text())
    assert survey["disclosure"]["suppressed_cells"] > 0
    h = survey["headlines"]
    assert h["respondents"] == 8263 and len(h["least_safe_band_night"]) == 12
    assert h["no_precautions_share"] == 239 / 8184
    for finding in survey["findings"]:
        for rows in finding["tables"].values():
            for row in rows:
                for column, value in row.items():
                    if type(value) is int and not (is_label(column) or is_derived(column)):
                        assert not 0 < value < 5, (finding["id"], column, value)
    csv_text = "".join(p.read_text() for p in (out / "tables").glob("*.csv"))
    assert "[c]" in csv_text and "[c]" in (out / "survey.html").read_text()
