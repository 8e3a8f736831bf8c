"""The survey run: load, analyse, and write survey.json, survey.html, tables and rejects."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd

from vawgscope import __version__
from vawgscope.analyses.finding import Finding
from vawgscope.report.disclosure import disclose
from vawgscope.survey import places as place_names
from vawgscope.survey.load import LoadedSurvey, load_survey, write_rejects
from vawgscope.survey.precautions import precautions_taken
from vawgscope.survey.report import render_survey_html, write_survey_tables
from vawgscope.survey.safety import feeling_unsafe, least_and_safest_bands
from vawgscope.survey.themes import find_themes, free_text_answers, free_text_themes
from vawgscope.survey.victimisation import reasons_not_reported, reporting, victimisation

SCHEMA_VERSION = 1

#: The headline keys of survey.json, in order.
HEADLINE_KEYS: tuple[str, ...] = (
    "respondents",
    "least_safe_band_night",
    "least_safe_band_day",
    "safest_band_night",
    "safest_band_day",
    "no_precautions_share",
    "not_victim_share",
    "reported_share",
    "themes",
    "places_named",
)


def _read_table(path: Path) -> pd.DataFrame:
    if path.suffix.lower() == ".parquet":
        return pd.read_parquet(path)
    return pd.read_csv(path, dtype=str, keep_default_na=False).replace("", None)


def analyse_survey(
    loaded: LoadedSurvey,
    *,
    areas: pd.DataFrame | None = None,
    extra_places: list[place_names.Place] | None = None,
    confidence: float = 0.95,
) -> list[Finding]:
    """Every survey finding, in report order, from already loaded responses."""
    responses = loaded.responses
    answers = free_text_answers(responses)
    model = find_themes(answers)
    gazetteer = place_names.build_gazetteer(areas, extra_places)
    return [
        feeling_unsafe(responses, confidence=confidence),
        least_and_safest_bands(responses, confidence=confidence),
        precautions_taken(responses, confidence=confidence),
        victimisation(responses, confidence=confidence),
        reporting(responses, confidence=confidence),
        reasons_not_reported(model, confidence=confidence),
        free_text_themes(model, confidence=confidence),
        place_names.places_named(answers, gazetteer),
    ]


def _clean(value: Any) -> Any:
    """JSON-safe values: NaN becomes null, numpy scalars plain numbers."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def build_survey(
    loaded: LoadedSurvey, findings: list[Finding], rejects_path: Path | None = None
) -> dict[str, Any]:
    """survey.json as a dictionary: what was read, the headlines and the findings."""
    responses = loaded.responses
    dates = pd.to_datetime(responses["responded_on"]).dropna() if len(responses) else []
    headlines: dict[str, Any] = dict.fromkeys(HEADLINE_KEYS)
    headlines["respondents"] = len(responses)
    for finding in findings:
        headlines.update({k: v for k, v in finding.headlines.items() if k in headlines})
    return _clean(
        {
            "schema_version": SCHEMA_VERSION,
            "survey": {
                "files": [str(p) for p in loaded.files],
                "read": loaded.read,
                "respondents": len(responses),
                "rejected": len(loaded.rejects),
                "rejects": str(rejects_path) if rejects_path else None,
                "period": [str(min(dates).date()), str(max(dates).date())] if len(dates) else None,
            },
            "headlines": headlines,
            "findings": [{**f.to_json(), "headlines": f.headlines} for f in findings],
            "generator": f"vawgscope {__version__}",
        }
    )


def run_survey(
    survey_dir: Path,
    out_dir: Path,
    *,
    areas: Path | None = None,
    places: Path | None = None,
    public_threshold: int | None = None,
) -> dict[str, Any]:
    """Analyse the survey in ``survey_dir`` and write into ``out_dir``: ``survey.json``,
    ``survey.html``, ``tables/*.csv`` and ``rejects/responses.csv``. Returns survey.json's
    content.

    With ``public_threshold`` the outputs are a public edition: counts under the threshold
    are withheld as in the profile (:func:`vawgscope.report.disclosure.disclose`). Quotes are
    redacted in either edition, and rejects hold row numbers and reasons, not answers.

    ``areas`` is an areas table (CSV or Parquet, the data contract's columns) whose districts
    and area names join the gazetteer; ``places`` a file of more place names (CSV with a
    ``name`` column and optional ``kind, district, easting, northing``, or one name a line).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    loaded = load_survey(Path(survey_dir))
    rejects_path = write_rejects(loaded.rejects, out_dir / "rejects" / "responses.csv")
    findings = analyse_survey(
        loaded,
        areas=_read_table(Path(areas)) if areas else None,
        extra_places=place_names.user_places(Path(places)) if places else None,
    )
    survey = build_survey(loaded, findings, rejects_path)
    if public_threshold is not None:
        survey = disclose(survey, public_threshold)
    (out_dir / "survey.json").write_text(
        json.dumps(survey, indent=2, ensure_ascii=False, default=str), encoding="utf-8"
    )
    (out_dir / "survey.html").write_text(render_survey_html(survey), encoding="utf-8")
    write_survey_tables(survey, out_dir / "tables")
    return survey
