"""The whole survey run on a hand-made folder: survey.json, survey.html, tables, rejects."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from tests.survey.data import respondent, write_survey
from vawgscope.survey import HEADLINE_KEYS, run_survey

ROWS = [
    respondent("A", "18-20", safe_park_night="1", safe_park_day="3", precautions="none",
               victim_of="harassment", reported="no",
               why_not_reported="I did not think I would be believed.",
               places_text="Hazelbank Park needs lighting. Call Zephyrine on 07700 900123."),
    respondent("B", "70 or older", safe_park_night="4", safe_park_day="5",
               precautions="well_lit_areas", victim_of="none",
               places_text="Mote Park needs lighting."),
    respondent("C", "70 or older", safe_park_night="3", safe_park_day="4",
               precautions="taxi;walk_with_someone", victim_of="stalking", reported="yes"),
    # Rejected: a score of 6 and an unknown band. Were they loaded, the night means, the
    # precautions and the victims would all change.
    respondent("X", "70 or older", safe_park_night="6", precautions="none", victim_of="none"),
    respondent("Y", "child", safe_park_night="1", precautions="none", victim_of="stalking",
               reported="yes"),
]  # fmt: skip


def test_run_writes_every_output_and_exact_headlines(tmp_path: Path) -> None:
    folder = write_survey(tmp_path / "survey", ROWS)
    places = tmp_path / "places.txt"
    places.write_text("Zephyr Walk\n", encoding="utf-8")
    result = run_survey(folder, tmp_path / "out", places=places)
    assert list(result["headlines"]) == list(HEADLINE_KEYS)
    headlines = result["headlines"]
    assert headlines["respondents"] == 3
    assert headlines["least_safe_band_night"] == {"park": "18-20"}  # 1 vs (4 + 3) / 2
    assert headlines["safest_band_day"] == {"park": "70 or older"}  # 4.5 vs 3
    assert headlines["no_precautions_share"] == 1 / 3  # A of A, B, C
    assert headlines["not_victim_share"] == 1 / 3  # B of A, B, C
    assert headlines["reported_share"] == 1 / 2  # C of victims A, C
    assert headlines["places_named"] == [
        {"place": "Hazelbank Park", "mentions": 1},
        {"place": "Mote Park", "mentions": 1},
    ]
    assert result["survey"]["read"] == 5 and result["survey"]["rejected"] == 2
    out = tmp_path / "out"
    assert json.loads((out / "survey.json").read_text()) == result
    rejects = pd.read_csv(out / "rejects" / "responses.csv")
    assert list(rejects["row"]) == [5, 6]
    assert (out / "tables" / "precautions__precautions.csv").exists()
    html = (out / "survey.html").read_text()
    assert "VAWG safety survey" in html and "Plotly" in html
    html = re.sub(r"<script>.*?</script>", "", html, flags=re.DOTALL)  # the plotly.js library
    assert "07700" not in html and "Zephyrine" not in html
    for finding in result["findings"]:
        assert finding["definition"] and finding["title"]


def test_a_survey_with_only_ids_says_what_each_finding_needs(tmp_path: Path) -> None:
    folder = write_survey(tmp_path / "survey", [respondent("A")])
    result = run_survey(folder, tmp_path / "out")
    headlines = result["headlines"]
    assert headlines["respondents"] == 1
    assert all(headlines[k] is None for k in HEADLINE_KEYS if k != "respondents")
    statuses = {f["id"]: f["status"] for f in result["findings"]}
    assert set(statuses.values()) == {"not_available"}
    assert (tmp_path / "out" / "survey.html").exists()
