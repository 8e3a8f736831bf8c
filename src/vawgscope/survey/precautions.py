"""Precautions respondents take to feel safer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from vawgscope.analyses.common import share
from vawgscope.analyses.finding import Finding, definition_of, not_available
from vawgscope.contract.vocab import PRECAUTIONS, SURVEY_AGE_BANDS


def items(answers: pd.Series) -> pd.Series:
    """Each answered ``;``-separated list as a set of its items (unanswered rows dropped)."""
    answered = answers.dropna().astype(str)
    answered = answered[answered.str.strip() != ""]
    return answered.map(lambda text: {x.strip() for x in text.split(";") if x.strip()})


def item_shares(
    sets: pd.Series, vocabulary: tuple[str, ...], confidence: float
) -> list[dict[str, Any]]:
    """For each item: how many of the answered lists hold it, and the Wilson share."""
    n = len(sets)
    rows: list[dict[str, Any]] = []
    for item in vocabulary:
        k = int(sets.map(lambda s, item=item: item in s).sum())
        rows.append({"item": item, **_share_row(k, n, confidence)})
    return rows


def _share_row(k: int, n: int, confidence: float) -> dict[str, Any]:
    estimate = share(k, n, confidence) or {"estimate": None, "low": None, "high": None}
    return {
        "respondents": k,
        "answered": n,
        "share": estimate["estimate"],
        "low": estimate["low"],
        "high": estimate["high"],
    }


def precautions_taken(responses: pd.DataFrame, *, confidence: float = 0.95) -> Finding:
    """Precautions taken to feel safer.

    Definition: over respondents who answered the precautions question (a non-empty list),
    the share ticking each precaution; ``no_precautions_share`` = respondents who answered
    ``none`` ÷ respondents who answered (Kent: 239 ÷ 8,184). An answer that ticks ``none``
    beside a precaution took that precaution: it counts under the precaution, not as none.
    The same shares by age band.

    Interval: Wilson score interval at ``confidence`` (Brown, Cai & DasGupta 2001).
    """
    title = "Precautions taken to feel safer"
    if "precautions" not in responses or responses["precautions"].isna().all():
        return not_available(
            "precautions",
            title,
            definition_of(precautions_taken),
            ("responses.precautions",),
            ("no_precautions_share",),
        )
    sets = items(responses["precautions"])
    overall = item_shares(sets, PRECAUTIONS, confidence)
    only_none = sets.map(lambda s: s == {"none"})
    for row in (r for r in overall if r["item"] == "none"):
        row.update(_share_row(int(only_none.sum()), len(sets), confidence))
    none = next(r for r in overall if r["item"] == "none")
    by_band = []
    bands = responses.loc[sets.index, "age_band"]
    for band in SURVEY_AGE_BANDS:
        in_band = sets[bands == band]
        if len(in_band):
            rows = item_shares(in_band, PRECAUTIONS, confidence)
            for row in (r for r in rows if r["item"] == "none"):
                row.update(
                    _share_row(int(only_none[in_band.index].sum()), len(in_band), confidence)
                )
            by_band += [{"age_band": band, **r} for r in rows]
    taken = sorted((r for r in overall if r["item"] != "none"), key=lambda r: -r["respondents"])
    no_share = {"estimate": none["share"], "low": none["low"], "high": none["high"]}
    return Finding(
        id="precautions",
        title=title,
        definition=definition_of(precautions_taken),
        summary=(
            f"{none['respondents']:,} of {none['answered']:,} respondents "
            f"({100 * none['share']:.1f}%) took no precautions; the most common were "
            f"{taken[0]['item'].replace('_', ' ')} and {taken[1]['item'].replace('_', ' ')}."
        ),
        figures={
            "answered": none["answered"],
            "no_precautions": none["respondents"],
            "no_precautions_share": no_share,
        },
        tables={"precautions": overall, "precautions_by_band": by_band},
        headlines={"no_precautions_share": none["share"]},
    )


ANALYSES: tuple[Callable[..., Finding], ...] = (precautions_taken,)
