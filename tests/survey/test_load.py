"""Loading a survey: every row loaded or rejected, with the file, row, column and reason."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.survey.data import respondent, write_survey
from vawgscope.ingest import IngestError
from vawgscope.survey.load import load_survey, write_rejects


def test_bad_rows_are_rejected_with_reasons(tmp_path: Path) -> None:
    folder = write_survey(
        tmp_path / "s",
        [
            respondent("R1", safe_park_night="2"),  # row 2: good
            respondent("R2", safe_park_night="7"),  # row 3: Likert above 5
            respondent("R3", safe_park_day="0"),  # row 4: Likert below 1
            respondent("R4", band="teenager"),  # row 5: unknown age band
            respondent("R5", safe_home_day="3.5"),  # row 6: not a whole number
            respondent("R6", precautions="well_lit_areas;jetpack"),  # row 7: unknown item
            respondent("R7", reported="maybe"),  # row 8: unknown reported value
            respondent("R1"),  # row 9: repeated id
            respondent("", safe_park_night="3"),  # row 10: empty id
            respondent("R8", band="17 AND UNDER", safe_park_night="5"),  # row 11: good (case)
        ],
    )
    loaded = load_survey(folder)
    assert list(loaded.responses["respondent_id"]) == ["R1", "R8"]
    assert list(loaded.responses["age_band"]) == ["30-39", "17 and under"]
    assert loaded.read == 10
    rejects = loaded.rejects.set_index("row")
    assert list(rejects.index) == [3, 4, 5, 6, 7, 8, 9, 10]
    assert set(rejects["file"]) == {str(folder / "responses.csv")}
    assert rejects.loc[3, "column"] == "safe_park_night"
    assert "7 is above the plausible maximum 5" in rejects.loc[3, "reason"]
    assert "0 is below the plausible minimum 1" in rejects.loc[4, "reason"]
    assert rejects.loc[5, "column"] == "age_band"
    assert "expected one of 17 and under" in rejects.loc[5, "reason"]
    assert "'teenager'" in rejects.loc[5, "reason"]
    assert "expected a whole number" in rejects.loc[6, "reason"]
    assert rejects.loc[7, "column"] == "precautions"
    assert rejects.loc[8, "column"] == "reported"
    assert "duplicate respondent_id 'R1' (first at" in rejects.loc[9, "reason"]
    assert "required value is empty" in rejects.loc[10, "reason"]


def test_several_problems_in_one_row_are_all_named(tmp_path: Path) -> None:
    folder = write_survey(tmp_path / "s", [respondent("R1", band="x", safe_online_day="9")])
    reject = load_survey(folder).rejects.iloc[0]
    assert set(reject["column"].split(";")) == {"age_band", "safe_online_day"}
    assert "safe_online_day: 9 is above" in reject["reason"]
    assert "age_band: expected one of" in reject["reason"]


def test_rejects_file_has_file_row_column_reason(tmp_path: Path) -> None:
    folder = write_survey(tmp_path / "s", [respondent("R1", safe_park_day="6")])
    path = write_rejects(load_survey(folder).rejects, tmp_path / "rejects" / "responses.csv")
    frame = pd.read_csv(path)
    assert list(frame.columns) == ["file", "row", "column", "reason"]
    assert frame.loc[0, "row"] == 2


def test_a_file_without_respondent_id_stops_the_load(tmp_path: Path) -> None:
    (tmp_path / "responses.csv").write_text("age_band\n18-20\n", encoding="utf-8")
    with pytest.raises(IngestError, match="respondent_id"):
        load_survey(tmp_path)


def test_a_missing_folder_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match=r"no responses\.csv or responses\.parquet"):
        load_survey(tmp_path)


def test_parquet_is_read_like_csv(tmp_path: Path) -> None:
    folder = write_survey(tmp_path / "csv", [respondent("R1", safe_park_day="4")])
    frame = pd.read_csv(folder / "responses.csv", dtype=str)
    (tmp_path / "pq").mkdir()
    frame.to_parquet(tmp_path / "pq" / "responses.parquet")
    loaded = load_survey(tmp_path / "pq")
    assert loaded.responses.loc[0, "safe_park_day"] == 4
    assert loaded.rejects.empty
