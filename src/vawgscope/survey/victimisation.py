"""Victimisation in the last year, reporting, and why victims did not report."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from vawgscope.analyses.common import share
from vawgscope.analyses.finding import Finding, definition_of, not_available
from vawgscope.contract.vocab import SURVEY_AGE_BANDS, VICTIM_OF
from vawgscope.survey.precautions import item_shares, items
from vawgscope.survey.redact import redact
from vawgscope.survey.themes import ThemeModel, representative

CRIME_TYPES: tuple[str, ...] = tuple(v for v in VICTIM_OF if v != "none")


def victims(responses: pd.DataFrame) -> pd.Series:
    """True for respondents whose ``victim_of`` answer names at least one crime type."""
    sets = items(responses["victim_of"]) if "victim_of" in responses else pd.Series(dtype=object)
    named = pd.Series([bool(s - {"none"}) for s in sets], index=sets.index, dtype=bool)
    return named.reindex(responses.index, fill_value=False)


def victimisation(responses: pd.DataFrame, *, confidence: float = 0.95) -> Finding:
    """Victims of crime in the last year, by crime type and age band.

    Definition: over respondents who answered ``victim_of``, ``not_victim_share`` = those who
    answered ``none`` (and no crime type) ÷ those who answered; each crime type's share =
    those naming it ÷ those who answered, overall and within each age band (so "younger
    women more often harassed" reads off the harassment rows). An answer naming a crime
    type beside ``none`` counts as a victim.

    Interval: Wilson score interval at ``confidence`` (Brown, Cai & DasGupta 2001).
    """
    title = "Victims of crime in the last year"
    if "victim_of" not in responses or responses["victim_of"].isna().all():
        return not_available(
            "victimisation",
            title,
            definition_of(victimisation),
            ("responses.victim_of",),
            ("not_victim_share",),
        )
    sets = items(responses["victim_of"])
    n = len(sets)
    not_victims = int(sets.map(lambda s: not (s - {"none"})).sum())
    not_share = share(not_victims, n, confidence)
    bands = responses.loc[sets.index, "age_band"]
    by_band: list[dict[str, Any]] = []
    for band in SURVEY_AGE_BANDS:
        in_band = sets[bands == band]
        if len(in_band):
            by_band += [
                {"age_band": band, **r} for r in item_shares(in_band, CRIME_TYPES, confidence)
            ]
    harassment = {
        r["age_band"]: {"estimate": r["share"], "low": r["low"], "high": r["high"]}
        for r in by_band
        if r["item"] == "harassment"
    }
    return Finding(
        id="victimisation",
        title=title,
        definition=definition_of(victimisation),
        summary=(
            f"{100 * not_share['estimate']:.0f}% of the {n:,} respondents who answered had not "
            f"been a victim of crime in the last year; {n - not_victims:,} had."
        ),
        figures={
            "answered": n,
            "victims": n - not_victims,
            "not_victim_share": not_share,
            "harassment_by_band": harassment,
        },
        tables={
            "victim_of": item_shares(sets, CRIME_TYPES, confidence),
            "victim_of_by_band": by_band,
        },
        headlines={"not_victim_share": not_share["estimate"]},
    )


def reporting(responses: pd.DataFrame, *, confidence: float = 0.95) -> Finding:
    """Victims who reported to any organisation.

    Definition: ``reported_share`` = victims (``victim_of`` names a crime type) who answered
    ``reported`` = ``yes`` ÷ victims who answered ``reported`` (yes or no). A ``reported``
    answer from a respondent who is not a victim counts nowhere. The same share by age band.

    Interval: Wilson score interval at ``confidence`` (Brown, Cai & DasGupta 2001).
    """
    title = "Victims who reported"
    if "reported" not in responses or "victim_of" not in responses:
        return not_available(
            "reporting",
            title,
            definition_of(reporting),
            ("responses.victim_of", "responses.reported"),
            ("reported_share",),
        )
    answered = responses[victims(responses) & responses["reported"].isin(["yes", "no"])]
    if answered.empty:
        return not_available(
            "reporting",
            title,
            definition_of(reporting),
            ("responses.reported",),
            ("reported_share",),
        )
    yes = int((answered["reported"] == "yes").sum())
    overall = share(yes, len(answered), confidence)
    by_band = []
    for band in SURVEY_AGE_BANDS:
        in_band = answered[answered["age_band"] == band]
        if len(in_band):
            k = int((in_band["reported"] == "yes").sum())
            estimate = share(k, len(in_band), confidence)
            by_band.append(
                {
                    "age_band": band,
                    "reported": k,
                    "answered": len(in_band),
                    "share": estimate["estimate"],
                    "low": estimate["low"],
                    "high": estimate["high"],
                }
            )
    return Finding(
        id="reporting",
        title=title,
        definition=definition_of(reporting),
        summary=(
            f"{100 * overall['estimate']:.1f}% of the {len(answered):,} victims who answered "
            "had reported to an organisation."
        ),
        figures={"victims_answered": len(answered), "reported": yes, "reported_share": overall},
        tables={"reported_by_band": by_band},
        headlines={"reported_share": overall["estimate"]},
    )


def reasons_not_reported(model: ThemeModel, *, confidence: float = 0.95) -> Finding:
    """Why victims did not report: the themes of their answers.

    Definition: over the non-empty answers to ``why_not_reported``, the share whose theme (from
    :func:`vawgscope.survey.themes.find_themes`, fitted on every free-text answer) is each
    theme, largest first, with the answer most wholly on each theme as an example (redacted).

    Interval: Wilson score interval at ``confidence``.
    """
    title = "Why victims did not report"
    answers = model.answers[model.answers["question"] == "why_not_reported"]
    if answers.empty or not model.labels:
        return not_available(
            "reasons_not_reported",
            title,
            definition_of(reasons_not_reported),
            ("responses.why_not_reported",),
        )
    rows = []
    for theme, label in enumerate(model.labels):
        k = int((answers["theme"] == theme).sum())
        if k == 0:
            continue
        estimate = share(k, len(answers), confidence)
        example = representative(ThemeModel(model.labels, model.terms, answers), theme, n=1)["text"]
        rows.append(
            {
                "theme": label,
                "answers": k,
                "share": estimate["estimate"],
                "low": estimate["low"],
                "high": estimate["high"],
                "example": redact(example.iloc[0]) if len(example) else None,
            }
        )
    rows.sort(key=lambda r: -r["answers"])
    top = rows[0]
    return Finding(
        id="reasons_not_reported",
        title=title,
        definition=definition_of(reasons_not_reported),
        summary=(
            f"Of {len(answers):,} answers on why victims did not report, "
            f"{100 * top['share']:.0f}% were about '{top['theme']}'."
        ),
        figures={"answers": len(answers)},
        tables={"reasons_not_reported": rows},
    )


ANALYSES: tuple[Callable[..., Finding], ...] = (victimisation, reporting)
