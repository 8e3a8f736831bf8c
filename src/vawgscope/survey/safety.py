"""Feeling safe: scores by age band, place and day or night, and the least-safe and safest bands.

Scores are the survey's 1–5 answers (1 very unsafe … 5 very safe). Each analysis takes the
loaded responses (a pandas frame of contract columns) and returns a :class:`Finding`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from vawgscope.analyses.common import share
from vawgscope.analyses.finding import Finding, definition_of, not_available
from vawgscope.contract.vocab import SURVEY_AGE_BANDS, SURVEY_PLACES

TIMES: tuple[str, ...] = ("day", "night")
UNSAFE_SCORES: tuple[int, ...] = (1, 2)


def safety_column(place: str, time: str) -> str:
    return f"safe_{place}_{time}"


def mean_interval(values: np.ndarray, confidence: float = 0.95) -> dict[str, float | None] | None:
    """``{estimate, low, high}`` of the mean of ``values`` with a Student t interval
    (mean ± t(1 − α/2; n − 1) · s/√n); limits None for a single value, None when empty.

    The t interval assumes the mean is near normal, which holds for the 1–5 scores of more
    than a few dozen respondents (central limit theorem); for tiny groups it is rough.
    """
    n = len(values)
    if n == 0:
        return None
    mean = float(np.mean(values))
    if n == 1:
        return {"estimate": mean, "low": None, "high": None}
    half = float(stats.t.ppf(0.5 + confidence / 2, n - 1) * np.std(values, ddof=1) / np.sqrt(n))
    return {"estimate": mean, "low": mean - half, "high": mean + half}


def _cells(responses: pd.DataFrame, confidence: float) -> list[dict[str, Any]]:
    rows = []
    for place in SURVEY_PLACES:
        for time in TIMES:
            column = safety_column(place, time)
            if column not in responses:
                continue
            for band in SURVEY_AGE_BANDS:
                scores = responses.loc[responses["age_band"] == band, column].dropna()
                values = scores.to_numpy(dtype=float)
                if len(values) == 0:
                    continue
                unsafe = int(np.isin(values, UNSAFE_SCORES).sum())
                mean = mean_interval(values, confidence)
                # A mean cannot leave the answer scale, whatever the t limits say.
                low = None if mean["low"] is None else max(1.0, mean["low"])
                high = None if mean["high"] is None else min(5.0, mean["high"])
                unsafe_share = share(unsafe, len(values), confidence)
                rows.append(
                    {
                        "place": place,
                        "time": time,
                        "age_band": band,
                        "answered": len(values),
                        "mean_score": mean["estimate"],
                        "mean_low": low,
                        "mean_high": high,
                        "unsafe": unsafe,
                        "unsafe_share": unsafe_share["estimate"],
                        "unsafe_low": unsafe_share["low"],
                        "unsafe_high": unsafe_share["high"],
                    }
                )
    return rows


def _has_scores(responses: pd.DataFrame) -> bool:
    columns = [safety_column(p, t) for p in SURVEY_PLACES for t in TIMES]
    present = [c for c in columns if c in responses]
    return bool(present) and bool(responses[present].notna().any().any())


def feeling_unsafe(responses: pd.DataFrame, *, confidence: float = 0.95) -> Finding:
    """Feeling safe by age band, place and time of day.

    Definition: for each age band × place × day/night, over respondents who answered that
    place and time: the mean score (1 very unsafe … 5 very safe) and the share answering 1
    or 2 ("unsafe"). A band with no answer for a place and time has no row. ``safer_by_day``
    counts the band × place pairs whose day mean is above the night mean, of those with both.
    ``age_gradient`` is Spearman's rank correlation between band order (youngest first) and
    the band means of each place and time: above 0 where the older feel safer;
    ``older_safer_places`` lists the places where it is above 0 both by day and at night.

    Intervals: the mean has a Student t interval clipped to the 1–5 scale (no limits for a
    single answer), the share a Wilson score interval, both at ``confidence`` (Brown, Cai &
    DasGupta 2001).
    """
    title = "Feeling safe by age band, place and time of day"
    if not _has_scores(responses):
        return not_available(
            "feeling_unsafe", title, definition_of(feeling_unsafe), ("responses.safe_*",)
        )
    rows = _cells(responses, confidence)
    means = {(r["place"], r["time"], r["age_band"]): r["mean_score"] for r in rows}
    pairs = [
        (place, band)
        for place in SURVEY_PLACES
        for band in SURVEY_AGE_BANDS
        if (place, "day", band) in means and (place, "night", band) in means
    ]
    safer = [p for p in pairs if means[(p[0], "day", p[1])] > means[(p[0], "night", p[1])]]
    gradient = _age_gradient(rows)
    older_safer = [
        place
        for place in SURVEY_PLACES
        if (rhos := [g["spearman_rho"] for g in gradient if g["place"] == place])
        and all(rho > 0 for rho in rhos)
    ]
    night = [r for r in rows if r["time"] == "night"]
    all_night = sum(r["unsafe"] for r in night)
    all_night_n = sum(r["answered"] for r in night)
    unsafe_night = share(all_night, all_night_n, confidence)
    return Finding(
        id="feeling_unsafe",
        title=title,
        definition=definition_of(feeling_unsafe),
        summary=(
            f"Respondents felt safer by day than at night in {len(safer)} of {len(pairs)} "
            f"age band × place pairs; at night {100 * unsafe_night['estimate']:.0f}% of answers "
            "were unsafe (1–2)."
        ),
        figures={
            "safer_by_day": len(safer),
            "band_place_pairs": len(pairs),
            "unsafe_share_night": unsafe_night,
            "older_safer_places": older_safer,
        },
        tables={"safety_by_band_place": rows, "age_gradient": gradient},
    )


def _age_gradient(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for place in SURVEY_PLACES:
        for time in TIMES:
            cells = [r for r in rows if r["place"] == place and r["time"] == time]
            if len(cells) < 3:
                continue
            order = [SURVEY_AGE_BANDS.index(r["age_band"]) for r in cells]
            rho = stats.spearmanr(order, [r["mean_score"] for r in cells]).statistic
            out.append({"place": place, "time": time, "bands": len(cells), "spearman_rho": rho})
    return out


def _extreme_bands(
    rows: list[dict[str, Any]], time: str, pick: Callable[[list[float]], float]
) -> dict[str, str]:
    out = {}
    for place in SURVEY_PLACES:
        cells = [r for r in rows if r["place"] == place and r["time"] == time]
        if not cells:
            continue
        target = pick([r["mean_score"] for r in cells])
        # Equal means: the youngest such band (rows are in band order).
        out[place] = next(r["age_band"] for r in cells if r["mean_score"] == target)
    return out


def _in_n_places(by_place: dict[str, str]) -> dict[str, int]:
    counts = Counter(by_place.values())
    return {band: counts[band] for band in SURVEY_AGE_BANDS if counts[band]}


def least_and_safest_bands(responses: pd.DataFrame, *, confidence: float = 0.95) -> Finding:
    """The least-safe and safest age band in each place, by day and at night.

    Definition: for each place and time (day, night), among the age bands with at least one
    answer there, the least-safe band has the lowest mean score and the safest band the
    highest (the seed report's "on average"); equal means go to the youngest band. The
    counts say in how many of the places answered each band is least safe or safest ("in N
    of 12 places"). Rows whose scores were rejected at load count nowhere.

    The means carry Student t intervals in the table of :func:`feeling_unsafe`; a band is
    named even when its interval overlaps the next band's, as the seed report does.
    """
    title = "Least-safe and safest age band in each place"
    keys = ("least_safe_band_night", "least_safe_band_day", "safest_band_night", "safest_band_day")
    if not _has_scores(responses):
        return not_available(
            "safety_extremes",
            title,
            definition_of(least_and_safest_bands),
            ("responses.safe_*",),
            keys,
        )
    rows = _cells(responses, confidence)
    bands = {
        "least_safe_band_night": _extreme_bands(rows, "night", min),
        "least_safe_band_day": _extreme_bands(rows, "day", min),
        "safest_band_night": _extreme_bands(rows, "night", max),
        "safest_band_day": _extreme_bands(rows, "day", max),
    }
    counts = {key: _in_n_places(value) for key, value in bands.items()}
    table = [
        {
            "place": place,
            "least_safe_night": bands["least_safe_band_night"].get(place),
            "least_safe_day": bands["least_safe_band_day"].get(place),
            "safest_night": bands["safest_band_night"].get(place),
            "safest_day": bands["safest_band_day"].get(place),
        }
        for place in SURVEY_PLACES
    ]
    places = len(bands["least_safe_band_night"])
    top_night = max(counts["least_safe_band_night"].items(), key=lambda kv: kv[1])
    top_day = max(counts["least_safe_band_day"].items(), key=lambda kv: kv[1])
    return Finding(
        id="safety_extremes",
        title=title,
        definition=definition_of(least_and_safest_bands),
        summary=(
            f"At night '{top_night[0]}' felt least safe in {top_night[1]} of {places} places; "
            f"by day '{top_day[0]}' in {top_day[1]} of {len(bands['least_safe_band_day'])}."
        ),
        figures={f"{key}_in_n_places": value for key, value in counts.items()},
        tables={
            "bands_by_place": table,
            "in_n_places": [
                {"band": band, **{key: counts[key].get(band, 0) for key in keys}}
                for band in SURVEY_AGE_BANDS
            ],
        },
        headlines=bands,
    )


ANALYSES: tuple[Callable[..., Finding], ...] = (feeling_unsafe, least_and_safest_bands)
