"""Precautions, victimisation and reporting on hand-made answers."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.survey.data import respondent, write_survey
from vawgscope.survey.load import load_survey
from vawgscope.survey.precautions import precautions_taken
from vawgscope.survey.victimisation import reporting, victimisation


@pytest.fixture
def responses(tmp_path: Path) -> pd.DataFrame:
    rows = [
        respondent("A", "18-20", precautions="none", victim_of="none"),
        respondent("B", "18-20", precautions="well_lit_areas;taxi", victim_of="harassment",
                   reported="yes"),
        respondent("C", "50-59", precautions="none;keys_in_hand", victim_of="none",
                   reported="yes"),  # a non-victim's "yes" counts nowhere
        respondent("D", "50-59", precautions="", victim_of="harassment;stalking", reported="no"),
        respondent("E", "50-59", precautions="walk_with_someone", victim_of="online_abuse"),
        respondent("F", "50-59"),  # answered neither question
        respondent("X", "18-20", precautions="none", victim_of="none;jetpack"),  # rejected
    ]  # fmt: skip
    return load_survey(write_survey(tmp_path / "s", rows)).responses


def test_no_precautions_share_over_those_who_answered(responses: pd.DataFrame) -> None:
    finding = precautions_taken(responses)
    # Answered: A, B, C, E = 4; only A answered just "none" (C also kept keys in hand).
    assert finding.headlines == {"no_precautions_share": 0.25}
    rows = {r["item"]: r for r in finding.tables["precautions"]}
    assert (rows["none"]["respondents"], rows["none"]["answered"]) == (1, 4)
    assert rows["keys_in_hand"]["respondents"] == 1
    assert rows["well_lit_areas"]["share"] == 0.25
    # Wilson 95% for 1/4: centre (0.25 + 0.4802)/1.9604 = 0.3725, half 0.3024.
    assert rows["none"]["low"] == pytest.approx(0.0456, abs=1e-4)
    assert rows["none"]["high"] == pytest.approx(0.6994, abs=1e-4)
    by_band = {(r["age_band"], r["item"]): r for r in finding.tables["precautions_by_band"]}
    assert by_band[("18-20", "none")]["share"] == 0.5  # A of A, B
    assert by_band[("50-59", "none")]["share"] == 0.0  # C ticked keys too; E walked


def test_not_victim_share_over_those_who_answered(responses: pd.DataFrame) -> None:
    finding = victimisation(responses)
    # Answered: A, B, C, D, E = 5; not a victim: A, C.
    assert finding.headlines == {"not_victim_share": 0.4}
    rows = {r["item"]: r for r in finding.tables["victim_of"]}
    assert rows["harassment"]["respondents"] == 2
    assert rows["harassment"]["share"] == pytest.approx(0.4)
    harassment = finding.figures["harassment_by_band"]
    assert harassment["18-20"]["estimate"] == 0.5  # B of A, B
    assert harassment["50-59"]["estimate"] == pytest.approx(1 / 3)  # D of C, D, E


def test_reported_share_over_victims_who_answered(responses: pd.DataFrame) -> None:
    finding = reporting(responses)
    # Victims: B (yes), D (no), E (no answer) → 1 of 2.
    assert finding.headlines == {"reported_share": 0.5}
    assert finding.figures["victims_answered"] == 2


def test_missing_questions_are_not_available(tmp_path: Path) -> None:
    responses = load_survey(write_survey(tmp_path / "s", [respondent("A")])).responses
    assert precautions_taken(responses).headlines == {"no_precautions_share": None}
    assert victimisation(responses).headlines == {"not_victim_share": None}
    assert reporting(responses).headlines == {"reported_share": None}
    assert reporting(responses).status == "not_available"
