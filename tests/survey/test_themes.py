"""Free-text themes on a hand-made set whose two themes are plain to a reader."""

from __future__ import annotations

import pandas as pd
import pytest

from vawgscope.survey.themes import (
    NO_THEME,
    find_themes,
    free_text_answers,
    free_text_themes,
    theme_shares,
)

LIGHTS = [
    "The street lighting is broken and the lamps are dark.",
    "Dark alleys need lighting and lamps.",
    "More lighting, the lamps are off and it is dark.",
    "Broken lamps make the street dark, fix the lighting.",
    "Lighting please, it is too dark with no lamps.",
    "Dark paths, broken lighting, no lamps at all.",
]
COURTS = [
    "The court let him go and the CPS dropped the case.",
    "CPS dropped my case before court.",
    "The case never reached court, the CPS said no evidence.",
    "Court delays and the CPS lost my case file.",
    "My case went to court but the CPS offered no evidence.",
    "The CPS and the court failed my case.",
]


@pytest.fixture
def answers() -> pd.DataFrame:
    texts = LIGHTS + COURTS + ["And so on."]
    return pd.DataFrame(
        {
            "respondent_id": [f"R{i:02d}" for i in range(len(texts))],
            "age_band": ["18-20"] * 6 + ["60-69"] * 6 + ["18-20"],
            "district": "Dover",
            "question": ["places_text"] * 6 + ["partners_text"] * 6 + ["experience_text"],
            "text": texts,
        }
    )


def test_two_plain_themes_are_found(answers: pd.DataFrame) -> None:
    model = find_themes(answers, min_df=1)
    assert model.n_themes == 2
    themes = model.answers["theme"].tolist()
    assert len(set(themes[:6])) == 1 and len(set(themes[6:12])) == 1
    assert themes[0] != themes[6]
    # "And so on." has no word left after stop words: no theme.
    assert themes[12] == NO_THEME
    lights, courts = themes[0], themes[6]
    assert {"lighting", "lamps", "dark"} <= set(model.terms[lights][:4])
    assert {"cps", "court", "case"} <= set(model.terms[courts][:4])


def test_shares_by_band_and_question_worked_by_hand(answers: pd.DataFrame) -> None:
    model = find_themes(answers, min_df=1)
    lights = model.answers["theme"].iloc[0]
    by_band = theme_shares(model, "age_band")
    young = by_band[(by_band["age_band"] == "18-20") & (by_band["theme"] == lights)].iloc[0]
    # 18-20 wrote 7 answers (6 about lighting and "And so on.").
    assert (young["answers"], young["on_theme"]) == (7, 6)
    finding = free_text_themes(model)
    headline = {t["label"]: t for t in finding.headlines["themes"]}
    assert sorted(t["share"] for t in headline.values()) == [6 / 13, 6 / 13]
    assert all(len(t["terms"]) >= 3 for t in headline.values())
    assert len(finding.tables["quotes"]) == 6  # three per theme


def test_themes_are_deterministic(answers: pd.DataFrame) -> None:
    first = find_themes(answers, min_df=1)
    second = find_themes(answers, min_df=1)
    assert first.labels == second.labels
    assert first.answers["theme"].tolist() == second.answers["theme"].tolist()


def test_quotes_are_redacted(answers: pd.DataFrame) -> None:
    answers.loc[0, "text"] = LIGHTS[0] + " Ring me on 07700 900123, my ex Lysander knows."
    finding = free_text_themes(find_themes(answers, min_df=1))
    quotes = " ".join(q["quote"] for q in finding.tables["quotes"])
    assert "07700" not in quotes and "Lysander" not in quotes


def test_free_text_answers_are_long_and_skip_empty() -> None:
    responses = pd.DataFrame(
        {
            "respondent_id": ["A", "B"],
            "age_band": ["18-20", "21-29"],
            "district": ["Dover", "Thanet"],
            "experience_text": ["  Followed home.  ", None],
            "places_text": ["", "Mote Park"],
        }
    )
    answers = free_text_answers(responses)
    assert answers[["respondent_id", "question", "text"]].values.tolist() == [
        ["A", "experience_text", "Followed home."],
        ["B", "places_text", "Mote Park"],
    ]


def test_no_answers_is_not_available() -> None:
    empty = pd.DataFrame(columns=["respondent_id", "age_band", "district", "question", "text"])
    finding = free_text_themes(find_themes(empty))
    assert finding.status == "not_available"
    assert finding.headlines == {"themes": None}
