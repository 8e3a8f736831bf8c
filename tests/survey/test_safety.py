"""Feeling safe: means, unsafe shares, and the least-safe and safest band per place."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.survey.data import respondent, write_survey
from vawgscope.survey.load import load_survey
from vawgscope.survey.safety import feeling_unsafe, least_and_safest_bands, mean_interval


@pytest.fixture
def responses(tmp_path: Path) -> pd.DataFrame:
    rows = [
        # local street at night: 18-20 answer 1, 2, 4; 30-39 answers 3; 70+ answer 5, 4.
        respondent("A", "18-20", safe_local_street_night="1", safe_local_street_day="3"),
        respondent("B", "18-20", safe_local_street_night="2", safe_local_street_day="4"),
        respondent("C", "18-20", safe_local_street_night="4"),
        respondent("D", "30-39", safe_local_street_night="3", safe_local_street_day="3"),
        respondent("E", "70 or older", safe_local_street_night="5", safe_local_street_day="5"),
        respondent("F", "70 or older", safe_local_street_night="4", safe_local_street_day="5"),
        # online by day: 17 and under 2, 70+ (E, F above did not answer it) 2 — a tie.
        respondent("G", "17 and under", safe_online_day="2"),
        respondent("H", "70 or older", safe_online_day="2"),
        respondent("I", "40-49", safe_online_day="4"),
        # Rejected rows count nowhere: a score of 9, an unknown band.
        respondent("X", "18-20", safe_local_street_night="9"),
        respondent("Y", "teens", safe_local_street_night="1"),
    ]
    return load_survey(write_survey(tmp_path / "s", rows)).responses


def _cell(rows: list[dict], place: str, time: str, band: str) -> dict:
    return next(r for r in rows if (r["place"], r["time"], r["age_band"]) == (place, time, band))


def test_means_and_unsafe_shares_worked_by_hand(responses: pd.DataFrame) -> None:
    rows = feeling_unsafe(responses).tables["safety_by_band_place"]
    young = _cell(rows, "local_street", "night", "18-20")
    # (1 + 2 + 4) / 3 = 2.3333; two of three answered 1 or 2.
    assert young["answered"] == 3
    assert young["mean_score"] == pytest.approx(7 / 3)
    assert young["unsafe"] == 2
    assert young["unsafe_share"] == pytest.approx(2 / 3)
    # Wilson 95% for 2/3: centre (0.6667 + 0.6403)/2.2805 = 0.5731, half-width 0.3654.
    assert young["unsafe_low"] == pytest.approx(0.2077, abs=1e-4)
    assert young["unsafe_high"] == pytest.approx(0.9385, abs=1e-4)
    # t interval: s = 1.5275, s/√3 = 0.8819, t(0.975; 2) = 4.3027 → ±3.7946, clipped to 1–5.
    assert (young["mean_low"], young["mean_high"]) == (1.0, 5.0)
    old = _cell(rows, "local_street", "night", "70 or older")
    assert old["mean_score"] == pytest.approx(4.5)
    assert old["unsafe"] == 0
    single = _cell(rows, "local_street", "night", "30-39")
    assert (single["mean_score"], single["mean_low"], single["mean_high"]) == (3.0, None, None)
    # Bands with no answer for a place have no row.
    assert not [r for r in rows if r["place"] == "park"]


def test_safer_by_day_counts_pairs_with_both_times(responses: pd.DataFrame) -> None:
    figures = feeling_unsafe(responses).figures
    # local street: 18-20 day 3.5 > night 2.33; 30-39 day 3 = night 3 (not safer);
    # 70+ day 5 > night 4.5. Online has no night answers.
    assert (figures["safer_by_day"], figures["band_place_pairs"]) == (2, 3)


def test_mean_interval_by_hand() -> None:
    interval = mean_interval(pd.Series([2.0, 4.0]).to_numpy())
    # mean 3, s = 1.4142, s/√2 = 1, t(0.975; 1) = 12.7062
    assert interval["estimate"] == 3.0
    assert interval["low"] == pytest.approx(3 - 12.7062, abs=1e-3)
    assert mean_interval(pd.Series([], dtype=float).to_numpy()) is None


def test_least_and_safest_bands_with_a_tie(responses: pd.DataFrame) -> None:
    finding = least_and_safest_bands(responses)
    assert finding.headlines == {
        "least_safe_band_night": {"local_street": "18-20"},
        # 18-20 (3.5) vs 30-39 (3) vs 70+ (5) by day.
        "least_safe_band_day": {"local_street": "30-39", "online": "17 and under"},
        "safest_band_night": {"local_street": "70 or older"},
        "safest_band_day": {"local_street": "70 or older", "online": "40-49"},
    }
    # Online by day: 17 and under and 70 or older both 2.0 — the youngest is named.
    counts = {r["band"]: r for r in finding.tables["in_n_places"]}
    assert counts["17 and under"]["least_safe_band_day"] == 1
    assert counts["70 or older"]["least_safe_band_day"] == 0
    assert counts["70 or older"]["safest_band_day"] == 1
    assert finding.figures["least_safe_band_night_in_n_places"] == {"18-20": 1}


def test_no_scores_is_not_available(tmp_path: Path) -> None:
    responses = load_survey(write_survey(tmp_path / "s", [respondent("A")])).responses
    finding = least_and_safest_bands(responses)
    assert finding.status == "not_available"
    assert finding.headlines == dict.fromkeys(
        ("least_safe_band_night", "least_safe_band_day", "safest_band_night", "safest_band_day")
    )
    assert feeling_unsafe(responses).status == "not_available"
